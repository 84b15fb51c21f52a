/**
 * The comparison editor's page: summary, the contract (A | B side by side, breaking changes first), the weights
 * (a table sortable by drift, a Δ histogram for the selected variable), op histogram and function/node changes,
 * assets and fingerprint, and the behaviour comparison. Every model string is a text node (h()), never markup.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import { connectHost } from "../shared/host.js";
import { h, replace, type Child } from "../shared/dom.js";
import { histogramSvg } from "../shared/histogramSvg.js";
import { nodeChangeGroups, type NodeChangeGroup } from "./nodeGroups.js";
import type { CompareToHostMessage, DeltaHistogram, HostToCompareMessage } from "../../protocol/compare.js";
import type { ContractChange, DiffReport, VariableDrift } from "../../savedmodel/diff/types.js";

const host = connectHost();
const send = (m: CompareToHostMessage) => host.post(m);
const app = document.getElementById("app")!;

let report: DiffReport | undefined;
let names = { a: "A", b: "B" };
let weightsPending = false;
let weightsNote = "";
let progress: { message: string; done?: number; total?: number } | undefined;
let signatures: string[] = [];
let trusted = false;
let sortKey: keyof VariableDrift = "relL2";
let sortDesc = true;
let selected: string | undefined;
let histogram: DeltaHistogram | undefined;
let histogramError: string | undefined;
let behaviourError: string | undefined;
let behaviourBusy = false;
let errorText: string | undefined;

function num(x: number | string | undefined): string {
  if (x === undefined) return "—";
  if (typeof x === "string") return x;
  if (Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(+x.toPrecision(4)) : x.toExponential(3);
}
const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
const MARK = { added: "+", removed: "−", changed: "~" } as const;

function badge(text: string, cls: string): HTMLElement {
  return h("span", { class: `sev sev-${cls}` }, text);
}

function section(id: string, title: string, ...body: Child[]): HTMLElement {
  return h(
    "section",
    { attrs: { id, "aria-labelledby": `${id}-h` } },
    h("h2", { attrs: { id: `${id}-h` } }, title),
    ...body,
  );
}

function table(head: string[], rows: Child[][], cls = ""): HTMLElement {
  return h(
    "table",
    { class: `grid ${cls}` },
    h("thead", null, h("tr", null, ...head.map((c) => h("th", { attrs: { scope: "col" } }, c)))),
    h("tbody", null, ...rows.map((r) => h("tr", null, ...r.map((c) => h("td", null, c))))),
  );
}

function where(c: ContractChange): string {
  let s = c.tagSet || "(no tags)";
  if (c.signature !== undefined) s += ` / ${c.signature}`;
  if (c.tensor !== undefined) s += ` / ${c.side}['${c.tensor}']`;
  return s;
}

function summaryView(r: DiffReport): HTMLElement {
  const s = r.summary;
  return h(
    "div",
    { class: "summary", attrs: { role: "status" } },
    s.breaking
      ? badge(`${s.breaking} breaking`, "breaking")
      : badge(s.contract === "identical" ? "contract unchanged" : "no breaking change", "ok"),
    s.compatible ? badge(`${s.compatible} compatible`, "compatible") : null,
    s.none ? badge(`${s.none} no impact`, "none") : null,
    r.weights ? badge(`${s.weightsChanged} weight change(s)`, s.weightsChanged ? "compatible" : "none") : null,
    r.graph
      ? badge(s.graphChanged ? "graph changed" : "graph unchanged", s.graphChanged ? "compatible" : "none")
      : null,
    r.files ? badge(`${s.filesChanged} file change(s)`, s.filesChanged ? "compatible" : "none") : null,
    s.outputsBeyondAtol !== undefined
      ? badge(s.outputsBeyondAtol ? "outputs differ" : "outputs agree", s.outputsBeyondAtol ? "breaking" : "ok")
      : null,
  );
}

function contractView(r: DiffReport): HTMLElement {
  if (!r.contract.length)
    return section(
      "contract",
      "Contract",
      h("p", { class: "muted" }, "No change to tag sets, signatures, inputs or outputs."),
    );
  return section(
    "contract",
    "Contract",
    table(
      ["", "severity", "where", "what", `A — ${names.a}`, `B — ${names.b}`, "why"],
      r.contract.map((c) => [
        h("span", { class: `mark mark-${c.kind}`, attrs: { "aria-label": c.kind } }, MARK[c.kind]),
        badge(c.severity, c.severity),
        h("code", null, where(c)),
        c.subject.replace("_", " "),
        h("code", null, c.kind === "added" ? "—" : (c.before ?? (c.kind === "removed" ? "present" : ""))),
        h("code", null, c.kind === "removed" ? "—" : (c.after ?? (c.kind === "added" ? "present" : ""))),
        c.reason,
      ]),
      "contract",
    ),
  );
}

/** The Δ histogram of the selected variable, drawn by the webviews' one histogram renderer. */
function deltaHistogramSvg(hg: DeltaHistogram): SVGSVGElement {
  const step = (hg.hi - hg.lo) / hg.counts.length;
  const bins = hg.counts.map((count, i) => ({ x0: hg.lo + i * step, x1: hg.lo + (i + 1) * step, count }));
  return histogramSvg(bins, { height: 200, label: "Histogram of B − A for the selected variable" });
}

function selectVariable(d: VariableDrift): void {
  selected = d.keyB;
  histogram = undefined;
  histogramError = undefined;
  send({ type: "histogram", keyA: d.keyA, keyB: d.keyB, range: Number.isFinite(d.maxAbs) ? d.maxAbs : undefined });
  render();
}

function weightsView(r: DiffReport): HTMLElement {
  const w = r.weights;
  if (!w)
    return section(
      "weights",
      "Weights",
      weightsPending
        ? h(
            "p",
            { class: "muted" },
            h("vscode-progress-ring", { attrs: { "aria-label": "comparing" } }),
            " ",
            progress?.message ?? "comparing the weights…",
            progress?.total ? ` (${pct((progress.done ?? 0) / progress.total)})` : "",
            " ",
            h("vscode-button", { attrs: { secondary: true }, onClick: () => send({ type: "cancel" }) }, "Cancel"),
          )
        : h(
            "p",
            { class: "muted" },
            weightsNote || "Not compared.",
            " ",
            h(
              "vscode-button",
              {
                onClick: () => {
                  weightsPending = true;
                  render();
                  send({ type: "compareWeights" });
                },
              },
              "Compare weights",
            ),
          ),
    );
  const cols: [keyof VariableDrift, string][] = [
    ["name", "variable"],
    ["maxAbs", "max |Δ|"],
    ["meanAbs", "mean |Δ|"],
    ["relL2", "‖Δ‖/‖A‖"],
    ["fractionChanged", "changed"],
  ];
  const rows = [...w.drift].sort((x, y) => {
    const a = x[sortKey];
    const b = y[sortKey];
    const c = typeof a === "string" ? String(a).localeCompare(String(b)) : (a as number) - (b as number);
    return sortDesc ? -c : c;
  });
  const head = h(
    "tr",
    null,
    ...cols.map(([k, label]) =>
      h(
        "th",
        { attrs: { scope: "col", "aria-sort": sortKey === k ? (sortDesc ? "descending" : "ascending") : "none" } },
        h(
          "button",
          {
            class: "link sort",
            attrs: { type: "button" },
            onClick: () => {
              sortDesc = sortKey === k ? !sortDesc : k !== "name";
              sortKey = k;
              render();
            },
          },
          label,
          sortKey === k ? (sortDesc ? " ▼" : " ▲") : "",
        ),
      ),
    ),
  );
  const body = h(
    "tbody",
    null,
    ...rows.map((d) => {
      const tr = h(
        "tr",
        {
          class: d.keyB === selected ? "selected" : "",
          attrs: { tabindex: "0", "aria-selected": d.keyB === selected ? "true" : "false" },
          onClick: () => selectVariable(d),
        },
        h(
          "td",
          null,
          h("code", null, d.name),
          d.matchedBy === "object_path" ? h("span", { class: "muted" }, " (by object path)") : null,
        ),
        h("td", { class: "num" }, num(d.maxAbs)),
        h("td", { class: "num" }, num(d.meanAbs)),
        h("td", { class: "num" }, num(d.relL2)),
        h("td", { class: "num" }, pct(d.fractionChanged)),
      );
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") (e.preventDefault(), selectVariable(d));
      });
      return tr;
    }),
  );
  const changes = w.changes.map((c) => [
    h("span", { class: `mark mark-${c.kind}` }, MARK[c.kind]),
    h("code", null, c.name),
    c.what ?? c.kind,
    h("code", null, c.before ?? ""),
    h("code", null, c.after ?? c.detail ?? ""),
  ]);
  const sel = w.drift.find((d) => d.keyB === selected);
  return section(
    "weights",
    "Weights",
    h(
      "p",
      { class: "muted" },
      `${w.matched} matched, ${w.identical} identical, ${w.drift.length - w.identical} drifted; ${w.changes.length} other change(s). Select a variable for the histogram of B − A.`,
    ),
    changes.length ? table(["", "variable", "change", "A", "B"], changes) : null,
    h("table", { class: "grid drift" }, h("thead", null, head), body),
    sel
      ? h(
          "div",
          { class: "histogram-host" },
          h("h3", null, "B − A of ", h("code", null, sel.name)),
          histogram && histogram.keyB === sel.keyB
            ? [deltaHistogramSvg(histogram), h("p", { class: "muted" }, `${histogram.zero} element(s) unchanged`)]
            : histogramError
              ? h("p", { class: "error" }, histogramError)
              : h("vscode-progress-ring", { attrs: { "aria-label": "loading" } }),
        )
      : null,
  );
}

function graphView(r: DiffReport): HTMLElement | null {
  if (!r.graph) return null;
  return section(
    "graph",
    "Graph",
    ...r.graph.map((g) =>
      h(
        "div",
        null,
        r.graph!.length > 1 ? h("h3", null, `tag set ${g.tagSet}`) : null,
        g.opHistogram.length
          ? table(
              ["op", "A", "B", "Δ"],
              g.opHistogram.map((o) => [
                h("code", null, o.op),
                String(o.a),
                String(o.b),
                `${o.b - o.a > 0 ? "+" : ""}${o.b - o.a}`,
              ]),
              "ops",
            )
          : h("p", { class: "muted" }, "Op histogram unchanged."),
        h(
          "p",
          null,
          `Functions: ${g.functions.matched.length} matched (${g.functions.matched.filter((m) => m.matchedBy !== "name").length} under another name), ${g.functions.added.length} added, ${g.functions.removed.length} removed.`,
        ),
        g.functions.added.length || g.functions.removed.length || g.functions.matched.some((m) => m.a !== m.b)
          ? table(
              ["", "A", "B", "matched by"],
              [
                ...g.functions.matched
                  .filter((m) => m.a !== m.b)
                  .map((m) => ["~", h("code", null, m.a), h("code", null, m.b), m.matchedBy.replace(/_/g, " ")]),
                ...g.functions.removed.map((f) => ["−", h("code", null, f), "", ""]),
                ...g.functions.added.map((f) => ["+", "", h("code", null, f), ""]),
              ],
            )
          : null,
        ...nodeChangeGroups(g).map((grp) => nodeChangeList(grp)),
      ),
    ),
  );
}

const NODE_ROWS = 300;

/** One signature's node changes (the count is the number of rows), or those outside every signature. */
function nodeChangeList(grp: NodeChangeGroup): HTMLElement {
  const n = grp.nodes.length;
  const sig = grp.signature;
  const head =
    sig !== undefined
      ? h(
          "h3",
          { class: "node-changes-head" },
          "Signature ",
          h("code", null, sig),
          `: ${n} node change(s) in what it runs`,
        )
      : h("h3", { class: "node-changes-head" }, `Outside every signature: ${n} node change(s)`);
  return h(
    "div",
    { class: "node-changes", attrs: sig !== undefined ? { "data-signature": sig } : {} },
    head,
    sig !== undefined
      ? h(
          "vscode-button",
          {
            class: "show-graph-changes",
            attrs: { secondary: true, title: `Open the graph of ${sig} in ${names.b} with the changes coloured` },
            onClick: () => send({ type: "showGraphChanges", signature: sig }),
          },
          "Show graph changes",
        )
      : h("p", { class: "muted" }, "Initializers, savers and other nodes no signature runs."),
    n
      ? table(
          ["", "function", "node", "op", "what"],
          grp.nodes
            .slice(0, NODE_ROWS)
            .map((c) => [
              h("span", { class: `mark mark-${c.kind}`, attrs: { "aria-label": c.kind } }, MARK[c.kind]),
              h("code", null, c.function || "(graph)"),
              h("code", null, c.node),
              h("code", null, c.op ?? ""),
              c.kind === "changed"
                ? `${c.what?.join(", ")}${c.before !== undefined ? `: ${c.before}${c.after !== undefined ? ` → ${c.after}` : ""}` : ""}${c.attrs ? ` (${c.attrs.join(", ")})` : ""}`
                : c.kind,
            ]),
          "nodes",
        )
      : null,
    n > NODE_ROWS ? h("p", { class: "muted" }, `… and ${n - NODE_ROWS} more.`) : null,
  );
}

function filesView(r: DiffReport): HTMLElement | null {
  const f = r.files;
  if (!f) return null;
  return section(
    "files",
    "Assets, fingerprint and producer",
    f.assets.length
      ? table(
          ["", "file", "A", "B"],
          f.assets.map((a) => [
            h("span", { class: `mark mark-${a.kind}` }, MARK[a.kind]),
            h("code", null, a.path),
            a.sizeA === undefined ? "—" : `${a.sizeA} B ${a.hashA ?? ""}`,
            a.sizeB === undefined ? "—" : `${a.sizeB} B ${a.hashB ?? ""}`,
          ]),
        )
      : h("p", { class: "muted" }, "Assets unchanged."),
    f.fingerprintA !== f.fingerprintB ? h("p", null, `fingerprint.pb only in ${f.fingerprintA ? "A" : "B"}.`) : null,
    f.fingerprint.length
      ? table(
          ["fingerprint field", "A", "B", "meaning"],
          f.fingerprint.map((p) => [
            h("code", null, p.field),
            h("code", null, p.a ?? "—"),
            h("code", null, p.b ?? "—"),
            p.meaning,
          ]),
        )
      : null,
    f.producer.length
      ? table(
          ["", "A", "B"],
          f.producer.map((p) => [p.field, h("code", null, p.a ?? "—"), h("code", null, p.b ?? "—")]),
        )
      : null,
  );
}

function behaviourView(r: DiffReport): HTMLElement {
  const atol = h("vscode-textfield", { attrs: { value: "0.000001", "aria-label": "atol" } }) as HTMLElement & {
    value: string;
  };
  const seed = h("vscode-textfield", { attrs: { value: "1", "aria-label": "seed" } }) as HTMLElement & {
    value: string;
  };
  const sig = h(
    "vscode-single-select",
    { attrs: { "aria-label": "signature" } },
    ...signatures.map((s) => h("vscode-option", { attrs: { value: s } }, s)),
  ) as HTMLElement & { value: string };
  const b = r.behaviour;
  return section(
    "behaviour",
    "Behaviour",
    !trusted
      ? h("p", { class: "muted" }, "Running the exports needs a trusted workspace (Restricted Mode only browses).")
      : !signatures.length
        ? h("p", { class: "muted" }, "The exports have no signature in common.")
        : h(
            "div",
            { class: "controls" },
            h("label", null, "signature ", sig),
            h("label", null, "atol ", atol),
            h("label", null, "seed ", seed),
            h(
              "vscode-button",
              {
                onClick: () => {
                  behaviourBusy = true;
                  behaviourError = undefined;
                  send({
                    type: "runBehaviour",
                    signature: sig.value || signatures[0],
                    atol: Number(atol.value) || 0,
                    seed: Number(seed.value) | 0,
                  });
                  render();
                },
              },
              "Run both on the same random inputs",
            ),
            behaviourBusy ? h("vscode-progress-ring", { attrs: { "aria-label": "running" } }) : null,
          ),
    behaviourError ? h("p", { class: "error" }, behaviourError) : null,
    b
      ? table(
          ["output", "max |Δ|", "mean |Δ|", "argmax changed", "within atol"],
          b.outputs.map((o) => [
            h("code", null, o.key),
            num(o.maxAbs),
            num(o.meanAbs),
            o.argmaxChanged === undefined ? "—" : pct(o.argmaxChanged),
            o.equal ? "yes" : badge("no", "breaking"),
          ]),
        )
      : null,
  );
}

function render(): void {
  app.setAttribute("aria-busy", "false");
  if (errorText && !report) return replace(app, h("p", { class: "error" }, errorText));
  if (!report) return;
  const r = report;
  replace(
    app,
    h("h1", null, `${names.a} ↔ ${names.b}`),
    h(
      "p",
      { class: "muted" },
      `A (before): ${r.a.location}${r.a.tfVersion ? `, TF ${r.a.tfVersion}` : ""} · B (after): ${r.b.location}${r.b.tfVersion ? `, TF ${r.b.tfVersion}` : ""}`,
    ),
    summaryView(r),
    errorText ? h("p", { class: "error" }, errorText) : null,
    contractView(r),
    weightsView(r),
    graphView(r),
    filesView(r),
    behaviourView(r),
    r.diagnostics.length
      ? section(
          "diagnostics",
          "Problems",
          h("ul", null, ...r.diagnostics.map((d) => h("li", null, `${d.side.toUpperCase()}: ${d.file}: ${d.message}`))),
        )
      : null,
  );
}

host.onMessage((raw) => {
  const m = raw as HostToCompareMessage;
  switch (m.type) {
    case "report":
      report = m.report;
      names = { a: m.nameA, b: m.nameB };
      weightsPending = m.weightsPending;
      signatures = m.signatures;
      trusted = m.trusted;
      if (!weightsPending) progress = undefined;
      break;
    case "progress":
      progress = m;
      // update the progress line only, not the whole page
      break;
    case "weightsCancelled":
      weightsPending = false;
      weightsNote = m.message;
      break;
    case "histogram":
      histogram = m.histogram;
      break;
    case "histogramError":
      histogramError = m.message;
      break;
    case "behaviour":
      report = m.report;
      behaviourBusy = false;
      break;
    case "behaviourError":
      behaviourError = m.message;
      behaviourBusy = false;
      break;
    case "error":
      errorText = m.message;
      behaviourBusy = false;
      break;
  }
  if (m.type === "progress") {
    const el = document.querySelector("#weights p.muted");
    if (el && report && !report.weights) {
      const label = el.querySelector(".progress-text") ?? el.appendChild(h("span", { class: "progress-text" }));
      label.textContent = ` ${m.message}${m.total ? ` (${pct((m.done ?? 0) / m.total)})` : ""}`;
    }
    return;
  }
  render();
});

send({ type: "ready" });
