/**
 * Per-op checks against values computed by hand (attribute variants, stripped defaults, control inputs,
 * function-body output refs), and one node of every op family so a tfjs upgrade cannot break us silently.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { IAttrValue, IFunctionDef, IGraphDef, INodeDef } from "../../src/savedmodel/proto.js";
import { tensorToProto, type DecodedTensor } from "../../src/savedmodel/tensor.js";
import { loadExecutorBundle, type ExecutorBundle } from "./helpers/bundle.js";

let X: ExecutorBundle;
before(async () => {
  X = await loadExecutorBundle();
});

const F = 1,
  I32 = 3,
  STR = 7,
  I64 = 9,
  BOOL = 10;
const a = {
  type: (t: number): IAttrValue => ({ type: t }),
  i: (v: number): IAttrValue => ({ i: v }),
  f: (v: number): IAttrValue => ({ f: v }),
  b: (v: boolean): IAttrValue => ({ b: v }),
  s: (v: string): IAttrValue => ({ s: new TextEncoder().encode(v) }),
  ints: (v: number[]): IAttrValue => ({ list: { i: v } }),
  floats: (v: number[]): IAttrValue => ({ list: { f: v } }),
  types: (v: number[]): IAttrValue => ({ list: { type: v } }),
  strs: (v: string[]): IAttrValue => ({ list: { s: v.map((x) => new TextEncoder().encode(x)) } }),
  shapes: (v: number[][]): IAttrValue => ({ list: { shape: v.map((d) => ({ dim: d.map((size) => ({ size })) })) } }),
  func: (name: string): IAttrValue => ({ func: { name } }),
};
const f32 = (values: number[], shape: number[]): DecodedTensor => ({
  dtype: F,
  shape,
  values: Float32Array.from(values),
});
const i32 = (values: number[], shape: number[]): DecodedTensor => ({
  dtype: I32,
  shape,
  values: Int32Array.from(values),
});
const str = (values: string[], shape: number[]): DecodedTensor => ({
  dtype: STR,
  shape,
  values: values.map((s) => new TextEncoder().encode(s)),
});

class G {
  nodes: INodeDef[] = [];
  fns: IFunctionDef[] = [];
  const(name: string, t: DecodedTensor): this {
    this.nodes.push({ name, op: "Const", attr: { value: { tensor: tensorToProto(t) }, dtype: a.type(t.dtype) } });
    return this;
  }
  ph(name: string, dtype = F): this {
    this.nodes.push({ name, op: "Placeholder", attr: { dtype: a.type(dtype) } });
    return this;
  }
  op(name: string, op: string, input: string[], attr: Record<string, IAttrValue> = {}): this {
    this.nodes.push({ name, op, input, attr });
    return this;
  }
  graph(): IGraphDef {
    return { node: this.nodes, library: { function: this.fns }, versions: { producer: 1000 } };
  }
}

const vals = (t: DecodedTensor) =>
  Array.isArray(t.values)
    ? t.values.map((b) => new TextDecoder().decode(b))
    : Array.from(t.values as ArrayLike<number | bigint>, Number);
async function run(
  g: G,
  fetch: string,
  feeds: Record<string, DecodedTensor> = {},
  backend: "wasm" | "cpu" = "wasm",
): Promise<DecodedTensor> {
  return (await X.evalGraph(g.graph(), feeds, [fetch], { backend }))[fetch];
}
const img4 = f32([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
const ones2 = f32([1, 1, 1, 1], [2, 2, 1, 1]);

for (const backend of ["wasm", "cpu"] as const) {
  describe(`op mapping by hand (${backend})`, () => {
    test("Conv2D VALID, stripped dilations/data_format defaults refilled", async () => {
      const g = new G()
        .const("x", img4)
        .const("w", ones2)
        .op("c", "Conv2D", ["x", "w"], { T: a.type(F), strides: a.ints([1, 1, 1, 1]), padding: a.s("VALID") });
      const r = await run(g, "c", {}, backend);
      assert.deepEqual(r.shape, [1, 3, 3, 1]);
      assert.deepEqual(vals(r), [14, 18, 22, 30, 34, 38, 46, 50, 54]);
    });
    test("Conv2D SAME with strides 2", async () => {
      const g = new G()
        .const("x", img4)
        .const("w", ones2)
        .op("c", "Conv2D", ["x", "w"], { T: a.type(F), strides: a.ints([1, 2, 2, 1]), padding: a.s("SAME") });
      assert.deepEqual(vals(await run(g, "c", {}, backend)), [14, 22, 46, 54]);
    });
    test("Conv2D VALID with dilations 2", async () => {
      const g = new G()
        .const("x", img4)
        .const("w", ones2)
        .op("c", "Conv2D", ["x", "w"], {
          T: a.type(F),
          strides: a.ints([1, 1, 1, 1]),
          padding: a.s("VALID"),
          dilations: a.ints([1, 2, 2, 1]),
        });
      assert.deepEqual(vals(await run(g, "c", {}, backend)), [24, 28, 40, 44]);
    });
    test("MaxPool SAME stride 2", async () => {
      const g = new G().const("x", f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1])).op("p", "MaxPool", ["x"], {
        T: a.type(F),
        ksize: a.ints([1, 2, 2, 1]),
        strides: a.ints([1, 2, 2, 1]),
        padding: a.s("SAME"),
      });
      const r = await run(g, "p", {}, backend);
      assert.deepEqual(r.shape, [1, 2, 2, 1]);
      assert.deepEqual(vals(r), [5, 6, 8, 9]);
    });
    test("DepthwiseConv2dNative multiplies per channel", async () => {
      const g = new G()
        .const("x", f32([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]))
        .const("w", f32([2, 3], [1, 1, 2, 1]))
        .op("d", "DepthwiseConv2dNative", ["x", "w"], {
          T: a.type(F),
          strides: a.ints([1, 1, 1, 1]),
          padding: a.s("VALID"),
        });
      assert.deepEqual(vals(await run(g, "d", {}, backend)), [2, 30, 4, 60, 6, 90, 8, 120]);
    });
    test("BiasAdd NHWC and NCHW", async () => {
      const g = new G()
        .const("x", f32([0, 0, 0, 0, 0, 0, 0, 0], [1, 2, 2, 2]))
        .const("b", f32([1, 2], [2]))
        .op("nhwc", "BiasAdd", ["x", "b"], { T: a.type(F) })
        .op("nchw", "BiasAdd", ["x", "b"], { T: a.type(F), data_format: a.s("NCHW") });
      assert.deepEqual(vals(await run(g, "nhwc", {}, backend)), [1, 2, 1, 2, 1, 2, 1, 2]);
      assert.deepEqual(vals(await run(g, "nchw", {}, backend)), [1, 1, 1, 1, 2, 2, 2, 2]);
    });
    test("MatMul transpose flags", async () => {
      const base = () => new G().const("A", f32([1, 2, 3, 4], [2, 2])).const("B", f32([5, 6, 7, 8], [2, 2]));
      assert.deepEqual(
        vals(await run(base().op("m", "MatMul", ["A", "B"], { T: a.type(F) }), "m", {}, backend)),
        [19, 22, 43, 50],
      );
      assert.deepEqual(
        vals(
          await run(base().op("m", "MatMul", ["A", "B"], { T: a.type(F), transpose_a: a.b(true) }), "m", {}, backend),
        ),
        [26, 30, 38, 44],
      );
      assert.deepEqual(
        vals(
          await run(base().op("m", "MatMul", ["A", "B"], { T: a.type(F), transpose_b: a.b(true) }), "m", {}, backend),
        ),
        [17, 23, 39, 53],
      );
      assert.deepEqual(
        vals(
          await run(base().op("m", "BatchMatMulV2", ["A", "B"], { T: a.type(F), adj_x: a.b(true) }), "m", {}, backend),
        ),
        [26, 30, 38, 44],
      );
    });
    test("GatherV2 with batch_dims 1", async () => {
      const g = new G()
        .const("p", f32([1, 2, 3, 4, 5, 6], [2, 3]))
        .const("i", i32([2, 0, 1, 1], [2, 2]))
        .const("ax", i32([1], []))
        .op("g", "GatherV2", ["p", "i", "ax"], {
          Tparams: a.type(F),
          Tindices: a.type(I32),
          Taxis: a.type(I32),
          batch_dims: a.i(1),
        });
      assert.deepEqual(vals(await run(g, "g", {}, backend)), [3, 1, 5, 5]);
    });
    test("StridedSlice shrink_axis_mask (other masks stripped)", async () => {
      const g = new G()
        .const("x", f32([1, 2, 3, 4, 5, 6], [2, 3]))
        .const("b", i32([1, 0], [2]))
        .const("e", i32([2, 3], [2]))
        .const("s", i32([1, 1], [2]))
        .op("ss", "StridedSlice", ["x", "b", "e", "s"], { T: a.type(F), Index: a.type(I32), shrink_axis_mask: a.i(1) });
      const r = await run(g, "ss", {}, backend);
      assert.deepEqual(r.shape, [3]);
      assert.deepEqual(vals(r), [4, 5, 6]);
    });
  });
}

describe("graph semantics", () => {
  test("control inputs never become data: ConcatV2(a, b, axis, ^dep), Pack(a, b, ^dep), AddN", async () => {
    const g = new G()
      .const("a", f32([1, 2], [2]))
      .const("b", f32([3], [1]))
      .const("axis", i32([0], []))
      .op("dep", "NoOp", [])
      .op("c", "ConcatV2", ["a", "b", "axis", "^dep"], { T: a.type(F), N: a.i(2), Tidx: a.type(I32) })
      .op("p", "Pack", ["b", "b", "^dep"], { T: a.type(F), N: a.i(2) })
      .op("n", "AddN", ["a", "a", "^c"], { T: a.type(F), N: a.i(2) });
    assert.deepEqual(vals(await run(g, "c")), [1, 2, 3]);
    assert.deepEqual((await run(g, "p")).shape, [2, 1]);
    assert.deepEqual(vals(await run(g, "n")), [2, 4]);
  });
  test("function body refs node:out_arg:i are flattened (Unique's idx is flat output 1)", async () => {
    const g = new G()
      .const("x", f32([7, 7, 9], [3]))
      .op("call", "PartitionedCall", ["x"], { Tin: a.types([F]), Tout: a.types([I32]), f: a.func("uniq_idx") });
    g.fns.push({
      signature: { name: "uniq_idx", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "idx", type: I32 }] },
      nodeDef: [{ name: "u", op: "Unique", input: ["x"], attr: { T: a.type(F), out_idx: a.type(I32) } }],
      ret: { idx: "u:idx:0" },
    });
    assert.deepEqual(vals(await run(g, "call")), [0, 0, 1]);
  });
  test("implementation selection: a call to the GPU (CudnnRNN) variant runs the CPU sibling", async () => {
    const g = new G()
      .const("x", f32([3], []))
      .op("call", "StatefulPartitionedCall", ["x"], { Tin: a.types([F]), Tout: a.types([F]), f: a.func("lstm_gpu") });
    const impl = { api_implements: a.s("lstm_0000"), api_preferred_device: a.s("GPU") };
    g.fns.push(
      {
        signature: { name: "lstm_gpu", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "y", type: F }] },
        attr: impl,
        nodeDef: [{ name: "rnn", op: "CudnnRNN", input: ["x"], attr: { T: a.type(F) } }],
        ret: { y: "rnn:output:0" },
      },
      {
        signature: { name: "lstm_cpu", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "y", type: F }] },
        attr: { ...impl, api_preferred_device: a.s("CPU") },
        nodeDef: [{ name: "m", op: "Mul", input: ["x", "x"], attr: { T: a.type(F) } }],
        ret: { y: "m:z:0" },
      },
    );
    assert.deepEqual(vals(await run(g, "call")), [9]);
  });
  test("While (TF2) counts to 5 and If picks a branch", async () => {
    const g = new G()
      .const("i0", i32([0], []))
      .op("w", "StatelessWhile", ["i0"], { T: a.types([I32]), cond: a.func("lt5"), body: a.func("inc") })
      .const("t", { dtype: BOOL, shape: [], values: Uint8Array.of(0) })
      .op("if", "If", ["t", "i0"], {
        Tcond: a.type(BOOL),
        Tin: a.types([I32]),
        Tout: a.types([I32]),
        then_branch: a.func("inc"),
        else_branch: a.func("dec"),
      });
    const five = { dtype: I32, shape: [], values: Int32Array.of(5) };
    const one = { dtype: I32, shape: [], values: Int32Array.of(1) };
    g.fns.push(
      {
        signature: { name: "lt5", inputArg: [{ name: "i", type: I32 }], outputArg: [{ name: "c", type: BOOL }] },
        nodeDef: [
          { name: "five", op: "Const", attr: { value: { tensor: tensorToProto(five) }, dtype: a.type(I32) } },
          { name: "less", op: "Less", input: ["i", "five:output:0"], attr: { T: a.type(I32) } },
        ],
        ret: { c: "less:z:0" },
      },
      {
        signature: { name: "inc", inputArg: [{ name: "i", type: I32 }], outputArg: [{ name: "o", type: I32 }] },
        nodeDef: [
          { name: "one", op: "Const", attr: { value: { tensor: tensorToProto(one) }, dtype: a.type(I32) } },
          { name: "add", op: "AddV2", input: ["i", "one:output:0"], attr: { T: a.type(I32) } },
        ],
        ret: { o: "add:z:0" },
      },
      {
        signature: { name: "dec", inputArg: [{ name: "i", type: I32 }], outputArg: [{ name: "o", type: I32 }] },
        nodeDef: [
          { name: "one", op: "Const", attr: { value: { tensor: tensorToProto(one) }, dtype: a.type(I32) } },
          { name: "sub", op: "Sub", input: ["i", "one:output:0"], attr: { T: a.type(I32) } },
        ],
        ret: { o: "sub:z:0" },
      },
    );
    assert.deepEqual(vals(await run(g, "w")), [5]);
    assert.deepEqual(vals(await run(g, "if")), [-1]);
  });
  test("ParseExampleV2: variable-length dense features are padded; ragged features give values and row splits", async () => {
    const ex = X.examplesFromJson('[{"v":[1.0, 2.0], "r":[5]}, {"v":[3.0], "r":[6, 7]}]');
    const g = new G()
      .const("s", { dtype: STR, shape: [2], values: ex })
      .const("names", str([], [0]))
      .const("sk", str([], [0]))
      .const("dk", str(["v"], [1]))
      .const("rk", str(["r"], [1]))
      .const("d0", f32([0], []))
      .op("p", "ParseExampleV2", ["s", "names", "sk", "dk", "rk", "d0"], {
        Tdense: a.types([F]),
        num_sparse: a.i(0),
        sparse_types: a.types([]),
        ragged_value_types: a.types([I64]),
        ragged_split_types: a.types([I64]),
        dense_shapes: a.shapes([[-1]]),
      });
    const out = await X.evalGraph(g.graph(), {}, ["p:0", "p:1", "p:2"]);
    assert.deepEqual(out["p:0"].shape, [2, 2]);
    assert.deepEqual(vals(out["p:0"]), [1, 2, 3, 0]);
    assert.deepEqual(vals(out["p:1"]), [5, 6, 7]);
    assert.deepEqual(vals(out["p:2"]), [0, 1, 3]);
  });
  test("UnicodeDecodeWithOffsets: code points, row splits and byte offsets", async () => {
    const g = new G()
      .const("s", str(["aé€😀", ""], [2]))
      .op("d", "UnicodeDecodeWithOffsets", ["s"], { input_encoding: a.s("UTF-8"), Tsplits: a.type(I64) });
    const out = await X.evalGraph(g.graph(), {}, ["d:0", "d:1", "d:2"]);
    assert.deepEqual(vals(out["d:0"]), [0, 4, 4]);
    assert.deepEqual(vals(out["d:1"]), [0x61, 0xe9, 0x20ac, 0x1f600]);
    assert.deepEqual(vals(out["d:2"]), [0, 1, 3, 6]);
  });
  test("a variable's value stored in a TensorList survives the run (the list gets a clone)", async () => {
    const { tensorflow } = await import("../../src/savedmodel/proto.js");
    const { MemoryFileAccess } = await import("../../src/savedmodel/memoryFileAccess.js");
    const g = new G()
      .op("v", "VarHandleOp", [], { dtype: a.type(F), shape: { shape: { dim: [{ size: 2 }] } }, shared_name: a.s("v") })
      .const("init_value", f32([5, 6], [2]))
      .op("assign", "AssignVariableOp", ["v", "init_value"], { dtype: a.type(F) })
      .op("init", "NoOp", ["^assign"])
      .ph("x")
      .op("read", "ReadVariableOp", ["v"], { dtype: a.type(F) })
      .const("eshape", i32([2], [1]))
      .const("n", i32([1], []))
      .const("zero", i32([0], []))
      .op("list", "TensorListReserve", ["eshape", "n"], { element_dtype: a.type(F), shape_type: a.type(I32) })
      .op("set", "TensorListSetItem", ["list", "zero", "read"], { element_dtype: a.type(F) })
      .op("stack", "TensorListStack", ["set", "eshape"], { element_dtype: a.type(F), num_elements: a.i(1) })
      .op("y", "AddV2", ["stack", "x"], { T: a.type(F) });
    const sm = tensorflow.SavedModel.create({
      savedModelSchemaVersion: 1,
      metaGraphs: [
        {
          metaInfoDef: { tags: ["serve"] },
          graphDef: g.graph(),
          collectionDef: { saved_model_main_op: { nodeList: { value: ["init"] } } },
          signatureDef: {
            serving_default: { inputs: { x: { name: "x:0", dtype: F } }, outputs: { y: { name: "y:0", dtype: F } } },
          },
        },
      ],
    });
    const s = await X.loadSession(
      new MemoryFileAccess(new Map([["saved_model.pb", tensorflow.SavedModel.encode(sm).finish()]])),
    );
    try {
      for (let i = 0; i < 3; i++) {
        const r = await s.run("serving_default", { x: f32([1], []) });
        assert.deepEqual(vals(r.outputs.y), [6, 7]);
      }
    } finally {
      s.dispose();
    }
  });
  test("int64 results beyond int32 are warned about (arithmetic and casts)", async () => {
    const warnings: string[] = [];
    const g = new G()
      .const("a", { dtype: I64, shape: [2], values: BigInt64Array.of(3n, 1000000000n) })
      .const("six", { dtype: I64, shape: [], values: BigInt64Array.of(6n) })
      .op("m", "Mul", ["a", "six"], { T: a.type(I64) })
      .const("f", f32([1, 6e9], [2]))
      .op("c", "Cast", ["f"], { SrcT: a.type(F), DstT: a.type(I64) });
    await X.evalGraph(g.graph(), {}, ["m", "c"], { warnings });
    assert.ok(
      warnings.some((w) => /node "m" \(Mul, int64\).*wrapped/.test(w)),
      warnings.join("\n"),
    );
    assert.ok(
      warnings.some((w) => /node "c" \(Cast to int64\)/.test(w)),
      warnings.join("\n"),
    );
  });
  test("TF1 while loop: Enter/Merge/Switch/Exit/NextIteration with loop invariants (is_constant)", async () => {
    const loop = { frame_name: a.s("while/while_context"), T: a.type(I32) };
    const g = new G()
      .const("i0", i32([0], []))
      .const("c0", i32([2], []))
      .const("limit", i32([9], []))
      .op("enter_i", "Enter", ["i0"], { ...loop })
      .op("enter_c", "Enter", ["c0"], { ...loop, is_constant: a.b(true) })
      .op("enter_lim", "Enter", ["limit"], { ...loop, is_constant: a.b(true) })
      .op("merge", "Merge", ["enter_i", "next_i"], { T: a.type(I32), N: a.i(2) })
      .op("less", "Less", ["merge", "enter_lim"], { T: a.type(I32) })
      .op("cond", "LoopCond", ["less"])
      .op("sw", "Switch", ["merge", "cond"], { T: a.type(I32) })
      .op("exit", "Exit", ["sw"], { T: a.type(I32) })
      .op("body", "Identity", ["sw:1"], { T: a.type(I32) })
      .op("add", "AddV2", ["body", "enter_c"], { T: a.type(I32) })
      .op("next_i", "NextIteration", ["add"], { T: a.type(I32) })
      .op("out", "Mul", ["exit", "c0"], { T: a.type(I32) });
    // 0, 2, 4, 6, 8, 10 → exits with 10; times 2
    assert.deepEqual(vals(await run(g, "out")), [20]);
  });
  test("TF1 loops free each iteration's tensors (100 iterations of a 1 MiB tensor under a 16 MiB limit)", async () => {
    const loopI = { frame_name: a.s("w"), T: a.type(I32) };
    const loopF = { frame_name: a.s("w"), T: a.type(F) };
    const n = 256 * 1024;
    const g = new G()
      .const("i0", i32([0], []))
      .const("x0", f32(new Array(n).fill(0), [n]))
      .const("one_i", i32([1], []))
      .const("one_f", f32([1], []))
      .const("limit", i32([100], []))
      .op("ei", "Enter", ["i0"], loopI)
      .op("ex", "Enter", ["x0"], loopF)
      .op("e1i", "Enter", ["one_i"], { ...loopI, is_constant: a.b(true) })
      .op("e1f", "Enter", ["one_f"], { ...loopF, is_constant: a.b(true) })
      .op("elim", "Enter", ["limit"], { ...loopI, is_constant: a.b(true) })
      .op("mi", "Merge", ["ei", "ni"], { T: a.type(I32), N: a.i(2) })
      .op("mx", "Merge", ["ex", "nx"], { T: a.type(F), N: a.i(2) })
      .op("less", "Less", ["mi", "elim"], { T: a.type(I32) })
      .op("cond", "LoopCond", ["less"])
      .op("si", "Switch", ["mi", "cond"], { T: a.type(I32) })
      .op("sx", "Switch", ["mx", "cond"], { T: a.type(F) })
      .op("xi", "Exit", ["si"], { T: a.type(I32) })
      .op("xx", "Exit", ["sx"], { T: a.type(F) })
      .op("bi", "Identity", ["si:1"], { T: a.type(I32) })
      .op("bx", "Identity", ["sx:1"], { T: a.type(F) })
      .op("ai", "AddV2", ["bi", "e1i"], { T: a.type(I32) })
      .op("ax", "AddV2", ["bx", "e1f"], { T: a.type(F) })
      .op("ni", "NextIteration", ["ai"], { T: a.type(I32) })
      .op("nx", "NextIteration", ["ax"], { T: a.type(F) })
      .const("zero", i32([0], []))
      .const("size1", i32([1], []))
      .op("first", "Slice", ["xx", "zero", "size1"], { T: a.type(F), Index: a.type(I32) });
    const out = await X.evalGraph(g.graph(), {}, ["first"], { maxTensorBytes: 16 * 2 ** 20 });
    assert.deepEqual(vals(out.first), [100]);
  });
  test("Case picks the branch by index; out-of-range picks the last", async () => {
    const mk = (idx: number) => {
      const g = new G()
        .const("k", i32([idx], []))
        .const("x", f32([3], []))
        .op("c", "Case", ["k", "x"], {
          Tin: a.types([F]),
          Tout: a.types([F]),
          branches: { list: { func: [{ name: "neg" }, { name: "sq" }] } },
        });
      g.fns.push(
        {
          signature: { name: "neg", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "y", type: F }] },
          nodeDef: [{ name: "n", op: "Neg", input: ["x"], attr: { T: a.type(F) } }],
          ret: { y: "n:y:0" },
        },
        {
          signature: { name: "sq", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "y", type: F }] },
          nodeDef: [{ name: "s", op: "Square", input: ["x"], attr: { T: a.type(F) } }],
          ret: { y: "s:y:0" },
        },
      );
      return g;
    };
    assert.deepEqual(vals(await run(mk(0), "c")), [-3]);
    assert.deepEqual(vals(await run(mk(1), "c")), [9]);
    assert.deepEqual(vals(await run(mk(7), "c")), [9]);
  });
  test("UnicodeScript gives ICU script codes (-1 for invalid code points)", async () => {
    const g = new G()
      .const("cp", i32([0x41, 0x416, 0x4e2d, 0x20, 0x301, 0x30a2, 0x627, -1, 0xe0000], [9]))
      .op("s", "UnicodeScript", ["cp"]);
    assert.deepEqual(vals(await run(g, "s")), [25, 8, 17, 0, 1, 22, 2, -1, 103]);
  });
  test("errors name the node, its op and input shapes", async () => {
    const g = new G()
      .const("a", f32([1, 2], [2]))
      .const("b", f32([1, 2, 3], [3]))
      .op("bad_add", "AddV2", ["a", "b"], { T: a.type(F) });
    await assert.rejects(
      run(g, "bad_add"),
      (e: Error) => /node "bad_add" \(op AddV2/.test(e.message) && /float32\[2\], float32\[3\]/.test(e.message),
    );
  });
  test("a loop that keeps growing its tensors is stopped by the memory limit", async () => {
    const g = new G()
      .const("x0", f32([1], [1]))
      .op("w", "StatelessWhile", ["x0"], { T: a.types([F]), cond: a.func("forever"), body: a.func("double") });
    const yes = { dtype: BOOL, shape: [], values: Uint8Array.of(1) };
    const zero = { dtype: I32, shape: [], values: Int32Array.of(0) };
    g.fns.push(
      {
        signature: { name: "forever", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "c", type: BOOL }] },
        nodeDef: [{ name: "t", op: "Const", attr: { value: { tensor: tensorToProto(yes) }, dtype: a.type(BOOL) } }],
        ret: { c: "t:output:0" },
      },
      {
        signature: { name: "double", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "y", type: F }] },
        nodeDef: [
          { name: "ax", op: "Const", attr: { value: { tensor: tensorToProto(zero) }, dtype: a.type(I32) } },
          {
            name: "cat",
            op: "ConcatV2",
            input: ["x", "x", "ax:output:0"],
            attr: { T: a.type(F), N: a.i(2), Tidx: a.type(I32) },
          },
        ],
        ret: { y: "cat:output:0" },
      },
    );
    await assert.rejects(
      X.evalGraph(g.graph(), {}, ["w"], { maxTensorBytes: 2 ** 22 }),
      /over the limit of 4 MiB|over the limit/,
    );
  });
  test("a recursive function is stopped by the call-depth limit", async () => {
    const g = new G()
      .const("x", f32([1], []))
      .op("call", "PartitionedCall", ["x"], { Tin: a.types([F]), Tout: a.types([F]), f: a.func("rec") });
    g.fns.push({
      signature: { name: "rec", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "y", type: F }] },
      nodeDef: [
        {
          name: "again",
          op: "PartitionedCall",
          input: ["x"],
          attr: { Tin: a.types([F]), Tout: a.types([F]), f: a.func("rec") },
        },
      ],
      ret: { y: "again:output:0" },
    });
    await assert.rejects(run(g, "call"), /nest deeper than/);
  });
  test("file-touching ops are refused", async () => {
    const g = new G()
      .const("f", str(["/etc/passwd"], []))
      .const("c", str(["x"], []))
      .op("w", "WriteFile", ["f", "c"])
      .op("r", "ReadFile", ["f"]);
    await assert.rejects(X.evalGraph(g.graph(), {}, ["r"]), /refused/);
    const g2 = new G()
      .const("f", str(["/tmp/x"], []))
      .const("c", str(["x"], []))
      .op("w", "WriteFile", ["f", "c"])
      .op("id", "Identity", ["f", "^w"], { T: a.type(STR) });
    await assert.rejects(X.evalGraph(g2.graph(), {}, ["id"]), /refused: WriteFile/);
  });
});

/** One node per converter category and per family of ours: an upgrade that breaks one shows here. */
describe("every op family runs one node", () => {
  const samples: Record<string, () => [G, string, (r: DecodedTensor) => void]> = {
    arithmetic: () => [
      new G().const("a", f32([1, 2], [2])).op("o", "AddV2", ["a", "a"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [2, 4]),
    ],
    basic_math: () => [
      new G().const("a", f32([-1, 2], [2])).op("o", "Relu", ["a"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [0, 2]),
    ],
    control: () => [
      new G()
        .const("t", f32([1, 2, 3, 4], [2, 2]))
        .const("s", i32([2], [1]))
        .op("l", "TensorListFromTensor", ["t", "s"], { element_dtype: a.type(F), shape_type: a.type(I32) })
        .op("o", "TensorListStack", ["l", "s"], { element_dtype: a.type(F), num_elements: a.i(-1) }),
      "o",
      (r) => assert.deepEqual(vals(r), [1, 2, 3, 4]),
    ],
    convolution: () => [
      new G()
        .const("x", img4)
        .const("w", ones2)
        .op("o", "Conv2D", ["x", "w"], { T: a.type(F), strides: a.ints([1, 1, 1, 1]), padding: a.s("VALID") }),
      "o",
      (r) => assert.equal(vals(r)[0], 14),
    ],
    creation: () => [
      new G()
        .const("d", i32([2], [1]))
        .const("v", f32([3], []))
        .op("o", "Fill", ["d", "v"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [3, 3]),
    ],
    dynamic: () => [
      new G()
        .const("c", { dtype: BOOL, shape: [3], values: Uint8Array.of(0, 1, 1) })
        .op("o", "Where", ["c"], { T: a.type(BOOL) }),
      "o",
      (r) => assert.deepEqual(vals(r), [1, 2]),
    ],
    evaluation: () => [
      new G()
        .const("x", f32([1, 5, 3], [3]))
        .const("k", i32([1], []))
        .op("o", "TopKV2", ["x", "k"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [5]),
    ],
    graph: () => [
      new G().const("x", f32([1], [1])).op("o", "Identity", ["x"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [1]),
    ],
    hash_table: () => [
      new G()
        .op("t", "HashTableV2", [], { key_dtype: a.type(STR), value_dtype: a.type(I64) })
        .const("k", str(["a", "b"], [2]))
        .const("v", { dtype: I64, shape: [2], values: BigInt64Array.of(7n, 8n) })
        .op("init", "InitializeTableV2", ["t", "k", "v"])
        .const("q", str(["b", "z"], [2]))
        .const("d", { dtype: I64, shape: [], values: BigInt64Array.of(-1n) })
        .op("o", "LookupTableFindV2", ["t", "q", "d", "^init"], { Tin: a.type(STR), Tout: a.type(I64) }),
      "o",
      (r) => assert.deepEqual(vals(r), [8, -1]),
    ],
    image: () => [
      new G()
        .const("x", f32([1, 2, 3, 4], [1, 2, 2, 1]))
        .const("s", i32([4, 4], [2]))
        .op("o", "ResizeBilinear", ["x", "s"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(r.shape, [1, 4, 4, 1]),
    ],
    logical: () => [
      new G()
        .const("a", f32([1, 2], [2]))
        .const("b", f32([1, 3], [2]))
        .op("o", "Equal", ["a", "b"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [1, 0]),
    ],
    matrices: () => [
      new G().const("a", f32([1, 2, 3, 4], [2, 2])).op("o", "MatMul", ["a", "a"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [7, 10, 15, 22]),
    ],
    normalization: () => [
      new G().const("a", f32([0, 0], [1, 2])).op("o", "Softmax", ["a"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [0.5, 0.5]),
    ],
    ragged: () => [
      new G()
        .const("s", i32([0, 5], [2]))
        .const("l", i32([2, 7], [2]))
        .const("d", i32([1, 1], [2]))
        .op("o", "RaggedRange", ["s", "l", "d"], { T: a.type(I32), Tsplits: a.type(I32) }),
      "o:1",
      (r) => assert.deepEqual(vals(r), [0, 1, 5, 6]),
    ],
    reduction: () => [
      new G()
        .const("a", f32([1, 2, 3], [3]))
        .const("ax", i32([0], [1]))
        .op("o", "Sum", ["a", "ax"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [6]),
    ],
    slice_join: () => [
      new G()
        .const("a", f32([1], [1]))
        .const("ax", i32([0], []))
        .op("o", "ConcatV2", ["a", "a", "ax"], { T: a.type(F), N: a.i(2) }),
      "o",
      (r) => assert.deepEqual(vals(r), [1, 1]),
    ],
    sparse: () => [
      new G()
        .const("i", i32([0, 0, 1, 1], [2, 2]))
        .const("s", i32([2, 2], [2]))
        .const("n", i32([4], [1]))
        .op("o", "SparseReshape", ["i", "s", "n"]),
      "o:1",
      (r) => assert.deepEqual(vals(r), [4]),
    ],
    spectral: () => [
      new G()
        .const("x", f32([1, 0, 0, 0], [4]))
        .op("o", "RFFT", ["x", "len"], { Treal: a.type(F) })
        .const("len", i32([4], [1]))
        .op("abs", "ComplexAbs", ["o"], { T: a.type(8) }),
      "abs",
      (r) => assert.deepEqual(vals(r), [1, 1, 1]),
    ],
    string: () => [
      new G().const("s", str(["hello"], [1])).op("o", "StringToHashBucketFast", ["s"], { num_buckets: a.i(10) }),
      "o",
      (r) => assert.ok(Number(vals(r)[0]) >= 0 && Number(vals(r)[0]) < 10),
    ],
    transformation: () => [
      new G()
        .const("a", f32([1, 2, 3, 4], [4]))
        .const("s", i32([2, 2], [2]))
        .op("o", "Reshape", ["a", "s"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(r.shape, [2, 2]),
    ],
    // families of ours
    variables: () => [
      new G()
        .op("v", "VarHandleOp", [], { dtype: a.type(F), shape: { shape: { dim: [] } }, shared_name: a.s("v") })
        .const("x", f32([4], []))
        .op("as", "AssignVariableOp", ["v", "x"], { dtype: a.type(F) })
        .op("o", "ReadVariableOp", ["v", "^as"], { dtype: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [4]),
    ],
    functional: () => {
      const g = new G()
        .const("x", f32([3], []))
        .op("o", "StatefulPartitionedCall", ["x"], { Tin: a.types([F]), Tout: a.types([F]), f: a.func("sq") });
      g.fns.push({
        signature: { name: "sq", inputArg: [{ name: "x", type: F }], outputArg: [{ name: "y", type: F }] },
        nodeDef: [{ name: "m", op: "Mul", input: ["x", "x"], attr: { T: a.type(F) } }],
        ret: { y: "m:z:0" },
      });
      return [g, "o", (r) => assert.deepEqual(vals(r), [9])];
    },
    io: () => [
      new G().const("p", str(["assets/none.txt"], [])).op("o", "ReadFile", ["p"]),
      "o",
      () => assert.fail("must be refused"),
    ],
    tables: () => samples.hash_table(),
    parsing: () => {
      const ex = X.examplesFromJson('[{"x":[1.5, 2.5]}]')[0];
      const g = new G()
        .const("s", { dtype: STR, shape: [], values: [ex] })
        .const("d", f32([], [0]))
        .op("o", "ParseSingleExample", ["s", "d"], {
          num_sparse: a.i(0),
          dense_keys: a.strs(["x"]),
          Tdense: a.types([F]),
          dense_shapes: a.shapes([[2]]),
          sparse_keys: a.strs([]),
          sparse_types: a.types([]),
        });
      return [g, "o", (r) => assert.deepEqual(vals(r), [1.5, 2.5])];
    },
    strings: () => [
      new G()
        .const("a", str(["x", "y"], [2]))
        .const("b", str(["!"], []))
        .op("o", "StringJoin", ["a", "b"], { N: a.i(2), separator: a.s("-") }),
      "o",
      (r) => assert.deepEqual(vals(r), ["x-!", "y-!"]),
    ],
    misc: () => [
      new G()
        .const("a", f32([-1, 0.5, 3], [3]))
        .op("o", "Bucketize", ["a"], { T: a.type(F), boundaries: a.floats([0, 1, 2]) }),
      "o",
      (r) => assert.deepEqual(vals(r), [0, 1, 3]),
    ],
    fused: () => [
      new G()
        .const("x", img4)
        .const("w", ones2)
        .op("c", "Conv2D", ["x", "w"], { T: a.type(F), strides: a.ints([1, 1, 1, 1]), padding: a.s("VALID") })
        .const("scale", f32([2], [1]))
        .const("offset", f32([1], [1]))
        .const("mean", f32([4], [1]))
        .const("var", f32([0.999], [1]))
        .op("o", "FusedBatchNormV3", ["c", "scale", "offset", "mean", "var"], {
          T: a.type(F),
          U: a.type(F),
          epsilon: a.f(0.001),
          is_training: a.b(false),
        }),
      "o",
      (r) =>
        vals(r).forEach((v, i) =>
          assert.ok(Math.abs(Number(v) - [21, 29, 37, 53, 61, 69, 85, 93, 101][i]) < 1e-3, `${v} at ${i}`),
        ),
    ],
    unicode: () => {
      const g = new G()
        .const("s", str(["aé€😀", "x\u0001"], [2]))
        .op("d", "UnicodeDecodeWithOffsets", ["s"], {
          input_encoding: a.s("UTF-8"),
          Tsplits: a.type(I64),
          replace_control_characters: a.b(true),
        })
        .op("o", "UnicodeEncode", ["d:1", "d:0"], { output_encoding: a.s("UTF-8"), Tsplits: a.type(I64) });
      return [g, "o", (r) => assert.deepEqual(vals(r), ["aé€😀", "x\ufffd"])];
    },
    training: () => [
      new G()
        .const("g", f32([1, 2, 3], [3]))
        .const("f", f32([-1, 0, 2], [3]))
        .op("o", "ReluGrad", ["g", "f"], { T: a.type(F) }),
      "o",
      (r) => assert.deepEqual(vals(r), [0, 0, 3]),
    ],
    reductions: () => [
      new G()
        .const("e", f32([], [0]))
        .const("ax", i32([0], [1]))
        .op("o", "Prod", ["e", "ax"], { T: a.type(F), Tidx: a.type(I32) }),
      "o",
      (r) => assert.deepEqual(vals(r), [1]),
    ],
    tf1flow: () => [
      new G()
        .const("x", f32([2], []))
        .const("p", { dtype: BOOL, shape: [], values: Uint8Array.of(1) })
        .op("sw", "Switch", ["x", "p"], { T: a.type(F) })
        .op("neg", "Neg", ["sw:0"], { T: a.type(F) })
        .op("sq", "Square", ["sw:1"], { T: a.type(F) })
        .op("o", "Merge", ["neg", "sq"], { T: a.type(F), N: a.i(2) }),
      "o",
      (r) => assert.deepEqual(vals(r), [4]),
    ],
  };

  test("samples cover every converter category and every family of ours", () => {
    const want = [...X.converterCategories(), ...Object.keys(X.OUR_FAMILIES)];
    for (const c of want) assert.ok(samples[c], `no sample for family "${c}"`);
  });
  for (const [family, make] of Object.entries(samples)) {
    test(family, async () => {
      const [g, fetch, check] = make();
      if (family === "io") {
        await assert.rejects(X.evalGraph(g.graph(), {}, [fetch]), /refused|not an asset/);
        return;
      }
      const out = await X.evalGraph(g.graph(), {}, [fetch], { optimize: family === "fused" });
      check(out[fetch]);
      if (family === "fused") check((await X.evalGraph(g.graph(), {}, [fetch], { optimize: false }))[fetch]);
    });
  }
});
