/**
 * Narrow floats: IEEE half, bfloat16 and the float8 formats to and from float32.
 */
import { DataType } from "./dtypes.js";

const DT = DataType;

export function isFloat8(dtype: number): boolean {
  return dtype >= DT.DT_FLOAT8_E5M2 && dtype <= DT.DT_FLOAT8_E5M2FNUZ;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) {
    if (m === 0) return s * Infinity;
    u32[0] = ((h & 0x8000) << 16) | 0x7f800000 | (m << 13); // keep the NaN payload
    return f32[0];
  }
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** float → IEEE half bits, round to nearest even (exact for values that came from a half). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const man = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? (man >>> 13) | (man >>> 13 ? 0 : 0x200) : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = man | 0x800000;
    const shift = 14 - e;
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++;
  return sign | r;
}

export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** float → bfloat16 bits, round to nearest even like TF; NaN stays a quiet NaN. */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The float32 value of each of the 256 bytes of a float8 format. */
export function float8Table(dtype: number): Float32Array {
  const t = new Float32Array(256);
  for (let b = 0; b < 256; b++) {
    const neg = b & 0x80;
    let ebits: number, mbits: number, bias: number;
    if (dtype === DT.DT_FLOAT8_E5M2 || dtype === DT.DT_FLOAT8_E5M2FNUZ)
      [ebits, mbits, bias] = [5, 2, dtype === DT.DT_FLOAT8_E5M2 ? 15 : 16];
    else [ebits, mbits, bias] = [4, 3, dtype === DT.DT_FLOAT8_E4M3FN ? 7 : dtype === DT.DT_FLOAT8_E4M3FNUZ ? 8 : 11];
    const e = (b >> mbits) & ((1 << ebits) - 1);
    const m = b & ((1 << mbits) - 1);
    const fnuz = dtype !== DT.DT_FLOAT8_E5M2 && dtype !== DT.DT_FLOAT8_E4M3FN;
    let v: number;
    if (fnuz && b === 0x80) v = NaN;
    else if (dtype === DT.DT_FLOAT8_E5M2 && e === 31) v = m ? NaN : Infinity;
    else if (dtype === DT.DT_FLOAT8_E4M3FN && e === 15 && m === 7) v = NaN;
    else if (e === 0) v = m * 2 ** (1 - bias - mbits);
    else v = (1 + m / (1 << mbits)) * 2 ** (e - bias);
    t[b] = neg && !Number.isNaN(v) ? -v : v;
  }
  return t;
}

/** The float8 byte closest to `x` (exact values, NaN and signed zeros kept). */
export function nearestFloat8(table: Float32Array, x: number): number {
  let best = 0;
  let bestErr = Infinity;
  for (let b = 0; b < 256; b++) {
    const y = table[b];
    if (Number.isNaN(x) ? Number.isNaN(y) : Object.is(y, x)) return b;
    const err = Math.abs(y - x);
    if (err < bestErr) [best, bestErr] = [b, err];
  }
  return best;
}
