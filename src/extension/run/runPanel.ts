/**
 * The run form of one signature (a webview panel): sends the signature's inputs/outputs, the trust
 * state and the inputs remembered for this signature; serves file/image loading, running, saving
 * outputs, copying text, and opening a failing node in the graph.
 */
import * as vscode from "vscode";
import { saveOutsideExport } from "../saveOutside.js";
import { decodeNpy, decodeNpz, encodeNpy, encodeNpz } from "../../savedmodel/npy.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import { tensorStats } from "../../savedmodel/tensor.js";
import { dtypeShortName } from "../../savedmodel/dtypes.js";
import { serveRpc, type RpcHandlers } from "../../protocol/rpc.js";
import type {
  ExampleFeatureRow,
  HostToRunMessage,
  InputSource,
  RunFormState,
  RunRpc,
  RunToHostMessage,
} from "../../protocol/run.js";
import { fromWire, toWire } from "../../protocol/tensorWire.js";
import { webviewHtml, webviewOptions } from "../webviewHtml.js";
import type { ExportModel } from "../exportStore.js";
import { MAX_WIRE_VALUES, feedDtypeNotes, parseLabels } from "./runResults.js";
import { takesExamples } from "../../shared/example.js";
import { poolKey, type Runner } from "./runner.js";

export const RUN_VIEW_TYPE = "savedModelExplorer.run";

export interface RunPanelHooks {
  runner: Runner;
  memento: vscode.Memento;
  log(line: string): void;
  showNode(
    model: ExportModel,
    metaGraph: number,
    node: string,
    fn: string | undefined,
    signature: string,
  ): Promise<void>;
}

const rememberKey = (m: ExportModel, mg: number, sig: string) => `run.inputs:${m.id}#${mg}#${sig}`;
const labelsKey = (m: ExportModel, mg: number, sig: string) => `run.labels:${m.id}#${mg}#${sig}`;

/** Where saved files start: the workspace folder holding the export (never the export folder itself). */
function saveFolder(m: ExportModel): vscode.Uri {
  const wf = vscode.workspace.getWorkspaceFolder(m.uri) ?? vscode.workspace.workspaceFolders?.[0];
  return wf ? wf.uri : vscode.Uri.joinPath(m.uri, "..");
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80) || "output";
}

export class RunPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** Last state posted and last result (for the in-host tests). */
  lastState?: RunFormState;
  lastResult?: import("../../protocol/run.js").RunResultState;
  private running = false;
  readonly id: string;
  private readonly onDisposeFns: (() => void)[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly model: ExportModel,
    readonly metaGraph: number,
    readonly signature: string,
    private readonly extensionUri: vscode.Uri,
    private readonly hooks: RunPanelHooks,
  ) {
    this.id = `${model.id}#${metaGraph}#${signature}`;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      title: `Run ${signature}`,
      script: "run",
      css: ["run.css"],
    });
    const serve = serveRpc<RunRpc>(this.handlers(), (msg) => void panel.webview.postMessage(msg));
    panel.webview.onDidReceiveMessage(
      (msg: RunToHostMessage) => {
        if (serve(msg)) return;
        this.onMessage(msg);
      },
      undefined,
      this.disposables,
    );
    vscode.workspace.onDidGrantWorkspaceTrust(
      () => this.post({ type: "run/trust", trusted: true }),
      undefined,
      this.disposables,
    );
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  onDidDispose(fn: () => void): void {
    this.onDisposeFns.push(fn);
  }

  get tags(): string[] {
    return this.model.result?.info.metaGraphs[this.metaGraph]?.tags ?? [];
  }

  get poolKey(): string {
    return poolKey(this.model, this.tags);
  }

  /**
   * Files the form may read again without asking: those picked in a dialog, or named by the inputs
   * remembered for this signature. Anything else opens the dialog (a webview cannot read arbitrary paths).
   */
  private readonly allowedPaths = new Set<string>();

  private reread(path: string | undefined): vscode.Uri | undefined {
    return path && this.allowedPaths.has(path) ? vscode.Uri.file(path) : undefined;
  }

  private allow(uri: vscode.Uri): string {
    const shown = uri.scheme === "file" ? uri.fsPath : uri.toString();
    this.allowedPaths.add(shown);
    return shown;
  }

  private disposed = false;

  private post(msg: HostToRunMessage): void {
    if (!this.ready || this.disposed) return;
    this.panel.webview.postMessage(msg).then(undefined, (e) => this.hooks.log(`run: postMessage failed: ${e}`));
  }

  private async state(): Promise<RunFormState> {
    const r = await this.model.load();
    const mg = r.info.metaGraphs[this.metaGraph];
    const sig = mg?.signatures.find((s) => s.key === this.signature);
    if (!mg || !sig)
      throw new Error(`${this.model.name} has no signature "${this.signature}" in meta graph ${this.metaGraph}`);
    return {
      exportName: this.model.name,
      exportLocation: this.model.fs.describe(""),
      dir: this.model.uri.scheme === "file" ? this.model.uri.fsPath : this.model.uri.toString(),
      tags: mg.tags,
      metaGraph: this.metaGraph,
      signature: sig.key,
      methodName: sig.methodName,
      inputs: sig.inputs.map((i) => ({
        key: i.key,
        tensorName: i.tensorName ?? "",
        dtype: i.dtype,
        dtypeShort: i.dtypeShort,
        shape: i.shape,
        hasDefault: sig.defaults.includes(i.key),
        ...(i.encoding === "coo_sparse"
          ? { sparse: true }
          : i.encoding !== "name"
            ? { unsupported: `a ${i.encoding} input: the executor feeds dense and COO sparse tensors only` }
            : {}),
      })),
      outputs: sig.outputs.map((o) => ({
        key: o.key,
        tensorName: o.tensorName ?? "",
        dtype: o.dtype,
        dtypeShort: o.dtypeShort,
        shape: o.shape,
      })),
      trusted: vscode.workspace.isTrusted,
      remembered: this.remembered(),
      shell: process.platform === "win32" ? "powershell" : "posix",
      labels: await this.labels(),
      exampleFeatures: sig.inputs.some((i) => takesExamples(sig.methodName, i))
        ? await this.exampleFeatures()
        : undefined,
    };
  }

  /** The labels file picked for this signature, else an asset of the export named like a label list. */
  private async labels(): Promise<RunFormState["labels"]> {
    try {
      const picked = this.hooks.memento.get<string>(labelsKey(this.model, this.metaGraph, this.signature));
      if (picked) {
        this.allowedPaths.add(picked);
        return { path: picked, names: parseLabels(await vscode.workspace.fs.readFile(vscode.Uri.file(picked))) };
      }
      const assets = this.model.result?.info.metaGraphs[this.metaGraph]?.assets ?? [];
      const a = assets.find((x) => x.exists && /label/i.test(x.filename) && (x.size ?? 0) < 16 * 1024 * 1024);
      if (a) return { path: a.path, names: parseLabels(await this.model.fs.readFile(a.path)) };
    } catch (e) {
      this.hooks.log(`run: labels for ${this.signature} could not be read: ${(e as Error).message}`);
    }
    return undefined;
  }

  /** Remembers the form's inputs for this signature (file paths only when the user picked them). */
  private remember(inputs: Record<string, InputSource>): Thenable<void> {
    const kept = Object.fromEntries(
      Object.entries(inputs).filter(
        ([, src]) => !((src.kind === "file" || src.kind === "image") && !this.allowedPaths.has(src.path)),
      ),
    );
    return this.hooks.memento.update(rememberKey(this.model, this.metaGraph, this.signature), kept);
  }

  /** Features the model parses from tf.Examples (read from the graph in the decode worker). */
  private async exampleFeatures(): Promise<ExampleFeatureRow[] | undefined> {
    try {
      const rows = await this.model.store.client.request({
        op: "exampleFeatures",
        exportId: this.model.id,
        metaGraph: this.metaGraph,
      });
      return rows ?? undefined;
    } catch (e) {
      this.hooks.log(`run: could not list the tf.Example features of ${this.model.name}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private remembered(): Record<string, InputSource> | undefined {
    const r = this.hooks.memento.get<Record<string, InputSource>>(
      rememberKey(this.model, this.metaGraph, this.signature),
    );
    for (const src of Object.values(r ?? {}))
      if ((src.kind === "file" || src.kind === "image") && src.path) this.allowedPaths.add(src.path);
    return r;
  }

  private async sendState(): Promise<void> {
    try {
      const s = await this.state();
      this.lastState = s;
      this.post({ type: "run/state", state: s });
    } catch (e) {
      this.post({
        type: "run/result",
        result: {
          runId: 0,
          ok: false,
          outputs: [],
          warnings: [],
          error: { name: "Error", message: (e as Error).message },
        },
      });
    }
  }

  private onMessage(msg: RunToHostMessage): void {
    switch (msg.type) {
      case "run/ready":
        this.ready = true;
        void this.sendState();
        break;
      case "run/remember":
        void this.remember(msg.inputs);
        break;
      case "run/copyText":
        void vscode.env.clipboard
          .writeText(msg.text)
          .then(() => vscode.window.setStatusBarMessage(`Copied ${msg.what}`, 3000));
        break;
      case "run/showNode":
        void this.hooks.showNode(this.model, this.metaGraph, msg.node, msg.fn, this.signature);
        break;
      case "run/manageTrust":
        void vscode.commands.executeCommand("workbench.trust.manage");
        break;
      case "run/cancel":
        this.hooks.runner.cancel(this.poolKey);
        break;
    }
  }

  /** Runs with the given feeds (also what the in-host tests call). */
  async execute(feeds: Record<string, DecodedTensor>): Promise<import("../../protocol/run.js").RunResultState> {
    if (!vscode.workspace.isTrusted)
      throw new Error(
        "Running a signature executes the model's graph: it needs a trusted workspace (this one is in Restricted Mode).",
      );
    if (this.running) throw new Error("a run of this signature is already in progress");
    this.running = true;
    try {
      const result = await this.hooks.runner.run(this.model, this.metaGraph, this.tags, this.signature, feeds);
      result.warnings = [...feedDtypeNotes(this.lastState?.inputs ?? [], feeds), ...result.warnings];
      this.lastResult = result;
      this.post({ type: "run/result", result });
      return result;
    } finally {
      this.running = false;
    }
  }

  private handlers(): RpcHandlers<RunRpc> {
    return {
      "run/execute": async ({ feeds, recipe }) => {
        await this.remember(recipe);
        const decoded: Record<string, DecodedTensor> = {};
        for (const [k, w] of Object.entries(feeds)) decoded[k] = fromWire(w);
        const runIdPromise = this.execute(decoded);
        this.post({ type: "run/started", runId: 0 });
        const r = await runIdPromise;
        return { runId: r.runId };
      },
      "run/loadFile": async ({ key, path, member, sparse }) => {
        let uri = this.reread(path);
        if (!uri) {
          const picked = await vscode.window.showOpenDialog({
            canSelectMany: false,
            defaultUri: saveFolder(this.model),
            filters: { "NumPy or JSON": ["npy", "npz", "json"] },
            openLabel: `Use for ${key}`,
            title: `Values for input "${key}" (.npy, .npz or .json)`,
          });
          uri = picked?.[0];
          if (!uri) return null;
          this.allow(uri);
        }
        const bytes = new Uint8Array(await vscode.workspace.fs.readFile(uri));
        const shown = uri.scheme === "file" ? uri.fsPath : uri.toString();
        const lower = uri.path.toLowerCase();
        if (lower.endsWith(".json")) return { path: shown, json: new TextDecoder().decode(bytes) };
        if (lower.endsWith(".npz")) {
          const all = await decodeNpz(bytes, shown);
          const members = Object.keys(all);
          // A sparse input: the .npz's indices / values / dense_shape members (or key/indices, ...).
          const part = (p: string) => all[`${key}/${p}`] ?? all[p];
          if (sparse && !member && part("indices") && part("values") && part("dense_shape"))
            return {
              path: shown,
              members,
              components: {
                indices: toWire(part("indices")).wire,
                values: toWire(part("values")).wire,
                dense_shape: toWire(part("dense_shape")).wire,
              },
            };
          let pick =
            member && member in all ? member : key in all ? key : members.length === 1 ? members[0] : undefined;
          if (!pick) {
            pick = await vscode.window.showQuickPick(
              members.map((n) => n),
              { placeHolder: `Which array of ${shown} feeds "${key}"?` },
            );
            if (!pick) return null;
          }
          return { path: shown, members, member: pick, tensor: toWire(all[pick]).wire };
        }
        return { path: shown, tensor: toWire(decodeNpy(bytes, shown)).wire };
      },
      "run/loadImage": async ({ path }) => {
        let uri = this.reread(path);
        if (!uri) {
          const picked = await vscode.window.showOpenDialog({
            canSelectMany: false,
            defaultUri: saveFolder(this.model),
            filters: { Images: ["png", "jpg", "jpeg", "gif", "bmp", "webp"] },
            openLabel: "Use Image",
          });
          uri = picked?.[0];
          if (!uri) return null;
          this.allow(uri);
        }
        const bytes = await vscode.workspace.fs.readFile(uri);
        const ext = uri.path.toLowerCase().split(".").pop() ?? "";
        const mime = ext === "jpg" || ext === "jpeg" ? "image/jpeg" : `image/${ext}`;
        // a fresh array: readFile may hand out a Node Buffer (a view into a shared pool), which the
        // webview message serializer does not carry as bytes
        return { path: uri.scheme === "file" ? uri.fsPath : uri.toString(), bytes: new Uint8Array(bytes), mime };
      },
      "run/loadLabels": async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: saveFolder(this.model),
          filters: { "Labels (one per line)": ["txt", "labels", "csv"], "All files": ["*"] },
          openLabel: "Use Labels",
          title: "Class names for the top-k: a text file with one label per line",
        });
        const uri = picked?.[0];
        if (!uri) return null;
        const path = this.allow(uri);
        const names = parseLabels(await vscode.workspace.fs.readFile(uri));
        await this.hooks.memento.update(labelsKey(this.model, this.metaGraph, this.signature), path);
        return { path, names };
      },
      "run/saveNpy": async ({ key }) => {
        const last = this.hooks.runner.lastRun(this.model.id);
        const t = last?.signature === this.signature ? last.outputs[key] : undefined;
        if (!t) throw new Error(`no output "${key}" from the last run of ${this.signature}`);
        const uri = await this.pickSaveUri(`${safeName(this.signature)}_${safeName(key)}.npy`, {
          "NumPy array": ["npy"],
        });
        if (!uri || !(await saveOutsideExport(uri, this.model.uri, encodeNpy(t)))) return {};
        return { path: uri.scheme === "file" ? uri.fsPath : uri.toString() };
      },
      "run/saveInputsNpz": async ({ keys }) => {
        const last = this.hooks.runner.lastRun(this.model.id);
        if (!last || last.signature !== this.signature)
          throw new Error("run the signature first: the .npz holds the inputs of the last run");
        const entries: Record<string, DecodedTensor> = {};
        for (const k of keys.length ? keys : Object.keys(last.feeds)) if (last.feeds[k]) entries[k] = last.feeds[k];
        const uri = await this.pickSaveUri("inputs.npz", { "NumPy archive": ["npz"] });
        if (!uri || !(await saveOutsideExport(uri, this.model.uri, encodeNpz(entries)))) return {};
        return { path: uri.scheme === "file" ? uri.fsPath : uri.toString() };
      },
      "run/nodeValue": async ({ tensor, fn }) => {
        const t = await this.hooks.runner.nodeValue(this.model, this.tags, tensor, fn);
        const { wire, truncated } = toWire(t, MAX_WIRE_VALUES);
        return {
          tensor: wire,
          truncated,
          totalElements: t.shape.reduce((a, b) => a * b, 1),
          stats: Array.isArray(t.values) ? undefined : tensorStats(t),
        };
      },
    };
  }

  /** A save dialog in the workspace folder (saveOutsideExport then refuses targets inside the export folder). */
  private async pickSaveUri(name: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(saveFolder(this.model), name),
      filters,
      title: `Save ${name}`,
    });
    return uri ?? undefined;
  }

  /** Shows the value `node` (in function `fn`, "" = top level) produced in the last run, in the form's profile section. */
  showNodeValue(node: string, fn: string): void {
    // hidden behind the graph (same editor group): bring the form up beside it, keeping focus on the graph
    if (!this.panel.visible) this.panel.reveal(vscode.ViewColumn.Beside, true);
    this.post({ type: "run/showNodeValue", node, fn });
  }

  describe(): string {
    return `${this.model.name} ${this.signature} (${this.lastState?.inputs.map((i) => `${i.key}: ${dtypeShortName(i.dtype)}`).join(", ") ?? ""})`;
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // closing the form mid-run stops the run (the worker is terminated; the session reloads next time)
    if (this.running) this.hooks.runner.cancel(this.poolKey);
    for (const f of this.onDisposeFns) f();
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
  }
}
