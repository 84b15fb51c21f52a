/**
 * Host side of the decode worker: starts dist/decodeWorker.js on demand, answers its file reads
 * through WorkspaceFileAccess, and turns requests into promises, all over the one channel (src/protocol/rpc.ts).
 * Cancelling a request terminates the worker (a protobuf decode cannot be interrupted otherwise); the next
 * request starts a fresh one and re-opens the exports it needs.
 */
import type * as vscode from "vscode";
import { Worker } from "node:worker_threads";
import type { DecodeMethods, DecodeRequest, DecodeResultMap, SerializedError } from "../protocol/decode.js";
import { fileAccessHandlers, transferBytes, type FileMethods } from "../protocol/fileAccessRpc.js";
import { RpcError, RpcPeer } from "../protocol/rpc.js";
import type { FileAccess } from "../savedmodel/fileAccess.js";

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

export interface RequestOptions {
  token?: vscode.CancellationToken;
  onProgress?: (message: string) => void;
}

export class DecodeClient implements vscode.Disposable {
  private worker?: Worker;
  private peer?: RpcPeer<DecodeMethods, FileMethods>;
  private readonly files = new Map<string, FileAccess>();
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
  register(exportId: string, fs: FileAccess): void {
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

  private ensureWorker(): { w: Worker; peer: RpcPeer<DecodeMethods, FileMethods> } {
    if (this.worker && this.peer) return { w: this.worker, peer: this.peer };
    const w = new Worker(this.workerPath, {
      name: "savedmodel-decode",
      // protobuf decoding allocates many short-lived objects: a big young generation cuts GC time
      // (256 MB measured best of 32–256, bench/decode.bench.ts)
      resourceLimits: { maxYoungGenerationSizeMb: 256 },
    });
    const peer = new RpcPeer<DecodeMethods, FileMethods>(
      (m, transfer) => {
        if (this.worker === w) w.postMessage(m, transfer);
      },
      fileAccessHandlers((exportId) => {
        const fs = this.files.get(exportId);
        if (!fs) throw new Error(`no file access registered for export ${exportId}`);
        return fs;
      }),
      transferBytes,
    );
    this.generation++;
    this.openedHere = new Set();
    w.on("message", (m: unknown) => peer.handle(m));
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
    this.peer = peer;
    return { w, peer };
  }

  private failAll(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    // what that worker had open is gone with it: the next request re-opens it in a fresh worker
    this.openedHere = new Set();
    const peer = this.peer;
    this.peer = undefined;
    peer?.dispose(e);
  }

  private async send(req: DecodeRequest, opts: RequestOptions): Promise<unknown> {
    if (opts.token?.isCancellationRequested) throw new CancelledError();
    const { w, peer } = this.ensureWorker();
    const sub = opts.token?.onCancellationRequested(() => {
      // the only way to stop a running decode is to stop its thread
      this.log(`cancelled ${req.op} ${"exportId" in req ? req.exportId : ""}: restarting the decode worker`);
      this.failAll(w, new CancelledError());
      void w.terminate();
    });
    try {
      return await peer.request(req.op, req as never, { onProgress: opts.onProgress });
    } catch (e) {
      throw e instanceof RpcError ? new DecodeError(serializedOf(e)) : e;
    } finally {
      sub?.dispose();
    }
  }

  dispose(): void {
    const w = this.worker;
    if (w) {
      this.failAll(w, new CancelledError());
      void w.terminate();
    }
  }
}

function serializedOf(e: RpcError): SerializedError {
  const f = e.fields;
  const str = (k: string) => (typeof f[k] === "string" ? (f[k] as string) : undefined);
  return {
    name: e.name,
    message: e.message,
    file: str("file"),
    detail: str("detail"),
    offset: typeof f.offset === "number" ? f.offset : undefined,
    field: str("field"),
    hint: str("hint"),
  };
}
