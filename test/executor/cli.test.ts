/** `savedmodel run` / `scan` with saved_model_cli's syntax, plus the pure input parsers. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeNpy, encodeNpy, encodeNpz } from "../../src/savedmodel/npy.js";
import { tensorflow } from "../../src/savedmodel/proto.js";
import type { DecodedTensor } from "../../src/savedmodel/tensor.js";
import { parseValueExpr, splitAssignments } from "../../src/shared/feeds.js";
import { decodeExample } from "./helpers/exampleDecode.js";
import { examplesFromJson } from "../../src/shared/example.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "./helpers/bundle.js";

let X: ExecutorBundle;
const tmp = mkdtempSync(join(tmpdir(), "sm-run-"));
before(async () => {
  X = await loadExecutorBundle();
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(cmd: "run" | "scan", args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { out: (s: string) => (out += s), err: (s: string) => (err += s), cwd: tmp };
  let code: number;
  try {
    code = await (cmd === "run" ? X.runCommand : X.scanCommand)(args, io);
  } catch (e) {
    err += (e as Error).message;
    code = (e as Error).constructor.name === "UsageError" ? 2 : 1;
  }
  return { code, out, err };
}

describe("input parsing (pure)", () => {
  test("splitAssignments keeps ';' inside brackets and quotes", () => {
    assert.deepEqual(splitAssignments(`a=[1, 2];b="x;y";c=np.ones((2,3))`, "--input_exprs"), [
      ["a", "[1, 2]"],
      ["b", `"x;y"`],
      ["c", "np.ones((2,3))"],
    ]);
  });
  test("parseValueExpr: nested lists, dtypes, numpy constructors, errors", () => {
    const t = parseValueExpr("[[1.0, 2.0], [3, 4]]", 1, "x");
    assert.deepEqual(t.shape, [2, 2]);
    assert.deepEqual(Array.from(t.values as Float32Array), [1, 2, 3, 4]);
    const i = parseValueExpr("[3, 1000000000000]", 9, "x");
    assert.deepEqual(Array.from(i.values as BigInt64Array), [3n, 1000000000000n]);
    const b = parseValueExpr("[True, False]", 10, "x");
    assert.deepEqual(Array.from(b.values as Uint8Array), [1, 0]);
    const s = parseValueExpr(`["a", 'b']`, 7, "x");
    assert.deepEqual(
      (s.values as Uint8Array[]).map((v) => new TextDecoder().decode(v)),
      ["a", "b"],
    );
    assert.deepEqual(parseValueExpr("np.array([[1, 2]], dtype=np.float32)", 1, "x").shape, [1, 2]);
    const o = parseValueExpr("np.ones((2, 3))", 1, "x");
    assert.deepEqual(o.shape, [2, 3]);
    assert.equal((o.values as Float32Array)[5], 1);
    assert.throws(() => parseValueExpr("[[1], [2, 3]]", 1, "x"), /ragged/);
    assert.throws(() => parseValueExpr("foo(", 1, "x"), /cannot parse/);
  });
  test("examplesFromJson: floats by spelling, ints as int64, strings as bytes", () => {
    const [ex] = examplesFromJson(`[{"f":[1.0, 2.5], "i":[3], "s":["ab"]}]`);
    const m = decodeExample(ex);
    assert.deepEqual(m.get("f"), { kind: "float", values: [1, 2.5] });
    assert.deepEqual(m.get("i"), { kind: "int64", values: [3] });
    assert.deepEqual(m.get("s"), { kind: "bytes", values: ["ab"] });
  });
});

describe("savedmodel run", { skip: skipNoFixtures }, () => {
  const dir = fixturePath("serving-half-plus-two-cpu");
  test("--input_exprs prints numpy-like results", async () => {
    const r = await cli("run", [
      dir,
      "--tag_set",
      "serve",
      "--signature_def",
      "serving_default",
      "--input_exprs",
      "x=[[1.0], [2.0], [5.0]]",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Result for output key y:\n\[\[2\.5\]\n \[3\]\n \[4\.5\]\]/);
  });
  test("--input_examples on a classify signature, --json", async () => {
    const r = await cli("run", [
      "--dir",
      dir,
      "--signature_def",
      "classify_x_to_y",
      "--input_examples",
      'inputs=[{"x":[1.0]},{"x":[3.0]}]',
      "--json",
    ]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.schema, "savedmodel.run/1");
    assert.deepEqual(j.outputs.scores, { dtype: "float32", shape: [2, 1], values: [2.5, 3.5] });
  });
  test("--inputs from .npy, .npz[name] and .json; --outdir writes .npy; --overwrite", async () => {
    writeFileSync(join(tmp, "x.npy"), encodeNpy({ dtype: 1, shape: [2, 1], values: Float32Array.of(2, 4) }));
    writeFileSync(
      join(tmp, "in.npz"),
      encodeNpz({
        a: { dtype: 1, shape: [1, 1], values: Float32Array.of(10) },
        b: { dtype: 1, shape: [1, 1], values: Float32Array.of(0) },
      }),
    );
    writeFileSync(join(tmp, "x.json"), "[[6.0]]");
    const out = join(tmp, "out");
    let r = await cli("run", [dir, "--signature_def", "serving_default", "--inputs", "x=x.npy", "--outdir", out]);
    assert.equal(r.code, 0, r.err);
    const y = decodeNpy(readFileSync(join(out, "y.npy")));
    assert.deepEqual(Array.from(y.values as Float32Array), [3, 4]);
    r = await cli("run", [dir, "--signature_def", "serving_default", "--inputs", "x=in.npz[a]", "--outdir", out]);
    assert.equal(r.code, 2);
    assert.match(r.err, /exists; pass --overwrite/);
    r = await cli("run", [
      dir,
      "--signature_def",
      "serving_default",
      "--inputs",
      "x=in.npz[a]",
      "--outdir",
      out,
      "--overwrite",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(Array.from(decodeNpy(readFileSync(join(out, "y.npy"))).values as Float32Array), [7]);
    r = await cli("run", [dir, "--signature_def", "serving_default", "--inputs", "x=x.json", "--json"]);
    assert.deepEqual(JSON.parse(r.out).outputs.y.values, [5]);
    r = await cli("run", [dir, "--signature_def", "serving_default", "--inputs", "x=in.npz"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /holds a, b; pick one/);
  });
  test("never writes into the export folder; clear usage errors", async () => {
    let r = await cli("run", [dir, "--input_exprs", "x=[[1.0]]", "--outdir", join(dir, "out")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /inside the export folder/);
    assert.ok(!existsSync(join(dir, "out")));
    r = await cli("run", [dir, "--signature_def", "nope"]);
    assert.match(r.err, /no signature "nope"/);
    r = await cli("run", [dir, "--input_exprs", "z=[1.0]"]);
    assert.match(r.err, /has no input "z"/);
  });
  test("int64 outputs keep their dtype through .npy", async () => {
    const out = join(tmp, "out64");
    const r = await cli("run", [fixturePath("tfjs-int64-multiply"), "--input_exprs", "x=[2, 7]", "--outdir", out]);
    assert.equal(r.code, 0, r.err);
    const t = decodeNpy(readFileSync(join(out, "output_0.npy")));
    assert.equal(t.dtype, 9);
    assert.deepEqual(Array.from(t.values as BigInt64Array), [12n, 42n]);
  });
  test("missing custom ops are listed with their nodes, exit 1", async () => {
    const r = await cli("run", [fixturePath("tfdf-adult-rf-custom-ops"), "--signature_def", "serving_default"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /SimpleMLInferenceOpWithHandle \(custom op\): .*inference_op/);
  });
});

describe("dtypes through run: .npy in, .npy out, signature dtype kept", () => {
  // dtype → sample values (int64 includes a value int32 cannot hold: it must warn, not wrap silently)
  const cases: [number, string, DecodedTensor][] = [
    [1, "float32", { dtype: 1, shape: [3], values: Float32Array.of(1.5, -2, 3.25) }],
    [2, "float64", { dtype: 2, shape: [2], values: Float64Array.of(0.5, -1e10) }],
    [3, "int32", { dtype: 3, shape: [2], values: Int32Array.of(-7, 2147483647) }],
    [9, "int64", { dtype: 9, shape: [2], values: BigInt64Array.of(-3n, 40n) }],
    [4, "uint8", { dtype: 4, shape: [3], values: Uint8Array.of(0, 128, 255) }],
    [6, "int8", { dtype: 6, shape: [2], values: Int8Array.of(-128, 127) }],
    [5, "int16", { dtype: 5, shape: [2], values: Int16Array.of(-32768, 32767) }],
    [17, "uint16", { dtype: 17, shape: [2], values: Uint16Array.of(0, 65535) }],
    [22, "uint32", { dtype: 22, shape: [2], values: Uint32Array.of(0, 2147483647) }],
    [10, "bool", { dtype: 10, shape: [3], values: Uint8Array.of(1, 0, 1) }],
  ];
  function identityModel(dtype: number): string {
    const dir = mkdtempSync(join(tmp, "id-"));
    const sm = tensorflow.SavedModel.create({
      savedModelSchemaVersion: 1,
      metaGraphs: [
        {
          metaInfoDef: { tags: ["serve"] },
          graphDef: {
            node: [
              { name: "x", op: "Placeholder", attr: { dtype: { type: dtype } } },
              { name: "y", op: "Identity", input: ["x"], attr: { T: { type: dtype } } },
            ],
            versions: { producer: 1000 },
          },
          signatureDef: {
            serving_default: {
              methodName: "tensorflow/serving/predict",
              inputs: { x: { name: "x:0", dtype } },
              outputs: { y: { name: "y:0", dtype } },
            },
          },
        },
      ],
    });
    writeFileSync(join(dir, "saved_model.pb"), tensorflow.SavedModel.encode(sm).finish());
    return dir;
  }
  for (const [dtype, name, t] of cases) {
    test(name, async () => {
      const dir = identityModel(dtype);
      writeFileSync(join(tmp, `${name}.npy`), encodeNpy(t));
      const out = join(tmp, `out-${name}`);
      const r = await cli("run", [dir, "--inputs", `x=${name}.npy`, "--outdir", out]);
      assert.equal(r.code, 0, r.err);
      const y = decodeNpy(readFileSync(join(out, "y.npy")));
      assert.equal(y.dtype, dtype);
      assert.deepEqual(y.shape, t.shape);
      const want = Array.from(t.values as ArrayLike<number | bigint>, Number);
      const got = Array.from(y.values as ArrayLike<number | bigint>, Number);
      if (name === "float64") got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= Math.abs(want[i]) * 1e-7));
      else assert.deepEqual(got, want);
    });
  }
  test("int64 beyond int32 warns instead of wrapping silently", async () => {
    const dir = identityModel(9);
    writeFileSync(join(tmp, "big.npy"), encodeNpy({ dtype: 9, shape: [1], values: BigInt64Array.of(6000000000n) }));
    const r = await cli("run", [dir, "--inputs", "x=big.npy"]);
    assert.equal(r.code, 0);
    assert.match(r.err, /warning: input "x": int64 value 6000000000 does not fit int32/);
  });
});

describe("savedmodel scan", { skip: skipNoFixtures }, () => {
  test("a clean model: saver ops noted, not listed", async () => {
    const r = await cli("scan", [fixturePath("serving-half-plus-two-cpu")]);
    assert.equal(r.code, 0);
    assert.match(r.out, /does not contain denylisted ops \(2 op\(s\) of the checkpoint saver/);
    const all = await cli("scan", [fixturePath("serving-half-plus-two-cpu"), "--all"]);
    assert.match(all.out, /SaveV2: node "save\/SaveV2" in the top-level graph; checkpoint saver/);
  });
  test("custom ops (native code) are named with their nodes", async () => {
    const r = await cli("scan", [fixturePath("tfdf-adult-rf-custom-ops")]);
    assert.match(
      r.out,
      /custom ops \(not TensorFlow's; they load native code\): .*SimpleMLInferenceOpWithHandle \(\d+ nodes?, e\.g\. "__inference_call_\d+\/inference_op"\)/,
    );
    const j = JSON.parse((await cli("scan", [fixturePath("serving-tf-text-regression"), "--json"])).out);
    assert.ok(j.metaGraphs[0].customOps.some((c: { op: string }) => c.op === "SentencepieceOp"));
    assert.deepEqual(
      JSON.parse((await cli("scan", [fixturePath("potato-cnn-tf29"), "--json"])).out).metaGraphs[0].customOps,
      [],
    );
  });
  test("--op_denylist finds ops inside library functions with the signatures reaching them", async () => {
    const r = await cli("scan", [fixturePath("tfjs-times-three-float"), "--op_denylist", "Mul", "--json"]);
    assert.equal(r.code, 3);
    const j = JSON.parse(r.out);
    const f = j.metaGraphs[0].findings[0];
    assert.equal(f.op, "Mul");
    assert.match(f.fn, /__inference/);
    assert.deepEqual(f.reachedFrom, ["serving_default"]);
  });
});
