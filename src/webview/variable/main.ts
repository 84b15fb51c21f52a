/**
 * The variable value view: metadata, statistics, a d3 histogram of the values, the first values,
 * and a paged table of every value for tensors small enough to keep in memory.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import { select } from "d3-selection";
import { scaleLinear } from "d3-scale";
import { axisBottom, axisLeft } from "d3-axis";
import { format as d3format } from "d3-format";
import { connectHost } from "../shared/host.js";
import { h, replace, codicon, linkButton, type Child } from "../shared/dom.js";
import { formatCount, formatNumber, formatShape, formatSize } from "../shared/modelFormat.js";
import { RpcClient } from "../../protocol/rpc.js";
import type {
  HistogramBin,
  HostToVariableMessage,
  VariableRpc,
  VariableToHostMessage,
  VariableViewState,
  VariablePageResult,
} from "../../protocol/variable.js";

const host = connectHost();
const send = (m: VariableToHostMessage) => host.post(m);
const rpc = new RpcClient<VariableRpc>((m) => host.post(m), { timeoutMs: 60_000 });
const app = document.getElementById("app")!;
const PAGE = 100;

let state: VariableViewState | undefined;
let page = (host.getState<{ page?: number }>()?.page ?? 0) | 0;
let pageData: VariablePageResult | undefined;
let pageError: string | undefined;

/** What VS Code keeps for this panel: enough to restore it after a window reload, and the page shown. */
function saveState(): void {
  host.setState({ page, exportUri: state?.exportUri, checkpointKey: state?.checkpointKey });
}

const num = formatNumber;

function histogramSvg(bins: HistogramBin[]): SVGSVGElement {
  const width = 640;
  const height = 220;
  const m = { top: 10, right: 16, bottom: 28, left: 56 };
  const x = scaleLinear()
    .domain([bins[0].x0, bins[bins.length - 1].x1 === bins[0].x0 ? bins[0].x0 + 1 : bins[bins.length - 1].x1])
    .range([m.left, width - m.right]);
  const y = scaleLinear()
    .domain([0, Math.max(1, ...bins.map((b) => b.count))])
    .nice()
    .range([height - m.bottom, m.top]);
  const svg = select(document.createElementNS("http://www.w3.org/2000/svg", "svg"))
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("class", "histogram")
    .attr("role", "img")
    .attr("aria-label", "Histogram of the values");
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
    .text((b) => `[${num(b.x0)}, ${num(b.x1)}): ${formatCount(b.count)}`);
  svg
    .append("g")
    .attr("class", "axis")
    .attr("transform", `translate(0,${height - m.bottom})`)
    .call(axisBottom(x).ticks(8).tickFormat(d3format("~g")));
  svg
    .append("g")
    .attr("class", "axis")
    .attr("transform", `translate(${m.left},0)`)
    .call(axisLeft(y).ticks(5).tickFormat(d3format("~s")));
  return svg.node()!;
}

function statsGrid(s: NonNullable<NonNullable<VariableViewState["result"]>["stats"]>): HTMLElement {
  const item = (k: string, v: string) =>
    h(
      "div",
      { class: "stat", data: { stat: k } },
      h("div", { class: "stat-value" }, v),
      h("div", { class: "stat-label" }, k),
    );
  return h(
    "section",
    { class: "stats" },
    item("min", num(s.min)),
    item("max", num(s.max)),
    item("mean", num(s.mean)),
    item("std", num(s.std)),
    item("zeros", `${(100 * s.zeroFraction).toFixed(1)}%`),
    item("NaN", formatCount(s.nanCount)),
    item("±inf", formatCount(s.infCount)),
    item("count", formatCount(s.count)),
  );
}

async function loadPage(p: number): Promise<void> {
  page = Math.max(0, p);
  saveState();
  pageError = undefined;
  try {
    pageData = await rpc.request("variable/page", { offset: page * PAGE, count: PAGE });
  } catch (e) {
    pageError = e instanceof Error ? e.message : String(e);
  }
  renderTable();
}

const tableHost = h("section", { class: "values" });

function renderTable(): void {
  const r = state?.result;
  if (!r?.pageable) {
    replace(tableHost);
    return;
  }
  const total = pageData?.total ?? r.info.elements;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const nav = h(
    "div",
    { class: "pager" },
    linkButton("« first", () => void loadPage(0)),
    linkButton("‹ prev", () => void loadPage(Math.max(0, page - 1))),
    h(
      "span",
      { class: "page-info" },
      `page ${page + 1} of ${formatCount(pages)} · values ${formatCount(page * PAGE)}–${formatCount(Math.min(total, (page + 1) * PAGE) - 1)} of ${formatCount(total)}`,
    ),
    linkButton("next ›", () => void loadPage(Math.min(pages - 1, page + 1))),
    linkButton("last »", () => void loadPage(pages - 1)),
  );
  const rows = pageData?.rows ?? [];
  replace(
    tableHost,
    h("h2", null, "All values"),
    nav,
    pageError ? h("p", { class: "error-text" }, pageError) : null,
    h(
      "table",
      { class: "data values-table" },
      h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, "index"), h("th", null, "value"))),
      h(
        "tbody",
        null,
        rows.map((row) =>
          h(
            "tr",
            null,
            h("td", { class: "muted" }, String(row.i)),
            h("td", null, h("code", null, row.index)),
            h("td", null, h("code", null, row.value)),
          ),
        ),
      ),
    ),
  );
}

function render(): void {
  const st = state;
  if (!st) return;
  const r = st.result;
  const info = r?.info;
  const parts: Child[] = [
    h(
      "header",
      null,
      h(
        "div",
        { class: "title-row" },
        h("h1", null, info?.name ?? st.checkpointKey),
        info ? h("vscode-badge", null, info.dtypeShort) : null,
        info ? h("span", { class: "shape" }, formatShape(info.shape)) : null,
        h(
          "span",
          { class: "header-actions" },
          linkButton("Reveal in tree", () => send({ type: "variable/reveal" })),
          linkButton("Reload", () => send({ type: "variable/reload" })),
        ),
      ),
      h("div", { class: "muted location" }, `${st.exportName} · ${st.checkpointKey}`),
    ),
  ];
  if (st.loading) parts.push(h("div", { class: "loading" }, h("vscode-progress-ring"), " Reading the value…"));
  if (st.error) parts.push(h("p", { class: "error-text", attrs: { role: "alert" } }, codicon("error"), " ", st.error));
  if (info) {
    parts.push(
      h(
        "table",
        { class: "kv" },
        h(
          "tbody",
          null,
          [
            ["elements", formatCount(info.elements)],
            ["size", formatSize(info.bytes)],
            ["shard", info.shardFile ?? "—"],
            ["object path", info.objectPath ?? "—"],
            ["trainable", info.trainable === undefined ? "—" : String(info.trainable)],
            ["kind", info.kind],
          ].map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, v))),
        ),
      ),
      info.problems.length
        ? h(
            "ul",
            { class: "problems" },
            info.problems.map((p) => h("li", { class: "warning-text" }, codicon("warning"), " ", p)),
          )
        : null,
    );
  }
  if (r && !r.decoded && r.reason)
    parts.push(
      h(
        "p",
        { class: r.error ? "error-text" : "muted", attrs: { role: r.error ? "alert" : "note" } },
        r.error ? codicon("error") : codicon("info"),
        " ",
        r.reason,
      ),
    );
  if (r?.stats) parts.push(h("h2", null, "Statistics"), statsGrid(r.stats));
  if (r?.histogram?.length)
    parts.push(h("h2", null, "Histogram"), h("div", { class: "histogram-host" }, histogramSvg(r.histogram)));
  if (r?.first.length) {
    parts.push(
      h("h2", null, `First ${r.first.length} values`),
      h(
        "div",
        { class: "first-values" },
        r.first.map((v, i) => h("code", { class: "value", title: `element ${i}` }, v)),
      ),
    );
  }
  if (r) parts.push(h("p", { class: "muted small" }, `read and summarised in ${r.ms.toFixed(0)} ms`));
  parts.push(tableHost);
  app.setAttribute("aria-busy", st.loading ? "true" : "false");
  replace(app, ...parts);
  renderTable();
}

host.onMessage((m) => {
  if (rpc.handle(m)) return;
  const msg = m as HostToVariableMessage;
  if (msg?.type === "variable/state") {
    const fresh = msg.state.result !== state?.result;
    state = msg.state;
    saveState();
    render();
    if (fresh && state.result?.pageable) void loadPage(page);
  }
});
send({ type: "variable/ready" });
