/**
 * What the graph view's details pane shows of a tensor a node produced in the last run: dtype, shape,
 * statistics, the histogram of all its values and the first values, formatted on the host (the tensor itself never crosses to the
 * webview). Pure (no vscode), tested in Node.
 */
import { dtypeShortName } from "../../savedmodel/dtypes.js";
import { formatValue, tensorStats, type DecodedTensor } from "../../savedmodel/tensor.js";
import { histogram } from "../../shared/histogram.js";
import type { GraphValuePreview } from "../../protocol/graph.js";

/** Values shown in the details pane. */
export const PREVIEW_VALUES = 48;

export function valuePreview(t: DecodedTensor, maxValues = PREVIEW_VALUES): GraphValuePreview {
  const total = t.shape.reduce((a, b) => a * b, 1);
  const n = Math.min(total, maxValues);
  const values: string[] = [];
  for (let i = 0; i < n; i++) values.push(formatValue(t, i, { precision: 5 }));
  const out: GraphValuePreview = {
    dtype: dtypeShortName(t.dtype),
    shape: [...t.shape],
    totalElements: total,
    values,
    truncated: total > n,
  };
  if (!Array.isArray(t.values) && total > 0) {
    const s = tensorStats(t);
    out.stats = {
      min: s.min,
      max: s.max,
      mean: s.mean,
      std: s.std,
      nanCount: s.nanCount,
      infCount: s.infCount,
      zeroFraction: s.zeroFraction,
    };
    const bins = histogram(t);
    if (bins) out.histogram = bins;
  }
  return out;
}
