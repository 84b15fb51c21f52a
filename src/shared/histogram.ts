/**
 * Histogram bins of a tensor's values, for the run results (computed on the host, next to the data) and the
 * run webview. Pure.
 */
import { DataType as DT } from "../savedmodel/dtypes.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import type { HistogramBin } from "../protocol/run.js";

export function numericAt(t: DecodedTensor): ((i: number) => number) | undefined {
  const v = t.values;
  if (Array.isArray(v) || t.dtype === DT.DT_COMPLEX64 || t.dtype === DT.DT_COMPLEX128) return undefined;
  return (i) => Number(v[i]);
}

/** Equal-width bins over the finite values (NaN/Inf skipped); undefined for strings/complex/empty. */
export function histogram(t: DecodedTensor, bins = 30): HistogramBin[] | undefined {
  const at = numericAt(t);
  if (!at) return undefined;
  const n = t.values.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = at(i);
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min > max) return undefined;
  if (min === max) return [{ x0: min, x1: max, count: countFinite(at, n) }];
  const isInt =
    t.dtype !== DT.DT_FLOAT && t.dtype !== DT.DT_DOUBLE && t.dtype !== DT.DT_HALF && t.dtype !== DT.DT_BFLOAT16;
  const k = isInt ? Math.min(bins, max - min + 1) : bins;
  const width = (max - min) / k;
  const out: HistogramBin[] = Array.from({ length: k }, (_, b) => ({
    x0: min + b * width,
    x1: b === k - 1 ? max : min + (b + 1) * width,
    count: 0,
  }));
  for (let i = 0; i < n; i++) {
    const x = at(i);
    if (!Number.isFinite(x)) continue;
    out[Math.min(k - 1, Math.floor((x - min) / width))].count++;
  }
  return out;
}

function countFinite(at: (i: number) => number, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(at(i))) c++;
  return c;
}
