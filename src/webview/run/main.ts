/**
 * The run form webview: one editor per signature input, Run / Cancel, "Copy as…" (saved_model_cli,
 * savedmodel, Python, TF Serving body, curl), and the results. Talks to src/extension/run/runPanel.ts.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-collapsible/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import "@vscode-elements/elements/dist/vscode-textarea/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import { connectHost } from "../shared/host.js";
import { h, replace, codicon } from "../shared/dom.js";
import { formatShape, shortMethod } from "../../shared/modelFormat.js";
import { RpcClient } from "../../protocol/rpc.js";
import type {
  HostToRunMessage,
  InputSource,
  RunFormState,
  RunRpc,
  RunToHostMessage,
  WireTensor,
} from "../../protocol/run.js";
import { InputEditor } from "./inputEditor.js";
import { renderResult, type RenderedResult } from "./results.js";
import { toWire, fromWire } from "../../protocol/tensorWire.js";
import { buildRecipe } from "./recipe.js";
import { cliCommand, curlCommand, pythonSnippet, servingRequest } from "./copyAs.js";

const host = connectHost();
const send = (m: RunToHostMessage) => host.post(m);
const rpc = new RpcClient<RunRpc>((m) => host.post(m));
const app = document.getElementById("app")!;

let state: RunFormState | undefined;
let editors: InputEditor[] = [];
let running = false;
let shown: RenderedResult | undefined;
const resultsEl = h("div", { class: "results", attrs: { "aria-live": "polite" } });
const runBtn = h("vscode-button", { attrs: { icon: "play", id: "run-button" } }, "Run");
const cancelBtn = h(
  "vscode-button",
  { attrs: { icon: "debug-stop", secondary: true, id: "cancel-button", hidden: true } },
  "Cancel",
);
const runStatus = h("span", { class: "run-status", attrs: { role: "status" } });
const trustBanner = h("div", { class: "trust-banner", attrs: { role: "alert", hidden: true } });

function copy(text: string, what: string): void {
  send({ type: "run/copyText", text, what });
}

function toast(text: string): void {
  replace(runStatus, text);
}

function formValid(): boolean {
  return editors.every((e) => !e.current().error);
}

function refreshRunButton(): void {
  const ok = !!state?.trusted && formValid() && !running;
  if (ok) runBtn.removeAttribute("disabled");
  else runBtn.setAttribute("disabled", "");
}

function sources(): Record<string, InputSource> {
  return Object.fromEntries(editors.map((e) => [e.key, e.current().source]));
}

function recipeParts() {
  const inputs = Object.fromEntries(
    editors.map((e) => [
      e.key,
      {
        source: e.current().source,
        tensor: e.current().tensor,
        examples: e.current().examples,
        components: e.current().components,
      },
    ]),
  );
  return buildRecipe(state!, inputs);
}

async function run(): Promise<void> {
  if (!state || running) return;
  if (!state.trusted) return;
  for (const e of editors) e.flush();
  if (!formValid()) {
    toast("Fix the inputs marked in red first.");
    return;
  }
  const feeds: Record<string, WireTensor> = {};
  for (const e of editors) {
    const v = e.current();
    if (v.source.kind === "default") continue;
    if (v.components) for (const [k, t] of Object.entries(v.components)) feeds[k] = toWire(t).wire;
    else if (v.tensor) feeds[e.key] = toWire(v.tensor).wire;
  }
  running = true;
  cancelBtn.removeAttribute("hidden");
  refreshRunButton();
  replace(runStatus, h("vscode-progress-ring", { class: "ring", attrs: { "aria-label": "running" } }), " Running…");
  send({ type: "run/remember", inputs: sources() });
  try {
    await rpc.request("run/execute", { feeds, recipe: sources() });
    replace(runStatus, "");
  } catch (e) {
    replace(runStatus, h("span", { class: "error" }, codicon("error"), " ", (e as Error).message));
  } finally {
    running = false;
    cancelBtn.setAttribute("hidden", "");
    refreshRunButton();
  }
}

function copyMenu(s: RunFormState): HTMLElement {
  const name =
    s.exportLocation
      .split(/[\\/]/)
      .filter(Boolean)
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? "model";
  const items: [string, string, () => string][] = [
    [
      "saved_model_cli",
      "saved_model_cli run command",
      () => cliCommand(recipeParts().recipe, "saved_model_cli", s.shell),
    ],
    ["savedmodel", "savedmodel run command", () => cliCommand(recipeParts().recipe, "savedmodel", s.shell)],
    ["python", "Python snippet", () => pythonSnippet(recipeParts().recipe)],
    ["serving", "TF Serving request body", () => servingRequest(recipeParts().recipe).body],
    ["curl", "curl command", () => curlCommand(recipeParts().recipe, name, s.shell)],
  ];
  const preview = h("pre", { class: "copy-preview mono", attrs: { "aria-label": "copied text" } });
  const buttons = items.map(([id, label, make]) => {
    const b = h("vscode-button", { attrs: { secondary: true, icon: "copy", "data-copy": id } }, label);
    b.addEventListener("click", () => {
      if (editors.some((e) => e.current().error)) return toast("Fix the inputs first: the copied run uses them.");
      let text: string;
      try {
        text = make();
      } catch (e) {
        return toast((e as Error).message);
      }
      preview.textContent = text;
      copy(text, label);
      const { needsNpz } = recipeParts();
      if (needsNpz.length && id !== "serving" && id !== "curl")
        toast(
          `${needsNpz.join(", ")} ${needsNpz.length > 1 ? "are" : "is"} large: the command reads inputs.npz — use "Save Inputs as .npz…" after a run.`,
        );
      else toast(`Copied the ${label}.`);
    });
    return b;
  });
  const npz = h("vscode-button", { attrs: { secondary: true, icon: "save" } }, "Save Inputs as .npz…");
  npz.addEventListener("click", () => {
    void rpc.request("run/saveInputsNpz", { keys: recipeParts().needsNpz }).then(
      (r) => r.path && toast(`Saved ${r.path}`),
      (e) => toast((e as Error).message),
    );
  });
  return h(
    "vscode-collapsible",
    { class: "copy-as", attrs: { heading: "Copy as…" } },
    h("div", { class: "row wrap" }, buttons, npz),
    preview,
  );
}

function renderTrust(): void {
  if (!state) return;
  if (state.trusted) {
    trustBanner.setAttribute("hidden", "");
    replace(trustBanner);
  } else {
    trustBanner.removeAttribute("hidden");
    const b = h("vscode-button", { attrs: { icon: "shield", secondary: true } }, "Manage Workspace Trust");
    b.addEventListener("click", () => send({ type: "run/manageTrust" }));
    replace(
      trustBanner,
      codicon("shield"),
      h(
        "span",
        null,
        " Running a signature executes the model's graph, so it needs a trusted workspace. This workspace is in Restricted Mode: you can prepare inputs, but Run stays off until you trust it. ",
      ),
      b,
    );
  }
  refreshRunButton();
}

/** Inputs above this count start collapsed, with a bar to expand, collapse or fill them all at once. */
const MANY_INPUTS = 8;

function manyInputsBar(): HTMLElement | null {
  if (editors.length <= MANY_INPUTS) return null;
  const btn = (text: string, icon: string, fn: () => void) => {
    const b = h("vscode-button", { attrs: { icon, secondary: true } }, text);
    b.addEventListener("click", fn);
    return b;
  };
  const kind = h(
    "vscode-single-select",
    { attrs: { "aria-label": "fill every input with" } },
    ...[
      ["random", "Random"],
      ["zeros", "Zeros"],
      ["ones", "Ones"],
      ["range", "Range 0, 1, 2, …"],
    ].map(([v, l]) => h("vscode-option", { attrs: { value: v } }, l)),
  ) as HTMLElement & { value: string };
  return h(
    "div",
    { class: "row wrap many-inputs" },
    h("span", { class: "muted" }, `${editors.length} inputs`),
    btn("Expand All", "expand-all", () => editors.forEach((e) => e.setCollapsed(false))),
    btn("Collapse All", "collapse-all", () => editors.forEach((e) => e.setCollapsed(true))),
    h("span", { class: "spacer" }),
    h("label", null, "Fill every input with ", kind),
    btn("Fill All", "wand", () => {
      for (const e of editors) e.fillWith((kind.value || "random") as "random" | "zeros" | "ones" | "range");
      toast(`Filled ${editors.length} inputs (Random uses a different stream per input).`);
    }),
  );
}

async function render(s: RunFormState): Promise<void> {
  state = s;
  editors = s.inputs.map((i) => new InputEditor(i, s.methodName, rpc, refreshRunButton, s.exampleFeatures));
  const noInputs = !s.inputs.length ? h("p", { class: "muted" }, "This signature takes no inputs.") : null;
  replace(
    app,
    h(
      "header",
      null,
      h(
        "div",
        { class: "title-row" },
        codicon("play"),
        h("h1", null, "Run ", h("span", { class: "mono sig-key" }, s.signature)),
        h("vscode-badge", { attrs: { variant: "default" } }, shortMethod(s.methodName)),
      ),
      h("div", { class: "muted" }, `${s.exportName} · ${s.exportLocation} · tags ${s.tags.join(", ") || "(none)"}`),
    ),
    trustBanner,
    h("h2", null, "Inputs"),
    noInputs,
    manyInputsBar(),
    editors.map((e) => e.el),
    h("div", { class: "run-bar" }, runBtn, cancelBtn, runStatus),
    copyMenu(s),
    h("h2", null, "Outputs"),
    h(
      "ul",
      { class: "output-specs" },
      s.outputs.map((o) => h("li", { class: "mono" }, `${o.key}: ${o.dtypeShort} ${formatShape(o.shape)}`)),
    ),
    resultsEl,
  );
  renderTrust();
  // Many inputs: collapsed, so the form stays scannable (invalid ones still show their status line).
  if (editors.length > MANY_INPUTS) for (const e of editors) e.setCollapsed(true);
  if (s.remembered)
    await Promise.all(editors.map((e) => (s.remembered![e.key] ? e.restore(s.remembered![e.key]) : undefined)));
  refreshRunButton();
  app.removeAttribute("aria-busy");
}

runBtn.addEventListener("click", () => void run());
cancelBtn.addEventListener("click", () => send({ type: "run/cancel" }));
document.addEventListener("keydown", (ev) => {
  if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
    ev.preventDefault();
    void run();
  }
});

host.onMessage((raw) => {
  if (rpc.handle(raw)) return;
  const msg = raw as HostToRunMessage;
  switch (msg.type) {
    case "run/state":
      void render(msg.state);
      break;
    case "run/trust":
      if (state) {
        state.trusted = msg.trusted;
        renderTrust();
      }
      break;
    case "run/started":
      break;
    case "run/result":
      if (!state) replace(app, resultsEl);
      shown = renderResult(msg.result, {
        copy,
        saveNpy: (key) =>
          void rpc.request("run/saveNpy", { key }).then(
            (r) => r.path && toast(`Saved ${r.path}`),
            (e) => toast((e as Error).message),
          ),
        showNode: (node, fn) => send({ type: "run/showNode", node, fn }),
        nodeValue: async (tensor, fn) => {
          const r = await rpc.request("run/nodeValue", { tensor, fn });
          return { ...r, tensor: fromWire(r.tensor) };
        },
        labels: state?.labels?.names,
        pickLabels: async () => {
          const r = await rpc.request("run/loadLabels", {});
          if (r && state) state.labels = r;
          return r?.names;
        },
      });
      replace(resultsEl, shown.el);
      break;
    case "run/showNodeValue":
      void shown?.showNode?.(msg.node, msg.fn || undefined);
      break;
  }
});

send({ type: "run/ready" });
