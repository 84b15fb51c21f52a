/**
 * The comparison editor's requests in the real decode worker behind the real host-side client: the report,
 * the weight drift (with counted progress), the Δ histogram and the behaviour halves equal the library called
 * directly; cancelling the weights stops the worker and the next request re-opens both exports.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tsWorkerScript } from "../helpers/tsWorker.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import {
  compareOutputs,
  deltaHistogram,
  diffExports,
  diffWeights,
  randomInputs,
} from "../../src/savedmodel/diff/index.js";
import { DataType } from "../../src/savedmodel/dtypes.js";
import { CancelledError, DecodeClient } from "../../src/extension/decodeClient.js";
import { tinyTf1, writeTemp } from "../diff/pairs.js";

const LIMITS = { maxProtoBytes: 2 ** 31, maxElements: 1 << 24, tableMaxElements: 1 << 20 };

// the worker's TypeScript source runs through tsx's require hook (the extension runs the esbuild bundle)
const bootstrap = tsWorkerScript(join(__dirname, "..", "..", "src", "extension", "decodeWorker.ts"));

async function hostWith(dirA: string, dirB: string) {
  const client = new DecodeClient(bootstrap, () => undefined);
  const keepAlive = setInterval(() => undefined, 1000);
  client.register("a", new NodeFileAccess(dirA));
  client.register("b", new NodeFileAccess(dirB));
  await client.request({ op: "open", exportId: "a", display: dirA, limits: LIMITS });
  await client.request({ op: "open", exportId: "b", display: dirB, limits: LIMITS });
  return {
    client,
    dispose: () => {
      client.dispose();
      clearInterval(keepAlive);
    },
  };
}

const openReq = (sections: ("contract" | "graph" | "files")[]) => ({
  op: "compareOpen" as const,
  exportId: "a",
  otherId: "b",
  locations: ["A", "B"] as [string, string],
  sections,
});

test("compare requests in the decode worker equal the library's report", { timeout: 120_000 }, async () => {
  const dirA = await writeTemp(tinyTf1(), "cmp-a");
  const dirB = await writeTemp(tinyTf1({ extraInput: true, w: [1, 2, 3, 5], asset: "a\nb\n" }), "cmp-b");
  const host = await hostWith(dirA, dirB);
  try {
    const [ea, eb] = await Promise.all([
      openSavedModel(new NodeFileAccess(dirA)),
      openSavedModel(new NodeFileAccess(dirB)),
    ]);
    const direct = await diffExports(ea, eb, { sections: ["contract", "graph", "files"], locations: ["A", "B"] });
    const r = await host.client.request(openReq(["contract", "graph", "files"]));
    assert.deepEqual(r.report, direct);
    assert.equal(r.report.summary.contract, "breaking");
    assert.deepEqual(r.signatures, ["serving_default"]);

    const lines: { done: number; total: number }[] = [];
    const w = await host.client.request(
      { op: "compareWeights", exportId: "a", otherId: "b", report: r.report },
      { onProgress: (_m, data) => lines.push(data as { done: number; total: number }) },
    );
    const dw = await diffWeights(ea, eb);
    assert.deepEqual(w.weights, dw.weights);
    assert.ok(w.sections.includes("weights"));
    const drift = w.weights!.drift;
    assert.equal(drift.length, 1);
    assert.equal(drift[0].maxAbs, 1);
    const last = lines.at(-1)!;
    assert.equal(last.done, last.total, "the last progress line counts every byte");
    assert.equal(last.total, w.weights!.bytesCompared);

    const h = await host.client.request({
      op: "compareHistogram",
      exportId: "a",
      otherId: "b",
      keyA: drift[0].keyA,
      keyB: drift[0].keyB,
    });
    assert.deepEqual(h, await deltaHistogram(ea, drift[0].keyA, eb, drift[0].keyB));
    assert.equal(h.zero, 3);

    const specs = [{ key: "x", dtype: DataType.DT_FLOAT, shape: [-1, 4] }];
    const feeds = await host.client.request({ op: "compareInputs", exportId: "a", specs, seed: 7 });
    assert.deepEqual(feeds, randomInputs(specs, 7));
    const out = (v: number[]) => ({ y: { dtype: DataType.DT_FLOAT, shape: [1, 2], values: Float32Array.from(v) } });
    const beh = await host.client.request({
      op: "compareBehaviour",
      exportId: "a",
      report: w,
      signature: "serving_default",
      outputs: [out([1, 2]), out([1, 2.5])],
      atol: 0.1,
      seed: 7,
    });
    assert.deepEqual(
      beh.behaviour,
      compareOutputs("serving_default", out([1, 2]), out([1, 2.5]), 0.1, { kind: "seeded_random", seed: 7 }),
    );
    assert.equal(beh.summary.outputsBeyondAtol, true);
  } finally {
    host.dispose();
  }
});

test(
  "cancelling the weights comparison stops the worker; the next request re-opens A and B",
  { timeout: 120_000 },
  async () => {
    const dirA = await writeTemp(tinyTf1(), "cancel-a");
    const dirB = await writeTemp(tinyTf1({ w: [0, 0, 0, 0] }), "cancel-b");
    const host = await hostWith(dirA, dirB);
    try {
      const open = await host.client.request(openReq(["contract"]));
      const gen = host.client.generation;
      const listeners: (() => void)[] = [];
      const token = {
        isCancellationRequested: false,
        onCancellationRequested: (f: () => void) => (listeners.push(f), { dispose: () => undefined }),
      };
      const p = host.client.request(
        { op: "compareWeights", exportId: "a", otherId: "b", report: open.report },
        { token: token as never },
      );
      token.isCancellationRequested = true;
      listeners.forEach((f) => f());
      await assert.rejects(p, CancelledError);
      const r = await host.client.request(openReq(["contract"]));
      assert.equal(host.client.generation, gen + 1, "a fresh worker");
      assert.equal(r.report.summary.contract, "identical");
      const w = await host.client.request({ op: "compareWeights", exportId: "a", otherId: "b", report: r.report });
      assert.equal(w.weights!.drift[0].fractionChanged, 1);
    } finally {
      host.dispose();
    }
  },
);
