/** Kernel edge cases found on real exports: a bad SparseToDense index, an empty Bucketize input. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import type { INodeDef } from "../../src/savedmodel/proto.js";
import { tensorToProto, type DecodedTensor } from "../../src/savedmodel/tensor.js";
import { loadExecutorBundle, type ExecutorBundle } from "../executor/helpers/bundle.js";

let X: ExecutorBundle;
before(async () => {
  X = await loadExecutorBundle();
});
const konst = (name: string, t: DecodedTensor): INodeDef => ({
  name,
  op: "Const",
  attr: { value: { tensor: tensorToProto(t) }, dtype: { type: t.dtype } },
});
const i32 = (v: number[], shape: number[]): DecodedTensor => ({ dtype: 3, shape, values: Int32Array.from(v) });
const f32 = (v: number[], shape: number[]): DecodedTensor => ({ dtype: 1, shape, values: Float32Array.from(v) });

for (const backend of ["cpu", "wasm"] as const) {
  test(`SparseToDense: an index outside output_shape is TF's error, not a wasm memory fault (${backend})`, async () => {
    const nodes = (idx: number[]): INodeDef[] => [
      konst("i", i32(idx, [2, 2])),
      konst("s", i32([2, 1], [2])),
      konst("v", f32([5, 6], [2])),
      konst("d", f32([0], [])),
      { name: "o", op: "SparseToDense", input: ["i", "s", "v", "d"], attr: { T: { type: 1 }, Tindices: { type: 3 } } },
    ];
    const ok = await X.evalGraph({ node: nodes([0, 0, 1, 0]) }, {}, ["o"], { backend });
    assert.deepEqual([...(ok.o.values as Float32Array)], [5, 6]);
    await assert.rejects(
      X.evalGraph({ node: nodes([0, 0, 0, 1]) }, {}, ["o"], { backend }),
      /indices\[1\] = \[0,1\] is out of bounds: need 0 <= index < \[2,1\]/,
    );
  });

  test(`BoostedTreesBucketize of an empty input gives empty buckets (${backend})`, async () => {
    const r = await X.evalGraph(
      {
        node: [
          konst("x", f32([], [0])),
          konst("b", f32([1, 2], [2])),
          { name: "o", op: "BoostedTreesBucketize", input: ["x", "b"], attr: { num_features: { i: 1 } } },
        ],
      },
      {},
      ["o"],
      { backend },
    );
    assert.deepEqual(r.o.shape, [0]);
  });
}

test("UniqueWithCounts: first-occurrence order, indices and counts", async () => {
  const r = await X.evalGraph(
    {
      node: [
        konst("x", i32([4, 1, 4, 2, 1, 4], [6])),
        { name: "u", op: "UniqueWithCounts", input: ["x"], attr: { T: { type: 3 }, out_idx: { type: 3 } } },
      ],
    },
    {},
    ["u:0", "u:1", "u:2"],
    { backend: "cpu" },
  );
  // TF: y = [4, 1, 2], idx = [0, 1, 0, 2, 1, 0], count = [3, 2, 1]
  assert.deepEqual([...(r["u:0"].values as Int32Array)], [4, 1, 2]);
  assert.deepEqual([...(r["u:1"].values as Int32Array)], [0, 1, 0, 2, 1, 0]);
  assert.deepEqual([...(r["u:2"].values as Int32Array)], [3, 2, 1]);
});

test("ops refused on purpose name their reason (GPU-only cuDNN kernels, tf.data pipelines)", async () => {
  assert.match(X.refusalReason("CudnnRNN") ?? "", /GPU-only/);
  assert.match(X.refusalReason("IteratorGetNext") ?? "", /tf\.data/);
  assert.equal(X.refusalReason("MatMul"), undefined);
});
