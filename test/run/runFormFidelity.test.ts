/** Run form dead ends: unknown-rank shapes, sparse inputs as components, a distinct Random stream per input. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";
import { parseShapeText, parseSparseText } from "../../src/webview/run/inputParse.js";
import { fillTensor, inputSeed } from "../../src/webview/run/fill.js";
import { buildRecipe } from "../../src/webview/run/recipe.js";
import { cliCommand } from "../../src/webview/run/copyAs.js";

test("unknown rank: the shape is typed whole (empty for a scalar)", () => {
  assert.deepEqual(parseShapeText("2, 3"), { ok: true, shape: [2, 3] });
  assert.deepEqual(parseShapeText("[4]"), { ok: true, shape: [4] });
  assert.deepEqual(parseShapeText("2x3x1"), { ok: true, shape: [2, 3, 1] });
  assert.deepEqual(parseShapeText("  "), { ok: true, shape: [] });
  const bad = parseShapeText("2, -1");
  assert.ok(!bad.ok && /"-1" is not a size/.test(bad.error));
});

test("Random: four same-shaped inputs with seed 1 get four different tensors, each reproducible", () => {
  const keys = ["a", "b", "c", "d"];
  const draws = keys.map((k) =>
    Array.from(fillTensor("random", DT.DT_FLOAT, [3], inputSeed(1, k)).values as Float32Array).join(),
  );
  assert.equal(new Set(draws).size, 4);
  assert.equal(
    Array.from(fillTensor("random", DT.DT_FLOAT, [3], inputSeed(1, "a")).values as Float32Array).join(),
    draws[0],
  );
  assert.notEqual(inputSeed(1, "a"), inputSeed(2, "a"));
});

test("sparse inputs: {indices, values, dense_shape} as components; a dense value is left to the dense path", () => {
  const r = parseSparseText(
    '{"indices": [[0, 1], [1, 0]], "values": ["x", "y"], "dense_shape": [2, 2]}',
    DT.DT_STRING,
    "company",
  );
  assert.ok(r && r.ok);
  if (r && r.ok) {
    assert.deepEqual(Object.keys(r.parts), ["company/indices", "company/values", "company/dense_shape"]);
    assert.deepEqual(r.parts["company/indices"].shape, [2, 2]);
    assert.equal(r.parts["company/indices"].dtype, DT.DT_INT64);
  }
  assert.equal(parseSparseText("[[1.0]]", DT.DT_FLOAT, "x"), undefined);
  const missing = parseSparseText('{"indices": [[0]], "values": [1]}', DT.DT_FLOAT, "x");
  assert.ok(missing && !missing.ok && /dense_shape/.test(missing.error));
  const syntax = parseSparseText('{"indices": ', DT.DT_FLOAT, "x");
  assert.ok(syntax && !syntax.ok && /cannot parse/.test(syntax.error));

  // Copy as `savedmodel run`: the components become key/indices, key/values, key/dense_shape expressions.
  const parts = (r as { ok: true; parts: Record<string, import("../../src/savedmodel/tensor.js").DecodedTensor> })
    .parts;
  const { recipe } = buildRecipe(
    {
      dir: "/m",
      tags: ["transform"],
      signature: "transform_signature",
      methodName: "tensorflow/serving/predict",
      inputs: [
        {
          key: "company",
          tensorName: "",
          dtype: DT.DT_STRING,
          dtypeShort: "string",
          shape: [-1, -1],
          hasDefault: false,
          sparse: true,
        },
      ],
    },
    { company: { source: { kind: "json", text: "" }, components: parts } },
  );
  const cmd = cliCommand(recipe, "savedmodel", "posix");
  assert.match(cmd, /company\/indices=/);
  assert.match(cmd, /company\/dense_shape=/);
});

test("Python literals: apostrophes inside strings survive; 'single quotes', True/False, tuples convert", async () => {
  const { pythonLiteralToJson, parseValueExpr } = await import("../../src/shared/feeds.js");
  assert.equal(pythonLiteralToJson(`[["This is fine.", "That's ok."]]`), `[["This is fine.", "That's ok."]]`);
  assert.equal(pythonLiteralToJson(`('a "b"', True, False, None)`), `["a \\"b\\"", true, false, null]`);
  const t = parseValueExpr(`[["This is fine.", "That's ok."]]`, DT.DT_STRING, "A");
  assert.deepEqual(
    (t.values as Uint8Array[]).map((b) => new TextDecoder().decode(b)),
    ["This is fine.", "That's ok."],
  );
  assert.deepEqual(t.shape, [1, 2]);
});
