import { test } from "node:test";
import assert from "node:assert/strict";
import {
  OpResolver,
  REGISTRY_OP_COUNT,
  REGISTRY_TF_OP_COUNT,
  TensorRefError,
  attrTypeOf,
  functionOutputs,
  inputLayout,
  outputLayout,
  registryOp,
  registryOpNames,
  resolveFunctionTensor,
  resolveGraphTensor,
  withDefaults,
} from "../src/savedmodel/opRegistry/index.js";
import type { OpSchema } from "../src/savedmodel/opRegistry/index.js";
import { OP_TABLE } from "../src/savedmodel/opRegistry/ops.generated.js";
import { DataType } from "../src/savedmodel/dtypes.js";
import { tensorflow } from "../src/savedmodel/proto.js";
import type { IAttrValue, IFunctionDef } from "../src/savedmodel/proto.js";

const DT_FLOAT = 1;
const DT_INT32 = 3;
const DT_STRING = 7;

function must(op: string): OpSchema {
  const s = registryOp(op);
  assert.ok(s, `registry has ${op}`);
  return s;
}

test("generated registry has all 1,563 TensorFlow ops (+ TF Text add-ons), sorted and unique", () => {
  assert.equal(REGISTRY_TF_OP_COUNT, 1563);
  const names = registryOpNames();
  assert.equal(names.length, REGISTRY_OP_COUNT);
  assert.equal(new Set(names).size, names.length);
  assert.equal(names.filter((n) => must(n).library === undefined).length, 1563);
  assert.deepEqual(
    [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    names,
  );
  assert.ok(OP_TABLE.length < 400 * 1024, `table is ${OP_TABLE.length} chars`);
  // Every line decodes.
  for (const n of names) assert.equal(must(n).name, n);
  assert.equal(registryOp("NoSuchOp"), undefined);
});

test("Conv2D: inputs, attr types and defaults", () => {
  const s = must("Conv2D");
  assert.equal(s.source, "registry");
  assert.deepEqual(s.inputs, [
    { name: "input", typeAttr: "T" },
    { name: "filter", typeAttr: "T" },
  ]);
  assert.deepEqual(s.outputs, [{ name: "output", typeAttr: "T" }]);
  const byName = Object.fromEntries(s.attrs.map((a) => [a.name, a]));
  assert.deepEqual([...(byName.dilations.default?.list?.i ?? [])], [1, 1, 1, 1]);
  assert.equal(byName.dilations.type, "list(int)");
  assert.equal(new TextDecoder().decode(byName.data_format.default?.s ?? new Uint8Array()), "NHWC");
  assert.equal(byName.use_cudnn_on_gpu.default?.b, true);
  assert.deepEqual([...(byName.explicit_paddings.default?.list?.i ?? [9])], []);
  assert.equal(byName.strides.default, undefined);
  assert.equal(attrTypeOf(s, "T"), "type");
  assert.equal(attrTypeOf(s, "padding"), "string");
  assert.equal(attrTypeOf(s, "nope"), undefined);
  // Defaults decode to real AttrValue messages (oneof `value` works) and are frozen.
  assert.equal((byName.dilations.default as tensorflow.AttrValue).value, "list");
  assert.ok(Object.isFrozen(byName.dilations.default));
});

test("multi-output ops: FusedBatchNormV3, Unique, TopKV2", () => {
  const fbn = must("FusedBatchNormV3");
  assert.equal(fbn.outputs.length, 6);
  assert.deepEqual(
    fbn.outputs.map((o) => o.name),
    ["y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2", "reserve_space_3"],
  );
  const lay = outputLayout(fbn, withDefaults({ attr: { T: { type: DataType.DT_HALF }, U: { type: DT_FLOAT } } }, fbn));
  assert.deepEqual(
    lay.map((l) => [l.start, l.count, l.dtypes[0]]),
    [
      [0, 1, DataType.DT_HALF],
      [1, 1, DT_FLOAT],
      [2, 1, DT_FLOAT],
      [3, 1, DT_FLOAT],
      [4, 1, DT_FLOAT],
      [5, 1, DT_FLOAT],
    ],
  );
  const uniq = must("Unique");
  assert.deepEqual(
    uniq.outputs.map((o) => o.name),
    ["y", "idx"],
  );
  // out_idx defaults to int32.
  const ul = outputLayout(uniq, withDefaults({ attr: { T: { type: DT_STRING } } }, uniq));
  assert.deepEqual(ul[1].dtypes, [DT_INT32]);
  assert.deepEqual(ul[0].dtypes, [DT_STRING]);
  const topk = must("TopKV2");
  assert.deepEqual(
    topk.inputs.map((o) => o.name),
    ["input", "k"],
  );
  assert.deepEqual(
    topk.outputs.map((o) => o.name),
    ["values", "indices"],
  );
  assert.equal(must("TopKV2").attrs.find((a) => a.name === "sorted")?.default?.b, true);
});

test("Split numberAttr, IdentityN typeListAttr, StatefulPartitionedCall", () => {
  const split = must("Split");
  assert.deepEqual(split.outputs, [{ name: "output", numberAttr: "num_split", typeAttr: "T" }]);
  assert.equal(split.attrs.find((a) => a.name === "num_split")?.minimum, 1);
  const sl = outputLayout(split, { num_split: { i: 3 }, T: { type: DT_FLOAT } });
  assert.deepEqual(sl, [{ name: "output", start: 0, count: 3, dtypes: [DT_FLOAT, DT_FLOAT, DT_FLOAT] }]);
  assert.deepEqual(
    inputLayout(split, { num_split: { i: 3 }, T: { type: DT_FLOAT } }).map((l) => [l.name, l.start, l.dtypes[0]]),
    [
      ["split_dim", 0, DT_INT32],
      ["value", 1, DT_FLOAT],
    ],
  );
  // A hostile count does not allocate 2^40 entries.
  assert.ok(outputLayout(split, { num_split: { i: 2 ** 40 } })[0].count <= 1 << 20);
  // Missing count attr is flagged, not guessed.
  assert.equal(outputLayout(split, {})[0].countUnknown, true);

  const idn = must("IdentityN");
  assert.deepEqual(idn.outputs, [{ name: "output", typeListAttr: "T" }]);
  const il = outputLayout(idn, { T: { list: { type: [DT_FLOAT, DT_INT32] } } });
  assert.deepEqual(il, [{ name: "output", start: 0, count: 2, dtypes: [DT_FLOAT, DT_INT32] }]);

  const spc = must("StatefulPartitionedCall");
  assert.deepEqual(spc.inputs, [{ name: "args", typeListAttr: "Tin" }]);
  assert.deepEqual(spc.outputs, [{ name: "output", typeListAttr: "Tout" }]);
  assert.equal(attrTypeOf(spc, "Tin"), "list(type)");
  assert.equal(attrTypeOf(spc, "Tout"), "list(type)");
  assert.equal(attrTypeOf(spc, "f"), "func");

  const v2 = must("VariableV2");
  assert.equal(v2.outputs[0].isRef, true);
  assert.equal(outputLayout(v2, { dtype: { type: DT_FLOAT } })[0].isRef, true);
});

test("withDefaults fills missing attrs, keeps present ones, never mutates", () => {
  const s = must("Conv2D");
  const node = tensorflow.NodeDef.create({
    name: "c",
    op: "Conv2D",
    attr: { T: { type: DT_FLOAT }, data_format: { s: new TextEncoder().encode("NCHW") } },
  });
  const before = Object.keys(node.attr);
  const attrs = withDefaults(node, s);
  assert.deepEqual(Object.keys(node.attr), before);
  assert.notEqual(attrs, node.attr);
  assert.equal(new TextDecoder().decode(attrs.data_format.s!), "NCHW");
  assert.deepEqual([...attrs.dilations.list!.i!], [1, 1, 1, 1]);
  assert.equal(attrs.use_cudnn_on_gpu.b, true);
  assert.equal(attrs.strides, undefined);
  assert.deepEqual(withDefaults(node), { ...node.attr });
});

test("OpResolver prefers the model's stripped_op_list, then registry, then functions", () => {
  const modelConv = tensorflow.OpDef.create({
    name: "Conv2D",
    inputArg: [
      { name: "input", typeAttr: "T" },
      { name: "filter", typeAttr: "T" },
    ],
    outputArg: [{ name: "output", typeAttr: "T" }],
    attr: [
      { name: "T", type: "type" },
      { name: "dilations", type: "list(int)", defaultValue: { list: { i: [2, 2, 2, 2] } } },
    ],
    isStateful: false,
  });
  const fn: IFunctionDef = {
    signature: { name: "my_fn", inputArg: [{ name: "x", type: DT_FLOAT }], outputArg: [{ name: "y", type: DT_FLOAT }] },
    nodeDef: [{ name: "id", op: "Identity", input: ["x"], attr: { T: { type: DT_FLOAT } } }],
    ret: { y: "id:output:0" },
  };
  const r = new OpResolver({ strippedOpList: [modelConv], functions: [fn] });
  assert.equal(r.get("Conv2D")?.source, "model");
  assert.deepEqual([...(r.get("Conv2D")!.attrs[1].default!.list!.i as number[])], [2, 2, 2, 2]);
  assert.equal(r.registryOnly("Conv2D")?.source, "registry");
  assert.equal(r.get("MatMul")?.source, "registry");
  assert.equal(r.get("my_fn")?.source, "function");
  assert.deepEqual(r.get("my_fn")?.outputs, [{ name: "y", type: DT_FLOAT }]);
  assert.equal(r.get("NotAnOp"), undefined);
  assert.ok(r.has("my_fn") && r.has("Conv2D") && !r.has("NotAnOp"));
  assert.equal(must("VarHandleOp").isStateful, undefined); // the registry data carries no statefulness
});

test("resolveGraphTensor parses GraphDef input names", () => {
  assert.deepEqual(resolveGraphTensor("a/b"), { kind: "node", node: "a/b", index: 0 });
  assert.deepEqual(resolveGraphTensor("a/b:2"), { kind: "node", node: "a/b", index: 2 });
  assert.deepEqual(resolveGraphTensor("^init"), { kind: "control", node: "init" });
});

test("resolveFunctionTensor maps named outputs to flat indices and fails clearly", () => {
  const fn: IFunctionDef = {
    signature: {
      name: "f",
      inputArg: [
        { name: "x", type: DT_FLOAT },
        { name: "k", type: DT_INT32 },
      ],
      outputArg: [
        { name: "idx", type: DT_INT32 },
        { name: "third", type: DT_FLOAT },
      ],
    },
    nodeDef: [
      { name: "top", op: "TopKV2", input: ["x", "k"], attr: { T: { type: DT_FLOAT } } },
      { name: "sp", op: "Split", input: ["k", "x", "^top"], attr: { T: { type: DT_FLOAT }, num_split: { i: 3 } } },
      { name: "bad", op: "NoSuchOp", input: [] },
    ],
    ret: { idx: "top:indices:0", third: "sp:output:2" },
  };
  const r = new OpResolver({ functions: [fn] });
  assert.deepEqual(resolveFunctionTensor("k", fn, r), { kind: "arg", argIndex: 1, name: "k" });
  assert.deepEqual(resolveFunctionTensor("top:indices:0", fn, r), { kind: "node", node: "top", index: 1 });
  assert.deepEqual(resolveFunctionTensor("sp:output:2", fn, r), { kind: "node", node: "sp", index: 2 });
  assert.deepEqual(resolveFunctionTensor("^top", fn, r), { kind: "control", node: "top" });
  assert.deepEqual(functionOutputs(fn, r), [
    { outputArg: "idx", source: { kind: "node", node: "top", index: 1 } },
    { outputArg: "third", source: { kind: "node", node: "sp", index: 2 } },
  ]);
  const bad = (ref: string, re: RegExp) =>
    assert.throws(
      () => resolveFunctionTensor(ref, fn, r, { node: "user" }),
      (e: unknown) => e instanceof TensorRefError && e.ref === ref && e.node === "user" && re.test(e.message),
    );
  bad("y", /no input argument "y"/);
  bad("nope:output:0", /no node "nope"/);
  bad("^nope", /no node "nope"/);
  bad("top:values:1", /has 1 tensor/);
  bad("top:bogus:0", /no output "bogus" \(outputs: values, indices\)/);
  bad("sp:output:3", /index 3 is out of range/);
  bad("bad:out:0", /op "NoSuchOp" of node "bad" is unknown/);
  assert.throws(() => functionOutputs({ ...fn, ret: {} }, r), /output "idx" has no ret entry/);
});

test("TF Text add-on ops carry their library, statefulness and output order", () => {
  const sp = must("SentencepieceOp");
  assert.equal(sp.library, "tensorflow_text");
  assert.equal(sp.isStateful, true);
  assert.deepEqual(sp.outputs, [{ name: "handle", type: DataType.DT_RESOURCE }]);
  const tok = must("SentencepieceTokenizeWithOffsetsOp");
  assert.equal(tok.inputs.length, 7);
  const lay = outputLayout(tok, withDefaults({ attr: {} }, tok));
  assert.deepEqual(
    lay.map((l) => [l.name, l.start, l.dtypes[0]]),
    [
      ["output_values", 0, DT_INT32],
      ["output_splits", 1, DataType.DT_INT64],
      ["output_offset_starts", 2, DataType.DT_INT64],
      ["output_offset_limits", 3, DataType.DT_INT64],
    ],
  );
  const wp = must("WordpieceTokenizeWithOffsets").attrs.find((a) => a.name === "output_row_partition_type");
  assert.equal(new TextDecoder().decode(wp?.default?.s ?? new Uint8Array()), "row_lengths");
  assert.equal(must("Conv2D").library, undefined);
});

test("the table only holds attribute values it can represent", () => {
  const a = must("ImageSummary").attrs.find((x) => x.name === "bad_color");
  assert.equal(a?.type, "tensor");
  assert.equal(a?.default, undefined); // a tensor default is not in the source data
  const nan = must("DebugNumericSummary").attrs.find((x) => x.name === "lower_bound")?.default as IAttrValue;
  assert.ok(Number.isNaN(nan.f));
  const ph = must("Placeholder").attrs.find((x) => x.name === "shape")?.default;
  assert.equal(ph?.shape?.unknownRank, true);
  const sdbb = must("SampleDistortedBoundingBox").attrs.find((x) => x.name === "area_range")?.default;
  assert.deepEqual([...(sdbb?.list?.f ?? [])], [0.05000000074505806, 1]);
});
