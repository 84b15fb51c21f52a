/**
 * The comparison editor: a webview panel comparing export A (before) with export B (after). Everything is
 * computed in the decode worker (src/extension/compare/compareInWorker.ts), never on the extension host: the
 * contract, graph and files first (cheap); the weights afterwards with progress and Cancel (cancelling stops
 * the worker, as for every long decode); the Δ histogram of a variable on request; the behaviour comparison
 * (both exports run on the same seeded inputs in the executor's worker) only in a trusted workspace.
 */
import * as vscode from "vscode";
import { join } from "node:path";
import type { DiffReport } from "../../savedmodel/diff/types.js";
import { summarize } from "../../savedmodel/diff/summary.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import type { CompareToHostMessage, HostToCompareMessage } from "../../protocol/compare.js";
import type { ExportModel } from "../exportStore.js";
import { webviewHtml, webviewOptions } from "../webviewHtml.js";
import { describeError, isCancelled, log } from "../log.js";

export const COMPARE_VIEW_TYPE = "savedModelExplorer.compare";

export class ComparePanel {
  static readonly open = new Map<string, ComparePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private report?: DiffReport;
  private signatures: string[] = [];
  private weightsCts?: vscode.CancellationTokenSource;
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
          this.weightsCts?.cancel();
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

  /** Both exports opened in the decode worker (each load is shared with the rest of the extension). */
  private async loaded(): Promise<void> {
    await Promise.all([this.a.load(), this.b.load()]);
  }

  private get client() {
    return this.a.store.client;
  }

  private postReport(weightsPending: boolean): void {
    this.post({
      type: "report",
      report: this.report!,
      nameA: this.a.name,
      nameB: this.b.name,
      weightsPending,
      signatures: this.signatures,
      trusted: vscode.workspace.isTrusted,
    });
  }

  private async start(): Promise<void> {
    if (this.report) return this.postReport(!!this.weightsCts);
    const t0 = Date.now();
    await this.loaded();
    const r = await this.client.request({
      op: "compare",
      exportId: this.a.id,
      exportIdB: this.b.id,
      locations: [this.a.relativeLocation || this.a.name, this.b.relativeLocation || this.b.name],
    });
    if (this.disposed) return;
    this.report = r.report;
    this.signatures = r.signatures;
    log(
      `compare: ${this.a.name} ↔ ${this.b.name}: contract, graph and files in ${Date.now() - t0} ms (${r.ms.toFixed(0)} ms in the decode worker)`,
    );
    this.postReport(true);
    await this.compareWeights();
  }

  private async compareWeights(): Promise<void> {
    if (!this.report || this.weightsCts) return;
    const cts = new vscode.CancellationTokenSource();
    this.weightsCts = cts;
    try {
      await this.loaded();
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Comparing the weights of ${this.a.name} and ${this.b.name}`,
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => cts.cancel());
          let last = 0;
          const w = await this.client.request(
            { op: "compareWeights", exportId: this.a.id, exportIdB: this.b.id },
            {
              token: cts.token,
              onProgress: (message, done, total) => {
                const pct = total ? ((done ?? 0) / total) * 100 : 0;
                progress.report({ increment: pct - last, message: message.replace(/^comparing /, "") });
                last = pct;
                this.post({ type: "progress", message, done, total });
              },
            },
          );
          const r = this.report!;
          r.weights = w.weights;
          if (!r.sections.includes("weights")) r.sections = [...r.sections, "weights"];
          r.diagnostics.push(...w.diagnostics);
          r.summary = summarize(r);
          this.postReport(false);
        },
      );
    } catch (e) {
      if (cts.token.isCancellationRequested || isCancelled(e))
        this.post({ type: "weightsCancelled", message: "Weights comparison cancelled." });
      else throw e;
    } finally {
      this.weightsCts = undefined;
      cts.dispose();
    }
  }

  private async histogram(keyA: string, keyB: string, range?: number): Promise<void> {
    if (!this.report) return;
    try {
      await this.loaded();
      const h = await this.client.request({
        op: "compareHistogram",
        exportId: this.a.id,
        exportIdB: this.b.id,
        keyA,
        keyB,
        range,
      });
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
    const outputs: Record<string, DecodedTensor>[] = [];
    let feeds: Record<string, DecodedTensor> | undefined;
    try {
      for (const m of [this.a, this.b]) {
        const w = new ExecutorWorker(m.fs, { script });
        try {
          await w.load({});
          const sig = (await w.signatures()).find((s) => s.key === signature);
          if (!sig) throw new Error(`${m.name} has no signature "${signature}"`);
          // the seeded inputs come from A's signature, so both exports see the same values
          feeds ??= await this.client.request({ op: "compareInputs", specs: sig.inputs, seed });
          outputs.push((await w.run(signature, feeds)).outputs);
        } finally {
          await w.terminate();
        }
      }
      const r = this.report!;
      r.behaviour = await this.client.request({
        op: "compareOutputs",
        signature,
        outputsA: outputs[0],
        outputsB: outputs[1],
        atol,
        seed,
      });
      r.summary = summarize(r);
      this.post({ type: "behaviour", report: r });
    } catch (e) {
      this.post({ type: "behaviourError", message: describeError(e) });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.weightsCts?.cancel();
    for (const d of this.disposables) d.dispose();
  }
}
