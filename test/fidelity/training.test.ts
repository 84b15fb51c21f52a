/**
 * Training signatures: gradient and optimizer ops against values computed by hand, the rust-module
 * train signature lowering its loss with session state, and save/restore refused before running.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IAttrValue, INodeDef } from "../../src/savedmodel/proto.js";
import { tensorToProto, type DecodedTensor } from "../../src/savedmodel/tensor.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "../executor/helpers/bundle.js";

let X: ExecutorBundle;
before(async () => {
  X = await loadExecutorBundle();
});
const F = 1,
  I32 = 3,
  STR = 7;
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
const nums = (t: DecodedTensor) => Array.from(t.values as ArrayLike<number>, Number);
const close = (got: number[], want: number[], eps = 1e-5) => {
  assert.equal(got.length, want.length, `got ${got} want ${want}`);
  got.forEach((g, i) =>
    assert.ok(Math.abs(g - want[i]) <= eps * (1 + Math.abs(want[i])), `[${i}] got ${g}, want ${want[i]}`),
  );
};
const type = (t: number): IAttrValue => ({ type: t });
const konst = (name: string, t: DecodedTensor): INodeDef => ({
  name,
  op: "Const",
  attr: { value: { tensor: tensorToProto(t) }, dtype: type(t.dtype) },
});

async function evalNodes(nodes: INodeDef[], fetches: string[], backend: "cpu" | "wasm") {
  return X.evalGraph({ node: nodes, versions: { producer: 1000 } }, {}, fetches, { backend });
}

/** A resource variable per initial value, the optimizer op, then a read of every variable after it. */
async function applyOptimizer(
  op: string,
  vars: number[][],
  args: DecodedTensor[],
  backend: "cpu" | "wasm",
  attr: Record<string, IAttrValue> = {},
): Promise<number[][]> {
  const nodes: INodeDef[] = [];
  vars.forEach((v, i) => {
    nodes.push({
      name: `v${i}`,
      op: "VarHandleOp",
      attr: {
        dtype: type(F),
        shape: { shape: { dim: [{ size: v.length }] } },
        shared_name: { s: new TextEncoder().encode(`v${i}`) },
      },
    });
    nodes.push(konst(`init${i}`, f32(v, [v.length])));
    nodes.push({ name: `assign${i}`, op: "AssignVariableOp", input: [`v${i}`, `init${i}`], attr: { dtype: type(F) } });
  });
  args.forEach((a, i) => nodes.push(konst(`a${i}`, a)));
  nodes.push({
    name: "apply",
    op,
    input: [...vars.map((_, i) => `v${i}`), ...args.map((_, i) => `a${i}`), ...vars.map((_, i) => `^assign${i}`)],
    attr: { T: type(F), ...attr },
  });
  vars.forEach((_, i) =>
    nodes.push({ name: `read${i}`, op: "ReadVariableOp", input: [`v${i}`, "^apply"], attr: { dtype: type(F) } }),
  );
  const r = await evalNodes(
    nodes,
    vars.map((_, i) => `read${i}`),
    backend,
  );
  return vars.map((_, i) => nums(r[`read${i}`]));
}

const s = (x: number) => f32([x], []);

for (const backend of ["cpu", "wasm"] as const) {
  describe(`gradient and optimizer ops, by hand (${backend})`, () => {
    test("ReluGrad, Relu6Grad, BiasAddGrad", async () => {
      const r = await evalNodes(
        [
          konst("g", f32([1, 2, 3, 4, 5, 6], [2, 3])),
          konst("f", f32([-1, 0, 2, 7, 0.5, -3], [2, 3])),
          { name: "relu", op: "ReluGrad", input: ["g", "f"], attr: { T: type(F) } },
          { name: "relu6", op: "Relu6Grad", input: ["g", "f"], attr: { T: type(F) } },
          { name: "bias", op: "BiasAddGrad", input: ["g"], attr: { T: type(F) } },
          konst("g4", f32([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2])),
          {
            name: "nchw",
            op: "BiasAddGrad",
            input: ["g4"],
            attr: { T: type(F), data_format: { s: new TextEncoder().encode("NCHW") } },
          },
        ],
        ["relu", "relu6", "bias", "nchw"],
        backend,
      );
      // ReluGrad: g where f > 0; Relu6Grad: g where 0 < f < 6
      assert.deepEqual(nums(r.relu), [0, 0, 3, 4, 5, 0]);
      assert.deepEqual(nums(r.relu6), [0, 0, 3, 0, 5, 0]);
      // BiasAddGrad NHWC: column sums [1+4, 2+5, 3+6]; NCHW [1,2,2,2]: channel sums [1+2+3+4, 5+6+7+8]
      assert.deepEqual(nums(r.bias), [5, 7, 9]);
      assert.deepEqual(nums(r.nchw), [10, 26]);
    });

    test("SigmoidGrad, TanhGrad, InvertPermutation, ConcatOffset", async () => {
      const r = await evalNodes(
        [
          konst("y", f32([0.5, 0.25], [2])),
          konst("dy", f32([2, 4], [2])),
          { name: "sg", op: "SigmoidGrad", input: ["y", "dy"], attr: { T: type(F) } },
          { name: "tg", op: "TanhGrad", input: ["y", "dy"], attr: { T: type(F) } },
          konst("p", i32([2, 0, 1], [3])),
          { name: "ip", op: "InvertPermutation", input: ["p"], attr: { T: type(I32) } },
          konst("ax", i32([1], [])),
          konst("s0", i32([2, 3, 5], [3])),
          konst("s1", i32([2, 4, 5], [3])),
          { name: "co", op: "ConcatOffset", input: ["ax", "s0", "s1"], attr: { N: { i: 2 } } },
        ],
        ["sg", "tg", "ip", "co:0", "co:1"],
        backend,
      );
      // sigmoid: dy·y·(1-y) = [2·0.5·0.5, 4·0.25·0.75]; tanh: dy·(1-y²) = [2·0.75, 4·0.9375]
      close(nums(r.sg), [0.5, 0.75]);
      close(nums(r.tg), [1.5, 3.75]);
      // p = [2, 0, 1] → inverse [1, 2, 0]; offsets along axis 1: [0,0,0] and [0,3,0]
      assert.deepEqual(nums(r.ip), [1, 2, 0]);
      assert.deepEqual(nums(r["co:0"]), [0, 0, 0]);
      assert.deepEqual(nums(r["co:1"]), [0, 3, 0]);
    });

    test("StridedSliceGrad scatters dy back into the sliced positions", async () => {
      const r = await evalNodes(
        [
          konst("shape", i32([2, 4], [2])),
          konst("b", i32([0, 1], [2])),
          konst("e", i32([2, 4], [2])),
          konst("st", i32([1, 2], [2])),
          konst("dy", f32([10, 20, 30, 40], [2, 2])),
          {
            name: "g",
            op: "StridedSliceGrad",
            input: ["shape", "b", "e", "st", "dy"],
            attr: { T: type(F), Index: type(I32) },
          },
        ],
        ["g"],
        backend,
      );
      // x[:, 1:4:2] took columns 1 and 3 of a [2, 4]: dy goes back there, zeros elsewhere
      assert.deepEqual(nums(r.g), [0, 10, 0, 20, 0, 30, 0, 40]);
    });

    test("SoftmaxCrossEntropyWithLogits and the sparse variant", async () => {
      const r = await evalNodes(
        [
          konst("logits", f32([0, Math.log(3), 1, 1], [2, 2])),
          konst("labels", f32([1, 0, 0.5, 0.5], [2, 2])),
          konst("ids", i32([1, 0], [2])),
          { name: "x", op: "SoftmaxCrossEntropyWithLogits", input: ["logits", "labels"], attr: { T: type(F) } },
          {
            name: "sx",
            op: "SparseSoftmaxCrossEntropyWithLogits",
            input: ["logits", "ids"],
            attr: { T: type(F), Tlabels: type(I32) },
          },
        ],
        ["x:0", "x:1", "sx:0", "sx:1"],
        backend,
      );
      // row 0: softmax [1/4, 3/4]; labels [1, 0] → loss -log(1/4) = log 4, backprop [1/4 - 1, 3/4]
      // row 1: softmax [1/2, 1/2]; labels [1/2, 1/2] → loss log 2, backprop [0, 0]
      close(nums(r["x:0"]), [Math.log(4), Math.log(2)]);
      close(nums(r["x:1"]), [-0.75, 0.75, 0, 0]);
      // sparse labels [1, 0]: loss [-log(3/4), -log(1/2)], backprop [1/4, 3/4 - 1], [1/2 - 1, 1/2]
      close(nums(r["sx:0"]), [-Math.log(0.75), Math.log(2)]);
      close(nums(r["sx:1"]), [0.25, -0.25, -0.5, 0.5]);
    });

    test("BroadcastGradientArgs", async () => {
      const r = await evalNodes(
        [
          konst("a", i32([2, 3, 1], [3])),
          konst("b", i32([3, 4], [2])),
          konst("c", i32([2, 3], [2])),
          { name: "ab", op: "BroadcastGradientArgs", input: ["a", "b"], attr: { T: type(I32) } },
          { name: "cc", op: "BroadcastGradientArgs", input: ["c", "c"], attr: { T: type(I32) } },
        ],
        ["ab:0", "ab:1", "cc:0", "cc:1"],
        backend,
      );
      // [2,3,1] vs [3,4] → output [2,3,4]: a is 1 on axis 2; b (padded [1,3,4]) is 1 on axis 0
      assert.deepEqual(nums(r["ab:0"]), [2]);
      assert.deepEqual(nums(r["ab:1"]), [0]);
      assert.deepEqual(nums(r["cc:0"]), []);
      assert.deepEqual(nums(r["cc:1"]), []);
    });

    test("empty reductions give the identity (Prod of an empty shape is 1)", async () => {
      const r = await evalNodes(
        [
          konst("e", i32([], [0])),
          konst("ax", i32([0], [1])),
          { name: "p", op: "Prod", input: ["e", "ax"], attr: { T: type(I32), Tidx: type(I32) } },
          { name: "s", op: "Sum", input: ["e", "ax"], attr: { T: type(I32), Tidx: type(I32) } },
        ],
        ["p", "s"],
        backend,
      );
      assert.deepEqual(nums(r.p), [1]);
      assert.deepEqual(nums(r.s), [0]);
    });

    test("ResourceApplyGradientDescent: var -= lr * g", async () => {
      const [v] = await applyOptimizer(
        "ResourceApplyGradientDescent",
        [[1, 2]],
        [s(0.1), f32([10, -20], [2])],
        backend,
      );
      close(v, [0, 4]);
    });

    test("ResourceApplyMomentum (and Nesterov), ResourceApplyKerasMomentum", async () => {
      // accum = 0.5*0.9 + 2 = 2.45; var = 1 - 0.1*2.45 = 0.755
      const [v, acc] = await applyOptimizer(
        "ResourceApplyMomentum",
        [[1], [0.5]],
        [s(0.1), f32([2], [1]), s(0.9)],
        backend,
      );
      close(v, [0.755]);
      close(acc, [2.45]);
      // Nesterov: var = 1 - (2*0.1 + 2.45*0.9*0.1) = 0.5795
      const [vn] = await applyOptimizer(
        "ResourceApplyMomentum",
        [[1], [0.5]],
        [s(0.1), f32([2], [1]), s(0.9)],
        backend,
        {
          use_nesterov: { b: true },
        },
      );
      close(vn, [0.5795]);
      // Keras: accum = 0.5*0.9 - 0.1*2 = 0.25; var = 1 + 0.25 = 1.25
      const [vk, ak] = await applyOptimizer(
        "ResourceApplyKerasMomentum",
        [[1], [0.5]],
        [s(0.1), f32([2], [1]), s(0.9)],
        backend,
      );
      close(vk, [1.25]);
      close(ak, [0.25]);
    });

    test("ResourceApplyAdam", async () => {
      // m=0, v=0, beta1^t=0.9, beta2^t=0.999, lr=0.001, g=0.5:
      // m = 0.05, v = 0.00025, lr_t = 0.001*sqrt(0.001)/0.1 = 0.000316228; var = 1 - lr_t*0.05/(0.0158114+1e-7)
      const [w, m, v] = await applyOptimizer(
        "ResourceApplyAdam",
        [[1], [0], [0]],
        [s(0.9), s(0.999), s(0.001), s(0.9), s(0.999), s(1e-7), f32([0.5], [1])],
        backend,
      );
      close(m, [0.05]);
      close(v, [0.00025]);
      const lrT = (0.001 * Math.sqrt(0.001)) / 0.1;
      close(w, [1 - (lrT * 0.05) / (Math.sqrt(0.00025) + 1e-7)]);
    });

    test("ResourceApplyAdamWithAmsgrad, ResourceApplyAdaMax, ResourceApplyAdadelta", async () => {
      // AMSGrad from m=0, v=0, vhat=0.01: m = 0.05, v = 0.00025, vhat = max(0.01, 0.00025) = 0.01
      const [w, , , vh] = await applyOptimizer(
        "ResourceApplyAdamWithAmsgrad",
        [[1], [0], [0], [0.01]],
        [s(0.9), s(0.999), s(0.001), s(0.9), s(0.999), s(1e-7), f32([0.5], [1])],
        backend,
      );
      const lrT = (0.001 * Math.sqrt(0.001)) / 0.1;
      close(vh, [0.01]);
      close(w, [1 - (lrT * 0.05) / (0.1 + 1e-7)]);
      // AdaMax from m=0, v=0.2, g=-0.5, b1^t=0.9: m = -0.05, v = max(0.999·0.2, 0.5) = 0.5;
      // var = 1 - 0.002/0.1 · (-0.05)/(0.5 + 1e-7)
      const [wm, mm, vm] = await applyOptimizer(
        "ResourceApplyAdaMax",
        [[1], [0], [0.2]],
        [s(0.9), s(0.002), s(0.9), s(0.999), s(1e-7), f32([-0.5], [1])],
        backend,
      );
      close(mm, [-0.05]);
      close(vm, [0.5]);
      close(wm, [1 - (0.002 / 0.1) * (-0.05 / (0.5 + 1e-7))]);
      // Adadelta from accum=0, accum_update=0, rho=0.95, eps=1e-6, g=2, lr=1:
      // accum = 0.2; update = sqrt(1e-6)/sqrt(0.2 + 1e-6)·2; accum_update = 0.05·update²; var = 1 - update
      const [wd, ad, aud] = await applyOptimizer(
        "ResourceApplyAdadelta",
        [[1], [0], [0]],
        [s(1), s(0.95), s(1e-6), f32([2], [1])],
        backend,
      );
      const upd = (Math.sqrt(1e-6) / Math.sqrt(0.2 + 1e-6)) * 2;
      close(ad, [0.2]);
      close(aud, [0.05 * upd * upd]);
      close(wd, [1 - upd]);
    });

    test("ResourceApplyRMSProp and ResourceApplyCenteredRMSProp", async () => {
      // ms = 1 + (4 - 1)*0.1 = 1.3; mom = 0.2*0.5 + 0.01*2/sqrt(1.3 + 1e-6); var = 1 - mom
      const [w, ms, mom] = await applyOptimizer(
        "ResourceApplyRMSProp",
        [[1], [1], [0.2]],
        [s(0.01), s(0.9), s(0.5), s(1e-6), f32([2], [1])],
        backend,
      );
      const mom1 = 0.1 + 0.02 / Math.sqrt(1.3 + 1e-6);
      close(ms, [1.3]);
      close(mom, [mom1]);
      close(w, [1 - mom1]);
      // centered: mg = 0.5 + (2 - 0.5)*0.1 = 0.65; ms 1.3; mom = 0.1 + 0.02/sqrt(1.3 - 0.4225 + 1e-6)
      const [wc, mg] = await applyOptimizer(
        "ResourceApplyCenteredRMSProp",
        [[1], [0.5], [1], [0.2]],
        [s(0.01), s(0.9), s(0.5), s(1e-6), f32([2], [1])],
        backend,
      );
      close(mg, [0.65]);
      close(wc, [1 - (0.1 + 0.02 / Math.sqrt(1.3 - 0.4225 + 1e-6))]);
    });

    test("ResourceApplyAdagrad and V2", async () => {
      // accum = 0.1 + 9 = 9.1; var = 1 - 0.5*3/sqrt(9.1)
      const [w, acc] = await applyOptimizer("ResourceApplyAdagrad", [[1], [0.1]], [s(0.5), f32([3], [1])], backend);
      close(acc, [9.1]);
      close(w, [1 - 1.5 / Math.sqrt(9.1)]);
      const [w2] = await applyOptimizer(
        "ResourceApplyAdagradV2",
        [[1], [0.1]],
        [s(0.5), s(0.01), f32([3], [1])],
        backend,
      );
      close(w2, [1 - 1.5 / (Math.sqrt(9.1) + 0.01)]);
    });
  });
}

describe("training signatures of real exports", { skip: skipNoFixtures }, () => {
  type Session = Awaited<ReturnType<ExecutorBundle["loadSession"]>>;
  const open: Session[] = [];
  after(() => open.forEach((x) => x.dispose()));
  for (const backend of ["cpu", "wasm"] as const) {
    test(`rust-module-train-sigs-tf25 (${backend}): train lowers the loss; w and b see the update`, async () => {
      const sess = await X.loadSession(new X.NodeFileAccess(fixturePath("rust-module-train-sigs-tf25")), { backend });
      open.push(sess);
      const get = async (k: string) => nums((await sess.run(k, {})).outputs.output)[0];
      const [w0, b0] = [await get("w"), await get("b")];
      close([w0, b0], [0.20429754, 0]);
      const ys = [1.3, 1.6, 1.9];
      const batch = { x: f32([0.1, 0.2, 0.3], [3]), y: f32([1.3, 1.6, 1.9], [3]) };
      const l1 = nums((await sess.run("train", batch)).outputs.loss)[0];
      const [w1, b1] = [await get("w"), await get("b")];
      const l2 = nums((await sess.run("train", batch)).outputs.loss)[0];
      // loss = mean((w x + b - y)²) before the step; SGD learning rate 0.5 (the checkpoint's)
      const loss = (w: number, b: number) => [0.1, 0.2, 0.3].reduce((a, x, i) => a + (w * x + b - ys[i]) ** 2, 0) / 3;
      close([l1], [loss(w0, b0)]);
      const gw = [0.1, 0.2, 0.3].reduce((a, x, i) => a + 2 * (w0 * x + b0 - ys[i]) * x, 0) / 3;
      const gb = [0.1, 0.2, 0.3].reduce((a, x, i) => a + 2 * (w0 * x + b0 - ys[i]), 0) / 3;
      close([w1, b1], [w0 - 0.5 * gw, b0 - 0.5 * gb]);
      close([l2], [loss(w1, b1)]);
      assert.ok(l2 < l1, `second loss ${l2} should be below the first ${l1}`);
    });
  }

  test("qml-mrmp-tf16-refvars-adam-slots: the serving signature runs (training graph with ApplyAdam)", async () => {
    const sess = await X.loadSession(new X.NodeFileAccess(fixturePath("qml-mrmp-tf16-refvars-adam-slots")), {
      backend: "wasm",
    });
    open.push(sess);
    const sig = sess.signatures().find((g) => g.key === "serving_default")!;
    const r = await sess.run("serving_default", { [sig.inputs[0].key]: f32([0.5, 1.5], [2, 1]) });
    const out = Object.values(r.outputs)[0];
    assert.deepEqual(out.shape, [2, 1]);
    for (const v of nums(out)) assert.ok(Number.isFinite(v));
  });
});

describe("save / restore signatures are refused before running", () => {
  const dir = mkdtempSync(join(tmpdir(), "saverestore-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  test("SaveV2 / RestoreV2 at a fed path: refused with the reason; no variable changes", async () => {
    const { GraphBuilder, SavedModelBuilder, PREDICT_METHOD } = await import("../../src/savedmodel/builder/index.js");
    const { writeExportToDir } = await import("../../src/savedmodel/node/nodeWriter.js");
    const g = new GraphBuilder();
    const path = g.placeholder("checkpoint_path", STR, []);
    const names = g.constStr("names", ["w"], [1]);
    const slices = g.constStr("slices", [""], [1]);
    const w = g.constF("w", [1], [1]);
    const save = g.op("SaveV2", "save", [path, names, slices, w], { dtypes: { list: { type: [F] } } });
    const saved = g.identity("saved_path", path, { control: [save] });
    const restore = g.op(
      "RestoreV2",
      "restore",
      [path, names, slices],
      { dtypes: { list: { type: [F] } } },
      { outputDtypes: [F] },
    );
    const sig = (out: Record<string, unknown>) => ({
      inputs: { checkpoint_path: path },
      outputs: out,
      methodName: PREDICT_METHOD,
    });
    const b = new SavedModelBuilder({ tfVersion: "2.5.0" }).addMetaGraph(["serve"], {
      graph: g,
      signatureDefs: { save: sig({ path: saved }), restore: sig({ w: restore.output }) } as never,
    });
    await writeExportToDir(b.save(), dir);
    const sess = await X.loadSession(new X.NodeFileAccess(dir), { backend: "cpu" });
    try {
      for (const [key, op] of [
        ["save", "SaveV2"],
        ["restore", "RestoreV2"],
      ]) {
        await assert.rejects(
          sess.run(key, { checkpoint_path: { dtype: STR, shape: [], values: [new TextEncoder().encode("/tmp/x")] } }),
          (e: Error) =>
            e.name === "RefusedOpsError" && new RegExp(`refused before running[\\s\\S]*${op} \\(`).test(e.message),
        );
      }
    } finally {
      sess.dispose();
    }
  });
});
