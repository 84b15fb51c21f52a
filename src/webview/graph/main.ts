/**
 * Graph webview entry. The page provides `<body data-worker="<layout worker script URL>">`; the host sends
 * `graph/load` after `graph/ready`. The layout worker's script is fetched at once; the worker starts once the first
 * picture is painted (src/webview/graph/layoutClient.ts).
 */
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import type { GraphToHostMessage, HostToGraphMessage } from "../../protocol/graph.js";
import { unpackDisplayGraph } from "../../graph/pack.js";
import { connectHost } from "../shared/host.js";
import { LayoutClient } from "./layoutClient.js";
import { RunOverlay } from "./runOverlay.js";
import { DiffOverlay } from "./diffOverlay.js";
import { GraphView } from "./view.js";

const host = connectHost();
const workerUrl = document.body.dataset.worker ?? "graphLayout.worker.js";
const layout = new LayoutClient(workerUrl);
const root = document.getElementById("root") ?? document.body;

const canvas = document.createElement("canvas").getContext("2d")!;
const fontFamily = getComputedStyle(document.documentElement).getPropertyValue("--font").trim() || "sans-serif";
const widths = new Map<string, number>();
function measure(text: string, px: number, bold = false): number {
  const k = `${px}${bold ? "b" : ""}|${text}`;
  let w = widths.get(k);
  if (w === undefined) {
    canvas.font = `${bold ? "600 " : ""}${px}px ${fontFamily}`;
    w = canvas.measureText(text).width;
    if (widths.size > 200_000) widths.clear();
    widths.set(k, w);
  }
  return w;
}

let view: GraphView | undefined;
// the last run's node times and values (Time toggle, "Value" in the details, Run…)
const overlay = new RunOverlay(host);
const post = (m: GraphToHostMessage) => {
  host.post(m);
  if (m.type === "graph/rendered") overlay.rendered();
};

function message(text: string, error = false): void {
  const div = document.createElement("div");
  div.className = error ? "message error" : "message";
  div.textContent = text;
  root.replaceChildren(div);
}

host.onMessage((raw) => {
  if (overlay.handle(raw)) return;
  const msg = raw as HostToGraphMessage;
  switch (msg?.type) {
    case "graph/load": {
      const t0 = performance.now();
      const graph = msg.packed ? unpackDisplayGraph(msg.packed) : msg.graph;
      if (!graph) return message("The host sent no graph.", true);
      const t1 = performance.now();
      view = new GraphView(graph, root, layout, measure, post);
      (window as unknown as { __graphView?: GraphView }).__graphView = view;
      overlay.attach(view);
      (window as unknown as { __runOverlay?: RunOverlay }).__runOverlay = overlay;
      if (msg.diff) {
        // the comparison editor's graph changes: coloured nodes, groups holding changes open, the rest collapsed
        const diff = new DiffOverlay(msg.diff);
        view.initialExpanded = msg.diff.groups;
        view.mustShow = diff.mustShow();
        diff.attach(view);
      }
      (window as unknown as { __graphOpen?: Record<string, number> }).__graphOpen = {
        unpackMs: t1 - t0,
        viewMs: performance.now() - t1,
      };
      view.open(msg.reveal).then(
        () => console.debug(`graph: first picture in ${Math.round(performance.now() - t0)} ms`),
        (e: Error) => message(`Could not lay out the graph: ${e.message}`, true),
      );
      break;
    }
    case "graph/reveal":
      view?.revealRef(msg.target);
      break;
    case "graph/error":
      message(msg.message, true);
      break;
    case "graph/saved":
      break;
  }
});

message("Loading graph…");
post({ type: "graph/ready" });
