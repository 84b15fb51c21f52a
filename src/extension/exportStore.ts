/**
 * Which exports exist (workspace scan + folders opened by hand) and what is known about each
 * (decoded lazily through the decode worker, cached until its files change).
 */
import * as vscode from "vscode";
import type { DetailsResult, OpenResult, SerializedError } from "../protocol/decode.js";
import type { DecodeClient } from "./decodeClient.js";
import { WorkspaceFileAccess } from "./workspaceFileAccess.js";
import { decodeLimits, scanSettings } from "./settings.js";
import { isCancelled, log, logDiagnostics, reportError, toSerialized } from "./log.js";

export const SAVED_MODEL_GLOB = "**/{saved_model.pb,saved_model.pbtxt}";
const MANUAL_KEY = "savedModelExplorer.manualExports";
/** A tree-triggered load taking longer than this also shows a cancellable notification. */
const SLOW_LOAD_MS = 1500;

export type LoadState = "idle" | "loading" | "loaded" | "failed" | "cancelled";

export interface LoadOptions {
  /** Show a cancellable notification while loading (explicit opens); tree expansion shows view progress. */
  notify?: boolean;
  token?: vscode.CancellationToken;
}

export class ExportModel {
  readonly id: string;
  readonly fs: WorkspaceFileAccess;
  state: LoadState = "idle";
  result?: OpenResult;
  error?: SerializedError;
  private loading?: Promise<OpenResult>;
  private readonly details = new Map<number, Promise<DetailsResult>>();
  private readonly detailResults = new Map<number, DetailsResult>();
  /** Bumped on every invalidation so stale loads do not overwrite fresh ones. */
  private epoch = 0;

  constructor(
    readonly uri: vscode.Uri,
    readonly manual: boolean,
    readonly store: ExportStore,
  ) {
    this.id = uri.toString();
    this.fs = new WorkspaceFileAccess(uri);
  }

  get name(): string {
    const parts = this.uri.path.split("/").filter(Boolean);
    const last = parts[parts.length - 1] ?? this.uri.path;
    // version folders ("1", "00000123", "1699999999") read better with their model's name
    return /^\d+$/.test(last) && parts.length > 1 ? `${parts[parts.length - 2]}/${last}` : last;
  }

  /** Where the export is, relative to its workspace folder when inside one. */
  get relativeLocation(): string {
    const rel = vscode.workspace.asRelativePath(
      this.uri,
      vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1,
    );
    return rel === this.uri.fsPath || rel === this.uri.toString()
      ? this.uri.scheme === "file"
        ? this.uri.fsPath
        : this.uri.toString(true)
      : rel;
  }

  get savedModelUri(): vscode.Uri {
    const file = this.result?.info.savedModelFile ?? "saved_model.pb";
    return vscode.Uri.joinPath(this.uri, file);
  }

  detailsIfLoaded(metaGraph: number): DetailsResult | undefined {
    return this.detailResults.get(metaGraph);
  }

  /** Opens the export (describe + variables), once; later calls share the result. */
  load(opts: LoadOptions = {}): Promise<OpenResult> {
    if (this.loading) return this.loading;
    const epoch = this.epoch;
    this.state = "loading";
    this.error = undefined;
    this.store.client.register(this.id, this.fs);
    const run = (token?: vscode.CancellationToken, progress?: (m: string) => void) =>
      this.store.client.request(
        { op: "open", exportId: this.id, display: this.fs.describe(""), limits: decodeLimits() },
        { token, onProgress: progress },
      );
    const t0 = Date.now();
    const p = this.withProgress(`Opening SavedModel ${this.name}`, opts, run);
    this.loading = p;
    p.then(
      (r) => {
        if (epoch !== this.epoch) return;
        this.result = r;
        this.state = "loaded";
        log(
          `opened ${this.fs.describe("")} in ${Date.now() - t0} ms (read ${r.timings.openMs.toFixed(0)} ms, describe ${r.timings.describeMs.toFixed(0)} ms, variables ${r.timings.variablesMs.toFixed(0)} ms)`,
        );
        logDiagnostics(this.name, r.info.diagnostics);
        if (r.variables) logDiagnostics(this.name, r.variables.diagnostics);
        if (r.variablesError) log(`${this.name}: variables not readable: ${r.variablesError.message}`);
        this.store.fireChanged(this);
      },
      (e) => {
        if (epoch !== this.epoch) return;
        this.loading = undefined;
        this.state = isCancelled(e) ? "cancelled" : "failed";
        this.error = toSerialized(e);
        reportError(`cannot open ${this.fs.describe("")}`, e);
        this.store.fireChanged(this);
      },
    );
    return p;
  }

  /** Functions, object tree and op statistics of one meta graph (decodes the graph), once. */
  loadDetails(metaGraph: number, opts: LoadOptions = {}): Promise<DetailsResult> {
    const have = this.details.get(metaGraph);
    if (have) return have;
    const epoch = this.epoch;
    const p = this.load(opts).then(() =>
      this.withProgress(`Decoding the graph of ${this.name}`, opts, (token) =>
        this.store.client.request({ op: "details", exportId: this.id, metaGraph }, { token }),
      ),
    );
    this.details.set(metaGraph, p);
    p.then(
      (d) => {
        if (epoch !== this.epoch) return;
        this.detailResults.set(metaGraph, d);
        log(`${this.name}: decoded graph of meta graph ${metaGraph} in ${d.ms.toFixed(0)} ms`);
        for (const e of d.errors) log(`${this.name}: ${e.message}`);
        this.store.fireChanged(this);
      },
      (e) => {
        if (epoch !== this.epoch) return;
        this.details.delete(metaGraph);
        if (this.state === "loaded") reportError(`cannot decode the graph of ${this.fs.describe("")}`, e);
      },
    );
    return p;
  }

  private withProgress<T>(
    title: string,
    opts: LoadOptions,
    run: (token?: vscode.CancellationToken, progress?: (m: string) => void) => Promise<T>,
  ): Promise<T> {
    if (opts.token) return run(opts.token);
    if (opts.notify) {
      return Promise.resolve(
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title, cancellable: true },
          (progress, token) => run(token, (message) => progress.report({ message })),
        ),
      );
    }
    // tree expansion: the view's progress bar; a load still running after a moment also gets a
    // cancellable notification, so a big export never holds the view without a way out
    const cts = new vscode.CancellationTokenSource();
    let message: string | undefined;
    let report: ((m: string) => void) | undefined;
    const p = run(cts.token, (m) => ((message = m), report?.(m)));
    void vscode.window.withProgress({ location: { viewId: "savedModelExplorer.exports" }, title }, () =>
      p.catch(() => undefined),
    );
    const timer = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) => {
          report = (m) => progress.report({ message: m });
          if (message) report(message);
          token.onCancellationRequested(() => cts.cancel());
          return p.catch(() => undefined);
        },
      );
    }, SLOW_LOAD_MS);
    return p.finally(() => {
      clearTimeout(timer);
      cts.dispose();
    });
  }

  /** Forgets everything decoded (files changed on disk). */
  invalidate(): void {
    this.epoch++;
    this.loading = undefined;
    this.result = undefined;
    this.error = undefined;
    this.state = "idle";
    this.details.clear();
    this.detailResults.clear();
    this.fs.invalidate();
    void this.store.client.request({ op: "close", exportId: this.id }).catch(() => undefined);
  }
}

export class ExportStore implements vscode.Disposable {
  private readonly models = new Map<string, ExportModel>();
  private readonly changed = new vscode.EventEmitter<ExportModel | undefined>();
  /** Fires with the export that changed, or undefined when the list of exports changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private scanning?: Promise<void>;
  private rescanTimer?: ReturnType<typeof setTimeout>;
  private readonly manualWatchers = new Map<string, vscode.Disposable>();
  scanned = false;

  constructor(
    readonly client: DecodeClient,
    private readonly state: vscode.Memento,
  ) {
    const w = vscode.workspace.createFileSystemWatcher(SAVED_MODEL_GLOB);
    w.onDidCreate(() => this.scheduleRescan(), undefined, this.disposables);
    w.onDidDelete(() => this.scheduleRescan(), undefined, this.disposables);
    w.onDidChange((u) => this.fileChanged(u), undefined, this.disposables);
    // a checkpoint, fingerprint or asset rewritten in place changes what the export shows
    const w2 = vscode.workspace.createFileSystemWatcher(
      "**/{variables/*,fingerprint.pb,keras_metadata.pb,assets/**,assets.extra/**}",
    );
    w2.onDidCreate((u) => this.fileChanged(u), undefined, this.disposables);
    w2.onDidChange((u) => this.fileChanged(u), undefined, this.disposables);
    w2.onDidDelete((u) => this.fileChanged(u), undefined, this.disposables);
    // deleting or renaming a folder reports only the folder: drop the exports inside it
    const w3 = vscode.workspace.createFileSystemWatcher("**", true, true, false);
    w3.onDidDelete((u) => this.folderDeleted(u), undefined, this.disposables);
    this.disposables.push(w, w2, w3);
    vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleRescan(), undefined, this.disposables);
    for (const s of this.state.get<string[]>(MANUAL_KEY, [])) this.addModel(vscode.Uri.parse(s), true);
  }

  /** Every known export, sorted by location. */
  list(): ExportModel[] {
    return [...this.models.values()].sort((a, b) => a.uri.toString().localeCompare(b.uri.toString()));
  }

  get(uri: vscode.Uri | string): ExportModel | undefined {
    return this.models.get(typeof uri === "string" ? vscode.Uri.parse(uri).toString() : uri.toString());
  }

  /** The export containing `uri` (a file inside it or the folder itself). */
  findContaining(uri: vscode.Uri): ExportModel | undefined {
    const s = uri.toString();
    let best: ExportModel | undefined;
    for (const m of this.models.values()) {
      const root = m.uri.toString();
      if ((s === root || s.startsWith(root + "/")) && (!best || root.length > best.uri.toString().length)) best = m;
    }
    return best;
  }

  /** Finds exports in the workspace; resolves when done. */
  scan(): Promise<void> {
    if (this.scanning) return this.scanning;
    this.scanning = (async () => {
      const { exclude, maxExports } = scanSettings();
      const t0 = Date.now();
      let files: vscode.Uri[] = [];
      try {
        files = await vscode.workspace.findFiles(SAVED_MODEL_GLOB, exclude || undefined, maxExports * 2);
      } catch (e) {
        reportError("cannot search the workspace for exports", e);
      }
      const folders = new Map<string, vscode.Uri>();
      for (const f of files) {
        const dir = vscode.Uri.joinPath(f, "..");
        folders.set(dir.toString(), dir);
      }
      const keep = new Set<string>();
      for (const [key, dir] of [...folders].slice(0, maxExports)) {
        keep.add(key);
        if (!this.models.has(key)) this.addModel(dir, false);
      }
      for (const [key, m] of this.models) {
        if (!m.manual && !keep.has(key)) {
          m.invalidate();
          this.models.delete(key);
        }
      }
      if (folders.size > maxExports)
        log(
          `found ${folders.size} exports; listing the first ${maxExports} (setting savedModelExplorer.scan.maxExports)`,
        );
      log(`workspace scan: ${folders.size} export(s) in ${Date.now() - t0} ms`);
      this.scanned = true;
      this.changed.fire(undefined);
    })().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private scheduleRescan(): void {
    clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => void this.scan(), 300);
  }

  private folderDeleted(uri: vscode.Uri): void {
    const prefix = uri.toString() + "/";
    if ([...this.models.values()].some((m) => !m.manual && (m.id === uri.toString() || m.id.startsWith(prefix))))
      this.scheduleRescan();
  }

  private fileChanged(uri: vscode.Uri): void {
    const m = this.findContaining(uri);
    if (!m || m.state === "idle") return;
    log(`${m.name}: ${vscode.workspace.asRelativePath(uri)} changed; reloading`);
    m.invalidate();
    this.changed.fire(m);
  }

  private addModel(uri: vscode.Uri, manual: boolean): ExportModel {
    const m = new ExportModel(uri, manual, this);
    this.models.set(m.id, m);
    if (manual && !vscode.workspace.getWorkspaceFolder(uri)) {
      // outside the workspace the workspace watchers do not see changes
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(uri, "**"));
      const onChange = (u: vscode.Uri) => this.fileChanged(u);
      w.onDidChange(onChange);
      w.onDidCreate(onChange);
      w.onDidDelete(onChange);
      this.manualWatchers.set(m.id, w);
    }
    return m;
  }

  /** Adds a folder opened by hand (kept across sessions); returns its model. */
  async addManual(uri: vscode.Uri): Promise<ExportModel> {
    const existing = this.models.get(uri.toString());
    if (existing) return existing;
    const m = this.addModel(uri, true);
    const list = this.state.get<string[]>(MANUAL_KEY, []);
    if (!list.includes(m.id)) await this.state.update(MANUAL_KEY, [...list, m.id]);
    this.changed.fire(undefined);
    return m;
  }

  /** Returns the model for `uri`, adding it as a manual export if it was not listed. */
  async ensure(uri: vscode.Uri): Promise<ExportModel> {
    return this.models.get(uri.toString()) ?? this.addManual(uri);
  }

  async remove(m: ExportModel): Promise<void> {
    m.invalidate();
    this.models.delete(m.id);
    this.manualWatchers.get(m.id)?.dispose();
    this.manualWatchers.delete(m.id);
    await this.state.update(
      MANUAL_KEY,
      this.state.get<string[]>(MANUAL_KEY, []).filter((s) => s !== m.id),
    );
    this.changed.fire(undefined);
  }

  /** @internal used by ExportModel */
  fireChanged(m: ExportModel): void {
    this.changed.fire(m);
  }

  /** Forgets all decoded data (settings changed, or the user asked to refresh) and rescans. */
  async refresh(): Promise<void> {
    for (const m of this.models.values()) m.invalidate();
    await this.scan();
  }

  dispose(): void {
    clearTimeout(this.rescanTimer);
    for (const d of this.disposables) d.dispose();
    for (const d of this.manualWatchers.values()) d.dispose();
  }
}
