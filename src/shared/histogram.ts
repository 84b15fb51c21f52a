/**
 * Histogram bins of a tensor's values (d3-array's bin). Pure.
 */
import { bin } from "d3-array";
import { DataType as DT } from "../savedmodel/dtypes.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import type { HistogramBin } from "../protocol/run.js";

export function numericAt(t: DecodedTensor): ((i: number) => number) | undefined {
  const v = t.values;
  if (Array.isArray(v) || t.dtype === DT.DT_COMPLEX64 || t.dtype === DT.DT_COMPLEX128) return undefined;
  return (i) => Number(v[i]);
}

/**
 * Equal-width bins over the finite values (NaN/Inf skipped), counted by d3's bin(); integer tensors get at most
 * one bin per value. Undefined for strings/complex/empty. The one histogram of the project: the variable view
 * (decode worker) and the run results (host) both use it, next to the data.
 */
export function histogram(t: DecodedTensor, bins = 30): HistogramBin[] | undefined {
  const at = numericAt(t);
  if (!at) return undefined;
  const n = t.values.length;
  let min = Infinity;
  let max = -Infinity;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const x = at(i);
    if (!Number.isFinite(x)) continue;
    finite++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min > max) return undefined;
  if (min === max) return [{ x0: min, x1: max, count: finite }];
  const isInt =
    t.dtype !== DT.DT_FLOAT && t.dtype !== DT.DT_DOUBLE && t.dtype !== DT.DT_HALF && t.dtype !== DT.DT_BFLOAT16;
  const k = isInt ? Math.min(bins, max - min + 1) : bins;
  const width = (max - min) / k;
  // values outside the domain (±Infinity) and NaN are left out by bin()
  const gen = bin<number, number>()
    .domain([min, max])
    .thresholds(Array.from({ length: k - 1 }, (_, b) => min + (b + 1) * width));
  return gen(Array.from({ length: n }, (_, i) => at(i))).map((b, i, all) => ({
    x0: b.x0 ?? min,
    x1: i === all.length - 1 ? max : (b.x1 ?? max),
    count: b.length,
  }));
}
