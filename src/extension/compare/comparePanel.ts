/**
 * The comparison editor: a webview panel comparing export A (before) with export B (after). The contract,
 * graph and files come first (cheap); the weights are streamed afterwards with progress and Cancel; the Δ
 * histogram of a variable on request; the behaviour comparison (both exports run on the same seeded inputs in
 * the executor's worker) only in a trusted workspace.
 */
import * as vscode from "vscode";
import { join } from "node:path";
import { openSavedModel, type SavedModelExport } from "../../savedmodel/savedModel.js";
import { describeModel } from "../../savedmodel/model.js";
import {
  compareOutputs,
  deltaHistogram,
  diffExports,
  diffWeights,
  randomInputs,
  summarize,
  type DiffReport,
} from "../../savedmodel/diff/index.js";
import type { CompareToHostMessage, HostToCompareMessage } from "../../protocol/compare.js";
import type { ExportModel } from "../exportStore.js";
import { webviewHtml, webviewOptions } from "../webviewHtml.js";
import { describeError, log } from "../log.js";

export const COMPARE_VIEW_TYPE = "savedModelExplorer.compare";

export class ComparePanel {
  static readonly open = new Map<string, ComparePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private report?: DiffReport;
  private exports?: [SavedModelExport, SavedModelExport];
  private weightsCtl?: AbortController;
  private disposed = false;

  static show(extensionUri: vscode.Uri, a: ExportModel, b: ExportModel): ComparePanel {
    const key = `${a.id}\n${b.id}`;
    const existing = ComparePanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      COMPARE_VIEW_TYPE,
      `${a.name} ↔ ${b.name}`,
      vscode.ViewColumn.Active,
      { ...webviewOptions(extensionUri), enableFindWidget: true, retainContextWhenHidden: true },
    );
    const p = new ComparePanel(panel, extensionUri, a, b);
    ComparePanel.open.set(key, p);
    panel.onDidDispose(() => ComparePanel.open.delete(key));
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    readonly a: ExportModel,
    readonly b: ExportModel,
  ) {
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      title: `${a.name} ↔ ${b.name}`,
      script: "compare",
      css: ["compare.css", "variable.css"],
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: CompareToHostMessage) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(m: HostToCompareMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: CompareToHostMessage): Promise<void> {
    try {
      switch (m.type) {
        case "ready":
          return await this.start();
        case "cancel":
          this.weightsCtl?.abort();
          return;
        case "compareWeights":
          return await this.compareWeights();
        case "histogram":
          return await this.histogram(m.keyA, m.keyB, m.range);
        case "runBehaviour":
          return await this.behaviour(m.signature, m.atol, m.seed);
      }
    } catch (e) {
      this.post({ type: "error", message: describeError(e) });
    }
  }

  private async start(): Promise<void> {
    if (this.report) {
      this.post({
        type: "report",
        report: this.report,
        nameA: this.a.name,
        nameB: this.b.name,
        weightsPending: false,
        ...this.extra(),
      });
      return;
    }
    const t0 = Date.now();
    this.exports = await Promise.all([openSavedModel(this.a.fs), openSavedModel(this.b.fs)]);
    const [ea, eb] = this.exports;
    const infos = await Promise.all([describeModel(ea), describeModel(eb)]);
    const locations: [string, string] = [
      this.a.relativeLocation || this.a.name,
      this.b.relativeLocation || this.b.name,
    ];
    const post = () =>
      this.post({
        type: "report",
        report: this.report!,
        nameA: this.a.name,
        nameB: this.b.name,
        weightsPending: true,
        ...this.extra(),
      });
    // first content: the contract alone (cheap); then graph and files; then the weights, streamed
    this.report = await diffExports(ea, eb, { sections: ["contract"], infos, locations });
    log(`compare: ${this.a.name} ↔ ${this.b.name}: contract in ${Date.now() - t0} ms`);
    post();
    this.report = await diffExports(ea, eb, { sections: ["contract", "graph", "files"], infos, locations });
    log(`compare: ${this.a.name} ↔ ${this.b.name}: graph and files after ${Date.now() - t0} ms`);
    post();
    await this.compareWeights();
  }

  /** Signature keys of both exports' first meta graphs, and whether running is allowed here. */
  private extra(): { signatures: string[]; trusted: boolean } {
    const keys = (e: SavedModelExport | undefined) =>
      new Set(Object.keys(e?.metaGraphs[0]?.signatureDefs ?? {}).filter((k) => k !== "__saved_model_init_op"));
    const ka = keys(this.exports?.[0]);
    const kb = keys(this.exports?.[1]);
    return { signatures: [...ka].filter((k) => kb.has(k)).sort(), trusted: vscode.workspace.isTrusted };
  }

  private async compareWeights(): Promise<void> {
    if (!this.exports || !this.report || this.weightsCtl) return;
    const ctl = new AbortController();
    this.weightsCtl = ctl;
    const [ea, eb] = this.exports;
    try {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Comparing the weights of ${this.a.name} and ${this.b.name}`,
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => ctl.abort());
          let last = 0;
          let lastPost = 0;
          const w = await diffWeights(ea, eb, {
            signal: ctl.signal,
            onProgress: (done, total, name) => {
              const pct = total ? (done / total) * 100 : 100;
              progress.report({ increment: pct - last, message: name });
              last = pct;
              const now = Date.now();
              if (now - lastPost > 100) {
                lastPost = now;
                this.post({ type: "progress", message: `comparing ${name}`, done, total });
              }
            },
          });
          const r = this.report!;
          r.weights = w.weights;
          r.sections = [...r.sections, "weights"];
          r.diagnostics.push(...w.diagnostics.filter((d) => d.severity !== "info"));
          r.summary = summarize(r);
          this.post({
            type: "report",
            report: r,
            nameA: this.a.name,
            nameB: this.b.name,
            weightsPending: false,
            ...this.extra(),
          });
        },
      );
    } catch (e) {
      if (ctl.signal.aborted) this.post({ type: "weightsCancelled", message: "Weights comparison cancelled." });
      else throw e;
    } finally {
      this.weightsCtl = undefined;
    }
  }

  private async histogram(keyA: string, keyB: string, range?: number): Promise<void> {
    if (!this.exports) return;
    try {
      const h = await deltaHistogram(this.exports[0], keyA, this.exports[1], keyB, { range });
      this.post({ type: "histogram", histogram: { keyA, keyB, ...h } });
    } catch (e) {
      this.post({ type: "histogramError", keyB, message: describeError(e) });
    }
  }

  private async behaviour(signature: string, atol: number, seed: number): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.post({
        type: "behaviourError",
        message: "Running the exports needs a trusted workspace (Restricted Mode only browses).",
      });
      return;
    }
    const { ExecutorWorker } = await import("../../executor/workerClient.js");
    const script = join(this.extensionUri.fsPath, "dist", "executorWorker.js");
    const outputs = [];
    let feeds;
    try {
      for (const m of [this.a, this.b]) {
        const w = new ExecutorWorker(m.fs, { script });
        try {
          await w.load({});
          const sig = (await w.signatures()).find((s) => s.key === signature);
          if (!sig) throw new Error(`${m.name} has no signature "${signature}"`);
          feeds ??= randomInputs(sig.inputs, seed);
          outputs.push((await w.run(signature, feeds)).outputs);
        } finally {
          await w.terminate();
        }
      }
      const r = this.report!;
      r.behaviour = compareOutputs(signature, outputs[0], outputs[1], atol, { kind: "seeded_random", seed });
      r.summary = summarize(r);
      this.post({ type: "behaviour", report: r });
    } catch (e) {
      this.post({ type: "behaviourError", message: describeError(e) });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.weightsCtl?.abort();
    for (const d of this.disposables) d.dispose();
  }
}
