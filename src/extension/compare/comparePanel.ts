/**
 * The comparison editor: a webview panel comparing export A (before) with export B (after). The contract,
 * graph and files come first (cheap); the weights are streamed afterwards with progress and Cancel; the Δ
 * histogram of a variable on request; the behaviour comparison (both exports run on the same seeded inputs in
 * the executor's worker) only in a trusted workspace. Both exports are decoded and compared in the decode worker
 * (ops compare*), so the host never decodes a model.
 */
import * as vscode from "vscode";
import { join } from "node:path";
import type { DiffReport } from "../../savedmodel/diff/types.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import type { CompareToHostMessage, HostToCompareMessage } from "../../protocol/compare.js";
import type { ExportModel } from "../exportStore.js";
import { webviewHtml, webviewOptions } from "../webviewHtml.js";
import { describeError, log } from "../log.js";
import { openGraphPanel } from "../graph/graphPanel.js";

export const COMPARE_VIEW_TYPE = "savedModelExplorer.compare";

export class ComparePanel {
  static readonly open = new Map<string, ComparePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private report?: DiffReport;
  /** Signature keys both exports have (set once the first report is in). */
  private signatures?: string[];
  private weightsCtl?: AbortController;
  private disposed = false;

  static show(context: vscode.ExtensionContext, a: ExportModel, b: ExportModel): ComparePanel {
    const extensionUri = context.extensionUri;
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
    const p = new ComparePanel(panel, context, a, b);
    ComparePanel.open.set(key, p);
    panel.onDidDispose(() => ComparePanel.open.delete(key));
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    readonly a: ExportModel,
    readonly b: ExportModel,
  ) {
    const extensionUri = context.extensionUri;
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
        case "showGraphChanges":
          return this.showGraphChanges(m.signature);
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
    await Promise.all([this.a.load(), this.b.load()]);
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
    const open = async (sections: ("contract" | "graph" | "files")[]) => {
      const opened = await this.client.request({
        op: "compareOpen",
        exportId: this.a.id,
        otherId: this.b.id,
        locations,
        sections,
      });
      this.report = opened.report;
      this.signatures = opened.signatures;
    };
    // first content: the contract alone (cheap); then graph and files; then the weights, streamed
    await open(["contract"]);
    log(`compare: ${this.a.name} ↔ ${this.b.name}: contract in ${Date.now() - t0} ms`);
    post();
    await open(["contract", "graph", "files"]);
    log(`compare: ${this.a.name} ↔ ${this.b.name}: graph and files after ${Date.now() - t0} ms`);
    post();
    await this.compareWeights();
  }

  /** Signature keys of both exports' first meta graphs, and whether running is allowed here. */
  private extra(): { signatures: string[]; trusted: boolean } {
    return { signatures: this.signatures ?? [], trusted: vscode.workspace.isTrusted };
  }

  private get client() {
    return this.a.store.client;
  }

  private async compareWeights(): Promise<void> {
    if (!this.report || this.weightsCtl) return;
    const ctl = new AbortController();
    this.weightsCtl = ctl;
    const cancel = new vscode.CancellationTokenSource();
    ctl.signal.addEventListener("abort", () => cancel.cancel());
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
          const r = await this.client.request(
            { op: "compareWeights", exportId: this.a.id, otherId: this.b.id, report: this.report! },
            {
              token: cancel.token,
              onProgress: (_message, data) => {
                const { done, total, name } = data as { done: number; total: number; name: string };
                const pct = total ? (done / total) * 100 : 100;
                progress.report({ increment: pct - last, message: name });
                last = pct;
                const now = Date.now();
                if (now - lastPost > 100) {
                  lastPost = now;
                  this.post({ type: "progress", message: `comparing ${name}`, done, total });
                }
              },
            },
          );
          this.report = r;
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
      cancel.dispose();
    }
  }

  private async histogram(keyA: string, keyB: string, range?: number): Promise<void> {
    if (!this.report) return;
    try {
      const h = await this.client.request({
        op: "compareHistogram",
        exportId: this.a.id,
        otherId: this.b.id,
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
    const script = join(this.context.extensionUri.fsPath, "dist", "executorWorker.js");
    const outputs: Record<string, DecodedTensor>[] = [];
    let feeds: Record<string, DecodedTensor> | undefined;
    try {
      for (const m of [this.a, this.b]) {
        const w = new ExecutorWorker(m.fs, { script });
        try {
          await w.load({});
          const sig = (await w.signatures()).find((s) => s.key === signature);
          if (!sig) throw new Error(`${m.name} has no signature "${signature}"`);
          feeds ??= await this.client.request({ op: "compareInputs", exportId: this.a.id, specs: sig.inputs, seed });
          outputs.push((await w.run(signature, feeds)).outputs);
        } finally {
          await w.terminate();
        }
      }
      this.report = await this.client.request({
        op: "compareBehaviour",
        exportId: this.a.id,
        report: this.report!,
        signature,
        outputs: [outputs[0], outputs[1]],
        atol,
        seed,
      });
      this.post({ type: "behaviour", report: this.report });
    } catch (e) {
      this.post({ type: "behaviourError", message: describeError(e) });
    }
  }

  /** The graph view of B's signature, nodes coloured by change (the graph panel with a diff overlay). */
  private showGraphChanges(signature: string): void {
    const diff = this.report?.graph?.find((g) => g.signatures.some((s) => s.signature === signature));
    if (!diff) {
      this.post({ type: "error", message: `No graph comparison for signature "${signature}".` });
      return;
    }
    const { a, b } = this;
    const names = { a: a.name, b: b.name };
    openGraphPanel(
      this.context,
      {
        label: `${a.name} → ${b.name}`,
        id: `${b.id}#changes-from#${a.id}`,
        build: (target, opts) =>
          this.client.request({ op: "displayGraph", exportId: b.id, metaGraph: 0, target, opts }),
        diff: (sig) =>
          this.client.request({ op: "compareGraph", exportId: a.id, otherId: b.id, names, diff, signature: sig }),
      },
      { signature },
    );
    log(`compare: graph changes of ${signature} (${a.name} → ${b.name})`);
  }

  dispose(): void {
    this.disposed = true;
    this.weightsCtl?.abort();
    for (const d of this.disposables) d.dispose();
  }
}
