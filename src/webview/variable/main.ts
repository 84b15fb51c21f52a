/**
 * The variable value view: metadata, then the shared tensor view (../shared/tensorView.ts: statistics, d3
 * histogram, first values, all computed in the decode worker), and a paged table of every value (pages
 * fetched from the decode worker) for tensors small enough to keep in memory.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import { connectHost } from "../shared/host.js";
import { tensorView } from "../shared/tensorView.js";
import { dataTable, h, replace, codicon, kvTable, linkButton, type Child } from "../shared/dom.js";
import { formatCount, formatShape, formatSize } from "../../shared/modelFormat.js";
import { RpcClient } from "../../protocol/rpc.js";
import type {
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
    dataTable(
      ["#", "index", "value"],
      rows.map((row) => [String(row.i), h("code", null, row.index), h("code", null, row.value)]),
      { class: "data values-table", label: "all values" },
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
      kvTable([
        ["elements", formatCount(info.elements)],
        ["size", formatSize(info.bytes)],
        ["shard", info.shardFile ?? "—"],
        ["object path", info.objectPath ?? "—"],
        ["trainable", info.trainable === undefined ? "—" : String(info.trainable)],
        ["kind", info.kind],
      ]),
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
  if (r && (r.stats || r.histogram?.length || r.first.length))
    parts.push(
      tensorView({
        label: info?.name ?? st.checkpointKey,
        size: "full",
        stats: r.stats,
        histogram: r.histogram,
        first: { values: r.first, truncated: r.first.length < (info?.elements ?? 0) },
      }),
    );
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
