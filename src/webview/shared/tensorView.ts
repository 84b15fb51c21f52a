/**
 * The one tensor view of the webviews: statistics, the histogram (bins computed next to the data with d3.bin,
 * src/shared/histogram.ts, drawn by ./histogramSvg.ts), the first values, a picture of image-shaped tensors and
 * a paged table of 2-D slices. The variable view, the run results and the graph view's value previews all show
 * a tensor through it; each passes what it has (the variable view's values stay in the decode worker and page
 * through its own RPC, the run results hold the decoded tensor, the graph gets a preview from its host).
 *
 *   panel.append(tensorView({ label: "y", stats, histogram, tensor }));
 */
import { dataTable, h, replace, linkButton, type Child } from "./dom.js";
import { histogramSvg } from "./histogramSvg.js";
import { formatCount, formatNumber } from "../../shared/modelFormat.js";
import { sliceGeometry, tablePage } from "./tensorSlice.js";
import { outputImageLayout, tensorToRgba } from "./tensorImage.js";
import type { DecodedTensor, TensorStats } from "../../savedmodel/tensor.js";
import type { HistogramBin } from "../../protocol/run.js";

/** Statistics as the three sources carry them (`count` only where known). */
export type TensorStatsLike = Omit<TensorStats, "count"> & { count?: number };

export interface TensorViewModel {
  /** The tensor's name, for labels of the table and pictures. */
  label: string;
  stats?: TensorStatsLike;
  histogram?: HistogramBin[];
  /** The decoded values (or their first part): picture and paged 2-D table. */
  tensor?: DecodedTensor;
  /** Formatted first values (flat, row-major), when the values themselves stay elsewhere. */
  first?: { values: string[]; truncated: boolean };
  /** Views shown next to the picture and histogram (the run results' top-k). */
  extra?: Child[];
  /** "full": headed sections, histogram with axes (a panel of its own); "compact" (default): one block. */
  size?: "full" | "compact";
}

/** Everything the model carries, in one block. */
export function tensorView(m: TensorViewModel): HTMLElement {
  const full = m.size === "full";
  const heading = (text: string) => (full ? h("h2", null, text) : null);
  const stats = m.stats ? [heading("Statistics"), statsView(m.stats, full)] : [];
  const side = [
    ...(m.extra ?? []),
    m.tensor ? imageView(m.tensor) : null,
    m.histogram?.length && !full ? histogramView(m.histogram, "compact") : null,
  ].filter((c) => c);
  return h(
    "div",
    { class: `tensor-view ${full ? "full" : "compact"}` },
    stats,
    side.length ? h("div", { class: "tensor-views" }, side) : null,
    m.histogram?.length && full ? [heading("Histogram"), histogramView(m.histogram, "full")] : null,
    m.first?.values.length
      ? [heading(`First ${m.first.values.length} values`), firstValues(m.first.values, m.first.truncated)]
      : null,
    m.tensor ? tensorTable(m.tensor, m.label) : null,
  );
}

/**
 * One line of statistics: "min … · max … · mean … · std … · zeros …%" (NaN and ±Inf counts when there are
 * any, or always with `all`), each value in `[data-stat] .stat-value`.
 */
export function statsView(s: TensorStatsLike, all = false): HTMLElement {
  const items: [string, string, string][] = [
    ["min", "min", formatNumber(s.min)],
    ["max", "max", formatNumber(s.max)],
    ["mean", "mean", formatNumber(s.mean)],
    ["std", "std", formatNumber(s.std)],
    ["zeros", "zeros", `${(100 * s.zeroFraction).toFixed(1)}%`],
  ];
  if (s.nanCount || all) items.push(["NaN", "NaN", formatCount(s.nanCount)]);
  if (s.infCount || all) items.push(["±inf", "±Inf", formatCount(s.infCount)]);
  if (s.count !== undefined) items.push(["count", "count", formatCount(s.count)]);
  const el = h("div", { class: "stats mono" });
  items.forEach(([key, label, value], i) => {
    if (i) el.append(h("span", { class: "sep" }, " · "));
    el.append(
      h(
        "span",
        { class: "stat", data: { stat: key } },
        h("span", { class: "stat-label" }, label),
        " ",
        h("span", { class: "stat-value" }, value),
      ),
    );
  });
  return el;
}

/** The histogram: with axes ("full") or as a sparkline with its range below ("compact"). */
export function histogramView(bins: HistogramBin[], size: "full" | "compact"): HTMLElement {
  if (size === "full") return h("div", { class: "histogram-host" }, histogramSvg(bins));
  return h(
    "div",
    { class: "hist" },
    h("h4", null, "Histogram"),
    histogramSvg(bins, { width: 320, height: 64, axes: false }),
    h(
      "div",
      { class: "hist-axis mono" },
      h("span", null, formatNumber(bins[0].x0)),
      h("span", null, formatNumber(bins[bins.length - 1].x1)),
    ),
  );
}

/** The first values as a wrapping list ("…" when more exist). */
export function firstValues(values: string[], truncated: boolean): HTMLElement {
  return h(
    "div",
    { class: "first-values mono" },
    values.map((v, i) => h("code", { class: "value", title: `element ${i}` }, v)),
    truncated ? h("span", { class: "more muted" }, "…") : null,
  );
}

/** Image-shaped numeric tensors ([N,H,W,C] / [H,W,C], C in 1/3/4) as up to four min–max scaled pictures. */
export function imageView(t: DecodedTensor): HTMLElement | null {
  const lay = outputImageLayout(t.shape);
  if (!lay || Array.isArray(t.values)) return null;
  const size = lay.h * lay.w * lay.c;
  const n = Math.min(lay.n ?? 1, 4, Math.floor(t.values.length / size));
  if (n < 1) return null;
  const canvases = Array.from({ length: n }, (_, i) => {
    const c = h("canvas", { class: "out-image", attrs: { "aria-label": `output image ${i}` } });
    c.width = lay.w;
    c.height = lay.h;
    const rgba = tensorToRgba(t.values as ArrayLike<number>, lay, i);
    c.getContext("2d")?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, lay.w, lay.h), 0, 0);
    return c;
  });
  return h("div", { class: "images" }, h("h4", null, "As image (min–max scaled)"), canvases);
}

/** A paged table of a tensor's 2-D slices (leading dims chosen by index). */
export function tensorTable(t: DecodedTensor, label: string): HTMLElement {
  const g = sliceGeometry(t.shape);
  const lead = g.lead.map(() => 0);
  let row = 0;
  let col = 0;
  const ROWS = 50;
  const COLS = 20;
  const holder = h("div", { class: "tensor-table" });
  const draw = () => {
    const p = tablePage(t, lead, row, ROWS, col, COLS);
    const leadCtl = g.lead.map((n, d) => {
      const f = h("vscode-textfield", {
        class: "dim",
        attrs: {
          value: String(lead[d]),
          type: "number",
          min: "0",
          max: String(n - 1),
          "aria-label": `index of dimension ${d}`,
        },
      }) as HTMLElement & { value: string };
      f.addEventListener("change", () => {
        const v = Math.trunc(Number(f.value));
        if (Number.isInteger(v) && v >= 0 && v < n) {
          lead[d] = v;
          draw();
        }
      });
      return h("label", { class: "dim-field" }, `[${d}] `, f, ` / ${n}`);
    });
    const nav = h(
      "div",
      { class: "row table-nav" },
      leadCtl,
      g.lead.length ? h("span", { class: "muted" }, "· slice") : null,
      h(
        "span",
        { class: "muted" },
        `rows ${p.rows ? p.rowStart : 0}–${p.rowStart + p.rows - 1} of ${p.totalRows}`,
        p.totalCols > 1 ? `, columns ${p.colStart}–${p.colStart + p.cols - 1} of ${p.totalCols}` : "",
      ),
      row > 0 ? linkButton("◀ rows", () => ((row = Math.max(0, row - ROWS)), draw()), "previous rows") : null,
      row + ROWS < p.totalRows ? linkButton("rows ▶", () => ((row += ROWS), draw()), "next rows") : null,
      col > 0 ? linkButton("◀ cols", () => ((col = Math.max(0, col - COLS)), draw()), "previous columns") : null,
      col + COLS < p.totalCols ? linkButton("cols ▶", () => ((col += COLS), draw()), "next columns") : null,
    );
    const table = dataTable(
      ["", ...Array.from({ length: p.cols }, (_, c) => String(p.colStart + c))],
      p.cells.map((cells, r) => [String(p.rowStart + r), ...cells]),
      { class: "data values", label: `values of ${label}`, rowHeads: true, cellClass: "mono" },
    );
    replace(holder, nav, table);
  };
  draw();
  return holder;
}
