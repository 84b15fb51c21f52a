/**
 * The executor's worker-thread entry (bundled on its own). Requests come over the one channel
 * (src/protocol/rpc.ts); file reads go back to the host's FileAccess (fileAccessRpc.ts), so the worker sees
 * exactly the export folder the host opened.
 */
import { parentPort } from "node:worker_threads";
import type { ExecutorHostMethods, ExecutorMethods } from "../protocol/executor.js";
import { RpcFileAccess } from "../protocol/fileAccessRpc.js";
import { RpcPeer, type TransferItem } from "../protocol/rpc.js";
import { loadSession, type Session } from "./session.js";

const port = parentPort;
if (!port) throw new Error("executor worker must run in a worker thread");

let session: Session | undefined;

function loadedSession(): Session {
  if (!session) throw new Error("no model loaded");
  return session;
}

const host: RpcPeer<ExecutorHostMethods, ExecutorMethods> = new RpcPeer<ExecutorHostMethods, ExecutorMethods>(
  (m, transfer) => port.postMessage(m, transfer),
  {
    // a NodeError's node, op and function travel as fields of the error reply (rpcErrorInfo)
    "executor/load": async ({ opts }) => {
      session?.dispose();
      session = undefined;
      session = await loadSession(proxyFs, {
        ...opts,
        onWarning: (message) => void host.request("executor/warning", { message }).catch(() => undefined),
      });
      return {
        signatures: session.signatures(),
        backend: session.backend,
        loadMs: session.loadMs,
        restoreInitMs: session.restoreInitMs,
        initError: session.initError?.message,
      };
    },
    "executor/missingOps": async ({ key }) => loadedSession().missingOps(key),
    "executor/run": ({ key, feeds, opts }) => loadedSession().run(key, feeds, opts),
  },
  // the outputs' buffers move to the host without a copy
  (result) => {
    const outputs = (result as { outputs?: Record<string, { values: unknown }> } | undefined)?.outputs;
    if (!outputs || typeof outputs !== "object") return undefined;
    const transfer = new Set<TransferItem>();
    for (const t of Object.values(outputs))
      if (ArrayBuffer.isView(t.values) && t.values.buffer instanceof ArrayBuffer) transfer.add(t.values.buffer);
    return [...transfer];
  },
);
const proxyFs = new RpcFileAccess(host.client);
port.on("message", (m: unknown) => host.handle(m));
