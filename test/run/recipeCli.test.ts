/** The run form's "Copy as" command lines (built from form inputs) run through our own CLI and give the form's result. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { cliCommand } from "../../src/webview/run/copyAs.js";
import { buildRecipe, INPUTS_NPZ } from "../../src/webview/run/recipe.js";
import { buildExamples } from "../../src/webview/run/examples.js";
import { fillTensor } from "../../src/webview/run/fill.js";
import { encodeNpz } from "../../src/savedmodel/npy.js";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";
import type { RunInputInfo } from "../../src/protocol/run.js";

function bashWords(line: string): string[] {
  const r = spawnSync("bash", ["-c", `set -- ${line}; printf '%s\\0' "$@"`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\0").slice(0, -1);
}

async function runCli(
  line: string,
  cwd: string,
): Promise<{ outputs: Record<string, { shape: number[]; values: number[] }> }> {
  const [tool, ...argv] = bashWords(line);
  assert.equal(tool, "savedmodel");
  let out = "";
  let err = "";
  const code = await main([...argv, "--json"], { out: (s) => (out += s), err: (s) => (err += s), cwd });
  assert.equal(code, 0, err);
  return JSON.parse(out);
}

const xSpec: RunInputInfo = {
  key: "x",
  tensorName: "x:0",
  dtype: DT.DT_FLOAT,
  dtypeShort: "float32",
  shape: [-1, 1],
  hasDefault: false,
};

test(
  "tf.Example builder -> classify command line -> our CLI gives the same scores",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const ex = buildExamples([
      [{ name: "x", kind: "float", values: "3" }],
      [{ name: "x", kind: "float", values: "-1" }],
    ]);
    assert.ok(ex.ok);
    if (!ex.ok) return;
    const inputs: RunInputInfo[] = [
      { key: "inputs", tensorName: "tf_example:0", dtype: DT.DT_STRING, dtypeShort: "string", hasDefault: false },
    ];
    const { recipe } = buildRecipe(
      {
        dir: fixturePath("serving-half-plus-two-cpu"),
        tags: ["serve"],
        signature: "classify_x_to_y",
        methodName: "tensorflow/serving/classify",
        inputs,
      },
      {
        inputs: {
          source: { kind: "examples", features: [] },
          tensor: ex.tensor,
          examples: { dicts: ex.dicts, floats: ex.floats },
        },
      },
    );
    const j = await runCli(cliCommand(recipe, "savedmodel"), process.cwd());
    assert.deepEqual(j.outputs.scores.values, [3.5, 1.5]);
  },
);

test(
  "a big generated input goes through inputs.npz (what 'Save Inputs as .npz' writes)",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const x = fillTensor("range", DT.DT_FLOAT, [5000, 1]);
    const { recipe, needsNpz } = buildRecipe(
      {
        dir: fixturePath("serving-half-plus-two-cpu"),
        tags: ["serve"],
        signature: "serving_default",
        methodName: "tensorflow/serving/predict",
        inputs: [xSpec],
      },
      { x: { source: { kind: "fill", fill: "range", dims: [5000] }, tensor: x } },
    );
    assert.deepEqual(needsNpz, ["x"]);
    const dir = mkdtempSync(join(tmpdir(), "run-recipe-"));
    try {
      writeFileSync(join(dir, INPUTS_NPZ), encodeNpz({ x }));
      const j = await runCli(cliCommand(recipe, "savedmodel"), dir);
      assert.deepEqual(j.outputs.y.shape, [5000, 1]);
      assert.equal(j.outputs.y.values[4999], 0.5 * 4999 + 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
