import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.js";
import type { ShowJson } from "../src/cli/show.js";
import { decodeNpz } from "../src/savedmodel/npy.js";
import { fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: process.cwd() });
  return { code, out, err };
}

test(
  "show lists tag-sets, signature keys and one signature like saved_model_cli",
  { skip: skipNoFixtures },
  async () => {
    const dir = fixturePath("serving-half-plus-two-cpu");
    const tags = await cli("show", dir);
    assert.equal(tags.out, "The given SavedModel contains the following tag-sets:\n'serve'\n");
    const keys = await cli("show", "--dir", dir, "--tag_set", "serve");
    assert.match(
      keys.out,
      /^The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\nSignatureDef key: "classify_x_to_y"\n/,
    );
    const one = await cli("show", dir, "--tag_set", "serve", "--signature_def", "serving_default");
    assert.equal(
      one.out,
      [
        "The given SavedModel SignatureDef contains the following input(s):",
        "  inputs['x'] tensor_info:",
        "      dtype: DT_FLOAT",
        "      shape: (-1, 1)",
        "      name: x:0",
        "The given SavedModel SignatureDef contains the following output(s):",
        "  outputs['y'] tensor_info:",
        "      dtype: DT_FLOAT",
        "      shape: (-1, 1)",
        "      name: y:0",
        "Method name is: tensorflow/serving/predict",
        "",
      ].join("\n"),
    );
    const bad = await cli("show", dir, "--tag_set", "gpu");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /could not be found in SavedModel; available tag-sets: 'serve'/);
  },
);

test("show --all prints every signature and, for TF2, the concrete functions", { skip: skipNoFixtures }, async () => {
  const r = await cli("show", fixturePath("tfjs-module-with-multiple-signatures"), "--all");
  assert.equal(r.code, 0);
  assert.match(
    r.out,
    /\nMetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:\n\nsignature_def\['__saved_model_init_op'\]:\n/,
  );
  assert.match(
    r.out,
    /\nsignature_def\['timestwo'\]:\n  The given SavedModel SignatureDef contains the following input\(s\):\n/,
  );
  assert.match(r.out, /\nConcrete Functions:\n  Function Name: '/);
  assert.match(r.out, /      Callable with:\n        Argument #1\n          \w+: TensorSpec\(shape=/);
});

test("show --json follows the documented schema and matches the text output", { skip: skipNoFixtures }, async () => {
  const r = await cli("show", fixturePath("potato-cnn-tf29"), "--all", "--json");
  const j = JSON.parse(r.out) as ShowJson;
  assert.equal(j.schema, "savedmodel.show/1");
  assert.deepEqual(j.tagSets, [["serve"]]);
  const sig = j.metaGraphs[0].signatures.find((s) => s.key === "serving_default")!;
  assert.equal(sig.inputs[0].dtypeName, "DT_FLOAT");
  assert.deepEqual(sig.inputs[0].shape, [-1, 256, 256, 3]);
  assert.ok((j.metaGraphs[0].concreteFunctions ?? []).length > 0);
});

test(
  "vars prints statistics, full values, and exports npz outside the export folder only",
  { skip: skipNoFixtures },
  async () => {
    const dir = fixturePath("serving-half-plus-two-cpu");
    const table = await cli("vars", dir);
    assert.match(table.out, /^name\s+dtype\s+shape\s+bytes\s+min\s+max\s+mean\s+std\s+nan\s+inf\s+zeros\n/);
    assert.match(table.out, /\na\s+float32\s+\[\]\s+4\s+0\.5/);
    const one = await cli("vars", dir, "b");
    assert.match(one.out, /\n2\n$/);
    const out = join(mkdtempSync(join(tmpdir(), "smx-")), "vars.npz");
    const ex = await cli("vars", dir, "--export", out);
    assert.equal(ex.code, 0, ex.err);
    const npz = await decodeNpz(readFileSync(out), out);
    assert.equal((npz["a"].values as Float32Array)[0], 0.5);
    assert.equal((npz["b"].values as Float32Array)[0], 2);
    const inside = await cli("vars", dir, "--export", join(dir, "x.npz"));
    assert.equal(inside.code, 2);
    assert.match(inside.err, /inside the export folder/);
    assert.equal(existsSync(join(dir, "x.npz")), false);
  },
);

test("vars prints every value at full precision, never elided", { skip: skipNoFixtures }, async () => {
  const r = await cli("vars", fixturePath("potato-cnn-tf29"), "conv2d/kernel");
  assert.equal(r.code, 0);
  assert.ok(!r.out.includes("..."));
  const numbers =
    r.out
      .split("\n")
      .slice(2)
      .join(" ")
      .match(/-?\d+\.\d+(e-?\d+)?/g) ?? [];
  assert.equal(numbers.length, 3 * 3 * 3 * 32);
});

test("errors name the file and what is wrong, with exit code 1", { skip: skipNoFixtures }, async () => {
  const r = await cli("show", fixturePath("corrupt-binary-named-pbtxt"));
  assert.equal(r.code, 1);
  assert.match(r.err, /saved_model\.pbtxt \(offset 7\): truncated or corrupt/);
  const none = await cli("show", tmpdir());
  assert.equal(none.code, 1);
  assert.match(none.err, /not a SavedModel export folder/);
});
