/** Isolation: hostile models cannot hang or exhaust the host; the worker is killed and restarts. */
import { before, after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { MemoryFileAccess } from "../../src/savedmodel/memoryFileAccess.js";
import { tensorflow, type IAttrValue, type IFunctionDef, type INodeDef } from "../../src/savedmodel/proto.js";
import { tensorToProto } from "../../src/savedmodel/tensor.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { bundleDir, loadExecutorBundle, type ExecutorBundle } from "./helpers/bundle.js";

let X: ExecutorBundle;
const workers: { terminate(): Promise<void> }[] = [];
before(async () => {
  X = await loadExecutorBundle();
});
after(async () => {
  for (const w of workers) await w.terminate();
});

const F = 1,
  I32 = 3,
  BOOL = 10;
const t = (v: number): IAttrValue => ({ type: v });
const types = (v: number[]): IAttrValue => ({ list: { type: v } });
const func = (name: string): IAttrValue => ({ func: { name } });
const constNode = (name: string, dtype: number, values: number[], shape: number[]): INodeDef => ({
  name,
  op: "Const",
  attr: {
    dtype: t(dtype),
    value: {
      tensor: tensorToProto({
        dtype,
        shape,
        values:
          dtype === F ? Float32Array.from(values) : dtype === BOOL ? Uint8Array.from(values) : Int32Array.from(values),
      }),
    },
  },
});

/** A one-signature SavedModel (x float scalar → y) built in memory. */
function model(nodes: INodeDef[], fns: IFunctionDef[], out: string): MemoryFileAccess {
  const sm = tensorflow.SavedModel.create({
    savedModelSchemaVersion: 1,
    metaGraphs: [
      {
        metaInfoDef: { tags: ["serve"] },
        graphDef: {
          node: [{ name: "x", op: "Placeholder", attr: { dtype: t(F) } }, ...nodes],
          library: { function: fns },
          versions: { producer: 1000 },
        },
        signatureDef: {
          serving_default: {
            methodName: "tensorflow/serving/predict",
            inputs: { x: { name: "x:0", dtype: F, tensorShape: { dim: [] } } },
            outputs: { y: { name: out, dtype: F } },
          },
        },
      },
    ],
  });
  return new MemoryFileAccess(new Map([["saved_model.pb", tensorflow.SavedModel.encode(sm).finish()]]));
}

const x1 = { x: { dtype: F, shape: [], values: Float32Array.of(1) } };
function worker(fs: MemoryFileAccess | InstanceType<ExecutorBundle["NodeFileAccess"]>, timeoutMs = 4000) {
  const w = new X.ExecutorWorker(fs, { script: join(bundleDir, "executorWorker.cjs"), timeoutMs, maxHeapMb: 512 });
  workers.push(w);
  return w;
}

describe("executor worker", () => {
  test("runs a fixture and returns outputs", { skip: skipNoFixtures }, async () => {
    const w = worker(new X.NodeFileAccess(fixturePath("serving-half-plus-two-cpu")));
    const sigs = await w.signatures();
    assert.ok(sigs.some((s) => s.key === "serving_default"));
    const r = await w.run("serving_default", { x: { dtype: F, shape: [2, 1], values: Float32Array.of(2, 4) } });
    assert.deepEqual(Array.from(r.outputs.y.values as Float32Array), [3, 4]);
  });

  // The time limit (1.5 s) must end the run; the test's own timeout is only a hang guard (>= 10x).
  test("an infinite While is stopped by the time limit, and the worker comes back", { timeout: 60_000 }, async () => {
    const fs = model(
      [{ name: "w", op: "While", input: ["x"], attr: { T: types([F]), cond: func("always"), body: func("same") } }],
      [
        {
          signature: { name: "always", inputArg: [{ name: "v", type: F }], outputArg: [{ name: "c", type: BOOL }] },
          nodeDef: [constNode("t", BOOL, [1], [])],
          ret: { c: "t:output:0" },
        },
        {
          signature: { name: "same", inputArg: [{ name: "v", type: F }], outputArg: [{ name: "o", type: F }] },
          nodeDef: [{ name: "id", op: "Identity", input: ["v"], attr: { T: t(F) } }],
          ret: { o: "id:output:0" },
        },
      ],
      "w:0",
    );
    const w = worker(fs, 1500);
    await assert.rejects(w.run("serving_default", x1), (e: Error) => e.name === "TimeoutError");
    // the next call starts a fresh worker
    assert.deepEqual(
      (await w.signatures()).map((s) => s.key),
      ["serving_default"],
    );
  });

  test("cancellation through an AbortSignal", async () => {
    const fs = model(
      [{ name: "w", op: "While", input: ["x"], attr: { T: types([F]), cond: func("always"), body: func("same") } }],
      [
        {
          signature: { name: "always", inputArg: [{ name: "v", type: F }], outputArg: [{ name: "c", type: BOOL }] },
          nodeDef: [constNode("t", BOOL, [1], [])],
          ret: { c: "t:output:0" },
        },
        {
          signature: { name: "same", inputArg: [{ name: "v", type: F }], outputArg: [{ name: "o", type: F }] },
          nodeDef: [{ name: "id", op: "Identity", input: ["v"], attr: { T: t(F) } }],
          ret: { o: "id:output:0" },
        },
      ],
      "w:0",
    );
    const w = worker(fs, 60000);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    await assert.rejects(w.run("serving_default", x1, { signal: ctl.signal }), (e: Error) => e.name === "AbortError");
  });

  test("a huge Fill is refused before it allocates", async () => {
    const fs = model(
      [
        constNode("dims", I32, [1000000, 1000000], [2]),
        { name: "fill", op: "Fill", input: ["dims", "x"], attr: { T: t(F) } },
      ],
      [],
      "fill:0",
    );
    const w = worker(fs);
    await assert.rejects(
      w.run("serving_default", x1),
      (e: Error & { node?: string }) => /over the limit/.test(e.message) && e.node === "fill",
    );
  });

  test("a recursive function is stopped", async () => {
    const fs = model(
      [
        {
          name: "call",
          op: "PartitionedCall",
          input: ["x"],
          attr: { Tin: types([F]), Tout: types([F]), f: func("rec") },
        },
      ],
      [
        {
          signature: { name: "rec", inputArg: [{ name: "v", type: F }], outputArg: [{ name: "o", type: F }] },
          nodeDef: [
            {
              name: "again",
              op: "PartitionedCall",
              input: ["v"],
              attr: { Tin: types([F]), Tout: types([F]), f: func("rec") },
            },
          ],
          ret: { o: "again:output:0" },
        },
      ],
      "call:0",
    );
    const w = worker(fs);
    await assert.rejects(w.run("serving_default", x1), /nest deeper than/);
  });
});
