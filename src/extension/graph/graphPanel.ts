/**
 * The graph view panel (a WebviewPanel): builds the display graph for a signature, a function or the whole
 * meta graph, sends it to the graph webview, and answers the webview (save exports, open a function in its
 * own panel, report selections for tree sync). One panel per (source, view); asking again reveals it.
 *
 * Usage (e.g. from the "Show Graph" command or a tree item; the graph is built in the decode worker):
 *
 *   const handle = openGraphPanel(context,
 *     { label: "mnist/1", id: folderUri.toString(), build: (target, opts) => decodeClient.request({ op: "displayGraph", … }) },
 *     { signature: "serving_default" });                        // or { function: "__inference_..." } or {} (whole graph)
 *   handle.onDidSelectNode(({ fn, node, op }) => revealInTree(fn, node));   // graph -> tree
 *   handle.reveal({ fn: "", node: "dense/MatMul" });                         // tree -> graph
 *
 * Resources: dist/webview/graph.js, dist/webview/graphLayout.worker.js, dist/webview/graph.css.
 */
import * as vscode from "vscode";
import { saveOutsideExport } from "../saveOutside.js";
import type { BuildOptions, BuildTarget } from "../../graph/build.js";
import type { DisplayGraph } from "../../graph/model.js";
import { packDisplayGraph } from "../../graph/pack.js";
import type { GraphNodeRef, GraphToHostMessage, HostToGraphMessage } from "../../protocol/graph.js";
import type { GraphDiffOverlay } from "../../graph/diffPicture.js";
import { graphHtml, graphWebviewOptions } from "./graphHtml.js";

/** Where the graph comes from: `build` makes the display graph off the host thread (the decode worker). */
export interface GraphPanelSource {
  /** Shown in the panel title, e.g. the export's name ("mnist/1"). */
  label: string;
  /** Stable id of the export (its folder URI), so panels are reused per export + view. Defaults to `label`. */
  id?: string;
  /** Builds the DisplayGraph of a view (in the decode worker, so the host never decodes a graph). */
  build: (target: BuildTarget, opts: BuildOptions) => Promise<DisplayGraph>;
  /**
   * The comparison editor's graph changes: when given, a signature view shows this picture (export B with A's
   * removed nodes merged in) with its nodes coloured by change instead of `build`'s graph.
   */
  diff?: (signature: string) => Promise<{ graph: DisplayGraph; overlay: GraphDiffOverlay }>;
}

/**
 * What to show and select. `signature` -> that signature's slice; else `function` -> that function's body;
 * else the whole meta graph. `node` is then selected: a node name inside `nodeFunction` (when given), else
 * inside `function` when viewing a function, else in the meta graph's GraphDef.
 */
export interface GraphPanelTarget {
  signature?: string;
  function?: string;
  node?: string;
  nodeFunction?: string;
  /** The whole meta graph (the view picker's "whole graph"), not the default view. */
  whole?: boolean;
}

export interface GraphPanelHandle {
  readonly panel: vscode.WebviewPanel;
  /** Selects and reveals a node in this panel. */
  reveal(node: GraphNodeRef): void;
  /** Fires when the user selects a node in the graph (graph -> tree navigation). */
  readonly onDidSelectNode: vscode.Event<GraphNodeRef & { op: string }>;
  /** Fires when the user asks for the values of a variable drawn inside its consumer. */
  readonly onDidOpenVariable: vscode.Event<GraphNodeRef>;
}

const panels = new Map<string, GraphPanel>();

function viewOf(target: GraphPanelTarget): BuildTarget {
  if (target.signature) return { signature: target.signature };
  if (target.function) return { function: target.function };
  // Nothing named: the callable that computes the model (src/graph/defaultView.ts), unless asked for it all.
  return target.whole ? { graph: true } : { default: true };
}

function revealOf(target: GraphPanelTarget): GraphNodeRef | undefined {
  if (!target.node) return undefined;
  const fn = target.nodeFunction ?? (target.signature ? "" : (target.function ?? ""));
  return { fn, node: target.node };
}

function titleOf(source: GraphPanelSource, view: BuildTarget): string {
  if ("signature" in view && source.diff) return `${source.label} · ${view.signature} · changes`;
  if ("signature" in view) return `${source.label} · ${view.signature}`;
  if ("function" in view)
    return `${source.label} · ƒ ${view.function.replace(/^__inference_/, "").replace(/_\d+$/, "")}`;
  if ("default" in view) return `${source.label} · model`;
  return `${source.label} · graph`;
}

/** Opens (or reveals) the graph panel for `source` and `target`. */
export function openGraphPanel(
  context: vscode.ExtensionContext,
  source: GraphPanelSource,
  target: GraphPanelTarget = {},
): GraphPanelHandle {
  const view = viewOf(target);
  const key = `${source.id ?? source.label}\u0000${JSON.stringify(view)}`;
  const existing = panels.get(key);
  if (existing) {
    existing.panel.reveal(undefined, false);
    const r = revealOf(target);
    if (r) existing.reveal(r);
    return existing;
  }
  const p = new GraphPanel(context, source, view, revealOf(target), key);
  panels.set(key, p);
  return p;
}

class GraphPanel implements GraphPanelHandle {
  readonly panel: vscode.WebviewPanel;
  private readonly selectEmitter = new vscode.EventEmitter<GraphNodeRef & { op: string }>();
  readonly onDidSelectNode = this.selectEmitter.event;
  private readonly variableEmitter = new vscode.EventEmitter<GraphNodeRef>();
  readonly onDidOpenVariable = this.variableEmitter.event;
  private ready = false;
  private pendingReveal: GraphNodeRef | undefined;
  /** The display graph, built (in the decode worker) while the page loads, not after it says graph/ready. */
  private readonly graph: Promise<{ graph: DisplayGraph; overlay: GraphDiffOverlay | undefined }>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly source: GraphPanelSource,
    private readonly view: BuildTarget,
    reveal: GraphNodeRef | undefined,
    key: string,
  ) {
    this.pendingReveal = reveal;
    const title = titleOf(source, view);
    this.panel = vscode.window.createWebviewPanel(
      "savedModelExplorer.graph",
      title,
      vscode.ViewColumn.Active,
      graphWebviewOptions(context.extensionUri),
    );
    this.panel.webview.html = graphHtml(this.panel.webview, context.extensionUri, title);
    this.graph = Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: "SavedModel: building graph…" },
        async () => {
          if ("signature" in view && source.diff) return source.diff(view.signature);
          return { graph: await source.build(view, {}), overlay: undefined };
        },
      ),
    );
    this.graph.catch(() => undefined); // reported by load() once the page is ready
    this.disposables.push(
      this.selectEmitter,
      this.variableEmitter,
      this.panel.webview.onDidReceiveMessage((m: GraphToHostMessage) => void this.onMessage(m)),
      this.panel.onDidDispose(() => {
        panels.delete(key);
        for (const d of this.disposables) d.dispose();
      }),
    );
    context.subscriptions.push(this.panel);
  }

  reveal(node: GraphNodeRef): void {
    if (this.ready) this.post({ type: "graph/reveal", target: node });
    else this.pendingReveal = node;
  }

  private post(m: HostToGraphMessage): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: GraphToHostMessage): Promise<void> {
    switch (m.type) {
      case "graph/ready":
        await this.load();
        break;
      case "graph/selected":
        this.selectEmitter.fire({ ...m.target, op: m.op });
        break;
      case "graph/openFunction":
        openGraphPanel(this.context, { ...this.source, diff: undefined }, { function: m.fn });
        break;
      case "graph/openView":
        openGraphPanel(this.context, this.source, {
          ...("signature" in m.target ? { signature: m.target.signature } : {}),
          ...("function" in m.target ? { function: m.target.function } : {}),
          ...("graph" in m.target ? { whole: true } : {}),
        });
        break;
      case "graph/openVariable":
        this.variableEmitter.fire(m.target);
        break;
      case "graph/saveFile":
        await this.save(m.format, m.suggestedName, m.data);
        break;
      case "graph/rendered":
        break;
    }
  }

  private async load(): Promise<void> {
    try {
      const { graph, overlay } = await this.graph;
      this.ready = true;
      this.post({ type: "graph/load", packed: packDisplayGraph(graph), reveal: this.pendingReveal, diff: overlay });
      this.pendingReveal = undefined;
    } catch (e) {
      this.post({
        type: "graph/error",
        message: `Cannot show the graph: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }

  private async save(format: "svg" | "png", suggestedName: string, data: string): Promise<void> {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: base ? vscode.Uri.joinPath(base, suggestedName) : undefined,
      filters: format === "svg" ? { "SVG image": ["svg"] } : { "PNG image": ["png"] },
      saveLabel: `Export ${format.toUpperCase()}`,
    });
    if (!uri) return;
    try {
      const bytes = format === "svg" ? new TextEncoder().encode(data) : Uint8Array.from(Buffer.from(data, "base64"));
      // never into the export folder (real paths compared); an existing file is replaced only when confirmed
      const exportUri = this.source.id ? vscode.Uri.parse(this.source.id).with({ fragment: "" }) : undefined;
      if (exportUri && !(await saveOutsideExport(uri, exportUri, bytes))) return;
      if (!exportUri) await vscode.workspace.fs.writeFile(uri, bytes);
      this.post({ type: "graph/saved", path: uri.toString() });
      void vscode.window.showInformationMessage(`Graph exported to ${vscode.workspace.asRelativePath(uri)}`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.post({ type: "graph/saved", error: msg });
      void vscode.window.showErrorMessage(`Could not write ${uri.fsPath}: ${msg}`);
    }
  }
}
