/** `--run`: both exports run on the same inputs; outputs compared with --atol; exit 4 when beyond it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.js";
import type { DiffReport } from "../../src/savedmodel/diff/index.js";
import { compareOutputs, randomInputs } from "../../src/savedmodel/diff/index.js";
import { tinyTf1, writeTemp } from "./pairs.js";

async function diff(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await main(["diff", ...argv], { out: (s) => (out += s), err: (s) => (err += s), cwd: process.cwd() });
  return { code, out, err, json: argv.includes("--json") && out ? (JSON.parse(out) as DiffReport) : undefined };
}

test("--run on exports whose weights differ by 0.5 in one element: exact output deltas, exit 4", async () => {
  const a = await writeTemp(tinyTf1(), "run-a");
  const b = await writeTemp(tinyTf1({ w: [1, 2, 3, 4.5] }), "run-b");
  const r = await diff(
    a,
    b,
    "--run",
    "serving_default",
    "--input_exprs",
    "x=[[1,1,1,1],[2,2,2,2]]",
    "--only",
    "contract",
    "--json",
    "--backend",
    "cpu",
  );
  assert.equal(r.code, 4, r.err);
  const bh = r.json!.behaviour!;
  assert.equal(bh.inputs, "given");
  assert.equal(bh.outputs.length, 1);
  const y = bh.outputs[0];
  assert.equal(y.key, "y");
  assert.equal(y.maxAbs, 1); // 2 · 0.5 in row 2
  assert.equal(y.meanAbs, (0.5 + 1) / 8);
  assert.equal(y.argmaxChanged, 0); // the last column is the largest either way
  assert.equal(y.equal, false);
  assert.equal(r.json!.summary.outputsBeyondAtol, true);
  const loose = await diff(
    a,
    b,
    "--run",
    "serving_default",
    "--input_exprs",
    "x=[[1,1,1,1],[2,2,2,2]]",
    "--only",
    "contract",
    "--atol",
    "1",
    "--backend",
    "cpu",
  );
  assert.equal(loose.code, 0, loose.out + loose.err);
  const seeded = await diff(a, a, "--run", "serving_default", "--only", "contract", "--json", "--backend", "cpu");
  assert.equal(seeded.code, 0);
  assert.equal(seeded.json!.behaviour!.inputs, "seeded_random");
  assert.equal(seeded.json!.behaviour!.outputs[0].maxAbs, 0);
});

test("seeded random inputs are reproducible; argmax changes are counted per row", () => {
  const specs = [{ key: "x", dtype: 1, shape: [-1, 3] }];
  const x1 = randomInputs(specs, 7).x;
  const x2 = randomInputs(specs, 7).x;
  assert.deepEqual(x1, x2);
  assert.deepEqual(x1.shape, [4, 3]);
  const a = { p: { dtype: 1, shape: [2, 2], values: Float32Array.from([0.9, 0.1, 0.2, 0.8]) } };
  const b = { p: { dtype: 1, shape: [2, 2], values: Float32Array.from([0.4, 0.6, 0.2, 0.8]) } };
  const r = compareOutputs("s", a, b, 1e-6, { kind: "given" });
  assert.equal(r.outputs[0].argmaxChanged, 0.5);
  assert.equal(r.outputs[0].maxAbs, Math.fround(0.6) - Math.fround(0.1));
  assert.equal(r.beyondAtol, true);
});
