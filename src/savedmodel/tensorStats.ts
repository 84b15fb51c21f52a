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

/**
 * Statistics of a whole tensor: one StatsAccumulator pass. Complex values use their magnitude; int64 via
 * Number(); strings give counts only.
 */
export function tensorStats(t: DecodedTensor): TensorStats {
  const v = t.values;
  if (Array.isArray(v))
    return { count: v.length, min: NaN, max: NaN, mean: NaN, std: NaN, nanCount: 0, infCount: 0, zeroFraction: 0 };
  const acc = new StatsAccumulator(t.dtype === DT.DT_COMPLEX64 || t.dtype === DT.DT_COMPLEX128);
  acc.add(v as ArrayLike<number> | BigInt64Array | BigUint64Array);
  return acc.result();
}

/** Running single-pass statistics, fed a chunk at a time (variableStats streams a checkpoint through it). */
export class StatsAccumulator {
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private mean = 0;
  private m2 = 0;
  private finite = 0;
  private nanCount = 0;
  private infCount = 0;
  private zeros = 0;
  private seen = 0;

  constructor(private readonly complex = false) {}

  add(v: ArrayLike<number> | BigInt64Array | BigUint64Array): void {
    const isBig = v instanceof BigInt64Array || v instanceof BigUint64Array;
    if (!this.complex && !isBig) return this.addPlain(v as ArrayLike<number>);
    const n = this.complex ? v.length / 2 : v.length;
    this.count += n;
    let { min, max, mean, m2, finite, nanCount, infCount, zeros, seen } = this;
    for (let i = 0; i < n; i++) {
      let x: number;
      if (this.complex) x = Math.hypot((v as ArrayLike<number>)[2 * i], (v as ArrayLike<number>)[2 * i + 1]);
      else x = isBig ? Number((v as BigInt64Array)[i]) : (v as ArrayLike<number>)[i];
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
    Object.assign(this, { min, max, mean, m2, finite, nanCount, infCount, zeros, seen });
  }

  /**
   * Real numbers, a chunk at a time: one pass for counts, extremes and the sum, one for the chunk's
   * squared deviations, merged into the running mean/M2 (Chan et al.), with no division per element.
   */
  private addPlain(v: ArrayLike<number>): void {
    const n = v.length;
    this.count += n;
    let min = this.min,
      max = this.max,
      nan = 0,
      inf = 0,
      zeros = 0,
      seen = 0,
      finite = 0,
      sum = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x !== x) {
        nan++;
        continue;
      }
      seen++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
      if (x === Infinity || x === -Infinity) inf++;
      else {
        finite++;
        sum += x;
      }
    }
    let m2 = 0;
    const mean = finite ? sum / finite : 0;
    if (finite)
      for (let i = 0; i < n; i++) {
        const x = v[i];
        if (x - x === 0) {
          const d = x - mean;
          m2 += d * d;
        }
      }
    this.min = min;
    this.max = max;
    this.nanCount += nan;
    this.infCount += inf;
    this.zeros += zeros;
    this.seen += seen;
    if (finite) {
      const na = this.finite;
      const total = na + finite;
      if (na === 0) {
        this.mean = mean;
        this.m2 = m2;
        this.finite = finite;
        return;
      }
      const delta = mean - this.mean;
      this.mean += (delta * finite) / total;
      this.m2 += m2 + (delta * delta * na * finite) / total;
      this.finite = total;
    }
  }

  result(): TensorStats {
    const { count, seen, finite } = this;
    return {
      count,
      min: seen ? this.min : NaN,
      max: seen ? this.max : NaN,
      mean: finite ? this.mean : NaN,
      std: finite ? Math.sqrt(this.m2 / finite) : NaN,
      nanCount: this.nanCount,
      infCount: this.infCount,
      zeroFraction: count ? this.zeros / count : 0,
    };
  }
}
