/**
 * The read-only custom editor for saved_model.pb / saved_model.pbtxt: its face is the overview page
 * (src/webview/overview). The document is the export folder the file lives in.
 */
import * as vscode from "vscode";
import { openFileInExport } from "./openInExport.js";
import type { ExportModel, ExportStore } from "./exportStore.js";
import type {
  HostToOverviewMessage,
  OverviewState,
  OverviewToHostMessage,
  OverviewVariables,
} from "../protocol/overview.js";
import { topLayers } from "../protocol/overview.js";
import { webviewHtml, webviewOptions } from "./webviewHtml.js";
import { log } from "./log.js";

export const OVERVIEW_VIEW_TYPE = "savedModelExplorer.overview";
const LARGEST_VARIABLES = 50;

class OverviewDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  get exportUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.uri, "..");
  }
  dispose(): void {}
}

export interface OverviewHooks {
  openVariable(model: ExportModel, checkpointKey: string): void;
  reveal(model: ExportModel, msg: Extract<OverviewToHostMessage, { type: "overview/reveal" }>): void;
  showGraph(model: ExportModel, metaGraph: number, signature?: string): void;
}

export class OverviewEditorProvider implements vscode.CustomReadonlyEditorProvider<OverviewDocument> {
  /** Open overview panels by export id (for tests and "open overview" reuse). */
  readonly panels = new Map<string, Set<OverviewPanel>>();

  static register(context: vscode.ExtensionContext, store: ExportStore, hooks: OverviewHooks): OverviewEditorProvider {
    const p = new OverviewEditorProvider(context.extensionUri, store, hooks);
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(OVERVIEW_VIEW_TYPE, p, {
        webviewOptions: { enableFindWidget: true },
        supportsMultipleEditorsPerDocument: true,
      }),
    );
    return p;
  }

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: ExportStore,
    private readonly hooks: OverviewHooks,
  ) {}

  openCustomDocument(uri: vscode.Uri): OverviewDocument {
    return new OverviewDocument(uri);
  }

  async resolveCustomEditor(doc: OverviewDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, {
      title: "SavedModel Overview",
      script: "overview",
      css: ["overview.css"],
    });
    if (!this.store.scanned) await this.store.scan();
    const model = await this.store.ensure(doc.exportUri);
    const op = new OverviewPanel(panel, model, this.store, this.hooks);
    let set = this.panels.get(model.id);
    if (!set) this.panels.set(model.id, (set = new Set()));
    set.add(op);
    panel.onDidDispose(() => set!.delete(op));
  }
}

export class OverviewPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private model: ExportModel;
  /** Last state posted (for tests). */
  lastState?: OverviewState;

  constructor(
    readonly panel: vscode.WebviewPanel,
    model: ExportModel,
    store: ExportStore,
    private readonly hooks: OverviewHooks,
  ) {
    this.model = model;
    panel.webview.onDidReceiveMessage((m: OverviewToHostMessage) => this.onMessage(m), undefined, this.disposables);
    store.onDidChange(
      (m) => {
        // the store may have replaced the model (export removed and re-added)
        const current = store.get(this.model.uri);
        if (current && current !== this.model) this.model = current;
        if (m && m !== this.model) return;
        // the export's files changed on disk (the store dropped what it knew): read it again
        if (this.model.state === "idle") this.load();
        else this.update();
      },
      undefined,
      this.disposables,
    );
    panel.onDidDispose(() => this.disposables.forEach((d) => d.dispose()), undefined, this.disposables);
    this.load();
  }

  private load(): void {
    const m = this.model;
    m.load({ notify: true })
      .then((r) => {
        this.update();
        r.info.metaGraphs.forEach(
          (mg) =>
            void m.loadDetails(mg.index, { notify: true }).then(
              () => this.update(),
              () => this.update(),
            ),
        );
      })
      .catch(() => this.update());
    this.update();
  }

  private onMessage(msg: OverviewToHostMessage): void {
    switch (msg.type) {
      case "overview/ready":
        this.ready = true;
        this.update();
        break;
      case "overview/retry":
        this.model.invalidate();
        this.load();
        break;
      case "overview/showLog":
        void vscode.commands.executeCommand("savedModelExplorer.showLog");
        break;
      case "overview/openVariable":
        this.hooks.openVariable(this.model, msg.checkpointKey);
        break;
      case "overview/openFile": {
        // only regular files inside the export, by a relative path, after the containment layer's check
        void openFileInExport(this.model, msg.path);
        break;
      }
      case "overview/showGraph":
        this.hooks.showGraph(this.model, msg.metaGraph, msg.signature);
        break;
      case "overview/reveal":
        this.hooks.reveal(this.model, msg);
        break;
      case "overview/run":
        void vscode.commands.executeCommand("savedModelExplorer.runSignature", {
          exportUri: this.model.id,
          signature: msg.signature,
          metaGraph: msg.metaGraph,
        });
        break;
    }
  }

  state(): OverviewState {
    const m = this.model;
    const r = m.result;
    const s: OverviewState = {
      name: m.name,
      location: m.fs.describe(""),
      state: m.state,
      error: m.error,
      metaGraphs: [],
    };
    if (r) {
      s.info = r.info;
      s.timings = r.timings;
      s.variablesError = r.variablesError;
      if (r.variables) {
        const vars = r.variables.variables;
        const model = vars.filter((v) => v.kind === "variable");
        const largest = [...model].sort((a, b) => b.bytes - a.bytes).slice(0, LARGEST_VARIABLES);
        const v: OverviewVariables = {
          largest,
          omitted: model.length - largest.length,
          count: model.length,
          parameterCount: r.variables.parameterCount,
          totalBytes: r.variables.totalBytes,
          numShards: r.variables.numShards,
          withProblems: vars.filter((x) => x.problems.length).slice(0, 100),
          diagnostics: r.variables.diagnostics,
        };
        s.variables = v;
      }
      s.metaGraphs = r.info.metaGraphs.map((mg) => {
        const d = m.detailsIfLoaded(mg.index);
        return {
          index: mg.index,
          loading: !d && m.state === "loaded",
          stats: d?.stats,
          layers: topLayers(d?.objectTree),
          objectParameterCount: d?.objectTree?.parameterCount,
          errors: d?.errors ?? [],
        };
      });
    }
    return s;
  }

  update(): void {
    if (!this.ready) return;
    const state = this.state();
    this.lastState = state;
    const msg: HostToOverviewMessage = { type: "overview/state", state };
    this.panel.webview.postMessage(msg).then(undefined, (e) => log(`overview: postMessage failed: ${e}`));
  }
}
