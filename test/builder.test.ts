/**
 * SavedModelBuilder round trips: build → write to a temp folder → read back with openSavedModel,
 * describeModel, loadVariables and TensorBundle → equal to what was put in.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  attr,
  CHECKPOINT_OBJECT_GRAPH_KEY,
  encodeSavedModel,
  GraphBuilder,
  hash64,
  ObjectGraphBuilder,
  SavedModelBuilder,
  tensorOf,
  type SaveOptions,
} from "../src/savedmodel/builder/index.js";
import { demoExport, halfPlusTwo, largeGraph } from "../src/savedmodel/builder/models.js";
import { writeExportToDir } from "../src/savedmodel/node/nodeWriter.js";
import { DataType } from "../src/savedmodel/dtypes.js";
import { describeModel, loadVariables, readFingerprint } from "../src/savedmodel/model.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { OpResolver, functionOutputs, resolveFunctionTensor } from "../src/savedmodel/opRegistry/index.js";
import { SavedModel, type IFunctionDef } from "../src/savedmodel/proto.js";
import { openSavedModel, type SavedModelExport } from "../src/savedmodel/savedModel.js";
import { TensorBundle } from "../src/savedmodel/tensorBundle/index.js";
import { stringValues, type DecodedTensor } from "../src/savedmodel/tensor.js";

const DT = DataType;
const root = mkdtempSync(join(tmpdir(), "builder-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;

async function roundTrip(
  b: SavedModelBuilder,
  opts: SaveOptions = {},
): Promise<{ exp: SavedModelExport; files: Map<string, Uint8Array>; dir: string }> {
  const files = b.save(opts);
  const dir = join(root, `m${dirCount++}`);
  await writeExportToDir(files, dir);
  return { exp: await openSavedModel(new NodeFileAccess(dir)), files, dir };
}

function values(t: DecodedTensor): unknown[] {
  return Array.isArray(t.values) ? stringValues(t) : Array.from(t.values as ArrayLike<number | bigint>);
}

/** Variables of many dtypes (half/bfloat16 values are exactly representable). */
function typedVariables(g: GraphBuilder): Record<string, DecodedTensor> {
  const t: Record<string, DecodedTensor> = {
    f32: tensorOf(DT.DT_FLOAT, [2, 3], [1.5, -2, 3.25, 0, 1e-3, 7]),
    f64: tensorOf(DT.DT_DOUBLE, [2], [Math.PI, -1e300]),
    half: tensorOf(DT.DT_HALF, [4], [0.5, -2, 65504, 0.0009765625]),
    bf16: tensorOf(DT.DT_BFLOAT16, [3], [1, -3.5, 256]),
    i64: { dtype: DT.DT_INT64, shape: [3], values: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 42n]) },
    i32: tensorOf(DT.DT_INT32, [2, 2], [1, -2, 3, 2 ** 31 - 1]),
    u8: tensorOf(DT.DT_UINT8, [3], [0, 128, 255]),
    i8: tensorOf(DT.DT_INT8, [2], [-128, 127]),
    bool: tensorOf(DT.DT_BOOL, [3], [1, 0, 1]),
    c64: tensorOf(DT.DT_COMPLEX64, [2], [1, 2, -3, 4.5]),
    c128: tensorOf(DT.DT_COMPLEX128, [1], [1e-10, -2]),
    str: tensorOf(DT.DT_STRING, [3], ["hello", "", "ünïcödé ✓"]),
    scalar: tensorOf(DT.DT_FLOAT, [], [9]),
    empty: tensorOf(DT.DT_FLOAT, [0, 4], []),
  };
  for (const [name, value] of Object.entries(t))
    g.variable(`vars/${name}`, value, { kind: name === "str" ? "ref" : "resource" });
  return t;
}

describe("GraphBuilder", () => {
  test("names are scoped and made unique like TF", () => {
    const g = new GraphBuilder();
    const x = g.placeholder("x", DT.DT_FLOAT, [-1, 2]);
    const a = g.op("Relu", "Relu", [x]);
    const b = g.op("Relu", "Relu", [x]);
    const c = g.scope("dense", () => g.scope("inner", () => g.op("Relu", "Relu", [x])));
    assert.deepEqual([a.name, b.name, c.name], ["Relu", "Relu_1", "dense/inner/Relu"]);
    assert.equal(g.op("Identity", "Relu", [b.output]).name, "Relu_2");
  });

  test("type and count attrs are inferred from inputs through the op registry", () => {
    const g = new GraphBuilder();
    const x = g.placeholder("x", DT.DT_DOUBLE, [2]);
    const n = g.op("AddN", "sum", [x, x, x]);
    assert.equal(n.def.attr!.N.i, 3);
    assert.equal(n.def.attr!.T.type, DT.DT_DOUBLE);
    assert.equal(n.output.dtype, DT.DT_DOUBLE);
    const axis = g.constI32("axis", 0);
    const cat = g.op("ConcatV2", "concat", [x, x, axis]);
    assert.equal(cat.def.attr!.N.i, 2);
    assert.equal(cat.def.attr!.Tidx.type, DT.DT_INT32);
    const cast = g.op("Cast", "cast", [x], { DstT: attr.type(DT.DT_INT64) });
    assert.equal(cast.def.attr!.SrcT.type, DT.DT_DOUBLE);
    assert.equal(cast.output.dtype, DT.DT_INT64);
    const split = g.op("Split", "split", [axis, x], { num_split: attr.i(2) });
    assert.deepEqual(
      split.outputs.map((o) => o.ref),
      ["split", "split:1"],
    );
    const ctl = g.op("NoOp", "deps", [], {}, { control: [n, "concat"] });
    assert.deepEqual(ctl.def.input, ["^sum", "^concat"]);
  });

  test("function bodies use node:out_arg:i references that the resolver accepts", () => {
    const g = new GraphBuilder();
    const fn = g.function("__inference_f_1", {
      inputs: [
        { name: "x", dtype: DT.DT_FLOAT, shape: [-1] },
        { name: "v", dtype: DT.DT_RESOURCE, shape: [] },
      ],
      body: (f, x, v) => {
        const r = f.op("ReadVariableOp", "ReadVariableOp", [v], { dtype: attr.type(DT.DT_FLOAT) }).output;
        const m = f.op("Mul", "mul", [x, r]).output;
        const parts = f.op("Unpack", "unstack", [m], { num: attr.i(2) }).outputs;
        return { y: m, second: parts[1] };
      },
    });
    const def = fn.def as IFunctionDef;
    assert.equal(def.signature!.isStateful, true);
    assert.deepEqual(def.signature!.controlOutput, ["ReadVariableOp"]);
    assert.deepEqual(def.controlRet, { ReadVariableOp: "ReadVariableOp" });
    assert.deepEqual(def.ret, { y: "Identity:output:0", second: "Identity_1:output:0" });
    const mul = def.nodeDef!.find((n) => n.name === "mul")!;
    assert.deepEqual(mul.input, ["x", "ReadVariableOp:value:0"]);
    assert.equal(def.nodeDef!.find((n) => n.name === "Identity_1")!.input![0], "unstack:output:1");
    const resolver = new OpResolver({ functions: [def] });
    const outs = functionOutputs(def, resolver);
    assert.deepEqual(
      outs.map((o) => o.source),
      [
        { kind: "node", node: "Identity", index: 0 },
        { kind: "node", node: "Identity_1", index: 0 },
      ],
    );
    for (const n of def.nodeDef!) for (const i of n.input ?? []) resolveFunctionTensor(i, def, resolver);
    const call = g.call(fn, [
      g.placeholder("in", DT.DT_FLOAT, [-1]),
      g.variable("w", tensorOf(DT.DT_FLOAT, [], [2])).handle,
    ]);
    assert.equal(call.op, "StatefulPartitionedCall");
    assert.deepEqual(call.def.attr!.Tin.list!.type, [DT.DT_FLOAT, DT.DT_RESOURCE]);
    assert.deepEqual(call.def.attr!.Tout.list!.type, [DT.DT_FLOAT, DT.DT_FLOAT]);
    assert.equal(call.def.attr!.f.func!.name, "__inference_f_1");
    assert.throws(() => g.call(fn, []), /takes 2 inputs/);
    assert.throws(() => g.function("__inference_f_1", { inputs: [], body: () => [] }), /already defined/);
  });
});

describe("SavedModelBuilder round trip", () => {
  test("variables of every dtype across 4 shards, multi-block index, snappy on and off", async () => {
    for (const snappy of [true, false]) {
      const g = new GraphBuilder();
      const put = typedVariables(g);
      // similar entries (same dtype/shape/zero values) make index blocks that snappy can shrink
      for (let i = 0; i < 40; i++) g.variable(`pad/layer_${i}/kernel`, tensorOf(DT.DT_FLOAT, [2, 2], [0, 0, 0, 0]));
      g.saver();
      const b = new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: g });
      const { exp, files } = await roundTrip(b, { numShards: 4, blockSize: 64, snappy });
      assert.equal([...files.keys()].filter((f) => f.startsWith("variables/variables.data-")).length, 4);
      const bundle = await TensorBundle.open(exp.fs);
      assert.equal(bundle.numShards, 4);
      assert.ok(bundle.table!.blocks.length > 3, `expected many index blocks, got ${bundle.table!.blocks.length}`);
      assert.equal(
        bundle.table!.blocks.some((bl) => bl.compression === 1),
        snappy,
        "snappy-compressed blocks present iff snappy",
      );
      assert.deepEqual(new Set(bundle.entries().map((e) => e.shardId)), new Set([0, 1, 2, 3]));
      for (const [name, t] of Object.entries(put)) {
        const got = await bundle.readTensor(`vars/${name}`);
        assert.equal(got.dtype, t.dtype, name);
        assert.deepEqual(got.shape, t.shape, name);
        assert.deepEqual(values(got), values(t), name);
      }
      const vars = await loadVariables(exp);
      assert.deepEqual(vars.diagnostics, []);
      assert.equal(vars.variables.length, Object.keys(put).length + 40);
      assert.equal(vars.variables.find((v) => v.name === "vars/c64")!.bytes, 16);
      assert.equal(vars.variables.find((v) => v.name === "vars/f32")!.trainable, true);
    }
  });

  test("several meta graphs with different tags share one checkpoint", async () => {
    const mk = (extra: boolean) => {
      const g = new GraphBuilder();
      const w = g.variable("w", tensorOf(DT.DT_FLOAT, [2], [3, 4]));
      const x = g.placeholder("x", DT.DT_FLOAT, [-1, 2]);
      const y = g.op("Mul", "y", [x, w.read]).output;
      if (extra) g.op("Neg", "neg", [y]);
      g.saver();
      return { g, x, y };
    };
    const serve = mk(false);
    const train = mk(true);
    const gpu = mk(false);
    const b = new SavedModelBuilder()
      .addMetaGraphAndVariables(["serve"], {
        graph: serve.g,
        signatureDefs: { serving_default: { inputs: { x: serve.x }, outputs: { y: serve.y } } },
      })
      .addMetaGraph(["train"], {
        graph: train.g,
        signatureDefs: { train: { inputs: { x: train.x }, outputs: { y: train.y } } },
      })
      .addMetaGraph(["serve", "gpu"], { graph: gpu.g });
    assert.throws(() => b.addMetaGraph(["gpu", "serve"], { graph: gpu.g }), /already exists/);
    assert.throws(() => b.addMetaGraphAndVariables(["x"], { graph: gpu.g }), /already added/);
    const { exp } = await roundTrip(b);
    assert.deepEqual(
      exp.metaGraphs.map((m) => m.tags),
      [["serve"], ["train"], ["serve", "gpu"]],
    );
    const info = await describeModel(exp);
    assert.deepEqual(
      info.metaGraphs[1].signatures.map((s) => s.key),
      ["train"],
    );
    assert.equal(info.metaGraphs[1].nodeCount, info.metaGraphs[0].nodeCount + 1);
    assert.equal(exp.metaGraphByTags(["gpu", "serve"])!.index, 2);
    const vars = await loadVariables(exp);
    assert.deepEqual(
      vars.variables.map((v) => v.checkpointKey),
      ["w"],
    );
    const sd = exp.metaGraphs[0].shell.saverDef!;
    assert.equal(sd.restoreOpName, "save/restore_all");
    assert.equal(sd.filenameTensorName, "save/Const:0");
    const restore = exp.metaGraphs[0].nodes().find((n) => n.name === "save/RestoreV2")!;
    assert.deepEqual(restore.attr.dtypes.list!.type, [DT.DT_FLOAT]);
    const ops = exp.metaGraphs[0].metaInfo!.strippedOpList!.op!.map((o) => o.name);
    assert.ok(
      ["Mul", "RestoreV2", "SaveV2", "VarHandleOp", "AssignVariableOp"].every((o) => ops.includes(o)),
      ops.join(),
    );
    assert.deepEqual(ops, [...ops].sort());
    assert.ok(exp.metaGraphs[1].metaInfo!.strippedOpList!.op!.some((o) => o.name === "Neg"));
  });

  test("sliced (partitioned) checkpoint entries are listed and assemble on read", async () => {
    const g = new GraphBuilder();
    g.variable("other", tensorOf(DT.DT_FLOAT, [2], [1, 2]));
    const b = new SavedModelBuilder().addMetaGraphAndVariables(["serve"], {
      graph: g,
      extraCheckpointEntries: [
        {
          key: "emb",
          dtype: DT.DT_FLOAT,
          shape: [4, 3],
          slices: [
            [
              { start: 0, length: 2 },
              { start: 0, length: -1 },
            ],
            [
              { start: 2, length: 2 },
              { start: 0, length: -1 },
            ],
          ],
          sliceValues: [Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([7, 8, 9, 10, 11, 12])],
        },
        { key: "lost", dtype: DT.DT_FLOAT, shape: [2], slices: [[{ start: 0, length: 2 }]] },
      ],
    });
    const { exp } = await roundTrip(b, { numShards: 3 });
    const vars = await loadVariables(exp);
    const emb = vars.variables.find((v) => v.checkpointKey === "emb")!;
    assert.equal(emb.sliced, true);
    assert.deepEqual(emb.shape, [4, 3]);
    const bundle = await TensorBundle.open(exp.fs);
    assert.deepEqual(bundle.get("emb")!.slices, [
      [
        { start: 0, length: 2 },
        { start: 0, length: -1 },
      ],
      [
        { start: 2, length: 2 },
        { start: 0, length: -1 },
      ],
    ]);
    const full = await bundle.readTensor("emb");
    assert.deepEqual(Array.from(full.values as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await assert.rejects(bundle.readTensor("lost"), /has no data entry/);
  });

  test("binary and text format encode to the same message", async () => {
    const mk = () => {
      const g = new GraphBuilder();
      typedVariables(g);
      const x = g.placeholder("x", DT.DT_STRING, null);
      const fn = g.function("__inference_id_1", {
        inputs: [{ name: "s", dtype: DT.DT_STRING }],
        body: (f, s) => [f.op("StringUpper", "up", [s]).output],
      });
      const y = g.call(fn, [x], { stateful: false }).output;
      g.saver();
      return new SavedModelBuilder().addMetaGraphAndVariables(["serve"], {
        graph: g,
        signatureDefs: { up: { inputs: { x }, outputs: { y }, defaults: { x: tensorOf(DT.DT_STRING, [], ["dflt"]) } } },
        assets: [{ filename: "vocab.txt", contents: "a\nb\n" }],
      });
    };
    const bin = await roundTrip(mk(), { format: "binary" });
    const txt = await roundTrip(mk(), { format: "text" });
    assert.equal(bin.exp.format, "binary");
    assert.equal(txt.exp.format, "text");
    assert.ok(txt.files.has("saved_model.pbtxt") && !txt.files.has("saved_model.pb"));
    const a = SavedModel.encode(bin.exp.savedModel()).finish();
    const c = SavedModel.encode(txt.exp.savedModel()).finish();
    assert.ok(a.length > 1000);
    assert.deepEqual(Buffer.from(c), Buffer.from(a));
    // and both equal what the builder itself encoded
    assert.deepEqual(
      Buffer.from(a),
      Buffer.from(SavedModel.encode(SavedModel.decode(bin.files.get("saved_model.pb")!)).finish()),
    );
  });

  test("TF2 object graph: checkpoint keys join to variable names, object paths and trainable flags", async () => {
    const g = new GraphBuilder();
    const og = new ObjectGraphBuilder("_tf_keras_model", JSON.stringify({ name: "model", class_name: "Functional" }));
    const k = g.variable("dense/kernel", tensorOf(DT.DT_FLOAT, [2, 2], [1, 2, 3, 4]), { initializer: "none" });
    const m = g.variable("bn/moving.mean", tensorOf(DT.DT_FLOAT, [2], [0, 0]), {
      initializer: "none",
      trainable: false,
    });
    const layer = og.kerasLayer(og.root, "layer_with_weights-0", "Dense", "dense");
    og.variable(layer, "kernel", k);
    const bn = og.kerasLayer(og.root, "layer/bn", "BatchNormalization", "bn");
    og.variable(bn, "moving.mean", m);
    assert.equal(k.checkpointKey, "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
    assert.equal(m.checkpointKey, "layer.Sbn/moving..mean/.ATTRIBUTES/VARIABLE_VALUE");
    const b = new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: g, mainOp: g.noOp("NoOp") });
    b.setObjectGraph(og);
    const { exp } = await roundTrip(b, { numShards: 2, fingerprint: true });
    const vars = await loadVariables(exp);
    const byName = new Map(vars.variables.map((v) => [v.name, v]));
    assert.equal(byName.get("dense/kernel")!.objectPath, "layer_with_weights-0.kernel");
    assert.equal(byName.get("dense/kernel")!.trainable, true);
    assert.equal(byName.get("bn/moving.mean")!.trainable, false);
    assert.equal(byName.get("bn/moving.mean")!.objectPath, "layer/bn.moving.mean");
    assert.equal(vars.variables.find((v) => v.checkpointKey === CHECKPOINT_OBJECT_GRAPH_KEY)!.kind, "bookkeeping");
    assert.equal(vars.parameterCount, 6);
    const info = await describeModel(exp);
    assert.equal(info.metaGraphs[0].isTF2, true);
    assert.equal(info.metaGraphs[0].initSignature?.outputs[0].tensorName, "NoOp");
    // fingerprint: written, with our hash of saved_model.pb
    const fp = await readFingerprint(exp, []);
    const smBytes = await exp.fs.readFile("saved_model.pb");
    assert.equal(fp!.savedModelChecksum, hash64(smBytes).toString());
    assert.match(fp!.uuid!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("assets are written, listed with their tensors, and can be read back", async () => {
    const g = new GraphBuilder();
    const b = new SavedModelBuilder().addMetaGraphAndVariables(["serve"], {
      graph: g,
      assets: [
        { filename: "vocab.txt", contents: "x\ny\n" },
        { filename: "sub/table.bin", contents: new Uint8Array([0, 1, 2, 255]) },
      ],
      assetsExtra: [{ filename: "tf_serving_warmup_requests", contents: "warm" }],
    });
    assert.throws(
      () =>
        new SavedModelBuilder().addMetaGraphAndVariables(["a"], {
          graph: new GraphBuilder(),
          assets: [
            { filename: "v", contents: "1" },
            { filename: "v", contents: "2" },
          ],
        }),
      /same asset name/,
    );
    for (const bad of ["../escape.txt", "/abs", "a//b", "", "x/./y", "a\\b"]) {
      assert.throws(
        () =>
          new SavedModelBuilder().addMetaGraphAndVariables(["s"], {
            graph: new GraphBuilder(),
            assets: [{ filename: bad, contents: "" }],
          }),
        /relative paths/,
        bad,
      );
    }
    const { exp } = await roundTrip(b);
    const info = await describeModel(exp);
    const assets = info.metaGraphs[0].assets;
    assert.deepEqual(
      assets.map((a) => [a.path, a.exists, a.source, a.tensorName]),
      [
        ["assets/vocab.txt", true, "asset_file_def", "asset_path_initializer:0"],
        ["assets/sub/table.bin", true, "asset_file_def", "asset_path_initializer_1:0"],
        ["assets.extra/tf_serving_warmup_requests", true, "assets_extra", undefined],
      ],
    );
    assert.deepEqual(Array.from(await exp.fs.readFile("assets/sub/table.bin")), [0, 1, 2, 255]);
    assert.equal(info.files.variablesIndex, undefined, "no variables folder without variables");
    const node = exp.metaGraphs[0].nodes().find((n) => n.name === "asset_path_initializer_1")!;
    assert.equal(new TextDecoder().decode(node.attr.value.tensor!.stringVal![0]), "sub/table.bin");
  });

  test("the lean per-node encoder writes exactly what SavedModel.encode writes", () => {
    for (const b of [
      halfPlusTwo({ tf2: true }),
      halfPlusTwo(),
      demoExport(),
      largeGraph({ nodes: 500, functions: 12 }),
    ]) {
      const sm = b.savedModel();
      assert.deepEqual(Buffer.from(encodeSavedModel(sm)), Buffer.from(SavedModel.encode(sm).finish()));
    }
  });

  test("setFingerprint overrides computed values", async () => {
    const b = new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: new GraphBuilder() });
    b.setFingerprint({ savedModelChecksum: 12345n, uuid: "fixed" });
    const { exp } = await roundTrip(b);
    const fp = await readFingerprint(exp, []);
    assert.equal(fp!.savedModelChecksum, "12345");
    assert.equal(fp!.uuid, "fixed");
    assert.notEqual(fp!.graphDefProgramHash, "0");
  });
});
