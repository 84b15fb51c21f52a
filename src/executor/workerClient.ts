/**
 * Runs the executor in a worker thread with a heap cap, a time limit and cancellation: a hostile
 * model (infinite While, huge Fill, recursive function) costs at most the worker, never the host.
 * Cancelling or timing out terminates the worker; the next call starts a fresh one and reloads.
 */
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FileAccess } from "../savedmodel/fileAccess.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import type { MissingOp } from "./kernel.js";
import type { HostToWorker, WorkerToHost } from "./protocol.js";
import type { LoadOptions, RunOptions, RunResult, SignatureInfo } from "./session.js";

export interface WorkerOptions {
  /** The bundled worker script (default: executorWorker.js or .cjs next to this bundle). */
  script?: string;
  /** V8 heap cap of the worker (MB, default 2048). wasm memory is capped by tfjs-wasm's own 4 GB limit. */
  maxHeapMb?: number;
  /** Default time limit per run (ms, default 120000). */
  timeoutMs?: number;
  /** Time limit for loading (restore + init) (ms, default 120000). */
  loadTimeoutMs?: number;
  onWarning?: (msg: string) => void;
}

const WASM_BROKEN = /Aborted\(|memory access out of bounds|RuntimeError: unreachable/;

export class ExecutorError extends Error {
  constructor(
    name: string,
    message: string,
    readonly node?: string,
    readonly op?: string,
    readonly fn?: string,
  ) {
    super(message);
    this.name = name;
  }
}

interface Loaded {
  signatures: SignatureInfo[];
  backend: string;
  loadMs: number;
  restoreInitMs: number;
  initError?: string;
}

export class ExecutorWorker {
  private worker?: Worker;
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: WorkerToHost) => void; reject: (e: Error) => void }>();
  private loadOpts?: Omit<LoadOptions, "onWarning">;
  private loaded?: Loaded;

  constructor(
    private readonly fs: FileAccess,
    private readonly opts: WorkerOptions = {},
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    // scripts/build.mjs writes dist/executorWorker.js; scripts/build-executor-test.mjs writes .cjs.
    const script =
      this.opts.script ??
      [join(__dirname, "executorWorker.js"), join(__dirname, "executorWorker.cjs")].find((p) => existsSync(p));
    if (!script)
      throw new ExecutorError(
        "WorkerError",
        `executor worker script not found next to ${__dirname} (build it with scripts/build.mjs)`,
      );
    const w = new Worker(script, {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 2048, maxYoungGenerationSizeMb: 64 },
    });
    w.on("message", (m: WorkerToHost) => void this.onMessage(m));
    // Only a failure of the current worker fails pending calls (a terminated one may exit after its successor started).
    w.on("error", (e) => {
      if (this.worker === w) this.failAll(new ExecutorError("WorkerError", `executor worker crashed: ${e.message}`));
    });
    w.on("exit", (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.loaded = undefined;
      this.failAll(
        new ExecutorError("WorkerExit", `executor worker exited (code ${code}; out of memory or terminated)`),
      );
    });
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private async onMessage(m: WorkerToHost): Promise<void> {
    if (m.type === "warning") {
      this.opts.onWarning?.(m.message);
      return;
    }
    if (m.type === "fs") {
      const reply = (r: HostToWorker, transfer: ArrayBuffer[] = []) => this.worker?.postMessage(r, transfer);
      try {
        const fsAny = this.fs as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        const value = await fsAny[m.method](...m.args);
        reply({ type: "fsReply", id: m.id, ok: true, value });
      } catch (e) {
        reply({ type: "fsReply", id: m.id, ok: false, error: (e as Error).message });
      }
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === "error") {
      p.reject(new ExecutorError(m.name, m.message, m.node, m.op, m.fn));
      // A wasm abort leaves tfjs-wasm unusable in that worker: start afresh on the next call.
      if (WASM_BROKEN.test(m.message)) void this.terminate();
    } else p.resolve(m);
  }

  private call(msg: HostToWorker, signal?: AbortSignal, timeoutMs?: number): Promise<WorkerToHost> {
    const w = this.start();
    return new Promise<WorkerToHost>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const kill = (e: Error) => {
        cleanup();
        this.pending.delete(msg.id);
        reject(e);
        void this.terminate();
      };
      const onAbort = () =>
        kill(
          new ExecutorError("AbortError", "run cancelled (the worker was stopped; the model reloads on the next run)"),
        );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeoutMs && timeoutMs > 0)
        timer = setTimeout(
          () => kill(new ExecutorError("TimeoutError", `run exceeded ${timeoutMs} ms (the worker was stopped)`)),
          timeoutMs,
        );
      this.pending.set(msg.id, {
        resolve: (m) => {
          cleanup();
          resolve(m);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      });
      w.postMessage(msg);
    });
  }

  async load(opts: Omit<LoadOptions, "onWarning"> = {}, signal?: AbortSignal): Promise<Loaded> {
    this.loadOpts = opts;
    const m = await this.call({ type: "load", id: this.nextId++, opts }, signal, this.opts.loadTimeoutMs ?? 120000);
    if (m.type !== "loaded") throw new Error(`unexpected reply ${m.type}`);
    this.loaded = m;
    return m;
  }

  private async ensureLoaded(signal?: AbortSignal): Promise<Loaded> {
    return this.loaded ?? this.load(this.loadOpts ?? {}, signal);
  }

  async signatures(): Promise<SignatureInfo[]> {
    return (await this.ensureLoaded()).signatures;
  }

  async missingOps(key: string, signal?: AbortSignal): Promise<MissingOp[]> {
    await this.ensureLoaded(signal);
    const m = await this.call({ type: "missingOps", id: this.nextId++, key }, signal);
    return m.type === "missing" ? m.missing : [];
  }

  async run(
    key: string,
    feeds: Record<string, DecodedTensor>,
    opts: Omit<RunOptions, "signal"> & { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    await this.ensureLoaded(opts.signal);
    const { signal, timeoutMs, ...rest } = opts;
    const m = await this.call(
      { type: "run", id: this.nextId++, key, feeds, opts: rest },
      signal,
      timeoutMs ?? this.opts.timeoutMs ?? 120000,
    );
    if (m.type !== "result") throw new Error(`unexpected reply ${m.type}`);
    return m.result;
  }

  async terminate(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.loaded = undefined;
    if (w) await w.terminate();
  }
}
