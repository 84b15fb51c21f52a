/**
 * The comparison editor's weight drift in the real decode worker, on float32 variables big enough for the drift
 * helper thread (a thread of the decode worker; reads come over the channel and are copied into shared buffers):
 * the figures of the one-thread library call (counts and max |Δ| exactly, sums to 1e-12), counted progress, and
 * cancelling in the middle stops the worker, helper thread included, and the next request gets a fresh one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tsWorkerScript } from "../helpers/tsWorker.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { diffWeights } from "../../src/savedmodel/diff/index.js";
import { DataType } from "../../src/savedmodel/dtypes.js";
import { GraphBuilder, SavedModelBuilder, tensorOf } from "../../src/savedmodel/builder/index.js";
import { writeExportToDir } from "../../src/savedmodel/node/nodeWriter.js";
import { CancelledError, DecodeClient } from "../../src/extension/decodeClient.js";
import { mulberry32 } from "../../src/savedmodel/random.js";

const LIMITS = { maxProtoBytes: 2 ** 31, maxElements: 1 << 24, tableMaxElements: 1 << 20 };
const bootstrap = tsWorkerScript(join(__dirname, "..", "..", "src", "extension", "decodeWorker.ts"));

async function exportWith(dir: string, vars: Record<string, Float32Array>) {
  const g = new GraphBuilder();
  for (const [name, v] of Object.entries(vars))
    g.variable(name, tensorOf(DataType.DT_FLOAT, [v.length], v), { initializer: "none" });
  g.saver();
  await writeExportToDir(
    new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: g, signatureDefs: {} }).save(),
    dir,
  );
}

test("the decode worker's weight drift with the helper thread", { timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), "cmp-thread-"));
  const client = new DecodeClient(bootstrap, () => undefined);
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const next = mulberry32(3);
    const n = 1_500_001; // two chunks of the worker's 4 MiB, ranges on both threads
    const a = Float32Array.from({ length: n }, () => next() - 0.5);
    const big = 3 << 20; // 12 MiB a side: 3 chunks, cancelled after the first
    const c = Float32Array.from({ length: big }, (_, i) => i);
    await exportWith(join(root, "a"), { w: a, big: c });
    await exportWith(join(root, "b"), {
      w: a.map((x, i) => (i % 3 ? x * 1.001 : x)),
      big: c.map((x) => x + 1),
    });
    const dirs = [join(root, "a"), join(root, "b")];
    const [ea, eb] = await Promise.all(dirs.map((d) => openSavedModel(new NodeFileAccess(d))));
    const open = async () => {
      client.register("a", new NodeFileAccess(dirs[0]));
      client.register("b", new NodeFileAccess(dirs[1]));
      await client.request({ op: "open", exportId: "a", display: dirs[0], limits: LIMITS });
      await client.request({ op: "open", exportId: "b", display: dirs[1], limits: LIMITS });
      const r = await client.request({
        op: "compareOpen",
        exportId: "a",
        otherId: "b",
        locations: ["A", "B"],
        sections: ["contract"],
      });
      return r.report;
    };
    const lines: { done: number; total: number }[] = [];
    const w = await client.request(
      { op: "compareWeights", exportId: "a", otherId: "b", report: await open() },
      { onProgress: (_m, data) => lines.push(data as { done: number; total: number }) },
    );
    const one = (await diffWeights(ea, eb)).weights;
    const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.abs(y);
    assert.equal(w.weights!.drift.length, 2);
    for (const d of one.drift) {
      const t = w.weights!.drift.find((x) => x.name === d.name)!;
      assert.equal(t.maxAbs, d.maxAbs, d.name);
      assert.equal(t.fractionChanged, d.fractionChanged, d.name);
      assert.ok(close(t.meanAbs, d.meanAbs) && close(t.relL2, d.relL2), d.name);
    }
    assert.ok(lines.length >= 5, `progress per chunk (${lines.length} lines)`);
    assert.equal(lines.at(-1)!.done, lines.at(-1)!.total);

    // cancel after the first chunk's progress
    const gen = client.generation;
    const listeners: (() => void)[] = [];
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (f: () => void) => (listeners.push(f), { dispose: () => undefined }),
    };
    const p = client.request(
      { op: "compareWeights", exportId: "a", otherId: "b", report: await open() },
      {
        token: token as never,
        onProgress: () => {
          if (token.isCancellationRequested) return;
          token.isCancellationRequested = true;
          listeners.forEach((f) => f());
        },
      },
    );
    await assert.rejects(p, CancelledError);
    const again = await client.request({ op: "compareWeights", exportId: "a", otherId: "b", report: await open() }, {});
    assert.equal(client.generation, gen + 1, "a fresh worker");
    assert.deepEqual(again.weights, w.weights, "the same figures from the fresh worker");
  } finally {
    client.dispose();
    clearInterval(keepAlive);
    rmSync(root, { recursive: true, force: true });
  }
});
