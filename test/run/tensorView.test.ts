import { test } from "node:test";
import assert from "node:assert/strict";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";
import {
  histogram,
  looksLikeClassifier,
  sliceGeometry,
  sliceOffset,
  tablePage,
  topK,
} from "../../src/webview/shared/tensorSlice.js";
import {
  acceptsImage,
  imageLayout,
  imageToTensor,
  outputImageLayout,
  tensorToRgba,
} from "../../src/webview/run/image.js";

const range = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

test("2-D slices of N-D tensors, paged", () => {
  const t = { dtype: DT.DT_FLOAT, shape: [2, 3, 4, 5], values: range(120) };
  assert.deepEqual(sliceGeometry(t.shape), { lead: [2, 3], rows: 4, cols: 5 });
  assert.equal(sliceOffset(t.shape, [1, 2]), (1 * 3 + 2) * 20);
  assert.throws(() => sliceOffset(t.shape, [2, 0]), /out of range/);
  const p = tablePage(t, [1, 2], 1, 2, 3, 10);
  assert.deepEqual(p.cells, [
    ["108", "109"],
    ["113", "114"],
  ]);
  assert.equal(p.totalRows, 4);
  assert.equal(p.cols, 2);
  const v = tablePage({ dtype: DT.DT_FLOAT, shape: [3], values: Float32Array.from([2.5, 3, 4.5]) }, [], 0, 10);
  assert.deepEqual(v.cells, [["2.5"], ["3"], ["4.5"]]);
  const s = tablePage({ dtype: DT.DT_INT64, shape: [], values: BigInt64Array.from([5n]) }, [], 0, 10);
  assert.deepEqual(s.cells, [["5"]]);
  const str = tablePage({ dtype: DT.DT_STRING, shape: [1, 1], values: [new TextEncoder().encode("a<b")] }, [], 0, 1);
  assert.deepEqual(str.cells, [['"a<b"']]);
});

test("histogram bins and top-k", () => {
  const h = histogram({ dtype: DT.DT_FLOAT, shape: [6], values: Float32Array.from([0, 1, 2, 3, NaN, Infinity]) }, 3)!;
  assert.equal(h.length, 3);
  assert.deepEqual(
    h.map((b) => b.count),
    [1, 1, 2],
  );
  assert.equal(h[2].x1, 3);
  const ints = histogram({ dtype: DT.DT_INT32, shape: [4], values: Int32Array.from([1, 1, 2, 3]) }, 30)!;
  assert.equal(ints.length, 3, "integer tensors get at most one bin per value");
  assert.deepEqual(histogram({ dtype: DT.DT_FLOAT, shape: [2], values: Float32Array.from([4, 4]) }, 10), [
    { x0: 4, x1: 4, count: 2 },
  ]);
  assert.equal(histogram({ dtype: DT.DT_STRING, shape: [1], values: [new Uint8Array()] }), undefined);
  const scores = {
    dtype: DT.DT_FLOAT,
    shape: [2, 4],
    values: Float32Array.from([0.1, 0.5, 0.2, 0.2, 0.9, 0.0, 0.05, 0.05]),
  };
  assert.ok(looksLikeClassifier(scores));
  assert.ok(!looksLikeClassifier({ dtype: DT.DT_FLOAT, shape: [3, 1] }));
  assert.ok(!looksLikeClassifier({ dtype: DT.DT_INT32, shape: [4] }));
  assert.deepEqual(
    topK(scores, 3, 0).map((e) => e.index),
    [1, 2, 3],
  );
  assert.deepEqual(topK(scores, 2, 1), [
    { index: 0, value: scores.values[4] },
    { index: 2, value: scores.values[6] },
  ]);
  assert.deepEqual(
    topK({ dtype: DT.DT_FLOAT, shape: [3], values: Float32Array.from([NaN, 1, 2]) }, 3).map((e) => e.index),
    [2, 1, 0],
  );
});

test("image layout: which inputs take images, resize math, scaling, outputs back to RGBA", () => {
  assert.ok(acceptsImage(DT.DT_FLOAT, [-1, 224, 224, 3]));
  assert.ok(acceptsImage(DT.DT_UINT8, [-1, -1, -1, 3]));
  assert.ok(!acceptsImage(DT.DT_FLOAT, [-1, 10]));
  assert.ok(!acceptsImage(DT.DT_STRING, [-1, 224, 224, 3]));
  assert.deepEqual(imageLayout([-1, 224, 224, 3], 640, 480), { n: 1, h: 224, w: 224, c: 3 });
  assert.deepEqual(imageLayout([-1, -1, -1, 3], 640, 480), { n: 1, h: 480, w: 640, c: 3 });
  assert.deepEqual(imageLayout([-1, -1, -1, -1], 640, 480, [2, 32, 48]), { n: 2, h: 32, w: 48, c: 3 });
  assert.deepEqual(imageLayout([8, 8, 1], 64, 64), { n: undefined, h: 8, w: 8, c: 1 });
  // 2x2 RGBA: red, green / blue, white
  const px = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
  const same = imageToTensor(px, 2, 2, { n: 1, h: 2, w: 2, c: 3 }, DT.DT_UINT8, "0..255");
  assert.deepEqual(same.shape, [1, 2, 2, 3]);
  assert.deepEqual([...(same.values as Uint8Array)], [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  const one = imageToTensor(px, 2, 2, { h: 1, w: 1, c: 3 }, DT.DT_FLOAT, "0..1");
  assert.deepEqual(one.shape, [1, 1, 3]);
  assert.deepEqual(
    [...(one.values as Float32Array)].map((v) => +v.toFixed(4)),
    [0.5, 0.5, 0.5],
    "downscale averages (bilinear at the centre)",
  );
  const m11 = imageToTensor(px, 2, 2, { n: 1, h: 2, w: 2, c: 3 }, DT.DT_FLOAT, "-1..1");
  assert.deepEqual([...(m11.values as Float32Array)].slice(0, 3), [1, -1, -1]);
  const gray = imageToTensor(px, 2, 2, { n: 2, h: 2, w: 2, c: 1 }, DT.DT_FLOAT, "0..255");
  assert.deepEqual(gray.shape, [2, 2, 2, 1]);
  assert.ok(Math.abs((gray.values as Float32Array)[0] - 0.299 * 255) < 1e-3);
  assert.equal((gray.values as Float32Array)[4], (gray.values as Float32Array)[0], "the batch repeats the image");
  const up = imageToTensor(px, 2, 2, { n: 1, h: 4, w: 4, c: 3 }, DT.DT_FLOAT, "0..255");
  assert.equal(up.values.length, 48);
  assert.deepEqual(outputImageLayout([1, 28, 28, 1]), { n: 1, h: 28, w: 28, c: 1 });
  assert.equal(outputImageLayout([1, 10]), undefined);
  assert.equal(outputImageLayout([2, 2, 3]), undefined);
  const rgba = tensorToRgba(Float32Array.from([0, 0.5, 1, 1]), { h: 2, w: 2, c: 1 });
  assert.deepEqual([...rgba.slice(0, 8)], [0, 0, 0, 255, 128, 128, 128, 255]);
});
