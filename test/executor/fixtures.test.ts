/** Runs the real TensorFlow exports: known answers where TF's are known, sanity + determinism elsewhere. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "./helpers/bundle.js";

type Session = Awaited<ReturnType<ExecutorBundle["loadSession"]>>;
let X: ExecutorBundle;
const sessions: Session[] = [];

async function open(name: string, backend: "wasm" | "cpu" = "wasm"): Promise<Session> {
  const s = await X.loadSession(new X.NodeFileAccess(fixturePath(name)), { backend });
  sessions.push(s);
  return s;
}

const f32 = (values: number[], shape: number[]) => ({ dtype: 1, shape, values: Float32Array.from(values) });
const nums = (t: { values: unknown }) => Array.from(t.values as ArrayLike<number | bigint>, Number);
const close = (got: number[], want: number[], eps = 1e-5) => {
  assert.equal(got.length, want.length, `got ${got} want ${want}`);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= eps, `element ${i}: got ${g}, want ${want[i]}`));
};

before(async () => {
  X = await loadExecutorBundle();
});
after(() => {
  for (const s of sessions) s.dispose();
});

const HALF_PLUS_TWO = [
  "serving-half-plus-two-cpu",
  "serving-half-plus-two-cpu-with-saved-model-config",
  "serving-half-plus-two-gpu",
  "serving-half-plus-two-mkl",
  "serving-half-plus-two-mlmd",
  "serving-half-plus-two-tf2-cpu",
  "tfcc-half-plus-two-main-op",
  "tfcc-half-plus-two-pbtxt",
  "tfcc-half-plus-two-v2",
];

describe("half_plus_two / half_plus_three: y = 0.5x + 2 (or + 3)", { skip: skipNoFixtures }, () => {
  for (const name of HALF_PLUS_TWO) {
    test(`${name}: every signature`, async () => {
      const s = await open(name);
      let checked = 0;
      for (const sig of s.signatures()) {
        const input = sig.inputs[0];
        const out = sig.outputs[0];
        // y = 0.5x + 2; y2 = 0.5x + 3 ("_y2"); y3 = 0.5*x2 + 3 (x2 input)
        const plus = /y2$|y3$/.test(sig.key) || /x2/.test(sig.key) ? 3 : 2;
        // The mkl variant's y2/y3 are a Conv2D branch of shape [1, 10, 10, 1], not 0.5x + 3.
        if (out.shape?.length === 4) {
          const r4 = await s.run(
            sig.key,
            input.dtype === 7
              ? { [input.key]: { dtype: 7, shape: [1], values: X.examplesFromJson('[{"x":[1.0]}]') } }
              : { [input.key]: f32([1], [1, 1]) },
          );
          assert.deepEqual(r4.outputs[out.key].shape, [1, 10, 10, 1]);
          checked++;
          continue;
        }
        const xs = input.shape && input.shape[0] > 0 ? [1, 2, 5].slice(0, input.shape[0]) : [1, 2, 5];
        let r;
        if (input.dtype === 7) {
          const feature = /x2/.test(sig.key) ? "x2" : "x";
          const ex = X.examplesFromJson(
            JSON.stringify(xs.map((x) => ({ [feature]: [{ __f: x }] }))).replace(/\{"__f":(\d+)\}/g, "$1.0"),
          );
          r = await s.run(sig.key, { [input.key]: { dtype: 7, shape: [xs.length], values: ex } });
        } else {
          const shape = input.shape?.length === 2 ? [xs.length, 1] : [xs.length];
          r = await s.run(sig.key, { [input.key]: f32(xs, shape) });
        }
        const y = r.outputs[out.key];
        assert.equal(y.dtype, 1, `${sig.key} output dtype`);
        close(
          nums(y),
          xs.map((x) => 0.5 * x + plus),
        );
        checked++;
      }
      assert.ok(checked >= 2, `only ${checked} signatures checked`);
    });
  }

  test("serving-half-plus-three: predict and the method-named regress signature", async () => {
    const s = await open("serving-half-plus-three");
    const r = await s.run("serving_default", { x: f32([1, 2, 5], [3]) });
    close(nums(r.outputs.y), [3.5, 4, 5.5]);
    const ex = X.examplesFromJson('[{"x":[1.0]},{"x":[4.0]}]');
    const r2 = await s.run("tensorflow/serving/regress", { inputs: { dtype: 7, shape: [2], values: ex } });
    close(nums(r2.outputs.outputs), [3.5, 5]);
  });

  test("SignatureDef.defaults stand in for inputs not given (TF 2.14 export)", async () => {
    const s = await open("serving-half-plus-two-tf2-cpu");
    assert.deepEqual(s.signatures().find((g) => g.key === "serving_default")!.defaults, ["x"]);
    const r = await s.run("serving_default", {});
    close(nums(r.outputs.y), [2]);
  });

  test("serving-matrix-half-plus-two (graph only, no variables): elementwise 0.5x + 2", async () => {
    const s = await open("serving-matrix-half-plus-two");
    const sig = s.signatures()[0];
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const shape = (sig.inputs[0].shape ?? [3, 3]).map((d) => (d < 0 ? 1 : d));
    const n = shape.reduce((p, q) => p * q, 1);
    const r = await s.run(sig.key, { [sig.inputs[0].key]: f32(x.slice(0, n), shape) });
    close(
      nums(Object.values(r.outputs)[0]),
      x.slice(0, n).map((v) => 0.5 * v + 2),
    );
  });

  test("cpu backend gives the same answers", async () => {
    const s = await open("serving-half-plus-two-cpu", "cpu");
    assert.equal(s.backend, "cpu");
    const r = await s.run("serving_default", { x: f32([1, 2, 5], [3, 1]) });
    close(nums(r.outputs.y), [2.5, 3, 4.5]);
  });
});

describe("tfjs test models", { skip: skipNoFixtures }, () => {
  test("times-three-float: 3x", async () => {
    const s = await open("tfjs-times-three-float");
    const r = await s.run("serving_default", { x: f32([7], []) });
    close(nums(r.outputs.output_0), [21]);
  });
  test("times-two-int: 2x as int32", async () => {
    const s = await open("tfjs-times-two-int");
    const r = await s.run("serving_default", { x: { dtype: 3, shape: [], values: Int32Array.of(21) } });
    assert.equal(r.outputs.output_0.dtype, 3);
    assert.deepEqual(nums(r.outputs.output_0), [42]);
  });
  test("intermediates: a top-level tensor and a tensor inside a library function", async () => {
    const s = await open("tfjs-times-three-float");
    let inner = "";
    for (const [name, f] of s.state.program.functions) {
      const mul = (f.nodeDef ?? []).find((n) => n.op === "Mul");
      if (mul) inner = `${name}/${mul.name}:0`;
    }
    assert.ok(inner, "a function with a Mul");
    const r = await s.run(
      "serving_default",
      { x: f32([7], []) },
      { fetchIntermediates: [inner, "serving_default_x:0"] },
    );
    close(nums(r.intermediates![inner]), [21]);
    close(nums(r.intermediates!["serving_default_x:0"]), [7]);
    await assert.rejects(
      s.run("serving_default", { x: f32([7], []) }, { fetchIntermediates: ["nope/x:0"] }),
      /no node "nope\/x"/,
    );
  });
  test("module-with-multiple-signatures: timestwo and serving_default", async () => {
    const s = await open("tfjs-module-with-multiple-signatures");
    close(nums((await s.run("timestwo", { x: f32([4], []) })).outputs.output_0), [8]);
    assert.deepEqual(
      s.signatures().map((g) => g.key),
      ["serving_default", "timestwo"],
    );
  });
  test("int64-multiply: int64 out, and a clear warning when int32 wraps", async () => {
    const s = await open("tfjs-int64-multiply");
    const sig = s.signatures()[0];
    const key = sig.inputs[0].key;
    const r = await s.run("serving_default", { [key]: { dtype: 9, shape: [2], values: BigInt64Array.of(3n, 5n) } });
    const out = Object.values(r.outputs)[0];
    assert.equal(out.dtype, 9);
    assert.ok(out.values instanceof BigInt64Array);
    assert.deepEqual(nums(out), [18, 30]);
    assert.deepEqual(r.warnings, []);
    const big = await s.run("serving_default", {
      [key]: { dtype: 9, shape: [2], values: BigInt64Array.of(3n, 1000000000n) },
    });
    assert.ok(
      big.warnings.some((w) => /int32/.test(w) && /wrapped/.test(w)),
      `warnings: ${big.warnings}`,
    );
  });
  test("multi-output models return every output", async () => {
    for (const name of ["tfjs-model-multi-output", "tfjs-model-single-input-multi-output"]) {
      const s = await open(name);
      const sig = s.signatures()[0];
      const feeds: Record<string, { dtype: number; shape: number[]; values: Int32Array | Float32Array }> = {};
      for (const i of sig.inputs)
        feeds[i.key] = i.dtype === 3 ? { dtype: 3, shape: [], values: Int32Array.of(1) } : f32([1], []);
      const r = await s.run(sig.key, feeds);
      assert.deepEqual(Object.keys(r.outputs).sort(), sig.outputs.map((o) => o.key).sort());
    }
  });
});

describe("serving-counter: state persists between runs", { skip: skipNoFixtures }, () => {
  test("get → incr → incr_by 5 → get → reset → get", async () => {
    const s = await open("serving-counter");
    const get = async () => nums((await s.run("get_counter", {})).outputs.output)[0];
    assert.equal(await get(), 0);
    assert.equal(nums((await s.run("incr_counter", {})).outputs.output)[0], 1);
    assert.equal(nums((await s.run("incr_counter_by", { delta: f32([5], []) })).outputs.output)[0], 6);
    assert.equal(await get(), 6);
    assert.equal(nums((await s.run("reset_counter", {})).outputs.output)[0], 0);
    assert.equal(await get(), 0);
  });
});

/** Deterministic inputs for a signature (unknown dims = 2). */
function inputsFor(sig: { inputs: { key: string; dtype: number; shape?: number[] }[] }) {
  const feeds: Record<string, { dtype: number; shape: number[]; values: unknown }> = {};
  for (const i of sig.inputs) {
    const shape = (i.shape ?? [2]).map((d) => (d < 0 ? 2 : d));
    const n = shape.reduce((a, b) => a * b, 1);
    const values =
      i.dtype === 7
        ? Array.from({ length: n }, (_, k) =>
            new TextEncoder().encode(["the quick brown fox", "jumps over", "hello"][k % 3]),
          )
        : i.dtype === 9
          ? BigInt64Array.from({ length: n }, (_, k) => BigInt(k % 5))
          : i.dtype === 3
            ? Int32Array.from({ length: n }, (_, k) => k % 5)
            : i.dtype === 4
              ? Uint8Array.from({ length: n }, (_, k) => (k * 37) % 256)
              : Float32Array.from({ length: n }, (_, k) => ((k * 7) % 13) / 13);
    feeds[i.key] = { dtype: i.dtype, shape, values };
  }
  return feeds;
}

const SANITY: [string, string][] = [
  ["potato-cnn-tf29", "serving_default"],
  ["lstm-bbc-news-2shards", "serving_default"],
  ["keras3-transformer-tf217", "serving_default"],
  ["textvectorization-tf241", "serving_default"],
  ["mnist-softmax-tf15-classify", "predict_images"],
  ["serving-matrix-half-plus-two", "serving_default"],
  ["tfcc-x-plus-y-v2-debuginfo", "serving_default"],
  ["tfjs-uint8-multiply", "serving_default"],
  ["odapi-tf1-ssd-traffic-sign", "serving_default"],
];

describe("other complete fixtures: serving signature runs, finite, deterministic", { skip: skipNoFixtures }, () => {
  for (const [name, key] of SANITY) {
    test(name, async () => {
      const s = await open(name);
      const sig = s.signatures().find((g) => g.key === key)!;
      assert.ok(sig, `signature ${key}`);
      const feeds = inputsFor(sig);
      const a = await s.run(key, feeds as never);
      const b = await s.run(key, feeds as never);
      for (const o of sig.outputs) {
        const t = a.outputs[o.key];
        assert.ok(t, `output ${o.key}`);
        assert.equal(t.dtype, o.dtype, `${o.key} dtype`);
        if (o.shape) assert.equal(t.shape.length, o.shape.length, `${o.key} rank`);
        if (o.shape) o.shape.forEach((d, i) => d >= 0 && assert.equal(t.shape[i], d, `${o.key} dim ${i}`));
        if (!Array.isArray(t.values)) for (const v of nums(t)) assert.ok(Number.isFinite(v), `${o.key} has ${v}`);
        assert.deepEqual(b.outputs[o.key], t, `${o.key} differs between runs`);
      }
    });
  }

  test("softmax outputs of the Keras classifiers sum to 1", async () => {
    for (const name of ["potato-cnn-tf29", "lstm-bbc-news-2shards"]) {
      const s = await open(name);
      const sig = s.signatures()[0];
      const r = await s.run(sig.key, inputsFor(sig) as never);
      const out = Object.values(r.outputs)[0];
      const row = nums(out).slice(0, out.shape[out.shape.length - 1]);
      close([row.reduce((x, y) => x + y, 0)], [1], 1e-4);
    }
  });

  test("tf.Example estimators: classify and regress signatures", async () => {
    for (const name of ["tfx-taxi-estimator-2022", "tfx-taxi-estimator-2shards"]) {
      const s = await open(name);
      const ex = X.examplesFromJson('[{"trip_miles":[3.5],"fare":[12.0]},{"trip_miles":[10.0],"fare":[30.0]}]');
      const r = await s.run("classification", { inputs: { dtype: 7, shape: [2], values: ex } });
      assert.deepEqual(r.outputs.scores.shape, [2, 2]);
      for (let i = 0; i < 2; i++) close([nums(r.outputs.scores)[2 * i] + nums(r.outputs.scores)[2 * i + 1]], [1], 1e-5);
      const g = await s.run("regression", { inputs: { dtype: 7, shape: [2], values: ex } });
      assert.deepEqual(g.outputs.outputs.shape, [2, 1]);
    }
  });
});

describe("TFX exports", { skip: skipNoFixtures }, () => {
  test("tfx-taxi-keras (penguin): tf.Example serving function", async () => {
    const s = await open("tfx-taxi-keras");
    const ex = X.examplesFromJson(
      '[{"body_mass_g":[3750.0],"culmen_length_mm":[39.1],"culmen_depth_mm":[18.7],"flipper_length_mm":[181.0]}]',
    );
    const r = await s.run("serving_default", { examples: { dtype: 7, shape: [1], values: ex } });
    assert.deepEqual(r.outputs.output_0.shape, [1, 3]);
    await assert.rejects(
      s.run("serving_default", {
        examples: { dtype: 7, shape: [1], values: X.examplesFromJson('[{"body_mass_g":[1.0]}]') },
      }),
      /ParseExampleV2.*no feature "culmen_length_mm"|no feature "(culmen|flipper)/,
    );
  });
  test("tfx-tft-tf2-transform: sparse-component inputs, vocabulary tables from assets", async () => {
    const s = await open("tfx-tft-tf2-transform");
    const sig = s.signatures()[0];
    const keys = sig.inputs
      .map((i) => i.key)
      .sort((x, y) => Number(x.split("_")[1] ?? 0) - Number(y.split("_")[1] ?? 0));
    const feeds: Record<string, unknown> = {};
    for (let g = 0; g < keys.length / 3; g++) {
      const [ki, kv, ks] = keys.slice(3 * g, 3 * g + 3);
      const vs = sig.inputs.find((i) => i.key === kv)!;
      feeds[ki] = { dtype: 9, shape: [2, 2], values: BigInt64Array.of(0n, 0n, 1n, 0n) };
      feeds[kv] =
        vs.dtype === 7
          ? {
              dtype: 7,
              shape: [2],
              values: [new TextEncoder().encode("Cash"), new TextEncoder().encode("no such value")],
            }
          : vs.dtype === 9
            ? { dtype: 9, shape: [2], values: BigInt64Array.of(3n, 4n) }
            : { dtype: 1, shape: [2], values: Float32Array.of(1.5, 2.5) };
      feeds[ks] = { dtype: 9, shape: [2], values: BigInt64Array.of(2n, 1n) };
    }
    const r = await s.run("serving_default", feeds as never);
    assert.equal(Object.keys(r.outputs).length, 17);
    // "Cash" is in the payment_type vocabulary; an unknown value falls in an OOV bucket past it.
    const pay = nums(r.outputs.payment_type_xf);
    assert.equal(pay.length, 2);
    assert.ok(pay[0] < pay[1], `payment_type_xf ${pay}`);
    for (const v of nums(r.outputs.fare_xf)) assert.ok(Number.isFinite(v));
  });
});

describe("COO sparse signature inputs", { skip: skipNoFixtures }, () => {
  test("denseToCoo lists every element row-major", () => {
    const c = X.denseToCoo({ dtype: 1, shape: [2, 2], values: Float32Array.of(1, 2, 3, 4) });
    assert.deepEqual(Array.from(c.indices.values as BigInt64Array, Number), [0, 0, 0, 1, 1, 0, 1, 1]);
    assert.deepEqual(Array.from(c.denseShape.values as BigInt64Array, Number), [2, 2]);
  });
  test("tfx-tft-tf1-transform: a dense feed becomes the three COO tensors", async () => {
    const s = await open("tfx-tft-tf1-transform");
    const sig = s.signatures()[0];
    assert.ok(
      sig.inputs.every((i) => i.sparse),
      "inputs are COO sparse",
    );
    const feeds: Record<string, unknown> = {};
    for (const i of sig.inputs) {
      feeds[i.key] =
        i.dtype === 7
          ? {
              dtype: 7,
              shape: [2, 1],
              values: [new TextEncoder().encode("Cash"), new TextEncoder().encode("no such value")],
            }
          : i.dtype === 9
            ? { dtype: 9, shape: [2, 1], values: BigInt64Array.of(3n, 4n) }
            : { dtype: 1, shape: [2, 1], values: Float32Array.of(1.5, 2.5) };
    }
    const r = await s.run(sig.key, feeds as never);
    assert.equal(Object.keys(r.outputs).length, sig.outputs.length);
    for (const t of Object.values(r.outputs)) assert.deepEqual(t.shape, [2]);
    const pay = nums(r.outputs.payment_type_xf);
    assert.ok(pay[0] >= 0 && pay[0] !== pay[1], `payment_type_xf ${pay}`);
  });
});

describe("custom ops are reported, not crashed on", { skip: skipNoFixtures }, () => {
  test("tfdf-adult-rf-custom-ops lists the SimpleML ops with their nodes", async () => {
    const s = await open("tfdf-adult-rf-custom-ops");
    const missing = s.missingOps("serving_default");
    const ops = missing.map((m) => m.op);
    assert.ok(ops.includes("SimpleMLInferenceOpWithHandle"), ops.join());
    assert.ok(missing.every((m) => m.custom && m.nodes.length > 0));
    await assert.rejects(
      s.run("serving_default", {}),
      (e: Error) => e.name === "MissingOpsError" && /SimpleML/.test(e.message),
    );
  });
  test("serving-tf-text-regression lists TF Text ops", async () => {
    const s = await open("serving-tf-text-regression");
    const ops = s.missingOps("serving_default").map((m) => m.op);
    assert.ok(
      ops.some((o) => /Sentencepiece|Wordpiece|CaseFold/.test(o)),
      ops.join(),
    );
  });
});

describe("memory", { skip: skipNoFixtures }, () => {
  test("repeated runs hold no extra tensors; dispose frees everything the session pinned", async () => {
    for (const name of ["potato-cnn-tf29", "odapi-tf1-ssd-traffic-sign", "lstm-bbc-news-2shards"]) {
      const before = X.tfjs.memory().numTensors;
      const s = await X.loadSession(new X.NodeFileAccess(fixturePath(name)));
      const sig = s.signatures()[0];
      const feeds = inputsFor(sig) as never;
      await s.run(sig.key, feeds);
      const after1 = X.tfjs.memory().numTensors;
      for (let i = 0; i < 3; i++) await s.run(sig.key, feeds);
      assert.equal(X.tfjs.memory().numTensors, after1, `${name}: tensors grew across runs`);
      s.dispose();
      assert.equal(X.tfjs.memory().numTensors, before, `${name}: tensors left after dispose`);
    }
  });
});

describe("inference rewrites", { skip: skipNoFixtures }, () => {
  test("conv + batch-norm folding gives the unfused answers (builder CNN and potato-cnn)", async () => {
    const { cnn } = await import("../../src/savedmodel/builder/models.js");
    const { MemoryFileAccess } = await import("../../src/savedmodel/memoryFileAccess.js");
    const files = cnn({ inputSize: 32 }).save();
    const img = {
      dtype: 1,
      shape: [2, 32, 32, 3],
      values: Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => ((i * 7) % 17) / 17),
    };
    const outs: number[][] = [];
    for (const optimize of [true, false]) {
      const s = await X.loadSession(new MemoryFileAccess(files), { optimize });
      sessions.push(s);
      const key = s.signatures()[0].key;
      const r = await s.run(key, { input: img }, { profile: true });
      if (optimize)
        assert.ok(
          r.profile!.some((p) => p.op === "_FusedConvBatchNorm"),
          "fusion applied",
        );
      else assert.ok(!r.profile!.some((p) => p.op === "_FusedConvBatchNorm"));
      const calls = r.profile!.filter((p) => p.op === "StatefulPartitionedCall");
      assert.ok(calls.length > 0 && calls.every((p) => p.inclusive), "calls are marked inclusive");
      assert.ok(r.profile!.filter((p) => p.op !== "StatefulPartitionedCall").every((p) => !p.inclusive));
      outs.push(nums(r.outputs.logits ?? Object.values(r.outputs)[0]));
    }
    close(outs[0], outs[1], 1e-3);
  });

  test("conv/matmul + bias (+ relu) fusion gives the unfused answers (potato-cnn)", async () => {
    const outs: number[][] = [];
    for (const optimize of [true, false]) {
      const s = await X.loadSession(new X.NodeFileAccess(fixturePath("potato-cnn-tf29")), { optimize });
      sessions.push(s);
      const sig = s.signatures()[0];
      const r = await s.run(sig.key, inputsFor(sig) as never, { profile: true });
      const ops = new Set(r.profile!.map((p) => p.op));
      assert.equal(ops.has("_FusedConvBias") && ops.has("_FusedMatMulBias"), optimize, [...ops].join());
      outs.push(nums(Object.values(r.outputs)[0]));
    }
    close(outs[0], outs[1], 1e-4);
  });
});
