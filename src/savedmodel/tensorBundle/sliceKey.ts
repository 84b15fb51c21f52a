/**
 * Keys of partitioned-variable slices in a bundle (TF's checkpoint::EncodeTensorNameSlice): OrderedCode of
 * NumIncreasing(0), String(name), NumIncreasing(rank), then SignedNumIncreasing(start) and
 * SignedNumIncreasing(length, -1 = full dimension) per dimension. Such keys start with a 0x00 byte, so they
 * sort before every ordinary variable name.
 */
import type { SliceExtent } from "./index.js";

export interface SliceKey {
  name: string;
  extents: SliceExtent[];
}

const HEADER_BITS: [number, number][] = [
  [0, 0],
  [0x80, 0],
  [0xc0, 0],
  [0xe0, 0],
  [0xf0, 0],
  [0xf8, 0],
  [0xfc, 0],
  [0xfe, 0],
  [0xff, 0],
  [0xff, 0x80],
  [0xff, 0xc0],
];

function writeNumIncreasing(out: number[], v: number): void {
  const bytes: number[] = [];
  let x = BigInt(v);
  while (x > 0n) {
    bytes.unshift(Number(x & 0xffn));
    x >>= 8n;
  }
  out.push(bytes.length, ...bytes);
}

function writeString(out: number[], s: Uint8Array): void {
  for (const b of s) {
    if (b === 0x00) out.push(0x00, 0xff);
    else if (b === 0xff) out.push(0xff, 0x00);
    else out.push(b);
  }
  out.push(0x00, 0x01);
}

function writeSignedNumIncreasing(out: number[], v: number): void {
  const val = BigInt(v);
  const x = val < 0n ? ~val : val;
  if (x < 64n) {
    out.push((0x80 ^ Number(BigInt.asUintN(8, val))) & 0xff);
    return;
  }
  const bits = x.toString(2).length;
  const len = Math.floor(bits / 7) + 1;
  const buf = new Array<number>(10);
  const u = BigInt.asUintN(64, val);
  const sign = val < 0n ? 0xff : 0;
  buf[0] = sign;
  buf[1] = sign;
  for (let i = 0; i < 8; i++) buf[2 + i] = Number((u >> BigInt(8 * (7 - i))) & 0xffn);
  const begin = 10 - len;
  buf[begin] ^= HEADER_BITS[len][0];
  buf[begin + 1] ^= HEADER_BITS[len][1];
  out.push(...buf.slice(begin));
}

export function encodeSliceKey(name: string, extents: SliceExtent[]): Uint8Array {
  const out: number[] = [];
  writeNumIncreasing(out, 0);
  writeString(out, new TextEncoder().encode(name));
  writeNumIncreasing(out, extents.length);
  for (const e of extents) {
    writeSignedNumIncreasing(out, e.start);
    writeSignedNumIncreasing(out, e.length < 0 ? -1 : e.length);
  }
  return Uint8Array.from(out);
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  num(): number {
    const n = this.b[this.pos++];
    if (n === undefined || n > 8 || this.pos + n > this.b.length) throw new Error("bad number");
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.b[this.pos++]);
    return Number(v);
  }
  str(): Uint8Array {
    const out: number[] = [];
    for (;;) {
      if (this.pos + 1 >= this.b.length + 1) throw new Error("unterminated string");
      const c = this.b[this.pos++];
      if (c === 0x00) {
        const d = this.b[this.pos++];
        if (d === 0x01) return Uint8Array.from(out);
        if (d === 0xff) out.push(0x00);
        else throw new Error("bad escape");
      } else if (c === 0xff) {
        if (this.b[this.pos++] !== 0x00) throw new Error("bad escape");
        out.push(0xff);
      } else if (c === undefined) throw new Error("unterminated string");
      else out.push(c);
    }
  }
  signed(): number {
    const first = this.b[this.pos];
    if (first === undefined) throw new Error("truncated number");
    const negative = (first & 0x80) === 0;
    // Length = count of leading header bits equal to the non-sign value (extends into the 2nd byte past 8).
    const flip = negative ? 0xff : 0;
    const x0 = first ^ flip;
    let len = 0;
    while (len < 8 && x0 & (0x80 >> len)) len++;
    if (len === 8) {
      const x1 = (this.b[this.pos + 1] ?? 0) ^ flip;
      len += x1 & 0x80 ? (x1 & 0x40 ? 2 : 1) : 0;
      if (x1 & 0x80 && x1 & 0x40 && x1 & 0x20) throw new Error("bad signed number");
    }
    if (len < 1 || len > 10 || this.pos + len > this.b.length) throw new Error("bad signed number");
    const bytes = Array.from(this.b.subarray(this.pos, this.pos + len));
    this.pos += len;
    bytes[0] ^= HEADER_BITS[len][0];
    if (len > 1) bytes[1] ^= HEADER_BITS[len][1];
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    const width = BigInt(8 * len);
    // Sign-extend: after removing the header bits, the value is two's complement in `len` bytes.
    if (negative) v -= 1n << width;
    return Number(v);
  }
}

/** Decodes a slice key, or undefined when `key` is not one. */
export function decodeSliceKey(key: Uint8Array): SliceKey | undefined {
  if (key.length < 4 || key[0] !== 0x00) return undefined;
  try {
    const r = new Reader(key);
    if (r.num() !== 0) return undefined;
    const name = new TextDecoder().decode(r.str());
    const rank = r.num();
    if (rank > 64) return undefined;
    const extents: SliceExtent[] = [];
    for (let i = 0; i < rank; i++) {
      const start = r.signed();
      const length = r.signed();
      extents.push({ start, length: length < 0 ? -1 : length });
    }
    return r.pos === key.length ? { name, extents } : undefined;
  } catch {
    return undefined;
  }
}

/** "name[0:2, :]" style text for a slice. */
export function formatSlice(name: string, extents: SliceExtent[]): string {
  return `${name}[${extents.map((e) => (e.length < 0 ? ":" : `${e.start}:${e.start + e.length}`)).join(", ")}]`;
}
