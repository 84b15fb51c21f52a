/**
 * The pure half of the one tensor view (./tensorView.ts): 2-D slices of N-D tensors paged as rows, histogram
 * bins (src/shared/histogram.ts, d3.bin), and top-k for classifier-looking outputs. Pure (formatting through
 * src/savedmodel/tensor.ts formatValue).
 */
import { DataType as DT } from "../../savedmodel/dtypes.js";
import { formatValue, type DecodedTensor } from "../../savedmodel/tensor.js";

/** How a tensor is shown as a table: leading dims are picked by index, the last two are rows x cols. */
export interface SliceGeometry {
  /** Sizes of the leading dims (chosen one index each). */
  lead: number[];
  rows: number;
  cols: number;
}

export function sliceGeometry(shape: readonly number[]): SliceGeometry {
  if (shape.length === 0) return { lead: [], rows: 1, cols: 1 };
  if (shape.length === 1) return { lead: [], rows: shape[0], cols: 1 };
  return { lead: shape.slice(0, -2), rows: shape[shape.length - 2], cols: shape[shape.length - 1] };
}

/** Flat offset of the first element of the 2-D slice at `leadIndex`. */
export function sliceOffset(shape: readonly number[], leadIndex: readonly number[]): number {
  const g = sliceGeometry(shape);
  if (leadIndex.length !== g.lead.length)
    throw new Error(`slice needs ${g.lead.length} leading indices, got ${leadIndex.length}`);
  let off = 0;
  for (let i = 0; i < g.lead.length; i++) {
    const k = leadIndex[i];
    if (!Number.isInteger(k) || k < 0 || k >= g.lead[i])
      throw new Error(`index ${k} is out of range for dimension ${i} (size ${g.lead[i]})`);
    off = off * g.lead[i] + k;
  }
  return off * g.rows * g.cols;
}

export interface TablePage {
  rowStart: number;
  colStart: number;
  rows: number;
  cols: number;
  /** cells[r][c] as display text */
  cells: string[][];
  totalRows: number;
  totalCols: number;
}

/** One page of a 2-D slice: rows [rowStart, rowStart+rowCount), columns [colStart, colStart+colCount). */
export function tablePage(
  t: DecodedTensor,
  leadIndex: readonly number[],
  rowStart: number,
  rowCount: number,
  colStart = 0,
  colCount = 50,
  precision = 6,
): TablePage {
  const g = sliceGeometry(t.shape);
  const base = sliceOffset(t.shape, leadIndex);
  const r0 = Math.max(0, Math.min(rowStart, Math.max(0, g.rows - 1)));
  const c0 = Math.max(0, Math.min(colStart, Math.max(0, g.cols - 1)));
  const nr = Math.max(0, Math.min(rowCount, g.rows - r0));
  const nc = Math.max(0, Math.min(colCount, g.cols - c0));
  const cells: string[][] = [];
  for (let r = 0; r < nr; r++) {
    const row: string[] = [];
    for (let c = 0; c < nc; c++) row.push(formatValue(t, base + (r0 + r) * g.cols + c0 + c, { precision }));
    cells.push(row);
  }
  return { rowStart: r0, colStart: c0, rows: nr, cols: nc, cells, totalRows: g.rows, totalCols: g.cols };
}

import { numericAt } from "../../shared/histogram.js";
export { histogram } from "../../shared/histogram.js";

/** Float outputs of shape [C] or [N, C] with C >= 2: class scores, logits or probabilities. */
export function looksLikeClassifier(t: { dtype: number; shape: readonly number[] }): boolean {
  const floatish =
    t.dtype === DT.DT_FLOAT || t.dtype === DT.DT_DOUBLE || t.dtype === DT.DT_HALF || t.dtype === DT.DT_BFLOAT16;
  if (!floatish) return false;
  const s = t.shape;
  return (s.length === 1 && s[0] >= 2) || (s.length === 2 && s[1] >= 2);
}

export interface TopKEntry {
  index: number;
  value: number;
}

/** The k largest values of row `row` (of a [N, C] tensor; row 0 of a [C] one), largest first; ties by index. */
export function topK(t: DecodedTensor, k: number, row = 0): TopKEntry[] {
  const at = numericAt(t);
  if (!at) return [];
  const c = t.shape[t.shape.length - 1] ?? t.values.length;
  const base = t.shape.length >= 2 ? row * c : 0;
  const entries: TopKEntry[] = [];
  for (let i = 0; i < c; i++) entries.push({ index: i, value: at(base + i) });
  entries.sort((a, b) =>
    b.value === a.value || (Number.isNaN(a.value) && Number.isNaN(b.value))
      ? a.index - b.index
      : Number.isNaN(a.value)
        ? 1
        : Number.isNaN(b.value)
          ? -1
          : b.value - a.value,
  );
  return entries.slice(0, Math.max(0, k));
}
