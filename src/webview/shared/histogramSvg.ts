/**
 * The one histogram drawing of the webviews (d3): bars for the bins of src/shared/histogram.ts, each with its
 * range and count as a tooltip. With axes (the variable view) or as a compact sparkline (run results).
 */
import { select } from "d3-selection";
import { scaleLinear } from "d3-scale";
import { axisBottom, axisLeft } from "d3-axis";
import { format as d3format } from "d3-format";
import type { HistogramBin } from "../../protocol/run.js";
import { formatCount, formatNumber } from "../../shared/modelFormat.js";

export interface HistogramSvgOptions {
  width?: number;
  height?: number;
  /** Value and count axes (default true). */
  axes?: boolean;
  /** What the picture shows, for screen readers (default: the bins and their range). */
  label?: string;
}

export function histogramSvg(bins: HistogramBin[], opts: HistogramSvgOptions = {}): SVGSVGElement {
  const axes = opts.axes ?? true;
  const width = opts.width ?? 640;
  const height = opts.height ?? 220;
  const m = axes ? { top: 10, right: 16, bottom: 28, left: 56 } : { top: 2, right: 0, bottom: 0, left: 0 };
  const lo = bins[0].x0;
  const hi = bins[bins.length - 1].x1;
  const x = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([m.left, width - m.right]);
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const y = scaleLinear()
    .domain([0, maxCount])
    .nice()
    .range([height - m.bottom, m.top]);
  const last = bins.length - 1;
  const svg = select(document.createElementNS("http://www.w3.org/2000/svg", "svg"))
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("class", "histogram")
    .attr("role", "img")
    .attr(
      "aria-label",
      opts.label ?? `histogram of ${bins.length} bins from ${formatNumber(lo)} to ${formatNumber(hi)}`,
    );
  svg
    .append("g")
    .selectAll("rect")
    .data(bins)
    .join("rect")
    .attr("class", "bin")
    .attr("x", (b) => x(b.x0) + 0.5)
    .attr("width", (b) => Math.max(1, x(b.x1) - x(b.x0) - 1))
    .attr("y", (b) => y(b.count))
    .attr("height", (b) => y(0) - y(b.count))
    .append("title")
    .text((b, i) => `[${formatNumber(b.x0)}, ${formatNumber(b.x1)}${i === last ? "]" : ")"}: ${formatCount(b.count)}`);
  if (axes) {
    svg
      .append("g")
      .attr("class", "axis")
      .attr("transform", `translate(0,${height - m.bottom})`)
      .call(axisBottom(x).ticks(8).tickFormat(d3format("~g")));
    svg
      .append("g")
      .attr("class", "axis")
      .attr("transform", `translate(${m.left},0)`)
      // counts are whole numbers: never more ticks than the largest count (no "0.5" labels)
      .call(axisLeft(y).ticks(Math.min(5, maxCount)).tickFormat(d3format("~s")));
  }
  return svg.node()!;
}
