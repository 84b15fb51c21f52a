/**
 * Runs signatures of one export in the executor's worker (through the shared SessionPool): progress
 * notification with a Cancel that terminates the worker, timings split into load / restore+init /
 * execution, the per-node profile, and the last run kept for saving outputs and fetching the value of
 * any graph node afterwards. The only part of the run feature that talks to the executor.
 */
import * as vscode from "vscode";
import { join } from "node:path";
import { ExecutorWorker, ExecutorError } from "../../executor/workerClient.js";
import type { RunResult } from "../../executor/session.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import type { ExportModel } from "../exportStore.js";
import type { ProfileRow, RunOutputResult, RunResultState } from "../../protocol/run.js";
import { SessionPool } from "./sessionPool.js";
import { nodeTimes, outputResult, runError, summarizeProfile, type NodeTime } from "./runResults.js";

export interface LastRun {
  exportId: string;
  metaGraph: number;
  signature: string;
  feeds: Record<string, DecodedTensor>;
  outputs: Record<string, DecodedTensor>;
  profile?: ProfileRow[];
  /** Every node's measured time in this run (for colouring graph nodes by time). */
  nodeTimes?: NodeTime[];
  at: number;
}

export interface RunEvent {
  exportId: string;
  metaGraph: number;
  signature: string;
  ok: boolean;
  /** Measured time per node (function + node name) when the run succeeded. */
  nodeTimes?: NodeTime[];
}

/** Runs shorter than this finish without a progress notification. */
export const NOTIFY_AFTER_MS = 400;

/** The tfjs backend runs load on (setting savedModelExplorer.run.backend; a warm session keeps its own). */
function runBackend(): "wasm" | "cpu" {
  return vscode.workspace.getConfiguration("savedModelExplorer").get<string>("run.backend", "wasm") === "cpu"
    ? "cpu"
    : "wasm";
}

/** The export id inside a pool key ("<export uri>#<tags>"). */
export function exportIdOf(key: string): string {
  const i = key.lastIndexOf("#");
  return i < 0 ? key : key.slice(0, i);
}

export function poolKey(m: ExportModel, tags: string[]): string {
  return `${m.id}#${tags.join(",")}`;
}

export class Runner implements vscode.Disposable {
  readonly pool: SessionPool<ExecutorWorker>;
  private readonly last = new Map<string, LastRun>();
  private readonly ran = new vscode.EventEmitter<RunEvent>();
  readonly onDidRun = this.ran.event;
  private nextRunId = 1;
  private readonly models = new Map<string, ExportModel>();
  private readonly warnings = new Map<string, string[]>();
  /** Runs in flight, by pool key (their cancel functions). */
  private readonly inFlight = new Map<string, AbortController>();
  /** tfjs backend each warm session runs on. */
  private readonly backends = new Map<string, string>();
  /** Per pool key: the export and its decoded result when the session was loaded (a new result = files changed). */
  private readonly loadedFrom = new Map<string, { model: ExportModel; result: unknown }>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: (line: string) => void,
    /** Whether another editor of the export (by id) is open and should keep its session warm. */
    keepAlive: (exportId: string) => boolean = () => false,
  ) {
    this.pool = new SessionPool<ExecutorWorker>(
      (key) => {
        const m = this.models.get(key);
        if (!m) throw new Error(`no export for ${key}`);
        return new ExecutorWorker(m.fs, {
          script: join(this.extensionUri.fsPath, "dist", "executorWorker.js"),
          timeoutMs:
            vscode.workspace.getConfiguration("savedModelExplorer").get<number>("run.timeoutSeconds", 300) * 1000,
          onWarning: (w) => {
            this.warnings.get(key)?.push(w);
            this.log(`run: ${w}`);
          },
        });
      },
      {
        onRelease: (key, why) => {
          this.log(`run: released the executor session of ${key} (${why})`);
          // nothing of the export is open any more: drop the last run's inputs and outputs too
          if (why === "its last editor closed" || why === "it was removed") this.last.delete(exportIdOf(key));
          this.loadedFrom.delete(key);
        },
        keepAlive: (key) => keepAlive(exportIdOf(key)),
      },
    );
  }

  /** Exports with a session in the pool, with the decoded result their session was loaded from. */
  *sessionModels(): Iterable<[string, { model: ExportModel; result: unknown }]> {
    for (const [key, held] of this.loadedFrom) if (this.pool.has(key)) yield [key, held];
  }

  lastRun(exportId: string): LastRun | undefined {
    return this.last.get(exportId);
  }

  cancel(key: string): void {
    this.inFlight.get(key)?.abort();
  }

  /** Runs with a progress notification (Cancel stops the worker); never throws: errors come back in the result. */
  run(
    m: ExportModel,
    metaGraph: number,
    tags: string[],
    signature: string,
    feeds: Record<string, DecodedTensor>,
  ): Promise<RunResultState> {
    return this.serial(poolKey(m, tags), () => this.runNow(m, metaGraph, tags, signature, feeds));
  }

  /** One session runs one thing at a time: runs and node-value fetches of an export queue up. */
  private readonly queues = new Map<string, Promise<unknown>>();

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(key) ?? Promise.resolve()).then(fn, fn);
    this.queues.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  private async runNow(
    m: ExportModel,
    metaGraph: number,
    tags: string[],
    signature: string,
    feeds: Record<string, DecodedTensor>,
  ): Promise<RunResultState> {
    const key = poolKey(m, tags);
    this.models.set(key, m);
    const runId = this.nextRunId++;
    const ac = new AbortController();
    this.inFlight.set(key, ac);
    const t0 = performance.now();
    const loadWarnings: string[] = [];
    this.warnings.set(key, loadWarnings);
    // the notification (with its Cancel) appears once a run takes longer than NOTIFY_AFTER_MS, so quick
    // runs do not flash one; its message follows the run's phase
    let phase = "starting…";
    let report: ((message: string) => void) | undefined;
    const setPhase = (message: string) => {
      phase = message;
      report?.(message);
    };
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    const timer = setTimeout(() => {
      void vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Running ${signature} of ${m.name}`,
          cancellable: true,
        },
        (progress, token) => {
          token.onCancellationRequested(() => ac.abort());
          report = (message) => progress.report({ message });
          report(phase);
          return settled;
        },
      );
    }, NOTIFY_AFTER_MS);
    try {
      const { worker, warm } = this.pool.get(key);
      try {
        if (!warm) {
          setPhase("loading the model and restoring variables…");
          const loaded = await worker.load({ tags, backend: runBackend() }, ac.signal);
          this.backends.set(key, loaded.backend);
          this.loadedFrom.set(key, { model: m, result: m.result });
          if (loaded.initError) loadWarnings.push(`the model did not load completely: ${loaded.initError}`);
        }
        setPhase("executing…");
        const r: RunResult = await worker.run(signature, feeds, { signal: ac.signal, profile: true });
        this.pool.markWarm(key, worker);
        const state = this.resultState(runId, r, performance.now() - t0, warm, loadWarnings, this.backends.get(key));
        const times = nodeTimes(r);
        this.last.set(m.id, {
          exportId: m.id,
          metaGraph,
          signature,
          feeds,
          outputs: r.outputs,
          profile: state.profile?.nodes,
          nodeTimes: times,
          at: Date.now(),
        });
        this.ran.fire({ exportId: m.id, metaGraph, signature, ok: true, nodeTimes: times });
        return state;
      } catch (e) {
        const err = e as ExecutorError;
        if (["AbortError", "TimeoutError", "WorkerExit", "WorkerError"].includes(err?.name)) this.pool.markCold(key);
        this.ran.fire({ exportId: m.id, metaGraph, signature, ok: false });
        if (err?.name === "AbortError")
          return { runId, ok: false, cancelled: true, outputs: [], warnings: loadWarnings };
        return { runId, ok: false, outputs: [], warnings: loadWarnings, error: runError(err) };
      }
    } finally {
      clearTimeout(timer);
      settle();
      if (this.inFlight.get(key) === ac) this.inFlight.delete(key);
    }
  }

  private resultState(
    runId: number,
    r: RunResult,
    totalMs: number,
    warm: boolean,
    loadWarnings: string[],
    backend?: string,
  ): RunResultState {
    const outputs: RunOutputResult[] = Object.entries(r.outputs)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, t]) => outputResult(key, t));
    return {
      runId,
      ok: true,
      outputs,
      timings: {
        loadMs: warm ? 0 : r.timings.loadMs,
        restoreInitMs: warm ? 0 : r.timings.restoreInitMs,
        execMs: r.timings.execMs,
        totalMs,
        warm,
        backend,
      },
      warnings: [...new Set([...loadWarnings, ...r.warnings])],
      nodesExecuted: r.nodesExecuted,
      profile: r.profile ? summarizeProfile(r.profile) : undefined,
    };
  }

  /** The value graph tensor `tensor` ("node:0") had in the last run of this export (re-runs with the same feeds). */
  nodeValue(m: ExportModel, tags: string[], tensor: string, fn = ""): Promise<DecodedTensor> {
    return this.serial(poolKey(m, tags), () => this.nodeValueNow(m, tags, tensor, fn));
  }

  private async nodeValueNow(m: ExportModel, tags: string[], tensor: string, fn: string): Promise<DecodedTensor> {
    const last = this.last.get(m.id);
    if (!last) throw new Error("run the signature first: node values come from the last run's inputs");
    const key = poolKey(m, tags);
    this.models.set(key, m);
    const { worker, warm } = this.pool.get(key);
    if (!warm) {
      await worker.load({ tags, backend: runBackend() });
      this.loadedFrom.set(key, { model: m, result: m.result });
    }
    const local = /:\d+$/.test(tensor) ? tensor : `${tensor}:0`;
    // inside a library function the executor names tensors "<function>/<node>:i"
    const name = fn ? `${fn}/${local}` : local;
    const r = await worker.run(last.signature, last.feeds, { fetchIntermediates: [name] });
    this.pool.markWarm(key, worker);
    const v = r.intermediates?.[name];
    if (!v) throw new Error(`the run did not produce ${name}`);
    return v;
  }

  dispose(): void {
    for (const ac of this.inFlight.values()) ac.abort();
    void this.pool.dispose();
    this.ran.dispose();
  }
}
