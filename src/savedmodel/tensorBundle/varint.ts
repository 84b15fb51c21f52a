/** Bounds-checked little-endian varint and fixed-width helpers for the table and bundle formats. */

export class VarintError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** Reads an unsigned varint of up to 64 bits as a Number (exact below 2^53). Returns [value, nextPos]. */
export function readVarint(buf: Uint8Array, pos: number, end = buf.length, what = "varint"): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new VarintError(`truncated ${what}`, pos);
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (result > Number.MAX_SAFE_INTEGER) throw new VarintError(`${what} ${result} exceeds 2^53`, pos);
      return [result, pos];
    }
    mul *= 128;
  }
  throw new VarintError(`${what} longer than 10 bytes`, pos);
}

/** Appends a varint (value < 2^53) to `out`. */
export function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export function varintLength(value: number): number {
  let n = 1;
  let v = value;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export function readU32(buf: Uint8Array, pos: number): number {
  return (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
}

export function writeU32(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = v & 0xff;
  buf[pos + 1] = (v >>> 8) & 0xff;
  buf[pos + 2] = (v >>> 16) & 0xff;
  buf[pos + 3] = (v >>> 24) & 0xff;
}

/** A growable byte buffer. */
export class ByteSink {
  private buf: Uint8Array;
  length = 0;
  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }
  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }
  varint(v: number): void {
    this.ensure(10);
    let x = v;
    while (x >= 0x80) {
      this.buf[this.length++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    this.buf[this.length++] = x;
  }
  u32(v: number): void {
    this.ensure(4);
    writeU32(this.buf, this.length, v);
    this.length += 4;
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  take(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  reset(): void {
    this.length = 0;
  }
}
