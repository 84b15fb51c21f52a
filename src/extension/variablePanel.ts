/**
 * The variable value view: a webview panel per (export, checkpoint key) showing statistics, a
 * histogram, the first values and a paged table. Values are decoded in the decode worker.
 */
import * as vscode from "vscode";
import type { ExportModel } from "./exportStore.js";
import type {
  HostToVariableMessage,
  VariableRpc,
  VariableToHostMessage,
  VariableViewState,
} from "../protocol/variable.js";
import { serveRpc } from "../protocol/rpc.js";
import { webviewHtml, webviewOptions } from "./webviewHtml.js";
import { decodeLimits } from "./settings.js";
import { describeError, isCancelled, log, reportError } from "./log.js";

export const VARIABLE_VIEW_TYPE = "savedModelExplorer.variable";
const FIRST_VALUES = 64;
const BINS = 40;

export class VariablePanel {
  static readonly open = new Map<string, VariablePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private state: VariableViewState;
  private ready = false;

  static show(extensionUri: vscode.Uri, model: ExportModel, checkpointKey: string): VariablePanel {
    const key = `${model.id}\n${checkpointKey}`;
    const existing = VariablePanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const name =
      model.result?.variables?.variables.find((v) => v.checkpointKey === checkpointKey)?.name ?? checkpointKey;
    const panel = vscode.window.createWebviewPanel(
      VARIABLE_VIEW_TYPE,
      `${name.split("/").slice(-2).join("/")} — ${model.name}`,
      vscode.ViewColumn.Active,
      {
        ...webviewOptions(extensionUri),
        enableFindWidget: true,
      },
    );
    return VariablePanel.adopt(panel, extensionUri, model, checkpointKey);
  }

  /** Wires a panel (new, or restored after a window reload by the serializer) to a variable. */
  static adopt(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    model: ExportModel,
    checkpointKey: string,
  ): VariablePanel {
    const key = `${model.id}\n${checkpointKey}`;
    panel.webview.options = webviewOptions(extensionUri);
    const p = new VariablePanel(panel, extensionUri, model, checkpointKey);
    VariablePanel.open.set(key, p);
    panel.onDidDispose(() => VariablePanel.open.delete(key));
    return p;
  }

  /** Restores variable panels after a window reload (their webview state names the export and key). */
  static registerSerializer(
    extensionUri: vscode.Uri,
    modelOf: (exportUri: string) => Promise<ExportModel>,
  ): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(VARIABLE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const s = state as { exportUri?: unknown; checkpointKey?: unknown } | undefined;
        if (typeof s?.exportUri !== "string" || typeof s.checkpointKey !== "string") return void panel.dispose();
        VariablePanel.adopt(panel, extensionUri, await modelOf(s.exportUri), s.checkpointKey);
      },
    });
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly model: ExportModel,
    readonly checkpointKey: string,
  ) {
    this.state = {
      exportUri: model.id,
      exportName: model.name,
      exportLocation: model.fs.describe(""),
      checkpointKey,
      loading: true,
    };
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      title: "Variable",
      script: "variable",
      css: ["variable.css"],
    });
    const post = (m: unknown) => void panel.webview.postMessage(m);
    const rpc = serveRpc<VariableRpc>(
      {
        "variable/page": ({ offset, count }) =>
          model.store.client.request({ op: "variablePage", exportId: model.id, checkpointKey, offset, count }),
      },
      post,
    );
    // the export's files changed on disk: read the value again
    model.store.onDidChange(
      (m) => {
        if (m === model && model.state === "idle" && !this.state.loading) void this.load();
      },
      undefined,
      this.disposables,
    );
    panel.webview.onDidReceiveMessage(
      (m: VariableToHostMessage) => {
        if (rpc(m)) return;
        if (m.type === "variable/ready") {
          this.ready = true;
          this.post();
        } else if (m.type === "variable/reveal") {
          void vscode.commands.executeCommand("savedModelExplorer.revealInTree", {
            exportUri: model.id,
            kind: "variable",
            name: checkpointKey,
          });
        } else if (m.type === "variable/reload") void this.load();
      },
      undefined,
      this.disposables,
    );
    panel.onDidDispose(() => this.disposables.forEach((d) => d.dispose()), undefined, this.disposables);
    void this.load();
  }

  private async load(): Promise<void> {
    this.state = { ...this.state, loading: true, error: undefined };
    this.post();
    try {
      await this.model.load({ notify: true });
      const limits = decodeLimits();
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Reading ${this.checkpointKey}`, cancellable: true },
        (p, token) =>
          this.model.store.client.request(
            {
              op: "variable",
              exportId: this.model.id,
              checkpointKey: this.checkpointKey,
              limits,
              firstCount: FIRST_VALUES,
              bins: BINS,
            },
            { token, onProgress: (message) => p.report({ message }) },
          ),
      );
      log(
        `${this.model.name}: read ${this.checkpointKey} in ${result.ms.toFixed(0)} ms${result.reason ? ` (${result.reason})` : ""}`,
      );
      this.state = { ...this.state, loading: false, result };
    } catch (e) {
      if (!isCancelled(e)) reportError(`cannot read variable ${this.checkpointKey}`, e);
      this.state = {
        ...this.state,
        loading: false,
        error: isCancelled(e) ? "Reading was cancelled." : describeError(e),
      };
    }
    this.post();
  }

  current(): VariableViewState {
    return this.state;
  }

  private post(): void {
    if (!this.ready) return;
    const msg: HostToVariableMessage = { type: "variable/state", state: this.state };
    void this.panel.webview.postMessage(msg);
  }
}
