/**
 * The executor's worker-thread entry (bundled on its own). File reads go back to the host's
 * FileAccess over messages, so the worker sees exactly the export folder the host opened.
 */
import { parentPort } from "node:worker_threads";
import type { DirEntry, FileAccess } from "../savedmodel/fileAccess.js";
import { NodeError } from "./kernel.js";
import type { HostToWorker, WorkerToHost } from "./protocol.js";
import { loadSession, type Session } from "./session.js";

const port = parentPort;
if (!port) throw new Error("executor worker must run in a worker thread");

let nextFs = 1;
const pendingFs = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const post = (m: WorkerToHost, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

function fsCall<T>(method: "readFile" | "readRange" | "list" | "size", ...args: unknown[]): Promise<T> {
  const id = nextFs++;
  return new Promise<T>((resolve, reject) => {
    pendingFs.set(id, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: "fs", id, method, args });
  });
}

const proxyFs: FileAccess = {
  readFile: (p) => fsCall<Uint8Array>("readFile", p),
  readRange: (p, o, l) => fsCall<Uint8Array>("readRange", p, o, l),
  list: (p) => fsCall<DirEntry[]>("list", p),
  size: (p) => fsCall<number | undefined>("size", p),
  describe: (p) => p,
};

let session: Session | undefined;

function fail(id: number, e: unknown): void {
  const err = e as Error;
  const m: WorkerToHost = { type: "error", id, name: err?.name ?? "Error", message: err?.message ?? String(e) };
  if (e instanceof NodeError) Object.assign(m, { node: e.node, op: e.op, fn: e.fn });
  post(m);
}

port.on("message", async (m: HostToWorker) => {
  if (m.type === "fsReply") {
    const p = pendingFs.get(m.id);
    pendingFs.delete(m.id);
    if (!p) return;
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
    return;
  }
  try {
    if (m.type === "load") {
      session?.dispose();
      session = await loadSession(proxyFs, { ...m.opts, onWarning: (w) => post({ type: "warning", message: w }) });
      post({
        type: "loaded",
        id: m.id,
        signatures: session.signatures(),
        backend: session.backend,
        loadMs: session.loadMs,
        restoreInitMs: session.restoreInitMs,
        initError: session.initError?.message,
      });
    } else if (m.type === "missingOps") {
      if (!session) throw new Error("no model loaded");
      post({ type: "missing", id: m.id, missing: session.missingOps(m.key) });
    } else if (m.type === "run") {
      if (!session) throw new Error("no model loaded");
      const result = await session.run(m.key, m.feeds, m.opts);
      const transfer: ArrayBuffer[] = [];
      for (const t of Object.values(result.outputs))
        if (!Array.isArray(t.values)) transfer.push(t.values.buffer as ArrayBuffer);
      post({ type: "result", id: m.id, result }, [...new Set(transfer)]);
    }
  } catch (e) {
    fail(m.id, e);
  }
});
