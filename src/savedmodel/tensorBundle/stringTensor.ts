/**
 * DT_STRING tensors in a bundle data shard: [varint64 len]*n, a 4-byte masked CRC32C of the lengths, then the
 * bytes of every element. The entry checksum covers each length as a 4-byte little-endian uint32 (8 bytes if it
 * does not fit), then the 4 stored checksum bytes, then the string bytes — verified against TF-written fixtures.
 */
import { crc32c, hex32, maskCrc } from "./crc.js";
import { ByteSink, readU32, readVarint, VarintError } from "./varint.js";

export interface StringDecodeResult {
  values: Uint8Array[];
  /** CRC32C over the entry bytes in TF's rule (compare with the unmasked entry crc32c). */
  crc: number;
}

function lengthCrc(len: number, crc: number | undefined): number {
  const b = new Uint8Array(len <= 0xffffffff ? 4 : 8);
  const dv = new DataView(b.buffer);
  if (b.length === 4) dv.setUint32(0, len, true);
  else dv.setBigUint64(0, BigInt(len), true);
  return crc32c(b, crc);
}

/** Thrown problems carry the byte offset within the entry. */
export class StringTensorError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function decodeStringTensor(bytes: Uint8Array, n: number, verify: boolean): StringDecodeResult {
  const lens: number[] = new Array(n);
  let pos = 0;
  let crc: number | undefined;
  let total = 0;
  try {
    for (let i = 0; i < n; i++) {
      const [len, next] = readVarint(bytes, pos, bytes.length, `length of string ${i}`);
      lens[i] = len;
      total += len;
      if (verify) crc = lengthCrc(len, crc);
      pos = next;
    }
  } catch (e) {
    if (e instanceof VarintError) throw new StringTensorError(e.message, e.offset);
    throw e;
  }
  if (pos + 4 > bytes.length) throw new StringTensorError("truncated before the string-length checksum", pos);
  if (verify) {
    const stored = readU32(bytes, pos);
    const expected = maskCrc(crc ?? 0);
    if (n > 0 && stored !== expected) {
      throw new StringTensorError(
        `string length checksum mismatch: stored ${hex32(stored)}, computed ${hex32(expected)}`,
        pos,
      );
    }
    crc = crc32c(bytes.subarray(pos, pos + 4), crc);
  }
  pos += 4;
  if (pos + total !== bytes.length) {
    throw new StringTensorError(
      `string lengths add up to ${total} bytes but ${bytes.length - pos} follow the lengths`,
      pos,
    );
  }
  const values: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = Uint8Array.prototype.slice.call(bytes, pos, pos + lens[i]);
    pos += lens[i];
  }
  if (verify) crc = crc32c(bytes.subarray(pos - total, pos), crc);
  return { values, crc: crc === undefined ? 0 : crc >>> 0 };
}

/** Encodes string elements the way TF's BundleWriter does; returns bytes and the unmasked entry CRC. */
export function encodeStringTensor(values: Uint8Array[]): { bytes: Uint8Array; crc: number } {
  const sink = new ByteSink(64 + values.length * 2);
  let crc: number | undefined;
  for (const v of values) {
    sink.varint(v.length);
    crc = lengthCrc(v.length, crc);
  }
  const lc = maskCrc(crc ?? 0);
  const lcBytes = new Uint8Array(4);
  new DataView(lcBytes.buffer).setUint32(0, lc, true);
  sink.bytes(lcBytes);
  crc = crc32c(lcBytes, crc);
  for (const v of values) {
    sink.bytes(v);
    crc = crc32c(v, crc);
  }
  return { bytes: sink.take(), crc: crc >>> 0 };
}
