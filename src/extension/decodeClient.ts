/**
 * Host side of the decode worker: starts dist/decodeWorker.js on demand, answers its file reads
 * through WorkspaceFileAccess, and turns requests into promises. Cancelling a request terminates
 * the worker (a protobuf decode cannot be interrupted otherwise); the next request starts a fresh
 * one and re-opens the exports it needs.
 */
import * as vscode from "vscode";
import { Worker } from "node:worker_threads";
import {
  serializeError,
  type DecodeRequest,
  type DecodeResultMap,
  type FromWorker,
  type FsCall,
  type FsValue,
  type SerializedError,
  type ToWorker,
} from "./decodeProtocol.js";
import type { WorkspaceFileAccess } from "./workspaceFileAccess.js";

export class CancelledError extends Error {
  constructor() {
    super("cancelled");
    this.name = "CancelledError";
  }
}

/** An error that came back from the worker, keeping the SavedModelError fields. */
export class DecodeError extends Error {
  readonly data: SerializedError;
  constructor(data: SerializedError) {
    super(data.message);
    this.name = data.name;
    this.data = data;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (message: string) => void;
}

export interface RequestOptions {
  token?: vscode.CancellationToken;
  onProgress?: (message: string) => void;
}

export class DecodeClient implements vscode.Disposable {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly files = new Map<string, WorkspaceFileAccess>();
  private readonly openRequests = new Map<string, Extract<DecodeRequest, { op: "open" }>>();
  /** Exports opened in the current worker. */
  private openedHere = new Set<string>();
  /** Count of worker (re)starts, for tests and logs. */
  generation = 0;

  constructor(
    private readonly workerPath: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Makes `fs` the file access for `exportId`'s reads. */
  register(exportId: string, fs: WorkspaceFileAccess): void {
    this.files.set(exportId, fs);
  }

  async request<K extends DecodeRequest["op"]>(
    req: Extract<DecodeRequest, { op: K }>,
    opts: RequestOptions = {},
  ): Promise<DecodeResultMap[K]> {
    const r = req as DecodeRequest;
    if (r.op === "open") {
      this.openRequests.set(r.exportId, r);
    } else if (r.op === "close") {
      this.openRequests.delete(r.exportId);
      this.files.delete(r.exportId);
      if (!this.openedHere.delete(r.exportId)) return null as DecodeResultMap[K];
    } else if (!this.openedHere.has(r.exportId)) {
      const o = this.openRequests.get(r.exportId);
      if (!o) throw new Error(`export ${r.exportId} was never opened`);
      await this.send(o, opts);
      this.openedHere.add(r.exportId);
    }
    const result = await this.send(r, opts);
    if (r.op === "open") this.openedHere.add(r.exportId);
    return result as DecodeResultMap[K];
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerPath, {
      name: "savedmodel-decode",
      // protobuf decoding allocates many short-lived objects: a big young generation cuts GC time
      // (256 MB measured best of 32–256, bench/decode.bench.ts)
      resourceLimits: { maxYoungGenerationSizeMb: 256 },
    });
    this.generation++;
    this.openedHere = new Set();
    w.on("message", (m: FromWorker) => this.onMessage(w, m));
    w.on("error", (e) => {
      this.log(`decode worker error: ${e.stack ?? e.message}`);
      this.failAll(w, e);
    });
    w.on("exit", (code) => {
      if (this.worker === w) {
        if (code !== 0 && code !== 1) this.log(`decode worker exited with code ${code}`);
        this.failAll(w, new Error(`the decode worker stopped (exit code ${code})`));
      }
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  private send(req: DecodeRequest, opts: RequestOptions): Promise<unknown> {
    if (opts.token?.isCancellationRequested) return Promise.reject(new CancelledError());
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const sub = opts.token?.onCancellationRequested(() => {
        // the only way to stop a running decode is to stop its thread
        this.log(`cancelled ${req.op} ${"exportId" in req ? req.exportId : ""}: restarting the decode worker`);
        this.failAll(w, new CancelledError());
        void w.terminate();
      });
      const done = () => sub?.dispose();
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
        onProgress: opts.onProgress,
      });
      w.postMessage({ type: "request", id, req } satisfies ToWorker);
    });
  }

  private onMessage(w: Worker, m: FromWorker): void {
    if (m.type === "fs") {
      void this.serveFs(w, m.id, m.call);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === "progress") {
      p.onProgress?.(m.message);
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new DecodeError(m.error));
  }

  private async serveFs(w: Worker, id: number, call: FsCall): Promise<void> {
    let reply: ToWorker;
    try {
      const fs = this.files.get(call.exportId);
      if (!fs) throw new Error(`no file access registered for export ${call.exportId}`);
      let value: FsValue;
      switch (call.fn) {
        case "readFile":
          value = await fs.readFileOwned(call.path);
          break;
        case "readRange":
          value = await fs.readRange(call.path, call.offset, call.length);
          break;
        case "list":
          value = await fs.list(call.path);
          break;
        case "size":
          value = await fs.size(call.path);
          break;
      }
      reply = { type: "fsReply", id, ok: true, value };
    } catch (e) {
      reply = { type: "fsReply", id, ok: false, error: serializeError(e) };
    }
    if (this.worker !== w) return;
    // move bytes to the worker without copying when the buffer is all ours (small reads share Node's pool)
    if (reply.ok && reply.value instanceof Uint8Array) {
      let bytes = reply.value;
      const own =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      if (!own) {
        bytes = new Uint8Array(bytes.byteLength);
        bytes.set(reply.value);
      }
      reply = { ...reply, value: bytes };
      w.postMessage(reply, [bytes.buffer as ArrayBuffer]);
    } else w.postMessage(reply);
  }

  dispose(): void {
    const w = this.worker;
    if (w) {
      this.failAll(w, new CancelledError());
      void w.terminate();
    }
  }
}
