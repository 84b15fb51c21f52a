/**
 * The overview page of an export (the face of the saved_model.pb custom editor): what
 * `saved_model_cli show --all` prints plus sizes, parameters, layers, op histogram, variables, files
 * and the warnings met while decoding. Everything is built with DOM text nodes (src/webview/shared/dom.ts).
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-collapsible/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import { connectHost } from "../shared/host.js";
import { button, h, replace, linkButton, codicon, type Child } from "../shared/dom.js";
import { formatCount, formatShape, formatSize, shortMethod } from "../../shared/modelFormat.js";
import type {
  HostToOverviewMessage,
  OverviewMetaGraph,
  OverviewState,
  OverviewToHostMessage,
} from "../../protocol/overview.js";
import type { MetaGraphInfo, SignatureInfo, TensorSpecInfo } from "../../savedmodel/modelTypes.js";
import type { Diagnostic } from "../../savedmodel/errors.js";

const host = connectHost();
const send = (m: OverviewToHostMessage) => host.post(m);
const app = document.getElementById("app")!;

interface UiState {
  closed: string[];
  showAllOps?: boolean;
}
const ui: UiState = host.getState<UiState>() ?? { closed: [] };
let last: OverviewState | undefined;

function saveUi(): void {
  host.setState(ui);
}

/** A collapsible section that remembers being closed. */
function section(id: string, heading: string, description: string, ...body: Child[]): HTMLElement {
  const c = h(
    "vscode-collapsible",
    { data: { section: id }, attrs: { heading, description, open: !ui.closed.includes(id) } },
    ...body,
  );
  c.addEventListener("vsc-collapsible-toggle", (e) => {
    const open = (e as CustomEvent<{ open: boolean }>).detail.open;
    ui.closed = ui.closed.filter((x) => x !== id);
    if (!open) ui.closed.push(id);
    saveUi();
  });
  return c;
}

function badge(text: string, title?: string): HTMLElement {
  return h("vscode-badge", { title, attrs: { variant: "default" } }, text);
}

function card(label: string, value: string, title?: string): HTMLElement {
  return h(
    "div",
    { class: "card", title },
    h("div", { class: "card-value" }, value),
    h("div", { class: "card-label" }, label),
  );
}

function table(head: string[], rows: Child[][], cls = ""): HTMLElement {
  return h(
    "table",
    { class: `data ${cls}` },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        head.map((c) => h("th", null, c)),
      ),
    ),
    h(
      "tbody",
      null,
      rows.map((r) =>
        h(
          "tr",
          null,
          r.map((c) => h("td", null, c)),
        ),
      ),
    ),
  );
}

function diagnosticList(list: Diagnostic[]): HTMLElement {
  return h(
    "ul",
    { class: "diagnostics" },
    list.map((d) =>
      h(
        "li",
        { class: `diag ${d.severity}` },
        codicon(d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info"),
        " ",
        h(
          "span",
          { class: "diag-where" },
          [d.file, d.field, d.offset !== undefined ? `offset ${d.offset}` : ""].filter(Boolean).join(" · "),
        ),
        ": ",
        h("span", { class: "diag-message" }, d.message),
        d.hint ? h("div", { class: "diag-hint" }, d.hint) : null,
      ),
    ),
  );
}

// ---- signatures like saved_model_cli show --all ---------------------------------------------------------

function specRows(specs: TensorSpecInfo[]): Child[][] {
  return specs.map((s) => [
    h("code", null, s.key),
    s.encoding === "composite" ? "composite" : s.dtypeShort,
    s.encoding === "composite" ? "" : formatShape(s.shape),
    h("code", { class: "muted" }, s.tensorName ?? (s.sparse ? `${s.sparse.valuesTensorName} (sparse)` : "")),
  ]);
}

function signatureBlock(mg: MetaGraphInfo, s: SignatureInfo): HTMLElement {
  return h(
    "div",
    { class: "signature", data: { signature: s.key } },
    h(
      "div",
      { class: "signature-head" },
      h("span", { class: "sig-key" }, `signature_def['${s.key}']`),
      " ",
      badge(shortMethod(s.methodName), s.methodName),
      s.functionName ? h("span", { class: "muted small" }, ` → ${s.functionName}`) : null,
      h(
        "span",
        { class: "actions" },
        linkButton("Reveal in tree", () =>
          send({ type: "overview/reveal", metaGraph: mg.index, kind: "signature", name: s.key }),
        ),
        linkButton("Show graph", () => send({ type: "overview/showGraph", metaGraph: mg.index, signature: s.key })),
        linkButton(
          "Run…",
          () => send({ type: "overview/run", metaGraph: mg.index, signature: s.key }),
          "Test-run this signature",
        ),
      ),
    ),
    h("div", { class: "io-label" }, "inputs"),
    s.inputs.length
      ? table(["name", "dtype", "shape", "tensor"], specRows(s.inputs), "io inputs")
      : h("p", { class: "muted" }, "none"),
    h("div", { class: "io-label" }, "outputs"),
    s.outputs.length
      ? table(["name", "dtype", "shape", "tensor"], specRows(s.outputs), "io outputs")
      : h("p", { class: "muted" }, "none"),
    s.defaults.length ? h("p", { class: "muted" }, `inputs with defaults: ${s.defaults.join(", ")}`) : null,
  );
}

function signaturesSection(st: OverviewState): HTMLElement {
  const info = st.info!;
  const blocks: Child[] = [];
  for (const mg of info.metaGraphs) {
    const visible = mg.signatures.filter((s) => !s.hidden);
    blocks.push(
      h(
        "h3",
        null,
        `MetaGraphDef with tag-set: '${mg.tags.join(", ")}'`,
        h("span", { class: "muted small" }, ` · ${visible.length} signature(s)`),
      ),
      visible.length
        ? visible.map((s) => signatureBlock(mg, s))
        : h("p", { class: "muted" }, "This meta graph has no signatures."),
    );
  }
  const total = info.metaGraphs.reduce((a, m) => a + m.signatures.filter((s) => !s.hidden).length, 0);
  return section("signatures", "Signatures", String(total), blocks);
}

// ---- other sections ------------------------------------------------------------------------------------

function layersSection(mgs: OverviewMetaGraph[]): HTMLElement | null {
  const mg = mgs.find((m) => m.layers && m.layers.length);
  if (!mg?.layers) return null;
  const rows = mg.layers.map((l) => [h("code", null, l.name), l.className ?? "", formatCount(l.params)]);
  rows.push([h("strong", null, "Total"), "", h("strong", null, formatCount(mg.objectParameterCount ?? 0))]);
  return section("layers", "Layers", `${mg.layers.length}`, table(["layer", "type", "params"], rows, "layers"));
}

function opsSection(mgs: OverviewMetaGraph[]): HTMLElement | null {
  const loading = mgs.some((m) => m.loading);
  const withStats = mgs.filter((m) => m.stats);
  if (!withStats.length)
    return loading
      ? section(
          "ops",
          "Operations",
          "decoding…",
          h("div", { class: "loading" }, h("vscode-progress-ring"), " Decoding the graph…"),
        )
      : null;
  const out: Child[] = [];
  for (const m of withStats) {
    const s = m.stats!;
    const hist = ui.showAllOps ? s.opHistogram : s.opHistogram.slice(0, 25);
    const max = Math.max(1, ...s.opHistogram.map((o) => o.count));
    out.push(
      h(
        "p",
        { class: "muted" },
        `${formatCount(s.nodeCount)} nodes: ${formatCount(s.graphNodeCount)} in the graph, ${formatCount(s.functionNodeCount)} in ${s.functionCount} functions · ${s.opHistogram.length} op types`,
      ),
      s.customOps.length
        ? h(
            "p",
            { class: "warning-text" },
            codicon("warning"),
            ` Custom ops (not in TensorFlow): ${s.customOps.join(", ")}`,
          )
        : null,
      h(
        "div",
        { class: "ops" },
        hist.map((o) => {
          const bar = h("div", { class: "bar" });
          bar.style.width = `${(100 * o.count) / max}%`;
          return h(
            "div",
            { class: "op-row", data: { op: o.op } },
            h("span", { class: "op-name" }, o.op),
            h("span", { class: "op-bar" }, bar),
            h("span", { class: "op-count" }, formatCount(o.count)),
          );
        }),
      ),
      s.opHistogram.length > 25
        ? linkButton(ui.showAllOps ? "Show top 25" : `Show all ${s.opHistogram.length}`, () => {
            ui.showAllOps = !ui.showAllOps;
            saveUi();
            render();
          })
        : null,
    );
  }
  const types = withStats[0].stats!.opHistogram.length;
  return section("ops", "Operations", `${types} types`, out);
}

function variablesSection(st: OverviewState): HTMLElement | null {
  if (st.variablesError)
    return section(
      "variables",
      "Variables",
      "unreadable",
      h("p", { class: "error-text" }, codicon("error"), " ", st.variablesError.message),
    );
  const v = st.variables;
  if (!v) return null;
  const rows = v.largest.map((x) => [
    linkButton(
      x.name,
      () => send({ type: "overview/openVariable", checkpointKey: x.checkpointKey }),
      `Show the values of ${x.checkpointKey}`,
    ),
    x.dtypeShort,
    formatShape(x.shape),
    formatCount(x.elements),
    formatSize(x.bytes),
    x.problems.length ? h("span", { class: "warning-text" }, codicon("warning"), " ", x.problems.join("; ")) : "",
  ]);
  return section(
    "variables",
    "Variables",
    `${formatCount(v.count)} · ${formatSize(v.totalBytes)}`,
    h(
      "p",
      null,
      `${formatCount(v.count)} variables, ${formatCount(v.parameterCount)} parameters, ${formatSize(v.totalBytes)} in ${v.numShards} shard(s).`,
      v.omitted ? ` Largest ${v.largest.length} shown.` : "",
    ),
    v.count ? table(["name", "dtype", "shape", "elements", "size", ""], rows, "variables") : null,
    v.diagnostics.length ? diagnosticList(v.diagnostics) : null,
  );
}

function initSection(st: OverviewState): HTMLElement | null {
  const rows: Child[][] = [];
  for (const mg of st.info!.metaGraphs) {
    const i = mg.init;
    const tag = mg.tags.join(",");
    if (i.mainOp) rows.push([tag, "main_op", h("code", null, i.mainOp)]);
    if (i.legacyInitOp) rows.push([tag, "legacy_init_op", h("code", null, i.legacyInitOp)]);
    if (i.initSignatureOp) rows.push([tag, "__saved_model_init_op", h("code", null, i.initSignatureOp)]);
    for (const t of i.tableInitializers) rows.push([tag, "table initializer", h("code", null, t)]);
    for (const t of i.localInitOps) rows.push([tag, "local init op", h("code", null, t)]);
  }
  if (!rows.length) return null;
  return section("init", "Initialization", String(rows.length), table(["tags", "kind", "op"], rows));
}

function filesSection(st: OverviewState): HTMLElement {
  const f = st.info!.files;
  const list = [
    f.savedModel,
    f.variablesIndex,
    ...f.variablesShards,
    f.fingerprint,
    f.debugInfo,
    f.kerasMetadata,
    ...f.assets,
    ...f.assetsExtra,
  ].filter((x): x is { path: string; size?: number } => !!x);
  const rows: Child[][] = list.map((x) => [
    linkButton(x.path, () => send({ type: "overview/openFile", path: x.path })),
    formatSize(x.size),
  ]);
  for (const o of f.other)
    rows.push([h("span", { class: "muted" }, o.path), o.size !== undefined ? formatSize(o.size) : ""]);
  return section(
    "files",
    "Files",
    `${list.length} · ${formatSize(f.totalBytes)}`,
    table(["path", "size"], rows, "files"),
  );
}

function fingerprintSection(st: OverviewState): HTMLElement | null {
  const fp = st.info!.fingerprint;
  if (!fp) return null;
  const rows: Child[][] = [
    ["saved_model_checksum", h("code", null, fp.savedModelChecksum)],
    ["graph_def_program_hash", h("code", null, fp.graphDefProgramHash)],
    ["signature_def_hash", h("code", null, fp.signatureDefHash)],
    ["saved_object_graph_hash", h("code", null, fp.savedObjectGraphHash)],
    ["checkpoint_hash", h("code", null, fp.checkpointHash)],
  ];
  if (fp.uuid) rows.push(["uuid", h("code", null, fp.uuid)]);
  return section("fingerprint", "Fingerprint", "fingerprint.pb", table(["field", "value"], rows, "kv"));
}

function header(st: OverviewState): HTMLElement {
  const mg0 = st.info?.metaGraphs[0];
  return h(
    "header",
    null,
    h(
      "div",
      { class: "title-row" },
      h("h1", null, st.name),
      mg0 ? badge(mg0.isTF2 ? "TF2" : "TF1") : null,
      st.info ? badge(st.info.format === "text" ? "text format" : "binary", st.info.savedModelFile) : null,
      h(
        "span",
        { class: "header-actions" },
        st.info
          ? button("Reveal in Tree", "list-tree", () =>
              send({ type: "overview/reveal", metaGraph: 0, kind: "export", name: "" }),
            )
          : null,
        st.info
          ? button("Show Graph", "type-hierarchy", () => send({ type: "overview/showGraph", metaGraph: 0 }))
          : null,
        button("Log", "output", () => send({ type: "overview/showLog" })),
      ),
    ),
    h("div", { class: "location muted" }, st.location),
  );
}

function cards(st: OverviewState): HTMLElement {
  const info = st.info!;
  const mg0 = info.metaGraphs[0];
  const stats = st.metaGraphs.find((m) => m.stats)?.stats;
  return h(
    "section",
    { class: "cards" },
    card("TensorFlow", mg0?.tfVersion ?? "?", mg0?.tfGitVersion),
    card("Parameters", st.variables ? formatCount(st.variables.parameterCount) : "—"),
    card("Variables", st.variables ? formatSize(st.variables.totalBytes) : "—"),
    card("Total size", formatSize(info.files.totalBytes)),
    card(
      "Nodes",
      stats ? formatCount(stats.nodeCount) : formatCount(info.metaGraphs.reduce((a, m) => a + m.nodeCount, 0)),
      "graph nodes + function body nodes",
    ),
    card("Functions", formatCount(info.metaGraphs.reduce((a, m) => a + m.functionCount, 0))),
    card("Producer", mg0?.producer !== undefined ? String(mg0.producer) : "?", "GraphDef versions.producer"),
    card(
      "Meta graphs",
      String(info.metaGraphs.length),
      `schema version ${info.schemaVersion}${mg0?.metaGraphVersion ? `, meta_graph_version ${mg0.metaGraphVersion}` : ""}`,
    ),
  );
}

function render(): void {
  const st = last;
  if (!st) return;
  app.setAttribute("aria-busy", st.state === "loading" ? "true" : "false");
  const parts: Child[] = [header(st)];
  if (st.state === "loading" || st.state === "idle") {
    parts.push(
      h(
        "div",
        { class: "loading" },
        h("vscode-progress-ring"),
        ` Opening ${st.name}…`,
        st.progress ? ` (${st.progress})` : "",
      ),
    );
  }
  if ((st.state === "failed" || st.state === "cancelled") && st.error) {
    parts.push(
      h(
        "section",
        { class: "error-banner", attrs: { role: "alert" } },
        h(
          "h2",
          null,
          codicon("error"),
          st.state === "cancelled" ? " Loading was cancelled" : " This export cannot be opened",
        ),
        h("p", { class: "error-message" }, st.error.message),
        st.error.file
          ? h(
              "p",
              { class: "muted" },
              `file: ${st.error.file}${st.error.offset !== undefined ? `, offset ${st.error.offset}` : ""}${st.error.field ? `, field ${st.error.field}` : ""}`,
            )
          : null,
        st.error.hint && !st.error.message.includes(st.error.hint) ? h("p", null, st.error.hint) : null,
        h(
          "div",
          { class: "row" },
          button("Retry", "debug-restart", () => send({ type: "overview/retry" }), false),
          button("Show Log", "output", () => send({ type: "overview/showLog" })),
        ),
      ),
    );
  }
  if (st.info) {
    const diags = [...st.info.diagnostics];
    for (const m of st.metaGraphs)
      for (const e of m.errors)
        diags.push({
          severity: "error",
          file: e.file ?? st.info.savedModelFile,
          message: e.message,
          offset: e.offset,
          field: e.field,
          hint: e.hint,
        });
    parts.push(
      cards(st),
      diags.length ? section("warnings", "Warnings", String(diags.length), diagnosticList(diags)) : null,
      signaturesSection(st),
      layersSection(st.metaGraphs),
      opsSection(st.metaGraphs),
      variablesSection(st),
      initSection(st),
      fingerprintSection(st),
      filesSection(st),
    );
  }
  replace(app, ...parts);
}

host.onMessage((m) => {
  const msg = m as HostToOverviewMessage;
  if (msg?.type === "overview/state") {
    last = msg.state;
    render();
  }
});
send({ type: "overview/ready" });
