import { test } from "node:test";
import assert from "node:assert/strict";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";
import {
  concreteShape,
  fitFlat,
  parseInputText,
  parseTextLines,
  shapeMismatch,
  unknownDims,
} from "../../src/webview/run/inputParse.js";
import { fillTensor, MAX_FILL_ELEMENTS, seededRandom } from "../../src/webview/run/fill.js";
import { fromWire, toWire } from "../../src/protocol/tensorWire.js";
import { buildExamples, splitValues, takesExamples } from "../../src/webview/run/examples.js";
import { buildRecipe, toNested } from "../../src/webview/run/recipe.js";
import { cliCommand, servingRequest } from "../../src/webview/run/copyAs.js";
import { examplesFromJson } from "../../src/shared/example.js";
import type { RunInputInfo } from "../../src/protocol/run.js";

test("JSON input is checked against dtype and shape as typed", () => {
  const ok = parseInputText("[[1.0], [2.0], [5.0]]", DT.DT_FLOAT, [-1, 1]);
  assert.ok(ok.ok);
  if (ok.ok) {
    assert.deepEqual(ok.tensor.shape, [3, 1]);
    assert.deepEqual([...(ok.tensor.values as Float32Array)], [1, 2, 5]);
  }
  // A shape other than the declared one runs (TF's C runtime feeds it), with a note.
  const wrongDim = parseInputText("[[1.0, 2.0]]", DT.DT_FLOAT, [-1, 1]);
  assert.ok(wrongDim.ok);
  if (wrongDim.ok) assert.match(wrongDim.shapeWarning ?? "", /declared \[-1, 1\], fed \[1, 2\].*Python/);
  const flat = parseInputText("[1.0, 2.0, 5.0]", DT.DT_FLOAT, [-1, 1]);
  assert.ok(
    flat.ok && flat.tensor.shape.join() === "3,1" && flat.reshapedFrom?.join() === "3",
    "a flat list fills [-1, 1]",
  );
  const rank = parseInputText("[1.0, 2.0, 3.0]", DT.DT_FLOAT, [-1, 2]);
  assert.ok(rank.ok && /declared \[-1, 2\], fed \[3\]/.test(rank.shapeWarning ?? ""), "3 values fed as [3]");
  assert.deepEqual(fitFlat([-1, 224, 224, 3], 224 * 224 * 3 * 2), [2, 224, 224, 3]);
  assert.equal(fitFlat([-1, -1], 4), undefined);
  const ragged = parseInputText("[[1], [2, 3]]", DT.DT_FLOAT, undefined);
  assert.ok(!ragged.ok && /ragged/.test(ragged.error));
  const syntax = parseInputText("[1.0, 2.0", DT.DT_FLOAT, undefined);
  assert.ok(!syntax.ok && /cannot parse/.test(syntax.error));
  const notInt = parseInputText("[1, 2.5]", DT.DT_INT32, [2]);
  assert.ok(!notInt.ok && /element 1 \(2\.5\) is not an integer/.test(notInt.error));
  const range = parseInputText("[0, 256]", DT.DT_UINT8, [-1]);
  assert.ok(!range.ok && /out of range for uint8/.test(range.error));
  const str = parseInputText('["a", 1]', DT.DT_INT32, [-1]);
  assert.ok(!str.ok && /not a number/.test(str.error));
  const py = parseInputText("[True, False]", DT.DT_BOOL, [2]);
  assert.ok(py.ok);
  const big = parseInputText("[9007199254740993]", DT.DT_INT64, [1]);
  assert.ok(big.ok);
  const nan = parseInputText("[nan, inf, 1.5]", DT.DT_FLOAT, [3]);
  assert.ok(nan.ok);
  if (nan.ok) assert.ok(Number.isNaN((nan.tensor.values as Float32Array)[0]));
  const np = parseInputText("np.ones((2, 3))", DT.DT_FLOAT, [-1, 3]);
  assert.ok(np.ok && np.tensor.values.length === 6);
  assert.equal(parseInputText("  ", DT.DT_FLOAT, [1]).ok, false);
});

test("unknown dims and concrete shapes", () => {
  assert.deepEqual(unknownDims([-1, 224, 224, -1]), [0, 3]);
  assert.deepEqual(concreteShape([-1, 224, 224, -1], [2, 3]), [2, 224, 224, 3]);
  assert.deepEqual(concreteShape([-1, 5], []), [1, 5]);
  assert.deepEqual(concreteShape(undefined, [4, 2]), [4, 2]);
  assert.equal(shapeMismatch([-1, 3], [7, 3]), undefined);
  assert.match(shapeMismatch([2], [3]) ?? "", /dimension 0 must be 2/);
});

test("text lines fill string inputs", () => {
  const r = parseTextLines("hello world\nsecond line\n", [-1]);
  assert.ok(r.ok);
  if (r.ok) {
    assert.deepEqual(r.tensor.shape, [2]);
    assert.equal(new TextDecoder().decode((r.tensor.values as Uint8Array[])[1]), "second line");
  }
  const col = parseTextLines("a\nb", [-1, 1]);
  assert.ok(col.ok && col.tensor.shape.join() === "2,1");
  const scalar = parseTextLines("a\nb", []);
  assert.ok(
    scalar.ok && scalar.tensor.shape.join() === "2" && /declared \[\], fed \[2\]/.test(scalar.shapeWarning ?? ""),
  );
});

test("generated inputs: zeros/ones/range/random per dtype, seeded, size-capped", () => {
  assert.deepEqual([...(fillTensor("range", DT.DT_FLOAT, [2, 3]).values as Float32Array)], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...(fillTensor("ones", DT.DT_INT64, [2]).values as BigInt64Array)], [1n, 1n]);
  assert.deepEqual([...(fillTensor("zeros", DT.DT_UINT8, [3]).values as Uint8Array)], [0, 0, 0]);
  const r1 = fillTensor("random", DT.DT_FLOAT, [100], 7).values as Float32Array;
  const r2 = fillTensor("random", DT.DT_FLOAT, [100], 7).values as Float32Array;
  assert.deepEqual([...r1], [...r2]);
  assert.ok(r1.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual([...r1], [...(fillTensor("random", DT.DT_FLOAT, [100], 8).values as Float32Array)]);
  const u8 = fillTensor("random", DT.DT_UINT8, [1000], 3).values as Uint8Array;
  assert.ok(Math.max(...u8) > 200, "uint8 random spans 0..255");
  const b = fillTensor("random", DT.DT_BOOL, [50], 3).values as Uint8Array;
  assert.ok(b.every((x) => x === 0 || x === 1));
  const s = fillTensor("random", DT.DT_STRING, [3], 1);
  assert.equal((s.values as Uint8Array[]).length, 3);
  assert.throws(() => fillTensor("zeros", DT.DT_FLOAT, [MAX_FILL_ELEMENTS, 2]), /limited to/);
  assert.throws(() => fillTensor("zeros", DT.DT_FLOAT, [-1, 2]), /not a size/);
  const rnd = seededRandom(42);
  assert.notEqual(rnd(), rnd());
});

test("wire format keeps every dtype exactly", () => {
  const cases = [
    { dtype: DT.DT_INT64, shape: [3], values: BigInt64Array.from([1n, -(2n ** 62n), 2n ** 62n]) },
    { dtype: DT.DT_FLOAT, shape: [2, 1], values: Float32Array.from([0.5, -1.25]) },
    { dtype: DT.DT_STRING, shape: [2], values: [new Uint8Array([0, 255]), new TextEncoder().encode("hi")] },
  ];
  for (const t of cases) {
    const back = fromWire(structuredClone(toWire(t).wire));
    assert.equal(back.dtype, t.dtype);
    assert.deepEqual(back.shape, t.shape);
    assert.deepEqual(
      Array.isArray(back.values) ? back.values.map((x) => [...x]) : [...back.values],
      Array.isArray(t.values) ? t.values.map((x) => [...x]) : [...t.values],
    );
  }
  const sub = new Float32Array([9, 1, 2, 3]).subarray(1);
  const { wire, truncated } = toWire({ dtype: DT.DT_FLOAT, shape: [3], values: sub }, 2);
  assert.ok(truncated);
  assert.deepEqual([...(fromWire(wire).values as Float32Array)], [1, 2]);
  assert.throws(
    () => fromWire({ dtype: 1, shape: [1], bytes: new Uint8Array(3), array: "Float32Array" }),
    /whole number/,
  );
});

test("tf.Example builder encodes what examplesFromJson would", () => {
  assert.deepEqual(splitValues('1, 2.5, "a, b", x'), ["1", "2.5", "a, b", "x"]);
  assert.deepEqual(splitValues(""), []);
  const r = buildExamples([
    [{ name: "x", kind: "float", values: "1" }],
    [{ name: "x", kind: "float", values: "2, 3" }],
  ]);
  assert.ok(r.ok);
  if (r.ok) {
    assert.deepEqual(r.tensor.shape, [2]);
    const expect = examplesFromJson('[{"x": [1.0]}, {"x": [2.0, 3.0]}]');
    assert.deepEqual(
      (r.tensor.values as Uint8Array[]).map((b) => [...b]),
      expect.map((b) => [...b]),
    );
    assert.deepEqual(r.floats, ["x"]);
  }
  const bad = buildExamples([[{ name: "n", kind: "int64", values: "1, 2.5" }]]);
  assert.ok(!bad.ok && /not an int64/.test(bad.error) && bad.row === 0);
  const blank = buildExamples([
    [
      { name: "x", kind: "float", values: "1" },
      { name: "unset", kind: "int64", values: " " },
    ],
  ]);
  assert.ok(blank.ok && blank.dicts[0].unset === undefined, "features without values are not set");
  const dup = buildExamples([
    [
      { name: "a", kind: "bytes", values: "x" },
      { name: "a", kind: "bytes", values: "y" },
    ],
  ]);
  assert.ok(!dup.ok && /twice/.test(dup.error));
  assert.ok(takesExamples("tensorflow/serving/classify", { key: "inputs", dtype: DT.DT_STRING }));
  assert.ok(!takesExamples("tensorflow/serving/predict", { key: "x", dtype: DT.DT_STRING }));
});

test("recipe: literals for small inputs, inputs.npz for big ones, examples with float spelling", () => {
  const inputs: RunInputInfo[] = [
    { key: "x", tensorName: "x:0", dtype: DT.DT_FLOAT, dtypeShort: "float32", shape: [-1, 1], hasDefault: false },
    {
      key: "img",
      tensorName: "img:0",
      dtype: DT.DT_FLOAT,
      dtypeShort: "float32",
      shape: [1, 64, 64, 3],
      hasDefault: false,
    },
  ];
  const state = { dir: "/m", tags: ["serve"], signature: "s", methodName: "tensorflow/serving/predict", inputs };
  const x = parseInputText("[[1.0], [2.0]]", DT.DT_FLOAT, [-1, 1]);
  assert.ok(x.ok);
  const { recipe, needsNpz } = buildRecipe(state, {
    x: { source: { kind: "json", text: "[[1.0], [2.0]]" }, tensor: x.ok ? x.tensor : undefined },
    img: {
      source: { kind: "fill", fill: "random", dims: [] },
      tensor: fillTensor("random", DT.DT_FLOAT, [1, 64, 64, 3]),
    },
  });
  assert.deepEqual(needsNpz, ["img"]);
  assert.equal(
    cliCommand(recipe, "savedmodel"),
    "savedmodel run --dir /m --tag_set serve --signature_def s --inputs 'img=inputs.npz[img]' --input_exprs 'x=[[1.0], [2.0]]'",
  );
  const fromFile = buildRecipe(state, {
    x: { source: { kind: "file", path: "/w/in.npz", member: "x" }, tensor: x.ok ? x.tensor : undefined },
  });
  assert.equal(
    cliCommand(fromFile.recipe, "savedmodel"),
    "savedmodel run --dir /m --tag_set serve --signature_def s --inputs 'x=/w/in.npz[x]'",
  );
  assert.deepEqual(
    JSON.parse(servingRequest(fromFile.recipe).body).inputs.x,
    [[1], [2]],
    "the serving body carries the file's values",
  );
  assert.deepEqual(toNested({ dtype: DT.DT_BOOL, shape: [2, 1], values: Uint8Array.from([1, 0]) }), [[true], [false]]);
  assert.equal(toNested({ dtype: DT.DT_INT32, shape: [], values: Int32Array.from([7]) }), 7);
  const ex = buildExamples([[{ name: "x", kind: "float", values: "1" }]]);
  assert.ok(ex.ok);
  const classify = buildRecipe(
    {
      ...state,
      methodName: "tensorflow/serving/classify",
      inputs: [{ ...inputs[0], key: "inputs", dtype: DT.DT_STRING, dtypeShort: "string", shape: [-1] }],
    },
    {
      inputs: {
        source: { kind: "examples", features: [] },
        tensor: ex.ok ? ex.tensor : undefined,
        examples: ex.ok ? { dicts: ex.dicts, floats: ex.floats } : undefined,
      },
    },
  );
  assert.match(cliCommand(classify.recipe, "saved_model_cli"), /--input_examples 'inputs=\[\{"x": \[1\.0\]\}\]'/);
});
