/**
 * Reader for TensorFlow's table format (tensorflow/core/lib/io/table*, a LevelDB SSTable variant) as used by
 * `variables.index`: footer → index block → data blocks, each block with a 5-byte trailer (compression type +
 * masked CRC32C), optional Snappy compression, prefix-compressed keys and restart points. Every length and
 * offset is checked against the file so a hostile file yields a SavedModelError, never a crash or huge allocation.
 */
import { uncompress } from "snappyjs";
import { currentLimits, limitExceeded, type DecodeLimits } from "../containment.js";
import { SavedModelError } from "../errors.js";
import { crc32c, hex32, unmaskCrc } from "./crc.js";
import { readU32, readVarint, VarintError } from "./varint.js";

export const TABLE_MAGIC_LO = 0x8b80fb57;
export const TABLE_MAGIC_HI = 0xdb477524;
export const FOOTER_SIZE = 48;
export const BLOCK_TRAILER_SIZE = 5;
export const COMPRESSION_NONE = 0;
export const COMPRESSION_SNAPPY = 1;
/** The limits a table is read under (see DecodeLimits in ../containment.ts). */
export type TableLimits = Pick<DecodeLimits, "maxIndexBlockBytes" | "maxIndexBytes" | "maxIndexEntries">;

/** Snappy's preamble: the uncompressed length as a little-endian base-128 varint (at most 5 bytes). */
export function snappyDeclaredLength(raw: Uint8Array): number | undefined {
  let n = 0;
  for (let i = 0; i < 5 && i < raw.length; i++) {
    n += (raw[i] & 0x7f) * 2 ** (7 * i);
    if (!(raw[i] & 0x80)) return n;
  }
  return undefined;
}

export interface BlockHandle {
  offset: number;
  size: number;
}

export interface TableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

export interface TableInfo {
  entries: TableEntry[];
  indexHandle: BlockHandle;
  metaindexHandle: BlockHandle;
  /** Data blocks in file order, with their compression type. */
  blocks: (BlockHandle & { compression: number })[];
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function fail(file: string, detail: string, offset?: number, field?: string): never {
  throw new SavedModelError(file, detail, { offset, field });
}

function decodeHandle(file: string, buf: Uint8Array, pos: number, end: number, what: string): [BlockHandle, number] {
  try {
    const [offset, p1] = readVarint(buf, pos, end, `${what} offset`);
    const [size, p2] = readVarint(buf, p1, end, `${what} size`);
    return [{ offset, size }, p2];
  } catch (e) {
    if (e instanceof VarintError) fail(file, `corrupt block handle: ${e.message}`, e.offset, what);
    throw e;
  }
}

/** Reads one block (contents + trailer) at `h`, verifying the trailer CRC and decompressing. */
export function readBlock(
  file: string,
  data: Uint8Array,
  h: BlockHandle,
  limit: number,
  what: string,
  verify = true,
  limits: TableLimits = currentLimits(),
): { contents: Uint8Array; compression: number } {
  if (h.offset + h.size + BLOCK_TRAILER_SIZE > limit) {
    fail(
      file,
      `${what} block [${h.offset}, +${h.size}] plus its 5-byte trailer runs past the table data (${limit} bytes)`,
      h.offset,
      what,
    );
  }
  const raw = data.subarray(h.offset, h.offset + h.size);
  const type = data[h.offset + h.size];
  if (verify) {
    const stored = readU32(data, h.offset + h.size + 1);
    const actual = crc32c(data.subarray(h.offset, h.offset + h.size + 1));
    const expected = unmaskCrc(stored);
    if (actual !== expected) {
      fail(
        file,
        `${what} block checksum mismatch: expected crc32c ${hex32(expected)}, actual ${hex32(actual)}`,
        h.offset,
        what,
      );
    }
  }
  if (type === COMPRESSION_NONE) {
    if (raw.length > limits.maxIndexBlockBytes)
      limitExceeded(
        file,
        `${what} (at offset ${h.offset}) is ${raw.length} bytes, over the limit for one block`,
        "maxIndexBlockBytes",
        limits.maxIndexBlockBytes,
      );
    return { contents: raw, compression: type };
  }
  if (type === COMPRESSION_SNAPPY) {
    // checked before any work: the length Snappy declares, against the block limit and what the input can expand to
    const declared = snappyDeclaredLength(raw);
    if (declared === undefined)
      fail(file, `${what} block: Snappy data has no valid uncompressed-length preamble`, h.offset, what);
    if (declared > limits.maxIndexBlockBytes)
      limitExceeded(
        file,
        `${what} (at offset ${h.offset}) is Snappy data declaring ${declared} bytes uncompressed, over the limit for one block (a decompression bomb?)`,
        "maxIndexBlockBytes",
        limits.maxIndexBlockBytes,
      );
    const maxLen = Math.min(limits.maxIndexBlockBytes, raw.length * 32 + 64);
    try {
      return { contents: uncompress(raw, maxLen), compression: type };
    } catch (e) {
      fail(
        file,
        `${what} block: Snappy decompression failed (${e instanceof Error ? e.message : String(e)})`,
        h.offset,
        what,
      );
    }
  }
  fail(
    file,
    `${what} block has unknown compression type ${type} (expected 0 = none or 1 = snappy)`,
    h.offset + h.size,
    what,
  );
}

/** Decodes the entries of one block. `base` is the block's file offset, for error messages. */
export function parseBlock(
  file: string,
  block: Uint8Array,
  base: number,
  what: string,
  maxEntries = Infinity,
): TableEntry[] {
  const len = block.length;
  if (len < 4) fail(file, `${what} block is ${len} bytes, too short for its restart count`, base, what);
  const numRestarts = readU32(block, len - 4);
  if (numRestarts * 4 + 4 > len)
    fail(file, `${what} block claims ${numRestarts} restart points, more than fit in ${len} bytes`, base, what);
  const limit = len - 4 - numRestarts * 4;
  const out: TableEntry[] = [];
  let prev: Uint8Array = new Uint8Array(0);
  let pos = 0;
  try {
    while (pos < limit) {
      const at = pos;
      let shared: number, nonShared: number, valueLen: number;
      [shared, pos] = readVarint(block, pos, limit, "shared key length");
      [nonShared, pos] = readVarint(block, pos, limit, "key delta length");
      [valueLen, pos] = readVarint(block, pos, limit, "value length");
      if (shared > prev.length)
        fail(
          file,
          `${what} block entry shares ${shared} key bytes but the previous key has ${prev.length}`,
          base + at,
          what,
        );
      if (pos + nonShared + valueLen > limit)
        fail(
          file,
          `${what} block entry (key ${nonShared} + value ${valueLen} bytes) runs past the block`,
          base + at,
          what,
        );
      const key = new Uint8Array(shared + nonShared);
      key.set(prev.subarray(0, shared));
      key.set(block.subarray(pos, pos + nonShared), shared);
      pos += nonShared;
      const value = block.subarray(pos, pos + valueLen);
      pos += valueLen;
      if (out.length >= maxEntries)
        limitExceeded(file, `${what} holds more entries than a checkpoint index may`, "maxIndexEntries", maxEntries);
      out.push({ key, value });
      prev = key;
    }
  } catch (e) {
    if (e instanceof VarintError) fail(file, `${what} block: ${e.message}`, base + e.offset, what);
    throw e;
  }
  return out;
}

/** Parses a whole table held in memory. */
export function parseTable(
  file: string,
  data: Uint8Array,
  opts: { verify?: boolean; limits?: TableLimits } = {},
): TableInfo {
  const verify = opts.verify ?? true;
  const limits = opts.limits ?? currentLimits();
  const size = data.length;
  if (size < FOOTER_SIZE) fail(file, `file is ${size} bytes, smaller than the ${FOOTER_SIZE}-byte table footer`, 0);
  const footer = size - FOOTER_SIZE;
  if (readU32(data, size - 8) !== TABLE_MAGIC_LO || readU32(data, size - 4) !== TABLE_MAGIC_HI) {
    fail(
      file,
      `bad table magic number at the end of the file (not a TensorFlow checkpoint index, or truncated)`,
      size - 8,
    );
  }
  const [metaindexHandle, p] = decodeHandle(file, data, footer, size - 8, "metaindex");
  const [indexHandle] = decodeHandle(file, data, p, size - 8, "index");
  const { contents: indexBlock } = readBlock(file, data, indexHandle, footer, "index", verify, limits);
  const indexEntries = parseBlock(file, indexBlock, indexHandle.offset, "index", limits.maxIndexEntries);
  let inflated = indexBlock.length;
  const entries: TableEntry[] = [];
  const blocks: TableInfo["blocks"] = [];
  let last: Uint8Array | undefined;
  for (let i = 0; i < indexEntries.length; i++) {
    const [h] = decodeHandle(file, indexEntries[i].value, 0, indexEntries[i].value.length, `index entry ${i}`);
    const what = `data block ${i}`;
    const { contents, compression } = readBlock(file, data, h, footer, what, verify, limits);
    inflated += contents.length;
    if (inflated > limits.maxIndexBytes)
      limitExceeded(
        file,
        `its blocks inflate to more than ${limits.maxIndexBytes} bytes (at ${what})`,
        "maxIndexBytes",
        limits.maxIndexBytes,
      );
    blocks.push({ ...h, compression });
    for (const e of parseBlock(file, contents, h.offset, what, limits.maxIndexEntries - entries.length)) {
      if (last && compareBytes(last, e.key) >= 0) {
        fail(file, `${what}: keys out of order or duplicated ("${new TextDecoder().decode(e.key)}")`, h.offset, what);
      }
      if (compareBytes(e.key, indexEntries[i].key) > 0) {
        fail(file, `${what}: key "${new TextDecoder().decode(e.key)}" is past its index separator`, h.offset, what);
      }
      last = e.key;
      entries.push(e);
    }
  }
  return { entries, indexHandle, metaindexHandle, blocks };
}
