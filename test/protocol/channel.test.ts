/** The one channel (src/protocol/rpc.ts) both ways on one transport, and FileAccess over it (fileAccessRpc.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RpcError, RpcPeer, rpcErrorInfo } from "../../src/protocol/rpc.js";
import {
  RpcFileAccess,
  fileAccessHandlers,
  transferBytes,
  type FileMethods,
} from "../../src/protocol/fileAccessRpc.js";
import { MemoryFileAccess } from "../../src/savedmodel/memoryFileAccess.js";
import { SavedModelError } from "../../src/savedmodel/errors.js";

type Work = {
  sum: { params: { path: string }; result: number };
  never: { params: Record<string, never>; result: void };
  bad: { params: Record<string, never>; result: void };
};

/** Host serves files, worker serves `Work` and reads the files it needs through the host. */
function pair(files: Map<string, Uint8Array>) {
  const transfers: unknown[][] = [];
  let toWorker: (m: unknown) => void = () => undefined;
  let toHost: (m: unknown) => void = () => undefined;
  const host = new RpcPeer<Work, FileMethods>(
    (m, t) => (t && transfers.push(t), setTimeout(() => toWorker(m), 0)),
    fileAccessHandlers((id) => {
      if (id !== "e") throw new Error(`no export ${id}`);
      return new MemoryFileAccess(files);
    }),
    transferBytes,
  );
  const worker: RpcPeer<FileMethods, Work> = new RpcPeer<FileMethods, Work>((m) => setTimeout(() => toHost(m), 0), {
    sum: async ({ path }, ctx) => {
      ctx.progress(`reading ${path}`);
      const fs = new RpcFileAccess(worker.client, "e", "/exports/e");
      const bytes = await fs.readFile(path);
      assert.equal(await fs.size(path), bytes.length);
      assert.equal(fs.describe(path), `/exports/e/${path}`);
      return bytes.reduce((a, b) => a + b, 0);
    },
    never: () => new Promise<void>(() => undefined),
    bad: () => {
      throw new SavedModelError("saved_model.pb", "truncated", { offset: 12, field: "graph_def" });
    },
  });
  toWorker = (m) => worker.handle(m);
  toHost = (m) => host.handle(m);
  return { host, worker, transfers };
}

test("requests cross both ways on one transport; progress lines reach the caller; read bytes are transferred", async () => {
  const { host, transfers } = pair(new Map([["a.bin", Uint8Array.from([1, 2, 3, 4])]]));
  const progress: string[] = [];
  assert.equal(await host.request("sum", { path: "a.bin" }, { onProgress: (m) => progress.push(m) }), 10);
  assert.deepEqual(progress, ["reading a.bin"]);
  assert.ok(
    transfers.some((t) => t[0] instanceof ArrayBuffer),
    "the file's bytes moved without a copy",
  );
  assert.equal(host.client.pendingCount, 0);
});

test("error replies keep the error's name and fields; a failed read is the worker's error", async () => {
  const { host } = pair(new Map());
  await assert.rejects(host.request("bad", {}), (e: Error) => {
    assert.ok(e instanceof RpcError);
    assert.equal(e.name, "SavedModelError");
    assert.equal(e.fields.offset, 12);
    assert.equal(e.fields.field, "graph_def");
    assert.equal((e as unknown as { file: string }).file, "saved_model.pb");
    return true;
  });
  await assert.rejects(host.request("sum", { path: "missing.bin" }), /missing\.bin/);
  assert.deepEqual(rpcErrorInfo("plain"), { message: "plain", name: "Error" });
});

test("dispose rejects pending calls with the given error, and later calls", async () => {
  const { host } = pair(new Map());
  const p = host.request("never", {});
  const stop = new Error("worker stopped");
  host.dispose(stop);
  await assert.rejects(p, (e) => e === stop);
  await assert.rejects(host.request("never", {}), (e) => e === stop);
});
