/**
 * One-pass statistics of a tensor's values.
 */
import { DataType } from "./dtypes.js";
import type { DecodedTensor } from "./tensor.js";

const DT = DataType;

export interface TensorStats {
  count: number;
  /** Smallest/largest non-NaN value (may be ±Infinity); NaN when there is none. */
  min: number;
  max: number;
  /** Mean and population standard deviation of the finite values; NaN when there are none. */
  mean: number;
  std: number;
  nanCount: number;
  infCount: number;
  /** Fraction of elements equal to zero. */
  zeroFraction: number;
}

/** One-pass statistics (Welford). Complex values use their magnitude; int64 via Number(); strings give counts only. */
export function tensorStats(t: DecodedTensor): TensorStats {
  const v = t.values;
  const complex = t.dtype === DT.DT_COMPLEX64 || t.dtype === DT.DT_COMPLEX128;
  const count = Array.isArray(v) ? v.length : complex ? v.length / 2 : v.length;
  let min = Infinity,
    max = -Infinity,
    mean = 0,
    m2 = 0,
    finite = 0,
    nanCount = 0,
    infCount = 0,
    zeros = 0,
    seen = 0;
  if (!Array.isArray(v)) {
    const isBig = v instanceof BigInt64Array || v instanceof BigUint64Array;
    for (let i = 0; i < count; i++) {
      let x: number;
      if (complex) {
        const re = (v as Float32Array)[2 * i];
        const im = (v as Float32Array)[2 * i + 1];
        x = Math.hypot(re, im);
      } else x = isBig ? Number((v as BigInt64Array)[i]) : (v as Float32Array)[i];
      if (x !== x) {
        nanCount++;
        continue;
      }
      seen++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
      if (x === Infinity || x === -Infinity) {
        infCount++;
        continue;
      }
      finite++;
      const d = x - mean;
      mean += d / finite;
      m2 += d * (x - mean);
    }
  }
  return {
    count,
    min: seen ? min : NaN,
    max: seen ? max : NaN,
    mean: finite ? mean : NaN,
    std: finite ? Math.sqrt(m2 / finite) : NaN,
    nanCount,
    infCount,
    zeroFraction: count && !Array.isArray(v) ? zeros / count : 0,
  };
}
