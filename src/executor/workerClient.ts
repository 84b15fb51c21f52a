/**
 * Runs the executor in a worker thread with a heap cap, a time limit and cancellation: a hostile
 * model (infinite While, huge Fill, recursive function) costs at most the worker, never the host.
 * Cancelling or timing out terminates the worker; the next call starts a fresh one and reloads. Requests, replies
 * and the worker's file reads go over the one channel (src/protocol/rpc.ts, fileAccessRpc.ts).
 */
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FileAccess } from "../savedmodel/fileAccess.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import type { MissingOp } from "./kernel.js";
import type { ExecutorHostMethods, ExecutorMethods, LoadedInfo } from "../protocol/executor.js";
import { fileAccessHandlers, transferBytes } from "../protocol/fileAccessRpc.js";
import { RpcError, RpcPeer } from "../protocol/rpc.js";
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

type Loaded = LoadedInfo;

export class ExecutorWorker {
  private worker?: Worker;
  private peer?: RpcPeer<ExecutorMethods, ExecutorHostMethods>;
  private loadOpts?: Omit<LoadOptions, "onWarning">;
  private loaded?: Loaded;

  constructor(
    private readonly fs: FileAccess,
    private readonly opts: WorkerOptions = {},
  ) {}

  private start(): RpcPeer<ExecutorMethods, ExecutorHostMethods> {
    if (this.worker && this.peer) return this.peer;
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
    const peer = new RpcPeer<ExecutorMethods, ExecutorHostMethods>(
      (m, transfer) => {
        if (this.worker === w) w.postMessage(m, transfer);
      },
      {
        ...fileAccessHandlers(() => this.fs),
        "executor/warning": ({ message }) => (this.opts.onWarning?.(message), null),
      },
      transferBytes,
    );
    w.on("message", (m: unknown) => peer.handle(m));
    // Only a failure of the current worker fails pending calls (a terminated one may exit after its successor started).
    w.on("error", (e) => {
      if (this.worker === w) this.stop(new ExecutorError("WorkerError", `executor worker crashed: ${e.message}`));
    });
    w.on("exit", (code) => {
      if (this.worker !== w) return;
      this.stop(new ExecutorError("WorkerExit", `executor worker exited (code ${code}; out of memory or terminated)`));
    });
    this.worker = w;
    this.peer = peer;
    return peer;
  }

  /** Forgets the current worker, failing its pending calls with `e`; returns it (to terminate). */
  private stop(e: Error): Worker | undefined {
    const w = this.worker;
    this.worker = undefined;
    this.loaded = undefined;
    const peer = this.peer;
    this.peer = undefined;
    peer?.dispose(e);
    return w;
  }

  private async call<K extends keyof ExecutorMethods & string>(
    type: K,
    params: ExecutorMethods[K]["params"],
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<ExecutorMethods[K]["result"]> {
    const peer = this.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    // cancelling or timing out stops the worker, which fails this call (and any other) with the reason
    const kill = (e: Error) => void this.stop(e)?.terminate();
    try {
      const stopped = new Promise<never>((_, reject) => {
        onAbort = () => {
          const e = new ExecutorError(
            "AbortError",
            "run cancelled (the worker was stopped; the model reloads on the next run)",
          );
          reject(e);
          kill(e);
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
        if (timeoutMs && timeoutMs > 0)
          timer = setTimeout(() => {
            const e = new ExecutorError("TimeoutError", `run exceeded ${timeoutMs} ms (the worker was stopped)`);
            reject(e);
            kill(e);
          }, timeoutMs);
      });
      if (signal?.aborted) return await stopped;
      return await Promise.race([peer.request(type, params), stopped]);
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      const f = e.fields;
      const str = (k: string) => (typeof f[k] === "string" ? (f[k] as string) : undefined);
      // A wasm abort leaves tfjs-wasm unusable in that worker: start afresh on the next call.
      if (WASM_BROKEN.test(e.message)) void this.terminate();
      throw new ExecutorError(e.name, e.message, str("node"), str("op"), str("fn"));
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  async load(opts: Omit<LoadOptions, "onWarning"> = {}, signal?: AbortSignal): Promise<Loaded> {
    this.loadOpts = opts;
    const m = await this.call("executor/load", { opts }, signal, this.opts.loadTimeoutMs ?? 120000);
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
    return this.call("executor/missingOps", { key }, signal);
  }

  async run(
    key: string,
    feeds: Record<string, DecodedTensor>,
    opts: Omit<RunOptions, "signal"> & { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    await this.ensureLoaded(opts.signal);
    const { signal, timeoutMs, ...rest } = opts;
    return this.call("executor/run", { key, feeds, opts: rest }, signal, timeoutMs ?? this.opts.timeoutMs ?? 120000);
  }

  async terminate(): Promise<void> {
    const w = this.stop(new ExecutorError("WorkerExit", "executor worker terminated"));
    if (w) await w.terminate();
  }
}
