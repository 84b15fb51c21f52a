import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDisplayGraph } from "../../src/graph/index.js";
import type { IGraphDef, INodeDef } from "../../src/savedmodel/proto.js";
import { GraphModel } from "../../src/webview/graph/viewModel.js";
import { tinyLayout } from "../../src/webview/graph/tinyLayout.js";
import { fastLayout } from "../../src/webview/graph/fastLayout.js";

const measure = (t: string, px: number) => t.length * px * 0.6;
const F = 1; // DT_FLOAT
const R = 20; // DT_RESOURCE
const shape = (...d: number[]) => ({ shape: { dim: d.map((size) => ({ size })) } });

/** A signature calling a function that reads a captured variable: x -> call(x, v) -> y. */
function tf2Like(): IGraphDef {
  const body: INodeDef[] = [
    { name: "ReadVariableOp", op: "ReadVariableOp", input: ["w"], attr: { dtype: { type: F } } },
    { name: "MatMul", op: "MatMul", input: ["x", "ReadVariableOp:value:0"], attr: { T: { type: F } } },
    {
      name: "k",
      op: "Const",
      attr: { dtype: { type: F }, value: { tensor: { dtype: F, tensorShape: {}, floatVal: [2] } } },
    },
    { name: "Mul", op: "Mul", input: ["MatMul:product:0", "k:output:0"], attr: { T: { type: F } } },
    { name: "Identity", op: "Identity", input: ["Mul:z:0"], attr: { T: { type: F } } },
  ];
  return {
    node: [
      { name: "x", op: "Placeholder", attr: { dtype: { type: F } } },
      {
        name: "v",
        op: "VarHandleOp",
        attr: { dtype: { type: F }, shape: shape(4, 3), shared_name: { s: new TextEncoder().encode("dense/kernel") } },
      },
      { name: "call", op: "StatefulPartitionedCall", input: ["x", "v"], attr: { f: { func: { name: "fn" } } } },
    ],
    library: {
      function: [
        {
          signature: {
            name: "fn",
            inputArg: [
              { name: "x", type: F },
              { name: "w", type: R },
            ],
            outputArg: [{ name: "y", type: F }],
          },
          nodeDef: body,
          ret: { y: "Identity:output:0" },
        },
      ],
    },
  };
}

function layoutAll(m: GraphModel): void {
  for (let p = m.pendingLayouts(); p.length; p = m.pendingLayouts())
    for (const x of p) m.setLayout(x, x.input.children.length > 8 ? fastLayout(x.input) : tinyLayout(x.input));
}

test("weights fold into their consumers, through captured arguments and reads; pass-through nodes into edges", () => {
  const src = {
    graphDef: tf2Like(),
    signatures: { serving_default: { inputs: { x: { name: "x:0" } }, outputs: { y: { name: "call:0" } } } },
  };
  const g = buildDisplayGraph(src, { signature: "serving_default" });
  const m = new GraphModel(g, measure);
  const idx = (name: string, role?: string) => g.nodes.findIndex((n) => n.name === name && (!role || n.role === role));
  const [v, w, read, k, mm, mul, ident] = ["v", "w", "ReadVariableOp", "k", "MatMul", "Mul", "Identity"].map((n) =>
    idx(n),
  );
  for (const i of [v, w, read, k]) assert.equal(m.folding.weight[i], 1, `${g.nodes[i].name} is a weight`);
  for (const i of [mm, mul]) assert.equal(m.nodeHidden(i), false, `${g.nodes[i].name} is drawn`);
  assert.equal(m.folding.pass[ident], 1, "Identity folds into its edge");
  assert.equal(m.folding.pass[idx("x", "arg")], 1, "the call argument x folds into its edge");
  // MatMul lists the variable (by its checkpoint name, dtype and shape); Mul the constant.
  assert.deepEqual(
    m.weightsOf(`n${mm}`).map((r) => [r.name, r.dtype, r.shape]),
    [["dense/kernel", "float32", "[4, 3]"]],
  );
  assert.deepEqual(
    m.weightsOf(`n${mul}`).map((r) => r.node),
    [k],
  );
  // The call box, collapsed, lists what it captures.
  const call = g.groups.findIndex((x) => x.kind === "call");
  assert.deepEqual(
    m
      .weightsOf(`g${call}`)
      .map((r) => r.node)
      .sort(),
    [v, k].sort(),
  );
  // Laid out with everything expanded: Placeholder -> MatMul and Mul -> Output are drawn as edges, no weight box.
  for (let gi = 1; gi < g.groups.length; gi++) m.expanded.add(gi);
  layoutAll(m);
  const scene = m.scene();
  const shown = new Set(scene.items.filter((i) => i.kind === "leaf").map((i) => g.nodes[i.index].name));
  assert.ok(!shown.has("v") && !shown.has("ReadVariableOp") && !shown.has("Identity"), [...shown].join(","));
  const ends = scene.edges.map((e) => `${e.from}>${e.to}`);
  assert.ok(ends.includes(`n${idx("x", "sigInput")}>n${mm}`), ends.join(" "));
  assert.ok(ends.includes(`n${mul}>n${idx("y", "sigOutput")}`), ends.join(" "));
  // The MatMul box is taller: it has a weight line.
  const mmItem = scene.byKey.get(`n${mm}`)!;
  const plain = scene.byKey.get(`n${idx("x", "sigInput")}`)!;
  assert.ok(mmItem.h > plain.h);
  // Toggles bring them back as nodes.
  m.showWeights = true;
  m.showPassThrough = true;
  m.recount();
  m.clearLayouts();
  layoutAll(m);
  const all = new Set(
    m
      .scene()
      .items.filter((i) => i.kind === "leaf")
      .map((i) => g.nodes[i.index].name),
  );
  for (const n of ["v", "ReadVariableOp", "Identity", "k"]) assert.ok(all.has(n), n);
  assert.deepEqual(m.weightsOf(`n${mm}`), []);
});
