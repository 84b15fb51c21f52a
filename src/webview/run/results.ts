/**
 * The results half of the run form: timings (load / restore+init / execution), warnings, the error
 * (with the failing node, its op and a link into the graph), each output as the shared tensor view
 * (../shared/tensorView.ts: stats, image, histogram, paged 2-D table) plus top-k, copy JSON and save .npy,
 * and the per-op / per-node profile with the value of any node on request.
 */
import { button, dataTable, h, replace, codicon, linkButton, type Child } from "../shared/dom.js";
import { formatNumber, formatShape } from "../../shared/modelFormat.js";
import { tensorView } from "../shared/tensorView.js";
import { dtypeShortName } from "../../savedmodel/dtypes.js";
import type { DecodedTensor, TensorStats } from "../../savedmodel/tensor.js";
import type { RunError, RunOutputResult, RunResultState } from "../../protocol/run.js";
import { fromWire } from "../../protocol/tensorWire.js";
import { looksLikeClassifier, topK } from "../shared/tensorSlice.js";
import { toNested } from "./recipe.js";

export interface ResultActions {
  copy(text: string, what: string): void;
  saveNpy(key: string): void;
  showNode(node: string, fn?: string): void;
  nodeValue(
    tensor: string,
    fn?: string,
  ): Promise<{ tensor: DecodedTensor; stats?: TensorStats; truncated: boolean; totalElements: number }>;
  /** Class names for top-k indices. */
  labels?: string[];
  /** Asks for a labels file; resolves with the names (or undefined when cancelled). */
  pickLabels(): Promise<string[] | undefined>;
}

const ms = (x: number) =>
  x < 10 ? `${x.toFixed(2)} ms` : x < 1000 ? `${x.toFixed(0)} ms` : `${(x / 1000).toFixed(2)} s`;
const num = formatNumber;

function topKView(t: DecodedTensor, a: ResultActions): HTMLElement | null {
  if (!looksLikeClassifier(t)) return null;
  const rows = t.shape.length === 2 ? Math.min(t.shape[0], 4) : 1;
  const labels = a.labels;
  const holder = h("div", { class: "topk" });
  const pick = linkButton(
    labels ? "other labels…" : "labels…",
    () => {
      void a.pickLabels().then((names) => {
        if (!names) return;
        a.labels = names;
        const fresh = topKView(t, a);
        if (fresh) holder.replaceWith(fresh);
      });
    },
    "name the classes: a text file with one label per line",
  );
  const label = (i: number) => (labels && i < labels.length ? labels[i] : undefined);
  replace(
    holder,
    h("h4", null, "Top-5 ", pick),
    Array.from({ length: rows }, (_, r) =>
      dataTable(
        [rows > 1 ? `row ${r}: rank` : "rank", "index", labels ? "label" : null, "value"],
        topK(t, 5, r).map((e, i) => [
          String(i + 1),
          h("td", { class: "mono topk-index" }, String(e.index)),
          labels ? h("td", { class: "topk-label" }, label(e.index) ?? "—") : null,
          h("td", { class: "mono" }, num(e.value)),
        ]),
        { class: "data topk-table", data: { row: String(r) } },
      ),
    ),
  );
  return holder;
}

function outputView(o: RunOutputResult, a: ResultActions): HTMLElement {
  const t = fromWire(o.tensor);
  const head = `${o.key}: ${dtypeShortName(t.dtype)} ${formatShape(o.truncated ? [o.totalElements] : t.shape)}`;
  return h(
    "section",
    { class: "output", data: { key: o.key } },
    h(
      "div",
      { class: "output-head" },
      h("h3", { class: "mono" }, head),
      h("span", { class: "spacer" }),
      button("Copy as JSON", "copy", () =>
        a.copy(
          JSON.stringify(toNested(t), (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
          `${o.key} as JSON`,
        ),
      ),
      button("Save as .npy…", "save", () => a.saveNpy(o.key)),
    ),
    o.truncated
      ? h(
          "p",
          { class: "warning" },
          codicon("warning"),
          ` Showing the first ${t.values.length.toLocaleString("en-US")} of ${o.totalElements.toLocaleString("en-US")} values (save as .npy for all).`,
        )
      : null,
    tensorView({ label: o.key, stats: o.stats, histogram: o.histogram, tensor: t, extra: [topKView(t, a)] }),
  );
}

function errorView(e: RunError, a: ResultActions): HTMLElement {
  return h(
    "div",
    { class: "run-error", attrs: { role: "alert" } },
    h(
      "h3",
      null,
      codicon("error"),
      " ",
      e.name === "MissingOpsError" ? "Ops the executor does not have" : "The run failed",
    ),
    e.node
      ? h(
          "p",
          { class: "failing-node" },
          "Node ",
          h("code", null, e.node),
          ` (op ${e.op ?? "?"}${e.fn ? `, in function ${e.fn}` : ", top-level graph"}) `,
          linkButton("Open in Graph", () => a.showNode(e.node!, e.fn), `show node ${e.node} in the graph view`),
        )
      : null,
    h("pre", { class: "error-message" }, e.message),
  );
}

function profileView(
  p: NonNullable<RunResultState["profile"]>,
  a: ResultActions,
): { el: HTMLElement; show: (node: string, fn?: string) => Promise<void> } {
  const valueHolder = h("div", { class: "node-value", attrs: { "aria-live": "polite" } });
  const show = async (node: string, fn?: string) => {
    const where = fn ? ` (in function ${fn})` : "";
    replace(valueHolder, h("p", { class: "muted" }, `Fetching ${node}${where}…`));
    valueHolder.scrollIntoView({ block: "center" });
    try {
      const r = await a.nodeValue(node, fn);
      replace(
        valueHolder,
        h(
          "h4",
          { class: "mono node-value-title" },
          `${node}${where}: ${dtypeShortName(r.tensor.dtype)} ${formatShape(r.truncated ? [r.totalElements] : r.tensor.shape)}`,
        ),
        tensorView({ label: node, stats: r.stats, tensor: r.tensor }),
      );
    } catch (e) {
      replace(valueHolder, h("p", { class: "error" }, codicon("error"), " ", (e as Error).message));
    }
  };
  const field = h("vscode-textfield", {
    class: "node-field",
    attrs: { placeholder: "node or tensor name, e.g. y:0", "aria-label": "graph tensor to show" },
  }) as HTMLElement & { value: string };
  field.addEventListener("keydown", (ev) => {
    if ((ev as KeyboardEvent).key === "Enter") void show(field.value.trim());
  });
  const showBtn = button("Show Value", "eye", () => void show(field.value.trim()));
  const el = h(
    "vscode-collapsible",
    {
      class: "profile",
      attrs: {
        open: true,
        heading: `Profile: ${ms(p.totalMs)} in ${p.nodes.length ? p.ops.reduce((s, o) => s + o.count, 0) : 0} kernel calls`,
      },
    },
    h(
      "div",
      { class: "profile-tables" },
      dataTable(
        ["op", "calls", "time", "share"],
        p.ops
          .slice(0, 20)
          .map((o) => [
            h("td", { class: "mono" }, o.op),
            String(o.count),
            ms(o.ms),
            `${((o.ms / (p.totalMs || 1)) * 100).toFixed(1)}%`,
          ]),
        { label: "time by op type" },
      ),
      dataTable(
        ["node", "op", "time", ""],
        p.nodes
          .slice(0, 15)
          .map((n) => [
            h("td", { class: "mono", title: n.fn ? `in function ${n.fn}` : "top-level graph" }, n.node),
            h("td", { class: "mono" }, n.op),
            [ms(n.ms), n.count > 1 ? ` (${n.count}×)` : ""],
            [
              linkButton("value", () => void show(n.node, n.fn || undefined), `value of ${n.node}`),
              " ",
              linkButton("graph", () => a.showNode(n.node, n.fn || undefined), `show ${n.node} in the graph`),
            ],
          ]),
        { label: "slowest nodes" },
      ),
    ),
    h(
      "div",
      { class: "row" },
      h("span", null, "Value of any top-level graph tensor in this run (or select a node in the graph view):"),
      field,
      showBtn,
    ),
    valueHolder,
  );
  return { el, show };
}

export interface RenderedResult {
  el: HTMLElement;
  /** Shows the value of a node (from the graph view's selection); undefined when the run failed. */
  showNode?: (node: string, fn?: string) => Promise<void>;
}

export function renderResult(r: RunResultState, a: ResultActions): RenderedResult {
  const parts: Child[] = [];
  let showNode: RenderedResult["showNode"];
  if (r.cancelled)
    parts.push(
      h(
        "p",
        { class: "cancelled", attrs: { role: "status" } },
        codicon("debug-stop"),
        " Run cancelled: the executor's worker was stopped (the model reloads on the next run).",
      ),
    );
  if (r.timings) {
    const t = r.timings;
    parts.push(
      h(
        "div",
        { class: "timings", attrs: { role: "status" } },
        h("span", { class: "timing" }, "load ", h("b", null, t.warm ? "warm" : ms(t.loadMs))),
        h("span", { class: "timing" }, "restore/init ", h("b", null, t.warm ? "warm" : ms(t.restoreInitMs))),
        h("span", { class: "timing" }, "execution ", h("b", { class: "exec-ms" }, ms(t.execMs))),
        h(
          "span",
          { class: "timing muted" },
          `total ${ms(t.totalMs)}`,
          t.backend ? ` · tfjs ${t.backend}` : "",
          r.nodesExecuted !== undefined ? ` · ${r.nodesExecuted.toLocaleString("en-US")} nodes` : "",
        ),
      ),
    );
  }
  if (r.warnings.length)
    parts.push(
      h(
        "ul",
        { class: "warnings" },
        r.warnings.map((w) => h("li", { class: "warning" }, codicon("warning"), " ", w)),
      ),
    );
  if (r.error) parts.push(errorView(r.error, a));
  for (const o of r.outputs) parts.push(outputView(o, a));
  if (r.profile) {
    const pv = profileView(r.profile, a);
    parts.push(pv.el);
    showNode = pv.show;
  }
  return { el: h("div", { class: "result", data: { run: String(r.runId), ok: String(r.ok) } }, parts), showNode };
}
