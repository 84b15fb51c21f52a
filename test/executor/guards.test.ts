/**
 * Allocation guards (issue 9 item 3): every allocating op family is checked at kernel dispatch, before it runs,
 * for shape vectors of any length, against the per-tensor limit and the memory budget; refusals name the node,
 * its op and the size asked for.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { IAttrValue, INodeDef } from "../../src/savedmodel/proto.js";
import { tensorToProto, type DecodedTensor } from "../../src/savedmodel/tensor.js";
import { broadcastShape, product } from "../../src/executor/guards.js";
import { loadExecutorBundle, type ExecutorBundle } from "./helpers/bundle.js";

let X: ExecutorBundle;
before(async () => {
  X = await loadExecutorBundle();
});

const F = 1,
  I32 = 3;
const type = (t: number): IAttrValue => ({ type: t });
const konst = (name: string, t: DecodedTensor): INodeDef => ({
  name,
  op: "Const",
  attr: { value: { tensor: tensorToProto(t) }, dtype: type(t.dtype) },
});
const f32 = (shape: number[], v = 1): DecodedTensor => ({
  dtype: F,
  shape,
  values: new Float32Array(product(shape)).fill(v),
});
const i32 = (values: number[]): DecodedTensor => ({
  dtype: I32,
  shape: [values.length],
  values: Int32Array.from(values),
});
const graph = (nodes: INodeDef[]) => ({ node: nodes, versions: { producer: 1000 } });

/** Evaluates `fetch`, expecting a refusal naming node and op; returns the message. */
async function refused(nodes: INodeDef[], fetch: string, op: string, opts = {}): Promise<string> {
  let msg = "";
  await assert.rejects(X.evalGraph(graph(nodes), {}, [fetch], { backend: "cpu", ...opts }), (e: Error) => {
    msg = e.message;
    return true;
  });
  assert.match(msg, new RegExp(`node "${fetch}" \\(op ${op}`));
  assert.match(msg, /refused before allocating: would create a tensor of/);
  return msg;
}

describe("allocation guards", () => {
  test("shape arithmetic: broadcasting and products (0 wins over huge)", () => {
    assert.deepEqual(
      broadcastShape([
        [30000, 1],
        [1, 30000],
      ]),
      [30000, 30000],
    );
    assert.deepEqual(broadcastShape([[3], [2, 1], []]), [2, 3]);
    assert.deepEqual(
      broadcastShape([
        [0, 5],
        [7, 1],
      ]),
      [0, 5],
    );
    assert.equal(product([0, 1e300, 1e300]), 0);
    assert.equal(product(new Array(65).fill(2)), 2 ** 65);
  });

  test("Fill with a 65-entry shape vector is refused (no 64-entry blind spot)", async () => {
    const m = await refused(
      [
        konst("dims", i32(new Array(65).fill(2))),
        konst("v", f32([])),
        { name: "fill", op: "Fill", input: ["dims", "v"], attr: { T: type(F) } },
      ],
      "fill",
      "Fill",
    );
    assert.match(m, /3\.69e\+19 elements/);
  });

  test("Tile with 65 multiples is refused", async () => {
    const ones = new Array(65).fill(1);
    await refused(
      [
        konst("x", f32(ones)),
        konst("m", i32(new Array(65).fill(3))),
        { name: "tile", op: "Tile", input: ["x", "m"], attr: { T: type(F), Tmultiples: type(I32) } },
      ],
      "tile",
      "Tile",
    );
  });

  test("AddV2 of [30000,1] + [1,30000] is refused before broadcasting", async () => {
    const m = await refused(
      [
        konst("a", f32([30000, 1])),
        konst("b", f32([1, 30000])),
        { name: "add", op: "AddV2", input: ["a", "b"], attr: { T: type(F) } },
      ],
      "add",
      "AddV2",
    );
    assert.match(m, /shape \[30000, 30000\], 9\.00e\+8 elements/);
  });

  test("ConcatV2 of many copies, MatMul, OneHot, Range, Pad and GatherV2 bombs are refused", async () => {
    const big = konst("big", f32([1, 4096]));
    const n = 40000;
    await refused(
      [
        big,
        konst("axis", { dtype: I32, shape: [], values: Int32Array.of(0) }),
        {
          name: "cat",
          op: "ConcatV2",
          input: [...new Array(n).fill("big"), "axis"],
          attr: { T: type(F), N: { i: n }, Tidx: type(I32) },
        },
      ],
      "cat",
      "ConcatV2",
    );
    await refused(
      [
        konst("col", f32([20000, 1])),
        konst("row", f32([1, 20000])),
        { name: "mm", op: "MatMul", input: ["col", "row"], attr: { T: type(F) } },
      ],
      "mm",
      "MatMul",
    );
    await refused(
      [
        konst("idx", i32(new Array(1000).fill(0))),
        konst("depth", { dtype: I32, shape: [], values: Int32Array.of(1e9) }),
        konst("on", f32([])),
        konst("off", f32([], 0)),
        {
          name: "oh",
          op: "OneHot",
          input: ["idx", "depth", "on", "off"],
          attr: { T: type(F), TI: type(I32), axis: { i: -1 } },
        },
      ],
      "oh",
      "OneHot",
    );
    await refused(
      [
        konst("s", { dtype: F, shape: [], values: Float32Array.of(0) }),
        konst("l", { dtype: F, shape: [], values: Float32Array.of(1e12) }),
        konst("d", { dtype: F, shape: [], values: Float32Array.of(1) }),
        { name: "r", op: "Range", input: ["s", "l", "d"], attr: { Tidx: type(F) } },
      ],
      "r",
      "Range",
    );
    await refused(
      [
        konst("x", f32([2, 2])),
        konst("p", i32([0, 100000, 0, 100000])),
        { name: "pad", op: "Pad", input: ["x", "p"], attr: { T: type(F), Tpaddings: type(I32) } },
      ],
      "pad",
      "Pad",
    );
    await refused(
      [
        konst("params", f32([1, 100000])),
        konst("ix", i32(new Array(10000).fill(0))),
        konst("ax", { dtype: I32, shape: [], values: Int32Array.of(0) }),
        {
          name: "g",
          op: "GatherV2",
          input: ["params", "ix", "ax"],
          attr: { Tparams: type(F), Tindices: type(I32), Taxis: type(I32) },
        },
      ],
      "g",
      "GatherV2",
    );
  });

  test("the memory budget (heap + ArrayBuffers + wasm) refuses an allocation that does not fit", async () => {
    const m = await refused(
      [
        konst("dims", i32([1024, 1024])),
        konst("v", f32([])),
        { name: "fill", op: "Fill", input: ["dims", "v"], attr: { T: type(F) } },
      ],
      "fill",
      "Fill",
      { maxMemoryBytes: 2 ** 20 },
    );
    assert.match(m, /JS heap .* MiB, ArrayBuffers .* MiB, wasm memory .* MiB\), over the memory budget of 1 MiB/);
  });

  test("ordinary sizes still run", async () => {
    const out = await X.evalGraph(
      graph([
        konst("a", f32([300, 1], 2)),
        konst("b", f32([1, 300], 3)),
        { name: "add", op: "AddV2", input: ["a", "b"], attr: { T: type(F) } },
      ]),
      {},
      ["add"],
      { backend: "cpu" },
    );
    assert.deepEqual(out.add.shape, [300, 300]);
    assert.equal((out.add.values as Float32Array)[0], 5);
  });
});

describe("run scope", () => {
  test("disposed tensors are dropped from the scope list; endScope still frees the live ones", () => {
    const tf = X.tfjs;
    const track = () =>
      (tf.engine() as unknown as { state: { activeScope: { track: unknown[] } } }).state.activeScope.track;
    const before = tf.memory().numTensors;
    tf.engine().startScope();
    try {
      const live = tf.scalar(1);
      for (let i = 0; i < 5000; i++) tf.add(live, 1).dispose();
      assert.ok(track().length > 5000);
      X.pruneDisposedFromScope();
      assert.equal(track().length, 1);
      assert.equal(live.isDisposed, false);
    } finally {
      tf.engine().endScope();
    }
    assert.equal(tf.memory().numTensors, before);
  });
});
