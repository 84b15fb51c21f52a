import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cliCommand,
  curlCommand,
  pythonSnippet,
  quotePosix,
  servingRequest,
  valueLiteral,
  type RunRecipe,
} from "../../src/webview/run/copyAs.js";
import { main } from "../../src/cli/main.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";

/** How bash splits a command line into words (the real shell, not our guess). */
function bashWords(line: string): string[] {
  const r2 = spawnSync("bash", ["-c", `set -- ${line}; printf '%s\\0' "$@"`], { encoding: "utf8" });
  assert.equal(r2.status, 0, r2.stderr);
  return r2.stdout.split("\0").slice(0, -1);
}

const recipe = (dir: string): RunRecipe => ({
  dir,
  tags: ["serve"],
  signature: "serving_default",
  methodName: "tensorflow/serving/predict",
  inputs: [{ key: "x", kind: "expr", dtype: "float32", shape: [3, 1], value: [[1], [2], [5]] }],
});

test("POSIX quoting survives quotes, spaces and shell metacharacters", () => {
  for (const s of ["plain", "with space", "it's", '$HOME `x` $(y) \\ " ; & | < > * ?', "[1.0, 2.0]", ""]) {
    assert.deepEqual(bashWords(`printf ${quotePosix(s)}`), ["printf", s]);
  }
});

test("values keep floats as floats and spell bools and specials like saved_model_cli expects", () => {
  assert.equal(valueLiteral([[1], [2.5]], "float32"), "[[1.0], [2.5]]");
  assert.equal(valueLiteral([1, 2], "int64"), "[1, 2]");
  assert.equal(valueLiteral([true, false], "bool"), "[True, False]");
  assert.equal(valueLiteral(["a b", "c'd"], "string"), '["a b", "c\'d"]');
});

test("the command line names the same dir, tags, signature and inputs (saved_model_cli syntax)", () => {
  const line = cliCommand(
    {
      ...recipe("/tmp/my export/1"),
      inputs: [...recipe("").inputs, { key: "y", kind: "file", dtype: "float32", shape: [2], file: "in.npz[y]" }],
    },
    "saved_model_cli",
  );
  assert.deepEqual(bashWords(line), [
    "saved_model_cli",
    "run",
    "--dir",
    "/tmp/my export/1",
    "--tag_set",
    "serve",
    "--signature_def",
    "serving_default",
    "--inputs",
    "y=in.npz[y]",
    "--input_exprs",
    "x=[[1.0], [2.0], [5.0]]",
  ]);
});

test(
  "the savedmodel command line round-trips through our own CLI",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const line = cliCommand(recipe(fixturePath("serving-half-plus-two-cpu")), "savedmodel");
    const [, ...argv] = bashWords(line);
    let out = "";
    let err = "";
    const code = await main([...argv, "--json"], {
      out: (s) => (out += s),
      err: (s) => (err += s),
      cwd: process.cwd(),
    });
    assert.equal(code, 0, err);
    const j = JSON.parse(out);
    assert.equal(j.schema, "savedmodel.run/1");
    assert.deepEqual(j.outputs.y.shape, [3, 1]);
    assert.deepEqual(j.outputs.y.values, [2.5, 3, 4.5]);
  },
);

test("the Python snippet and TF Serving request carry the same inputs", () => {
  const py = pythonSnippet(recipe("/m"));
  assert.match(py, /model = tf\.saved_model\.load\("\/m", tags=\["serve"\]\)/);
  assert.match(py, /"x": tf\.constant\(np\.array\(\[\[1\.0\], \[2\.0\], \[5\.0\]\], dtype=np\.float32\)\)/);
  const req = servingRequest(recipe("/m"));
  assert.equal(req.verb, "predict");
  assert.deepEqual(JSON.parse(req.body), { signature_name: "serving_default", inputs: { x: [[1], [2], [5]] } });
  const ex = servingRequest({
    ...recipe("/m"),
    methodName: "tensorflow/serving/classify",
    signature: "classify_x_to_y",
    inputs: [{ key: "inputs", kind: "examples", examples: [{ x: [1.0] }] }],
  });
  assert.equal(ex.verb, "classify");
  assert.deepEqual(JSON.parse(ex.body), { signature_name: "classify_x_to_y", examples: [{ x: [1] }] });
  const curl = bashWords(curlCommand(recipe("/m"), "half_plus_two"));
  assert.deepEqual(curl.slice(0, 3), ["curl", "-X", "POST"]);
  assert.equal(curl[3], "http://localhost:8501/v1/models/half_plus_two:predict");
  assert.deepEqual(JSON.parse(curl[curl.length - 1]).inputs.x, [[1], [2], [5]]);
});
