import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import {
  computeStats,
  concreteFunctions,
  describeModel,
  listFunctions,
  loadVariables,
  objectTree,
  readVariable,
  type ObjectNodeInfo,
} from "../src/savedmodel/model.js";
import { SavedModel, SignatureDef } from "../src/savedmodel/proto.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

const open = (name: string) => openSavedModel(new NodeFileAccess(fixturePath(name)));

test(
  "the lazy first pass gives the same tags and signatures as a full decode, for every binary fixture",
  { skip: skipNoFixtures },
  async () => {
    let n = 0;
    for (const name of fixtureNames()) {
      const file = join(fixturePath(name), "saved_model.pb");
      if (!existsSync(file) || name.startsWith("corrupt")) continue;
      const full = SavedModel.decode(readFileSync(file));
      const exp = await open(name);
      assert.equal(exp.metaGraphs.length, full.metaGraphs.length, name);
      full.metaGraphs.forEach((m, i) => {
        const lazy = exp.metaGraphs[i];
        assert.deepEqual(lazy.tags, m.metaInfoDef?.tags ?? [], name);
        assert.deepEqual(Object.keys(lazy.signatureDefs).sort(), Object.keys(m.signatureDef ?? {}).sort(), name);
        for (const [k, s] of Object.entries(m.signatureDef ?? {})) {
          assert.deepEqual(
            SignatureDef.encode(lazy.signatureDefs[k]).finish(),
            SignatureDef.encode(s).finish(),
            `${name} ${k}`,
          );
        }
        assert.equal(lazy.nodeCount, m.graphDef?.node?.length ?? 0, name);
        assert.equal(lazy.functionSummaries.length, m.graphDef?.library?.function?.length ?? 0, name);
        assert.equal(lazy.nodes().length, lazy.nodeCount, name);
        for (const f of m.graphDef?.library?.function ?? []) {
          const lf = lazy.functionDef(f.signature!.name!);
          assert.equal(lf?.nodeDef.length, f.nodeDef?.length, `${name} ${f.signature?.name}`);
        }
      });
      n++;
    }
    assert.ok(n >= 33, `${n} fixtures`);
  },
);

test(
  "every fixture except the corrupt one is described without errors it doesn't deserve",
  { skip: skipNoFixtures },
  async () => {
    for (const name of fixtureNames()) {
      if (name.startsWith("corrupt")) continue;
      if (name === "serving-bad-half-plus-two-sessionbundle-not-savedmodel") {
        // Not a SavedModel at all: named as the legacy SessionBundle it is, not as a training checkpoint.
        await assert.rejects(
          open(name),
          (e: Error) =>
            /legacy TF1 SessionBundle/.test(e.message) &&
            /not a SavedModel/.test(e.message) &&
            !/training checkpoint/.test(e.message),
        );
        continue;
      }
      const exp = await open(name);
      const info = await describeModel(exp);
      const vars = await loadVariables(exp);
      assert.ok(info.metaGraphs.length >= 1, name);
      const errors = [...info.diagnostics, ...vars.diagnostics].filter((d) => d.severity === "error");
      if (name.startsWith("incomplete")) assert.ok(errors.length > 0, `${name} should report its missing shard`);
      else assert.deepEqual(errors, [], name);
    }
  },
);

test("TF1 half_plus_two: signatures, methods, variables, assets, init op", { skip: skipNoFixtures }, async () => {
  const exp = await open("serving-half-plus-two-cpu");
  const info = await describeModel(exp);
  const mg = info.metaGraphs[0];
  assert.deepEqual(mg.tags, ["serve"]);
  assert.equal(mg.isTF2, false);
  assert.equal(mg.tfVersion, "1.14.0");
  assert.deepEqual(
    mg.signatures.map((s) => `${s.key}:${s.methodName}`),
    [
      "classify_x_to_y:tensorflow/serving/classify",
      "regress_x2_to_y3:tensorflow/serving/regress",
      "regress_x_to_y:tensorflow/serving/regress",
      "regress_x_to_y2:tensorflow/serving/regress",
      "serving_default:tensorflow/serving/predict",
    ],
  );
  const predict = mg.signatures.find((s) => s.key === "serving_default")!;
  assert.deepEqual(
    predict.inputs.map((t) => [t.key, t.dtypeShort, t.shape, t.tensorName]),
    [["x", "float32", [-1, 1], "x:0"]],
  );
  assert.equal(mg.init.mainOp, "group_deps");
  assert.deepEqual(
    mg.assets.map((a) => [a.filename, a.exists]),
    [["foo.txt", true]],
  );
  const vars = await loadVariables(exp);
  const names = vars.variables.filter((v) => v.kind === "variable").map((v) => v.name);
  assert.ok(names.includes("a") && names.includes("b"), names.join(","));
  const a = await readVariable(exp, "a");
  assert.equal((a.values as Float32Array)[0], 0.5);
  const b = await readVariable(exp, "b");
  assert.equal((b.values as Float32Array)[0], 2);
});

test(
  "TF2 Keras CNN: signature function, object tree with layers and parameter counts, stats",
  { skip: skipNoFixtures },
  async () => {
    const exp = await open("potato-cnn-tf29");
    const info = await describeModel(exp);
    const mg = info.metaGraphs[0];
    assert.equal(mg.isTF2, true);
    const sig = mg.signatures.find((s) => s.key === "serving_default")!;
    assert.deepEqual(sig.inputs[0].shape, [-1, 256, 256, 3]);
    assert.match(sig.functionName ?? "", /^__inference_signature_wrapper_/);
    assert.ok(mg.initSignature, "keeps __saved_model_init_op for running");
    assert.ok(!mg.signatures.some((s) => s.key === "__saved_model_init_op"), "hides the init signature");
    const vars = await loadVariables(exp);
    const kernel = vars.variables.find((v) => v.name === "conv2d/kernel")!;
    assert.deepEqual(kernel.shape, [3, 3, 3, 32]);
    assert.equal(kernel.dtypeShort, "float32");
    assert.equal(kernel.checkpointKey, "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
    assert.equal(kernel.trainable, true);
    // 6 conv layers + 2 dense layers: kernels and biases
    assert.equal(vars.variables.filter((v) => v.kind === "variable").length, 16);
    const tree = await objectTree(exp, exp.metaGraphs[0], vars);
    assert.ok(tree);
    const layers: ObjectNodeInfo[] = [];
    const walk = (n: ObjectNodeInfo) => {
      if (n.className) layers.push(n);
      n.children.forEach(walk);
    };
    walk(tree);
    assert.ok(
      layers.some((l) => l.className === "Conv2D" && l.parameterCount === 3 * 3 * 3 * 32 + 32),
      "first Conv2D has 896 params",
    );
    assert.equal(tree.parameterCount, vars.parameterCount);
    const stats = computeStats(exp.metaGraphs[0], vars);
    assert.ok((stats.opHistogram.find((h) => h.op === "Conv2D")?.count ?? 0) >= 6);
    const fns = listFunctions(exp.metaGraphs[0], mg.signatures);
    assert.equal(fns.length, 75);
    assert.ok(fns.some((f) => f.usedBySignatures.includes("serving_default") && f.calls.length > 0));
    const cf = concreteFunctions(exp.metaGraphs[0]);
    assert.ok(
      cf.some((f) =>
        f.options.some((o) =>
          o.args.some((a) => a.kind === "tensor_spec" && /shape=\(None, 256, 256, 3\)/.test(a.repr)),
        ),
      ),
    );
  },
);

test("TF Transform TF1: transform tag and CooSparse inputs", { skip: skipNoFixtures }, async () => {
  const info = await describeModel(await open("tfx-tft-tf1-transform"));
  const mg = info.metaGraphs[0];
  assert.deepEqual(mg.tags, ["transform"]);
  const sparse = mg.signatures[0].inputs.filter((t) => t.encoding === "coo_sparse");
  assert.ok(sparse.length > 0);
  assert.ok(sparse[0].sparse!.indicesTensorName.length > 0);
});

test(
  "old and odd exports: TF 1.0 method-keyed signature, assets collection, text format, debug info, fingerprint",
  { skip: skipNoFixtures },
  async () => {
    const three = await describeModel(await open("serving-half-plus-three"));
    assert.ok(three.metaGraphs[0].signatures.some((s) => s.key === "tensorflow/serving/regress"));
    assert.ok(three.metaGraphs[0].assets.some((a) => a.filename === "foo.txt" && a.exists));
    const text = await describeModel(await open("tfcc-half-plus-two-pbtxt"));
    assert.equal(text.format, "text");
    assert.equal(text.metaGraphs[0].signatures.length, 6);
    const dbg = await describeModel(await open("tfcc-x-plus-y-v2-debuginfo"));
    assert.equal(dbg.files.debugInfo?.path, "debug/saved_model_debug_info.pb");
    const fp = await describeModel(await open("serving-half-plus-two-tf2-cpu"));
    assert.match(fp.fingerprint?.savedModelChecksum ?? "", /^\d{5,}$/);
    const mlmd = await describeModel(await open("serving-half-plus-two-mlmd"));
    assert.ok(mlmd.metaGraphs[0].assets.some((a) => a.source === "assets_extra" && a.filename === "mlmd_uuid"));
  },
);

test("incomplete and novars exports still show what they can", { skip: skipNoFixtures }, async () => {
  const exp = await open("incomplete-albert-tf23");
  const info = await describeModel(exp);
  assert.equal(info.metaGraphs[0].signatures[0].key, "serving_default");
  const vars = await loadVariables(exp);
  assert.ok(vars.variables.length > 50, "lists every variable");
  assert.ok(vars.variables.every((v) => v.problems.some((p) => /missing/.test(p))));
  assert.ok(vars.diagnostics.some((d) => /shard/.test(d.message) && d.severity === "error"));
  await assert.rejects(
    readVariable(exp, vars.variables[0].checkpointKey),
    (e: unknown) => e instanceof SavedModelError && /missing/.test(e.message),
  );
  const novars = await describeModel(await open("novars-textvectorization-tf210"));
  assert.ok(novars.diagnostics.some((d) => d.file === "variables/"));
});

test(
  "the corrupt export gets an error naming the file, the offset and what is wrong",
  { skip: skipNoFixtures },
  async () => {
    await assert.rejects(open("corrupt-binary-named-pbtxt"), (e: unknown) => {
      assert.ok(e instanceof SavedModelError);
      assert.equal(e.file, "saved_model.pbtxt");
      assert.equal(e.offset, 7);
      assert.match(e.message, /3120 bytes past the end/);
      return true;
    });
  },
);
