/**
 * Ready-made builder models: each is written to a temp folder, read back, and checked for structure
 * (signatures, variables, object tree) and well-formedness (every graph/function reference resolves).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type SaveOptions, type SavedModelBuilder } from "../src/savedmodel/builder/index.js";
import {
  cnn,
  DEMO_LABELS,
  DEMO_MARKER_FILE,
  demoExportFiles,
  denseMlp,
  halfPlusTwo,
  largeGraph,
  XSS_NAME,
  xssModel,
} from "../src/savedmodel/builder/models.js";
import { writeExportToDir } from "../src/savedmodel/node/nodeWriter.js";
import { DataType } from "../src/savedmodel/dtypes.js";
import {
  computeStats,
  describeModel,
  listFunctions,
  loadVariables,
  objectTree,
  readVariable,
} from "../src/savedmodel/model.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import {
  OpResolver,
  outputLayout,
  layoutSize,
  resolveFunctionTensor,
  resolveGraphTensor,
  withDefaults,
} from "../src/savedmodel/opRegistry/index.js";
import { openSavedModel, type MetaGraph, type SavedModelExport } from "../src/savedmodel/savedModel.js";
import { stringValues } from "../src/savedmodel/tensor.js";

const DT = DataType;
const root = mkdtempSync(join(tmpdir(), "builder-models-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function write(files: Map<string, Uint8Array>): Promise<SavedModelExport> {
  const dir = join(root, `m${n++}`);
  await writeExportToDir(files, dir);
  return openSavedModel(new NodeFileAccess(dir));
}

const roundTrip = (b: SavedModelBuilder, opts: SaveOptions = {}) => write(b.save(opts));

/** Every graph input names an existing node output, every function reference resolves, every op is known. */
function assertWellFormed(mg: MetaGraph): void {
  const fns = mg.functionDefs();
  const resolver = new OpResolver({ strippedOpList: mg.metaInfo?.strippedOpList?.op, functions: fns });
  const nodes = new Map(mg.nodes().map((x) => [x.name, x]));
  for (const node of nodes.values()) {
    assert.ok(resolver.get(node.op), `unknown op ${node.op}`);
    for (const input of node.input) {
      const ref = resolveGraphTensor(input);
      const src = nodes.get(ref.node);
      assert.ok(src, `${node.name}: input ${input} names no node`);
      if (ref.kind === "node") {
        const schema = resolver.get(src.op)!;
        const count = layoutSize(outputLayout(schema, withDefaults(src, schema)));
        assert.ok(ref.index < count, `${node.name}: input ${input} out of range (${count} outputs)`);
      }
    }
  }
  for (const f of fns) {
    for (const node of f.nodeDef) {
      assert.ok(resolver.get(node.op ?? ""), `${f.signature!.name}: unknown op ${node.op}`);
      for (const input of node.input ?? []) resolveFunctionTensor(input, f, resolver);
    }
    for (const ref of Object.values(f.ret)) resolveFunctionTensor(ref, f, resolver);
  }
  // every op used has an OpDef in stripped_op_list (all built-in ops here)
  const listed = new Set((mg.metaInfo?.strippedOpList?.op ?? []).map((o) => o.name));
  const fnNames = new Set(fns.map((f) => f.signature!.name));
  for (const h of computeStats(mg).opHistogram)
    if (!fnNames.has(h.op)) assert.ok(listed.has(h.op), `${h.op} missing from stripped_op_list`);
}

describe("builder models", () => {
  test("halfPlusTwo (TF1): signatures, variables, asset, saver", async () => {
    const exp = await roundTrip(halfPlusTwo());
    const mg = exp.metaGraphs[0];
    assertWellFormed(mg);
    const info = await describeModel(exp);
    const m = info.metaGraphs[0];
    assert.deepEqual(
      m.signatures.map((s) => [s.key, s.methodName.split("/").pop()]),
      [
        ["classify_x2_to_y3", "classify"],
        ["classify_x_to_y", "classify"],
        ["regress_x2_to_y3", "regress"],
        ["regress_x_to_y", "regress"],
        ["regress_x_to_y2", "regress"],
        ["serving_default", "predict"],
      ],
    );
    const predict = m.signatures.find((s) => s.key === "serving_default")!;
    assert.deepEqual(
      [predict.inputs[0].tensorName, predict.inputs[0].shape, predict.outputs[0].tensorName],
      ["x:0", [-1, 1], "y:0"],
    );
    assert.equal(m.signatures[0].inputs[0].dtypeShort, "string");
    assert.equal(m.isTF2, false);
    assert.equal(m.init.mainOp, "group_deps");
    assert.deepEqual(
      m.assets.map((a) => [a.filename, a.exists]),
      [["foo.txt", true]],
    );
    const vars = await loadVariables(exp);
    assert.deepEqual(
      vars.variables.map((v) => v.name),
      ["a", "b", "c"],
    );
    assert.deepEqual(
      vars.variables.map((v) => v.trainable),
      [true, true, true],
    );
    const vals = await Promise.all(["a", "b", "c"].map(async (k) => (await readVariable(exp, k)).values[0]));
    assert.deepEqual(vals, [0.5, 2, 3]);
    // y = a * x + b: the graph wires Mul(a/read, x) into Add(.., b/read)
    const nodes = new Map(mg.nodes().map((x) => [x.name, x]));
    assert.deepEqual(nodes.get("y")!.input, ["Add"]);
    assert.deepEqual(nodes.get("Add")!.input, ["Mul", "b/read"]);
    assert.deepEqual(nodes.get("Mul")!.input, ["a/read", "x"]);
    assert.equal(nodes.get("a")!.op, "VariableV2");
    assert.equal(mg.shell.saverDef!.restoreOpName, "save/restore_all");
    assert.deepEqual(nodes.get("save/Assign")!.input, ["a", "save/RestoreV2"]);
  });

  test("halfPlusTwo (TF2): object graph, signature functions, traced saver", async () => {
    const exp = await roundTrip(halfPlusTwo({ tf2: true }), { fingerprint: true });
    const mg = exp.metaGraphs[0];
    assertWellFormed(mg);
    const info = await describeModel(exp);
    const m = info.metaGraphs[0];
    assert.equal(m.isTF2, true);
    assert.ok(info.fingerprint);
    const sd = m.signatures.find((s) => s.key === "serving_default")!;
    assert.match(sd.functionName!, /^__inference_signature_wrapper_\d+$/);
    assert.equal(sd.inputs[0].tensorName, "serving_default_x:0");
    const fns = listFunctions(mg, m.signatures);
    const predict = fns.find((f) => f.name.startsWith("__inference_predict_"))!;
    assert.deepEqual(predict.usedBySignatures, ["serving_default"]);
    assert.deepEqual(
      predict.inputs.map((i) => i.dtypeShort),
      ["float32", "resource", "resource"],
    );
    assert.deepEqual(
      predict.inputs.map((i) => i.name),
      ["x", "variable_readvariableop_resource", "variable_1_readvariableop_resource"],
    );
    const vars = await loadVariables(exp);
    const model = vars.variables.filter((v) => v.kind === "variable");
    assert.deepEqual(
      model.map((v) => [v.name, v.objectPath, v.checkpointKey]),
      [
        ["Variable", "a", "a/.ATTRIBUTES/VARIABLE_VALUE"],
        ["Variable_1", "b", "b/.ATTRIBUTES/VARIABLE_VALUE"],
        ["Variable_2", "c", "c/.ATTRIBUTES/VARIABLE_VALUE"],
      ],
    );
    const tree = await objectTree(exp, mg, vars);
    assert.deepEqual(
      tree!.children.map((c) => [c.path, c.kind]),
      [
        ["a", "variable"],
        ["b", "variable"],
        ["c", "variable"],
        ["asset", "asset"],
        ["signatures", "user_object"],
      ],
    );
    const saver = mg.shell.saverDef!;
    assert.equal(saver.filenameTensorName, "saver_filename:0");
    const restoreCall = mg.nodes().find((x) => x.name === saver.restoreOpName)!;
    const restoreFn = mg.functionDef(restoreCall.attr.f.func!.name ?? "")!;
    const rv = restoreFn.nodeDef.find((x) => x.op === "RestoreV2")!;
    const names = restoreFn.nodeDef.find((x) => x.name === rv.input![1].split(":")[0])!;
    assert.deepEqual(stringValues({ dtype: DT.DT_STRING, shape: [3], values: names.attr!.value.tensor!.stringVal! }), [
      "a/.ATTRIBUTES/VARIABLE_VALUE",
      "b/.ATTRIBUTES/VARIABLE_VALUE",
      "c/.ATTRIBUTES/VARIABLE_VALUE",
    ]);
  });

  test("denseMlp in float16, TF1 and TF2", async () => {
    for (const tf2 of [false, true]) {
      const exp = await roundTrip(denseMlp({ layers: 3, units: 8, inputSize: 5, classes: 3, dtype: DT.DT_HALF, tf2 }));
      assertWellFormed(exp.metaGraphs[0]);
      const vars = await loadVariables(exp);
      assert.equal(vars.parameterCount, 5 * 8 + 8 + 2 * (8 * 8 + 8) + 8 * 3 + 3);
      assert.ok(vars.variables.filter((v) => v.kind === "variable").every((v) => v.dtypeShort === "float16"));
      const info = await describeModel(exp);
      assert.deepEqual(
        info.metaGraphs[0].signatures[0].outputs.map((o) => [o.key, o.dtypeShort, o.shape]),
        [
          ["logits", "float16", [-1, 3]],
          ["probabilities", "float16", [-1, 3]],
        ],
      );
    }
  });

  test("cnn: MobileNetV2-sized has MobileNetV2's 3,538,984 parameters; small TF1 variant is well formed", async () => {
    const big = await roundTrip(cnn({ mobilenetV2Sized: true }), { numShards: 2 });
    assertWellFormed(big.metaGraphs[0]);
    const vars = await loadVariables(big);
    assert.equal(vars.parameterCount, 3_538_984);
    const info = await describeModel(big);
    assert.deepEqual(info.metaGraphs[0].signatures[0].inputs[0].shape, [-1, 224, 224, 3]);
    const stats = computeStats(big.metaGraphs[0], vars);
    const count = (op: string) => stats.opHistogram.find((h) => h.op === op)?.count ?? 0;
    assert.equal(count("DepthwiseConv2dNative"), 17);
    assert.equal(count("Conv2D"), 35);
    assert.equal(count("AddV2"), 10);
    const tree = await objectTree(big, big.metaGraphs[0], vars);
    assert.equal(tree!.parameterCount, 3_538_984);
    const small = await roundTrip(cnn({ style: "tf1" }));
    assertWellFormed(small.metaGraphs[0]);
    assert.equal(small.metaGraphs[0].functionSummaries.length, 0);
  });

  test("xssModel puts the hostile name in a signature, input key, node, variable, tag and asset", async () => {
    const exp = await roundTrip(xssModel());
    assertWellFormed(exp.metaGraphs[0]);
    const info = await describeModel(exp);
    const m = info.metaGraphs[0];
    assert.ok(m.tags.includes(XSS_NAME));
    assert.equal(m.signatures[0].key, XSS_NAME);
    assert.equal(m.signatures[0].inputs[0].key, XSS_NAME);
    assert.ok(exp.metaGraphs[0].nodes().some((x) => x.name === XSS_NAME));
    assert.equal((await loadVariables(exp)).variables[0].name, XSS_NAME);
    assert.equal(m.assets[0].filename, XSS_NAME);
    assert.equal(new TextDecoder().decode(await exp.fs.readFile(`assets/${XSS_NAME}`)), XSS_NAME);
  });

  test("demoExport: layer tree, 3 signatures, 2 shards, asset, fingerprint, demo marker", async () => {
    const files = demoExportFiles();
    assert.ok(files.has(DEMO_MARKER_FILE));
    const exp = await write(files);
    const mg = exp.metaGraphs[0];
    assertWellFormed(mg);
    const info = await describeModel(exp);
    assert.deepEqual(info.diagnostics, []);
    assert.equal(info.files.variablesShards.length, 2);
    assert.ok(info.fingerprint?.uuid);
    assert.deepEqual(
      info.metaGraphs[0].signatures.map((s) => s.key),
      ["embed", "predict_labels", "serving_default"],
    );
    assert.deepEqual(
      info.metaGraphs[0].signatures[2].outputs.map((o) => [o.key, o.dtypeShort]),
      [
        ["class_ids", "int64"],
        ["logits", "float32"],
        ["probabilities", "float32"],
      ],
    );
    assert.equal(new TextDecoder().decode(await exp.fs.readFile("assets/labels.txt")), DEMO_LABELS.join("\n") + "\n");
    const vars = await loadVariables(exp);
    assert.equal(vars.parameterCount, 26_698);
    assert.deepEqual(new Set(vars.variables.map((v) => v.shardFile)).size, 2);
    const tree = await objectTree(exp, mg, vars);
    const layers = tree!.children.filter((c) => c.kind === "user_object" && c.className);
    assert.deepEqual(
      layers.map((l) => [l.className, l.layerName, l.parameterCount]),
      [
        ["Conv2D", "conv2d", 80],
        ["MaxPooling2D", "max_pooling2d", 0],
        ["Conv2D", "conv2d_1", 1168],
        ["MaxPooling2D", "max_pooling2d_1", 0],
        ["Flatten", "flatten", 0],
        ["Dense", "dense", 25_120],
        ["Dense", "dense_1", 330],
      ],
    );
  });

  test("largeGraph 100k nodes / 2,000 functions round trips through the lazy pass", async () => {
    const t0 = performance.now();
    const b = largeGraph({ nodes: 100_000, functions: 2_000 });
    const files = b.save();
    const t1 = performance.now();
    const bytes = files.get("saved_model.pb")!.length;
    assert.ok(bytes > 50_000_000, `saved_model.pb is ${bytes} bytes`);
    const exp = await write(files);
    const t2 = performance.now();
    const mg = exp.metaGraphs[0];
    assert.ok(Math.abs(mg.nodeCount - 100_000) < 10, `nodeCount ${mg.nodeCount}`);
    const fns = mg.functionSummaries;
    assert.equal(fns.length, 2_000);
    assert.ok(
      fns.every((f) => f.nodeCount >= 25),
      "every function has a body",
    );
    // spot-check a function chain and the graph's tail
    const f9 = mg.functionDef("__inference_block_fn_9")!;
    assert.equal(f9.nodeDef.find((x) => x.op === "PartitionedCall")!.attr!.f.func!.name, "__inference_block_fn_8");
    const last = mg.nodes()[mg.nodes().length - 1];
    assert.equal(last.name, "output");
    console.log(
      `largeGraph: ${bytes} bytes, build+save ${(t1 - t0).toFixed(0)} ms, write+open ${(t2 - t1).toFixed(0)} ms`,
    );
  });
});
