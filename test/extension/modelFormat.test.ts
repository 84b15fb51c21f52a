import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatArg,
  formatCompact,
  formatCount,
  formatShape,
  formatSize,
  formatSpec,
  formatVariable,
  shortMethod,
} from "../../src/shared/modelFormat.js";
import { topLayers } from "../../src/protocol/overview.js";
import type { ObjectNodeInfo, TensorSpecInfo, VariableInfo } from "../../src/savedmodel/modelTypes.js";

const spec = (over: Partial<TensorSpecInfo>): TensorSpecInfo => ({
  key: "x",
  dtype: 1,
  dtypeName: "DT_FLOAT",
  dtypeShort: "float32",
  encoding: "name",
  ...over,
});

test("shapes and specs read like the issue's example", () => {
  assert.equal(formatShape([-1, 224, 224, 3]), "[-1, 224, 224, 3]");
  assert.equal(formatShape([]), "[]");
  assert.equal(formatShape(undefined), "<unknown rank>");
  assert.equal(formatSpec(spec({ shape: [-1, 224, 224, 3] })), "x: float32 [-1, 224, 224, 3]");
  assert.equal(
    formatSpec(spec({ key: "ids", dtypeShort: "int64", shape: [-1], encoding: "coo_sparse" })),
    "ids: int64 [-1] (sparse)",
  );
  assert.equal(
    formatSpec(
      spec({
        encoding: "composite",
        composite: { typeSpecClass: "RAGGED_TENSOR_SPEC", typeSpecClassName: "RaggedTensorSpec", components: [] },
      }),
    ),
    "x: composite RaggedTensorSpec",
  );
  assert.equal(formatArg({ name: "a", dtypeShort: "int32", shape: [2] }), "a: int32 [2]");
  assert.equal(formatArg({ name: "h" }), "h: ?");
});

test("sizes and counts", () => {
  assert.equal(formatSize(0), "0 B");
  assert.equal(formatSize(1023), "1023 B");
  assert.equal(formatSize(1536), "1.5 KB");
  assert.equal(formatSize(52.1 * 1024 * 1024), "52 MB");
  assert.equal(formatSize(undefined), "?");
  assert.equal(formatCount(183747), "183,747");
  // grouped without Intl for whole numbers: same text as toLocaleString("en-US")
  for (const n of [0, 7, 999, 1000, 12345, 1234567, -1234, 2 ** 53 - 1])
    assert.equal(formatCount(n), n.toLocaleString("en-US"));
  assert.equal(formatCount(1234.5), "1,234.5");
  assert.equal(formatCompact(999), "999");
  assert.equal(formatCompact(1234567), "1.23M");
  assert.equal(shortMethod("tensorflow/serving/predict"), "predict");
  assert.equal(shortMethod("custom/method"), "custom/method");
  const v: VariableInfo = {
    name: "dense/kernel",
    checkpointKey: "k",
    dtype: 1,
    dtypeShort: "float32",
    shape: [3, 3],
    elements: 9,
    bytes: 36,
    kind: "variable",
    problems: [],
  };
  assert.equal(formatVariable(v), "float32 [3, 3] · 36 B");
});

test("topLayers lists the Keras layers under the root with their parameter counts", () => {
  const node = (over: Partial<ObjectNodeInfo>): ObjectNodeInfo => ({
    id: 0,
    path: "",
    localName: "",
    kind: "user_object",
    variableIds: [],
    parameterCount: 0,
    children: [],
    ...over,
  });
  const tree = node({
    children: [
      node({
        path: "layer_with_weights-0",
        localName: "layer_with_weights-0",
        className: "Dense",
        layerName: "dense",
        parameterCount: 12,
      }),
      node({ path: "keras_api", localName: "keras_api" }),
      node({ path: "signatures", localName: "signatures", kind: "function" }),
      node({ path: "layer-1", localName: "layer-1", className: "Dropout", layerName: "dropout" }),
    ],
  });
  assert.deepEqual(topLayers(tree), [
    { name: "dense", className: "Dense", params: 12, path: "layer_with_weights-0" },
    { name: "dropout", className: "Dropout", params: 0, path: "layer-1" },
  ]);
  assert.equal(topLayers(undefined), undefined);
});
