import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SavedModel, tensorflow, type IGraphDef } from "../../src/savedmodel/proto.js";
import {
  buildDisplayGraph,
  graphSourceFromSavedModel,
  signatureSlice,
  type DisplayGraph,
} from "../../src/graph/index.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "../helpers/fixtures.js";

const DT = tensorflow.DataType;

/** Structural invariants every display graph must satisfy. */
function checkInvariants(g: DisplayGraph, maxChildren: number): void {
  const seenNode = new Int32Array(g.nodes.length);
  g.groups.forEach((grp, gi) => {
    assert.ok(grp.nodes.length + grp.groups.length <= maxChildren, `group ${grp.id} has too many children`);
    for (const n of grp.nodes) {
      assert.equal(g.nodes[n].parent, gi, `node ${g.nodes[n].name} parent mismatch`);
      seenNode[n]++;
    }
    for (const c of grp.groups) assert.equal(g.groups[c].parent, gi, `group ${g.groups[c].id} parent mismatch`);
    if (gi > 0) assert.ok(grp.parent >= 0 && grp.parent < g.groups.length);
  });
  seenNode.forEach((c, i) => assert.equal(c, 1, `node ${g.nodes[i].name} listed ${c} times`));
  for (const e of g.edges) {
    assert.ok(e.s >= 0 && e.s < g.nodes.length && e.t >= 0 && e.t < g.nodes.length, "edge endpoint out of range");
    assert.notEqual(e.s, e.t);
  }
  const ids = new Set<string>();
  for (const grp of g.groups) {
    assert.ok(!ids.has(grp.id), `duplicate group id ${grp.id}`);
    ids.add(grp.id);
  }
  assert.equal(g.groups[0].size, g.nodes.length);
}

function load(name: string) {
  return graphSourceFromSavedModel(SavedModel.decode(readFileSync(join(fixturePath(name), "saved_model.pb"))));
}

test(
  "every signature of every binary fixture: slice nodes appear exactly once, edges valid",
  { skip: skipNoFixtures },
  () => {
    let checked = 0;
    for (const name of fixtureNames()) {
      if (!existsSync(join(fixturePath(name), "saved_model.pb")) || name.startsWith("corrupt")) continue;
      const src = load(name);
      for (const [sigName, sig] of Object.entries(src.signatures ?? {})) {
        if (sigName.startsWith("__")) continue;
        const maxChildren = 200;
        const g = buildDisplayGraph(src, { signature: sigName }, { maxChildren });
        checkInvariants(g, maxChildren);
        // Every top-level node in the slice is a leaf or a call group, exactly once.
        const slice = signatureSlice(src.graphDef.node ?? [], sig);
        const top = new Map<string, number>();
        for (const n of g.nodes)
          if (n.fn === "" && !n.role?.startsWith("sigOutput") && n.op !== "Output")
            top.set(n.name, (top.get(n.name) ?? 0) + 1);
        for (const grp of g.groups)
          if (grp.kind === "call" && grp.call?.fn === "") {
            // multi-body calls keep their op node as a leaf too
            if (!top.has(grp.call.name)) top.set(grp.call.name, 1);
          }
        for (const n of slice) assert.equal(top.get(n), 1, `${name}/${sigName}: ${n} appears ${top.get(n)} times`);
        for (const n of top.keys()) assert.ok(slice.has(n), `${name}/${sigName}: ${n} is not in the slice`);
        assert.equal(g.nodes.filter((n) => n.role === "sigOutput").length, Object.keys(sig.outputs ?? {}).length);
        assert.equal(g.warnings.filter((w) => !w.includes("not in the library")).length, 0, g.warnings.join("\n"));
        checked++;
      }
    }
    assert.ok(checked > 40, `only ${checked} signatures checked`);
  },
);

test(
  "TF2 Keras CNN: call groups wire the signature input and variables into the function body",
  { skip: skipNoFixtures },
  () => {
    const src = load("potato-cnn-tf29");
    const g = buildDisplayGraph(src, { signature: "serving_default" });
    const call = g.groups.find(
      (x) => x.kind === "call" && x.call?.name === "StatefulPartitionedCall" && x.call.fn === "",
    );
    assert.ok(call, "top-level StatefulPartitionedCall is a call group");
    assert.match(call.fn!, /signature_wrapper/);
    const fn = src.graphDef.library!.function!.find((f) => f.signature!.name === call.fn)!;
    const callIdx = g.groups.indexOf(call);
    const inside = (n: number) => {
      for (let p = g.nodes[n].parent; p >= 0; p = g.groups[p].parent) if (p === callIdx) return true;
      return false;
    };
    const args = g.nodes
      .map((n, i) => [n, i] as const)
      .filter(([n, i]) => n.role === "arg" && n.fn === call.fn && inside(i));
    assert.equal(args.length, fn.signature!.inputArg!.length);
    const inputs = call.call!.inputs;
    args.forEach(([argNode, ai], k) => {
      assert.equal(argNode.name, fn.signature!.inputArg![k].name);
      const into = g.edges.filter((e) => e.t === ai && !e.ctl);
      assert.equal(into.length, 1, `arg ${argNode.name} has ${into.length} inputs`);
      assert.equal(g.nodes[into[0].s].name, inputs[k].split(":")[0]);
    });
    // Input 0 is the image; its edge carries the signature's dtype and shape.
    const img = g.edges.find((e) => e.t === args[0][1])!;
    assert.equal(img.dtype, "float32");
    assert.equal(img.shape, "[-1, 256, 256, 3]");
    // Variable reads inside the body are labelled with the variable's name.
    const reads = g.nodes.filter((n) => n.op === "ReadVariableOp" && n.varName);
    assert.ok(reads.length >= 16, `only ${reads.length} labelled reads`);
    assert.ok(
      reads.some((n) => n.label === "conv2d/kernel"),
      reads.map((r) => r.label).join(","),
    );
    // The output node is reached from a retval of the call.
    const out = g.nodes.findIndex((n) => n.role === "sigOutput");
    const src0 = g.edges.find((e) => e.t === out)!;
    assert.equal(g.nodes[src0.s].role, "retval");
  },
);

test("LSTM: While bodies open as groups, nested calls resolve named outputs", { skip: skipNoFixtures }, () => {
  const g = buildDisplayGraph(load("lstm-bbc-news-2shards"), { signature: "serving_default" });
  const whiles = g.groups.filter((x) => x.kind === "call" && /While/.test(x.call?.op ?? ""));
  const bodies = g.groups.filter((x) => x.kind === "body");
  assert.ok(whiles.length + bodies.length > 0 || g.nodes.some((n) => n.op === "CudnnRNN"), "LSTM machinery visible");
  // Every retval receives exactly one data edge: named outputs like "x:output:0" were resolved.
  g.nodes.forEach((n, i) => {
    if (n.role !== "retval" || n.op !== "_Retval") return;
    const into = g.edges.filter((e) => e.t === i && !e.ctl);
    assert.equal(into.length, 1, `${n.fn}/${n.name} has ${into.length} inputs`);
  });
  const depth = (gi: number): number => (gi <= 0 ? 0 : 1 + depth(g.groups[gi].parent));
  assert.ok(Math.max(...g.groups.map((_, i) => depth(i))) >= 3, "nested call groups");
});

function syntheticGraph(): IGraphDef {
  const f32 = { type: DT.DT_FLOAT };
  return {
    node: [
      { name: "x", op: "Placeholder", attr: { dtype: f32 } },
      {
        name: "<img src=x onerror=alert(1)>",
        op: "Const",
        attr: { dtype: f32, value: { tensor: { dtype: DT.DT_FLOAT, floatVal: [2] } } },
      },
      { name: "pred", op: "Placeholder", attr: { dtype: { type: DT.DT_BOOL } } },
      {
        name: "model/call",
        op: "StatefulPartitionedCall",
        input: ["x", "<img src=x onerror=alert(1)>"],
        attr: {
          f: { func: { name: "outer" } },
          Tin: { list: { type: [DT.DT_FLOAT, DT.DT_FLOAT] } },
          Tout: { list: { type: [DT.DT_FLOAT] } },
        },
      },
      {
        name: "cond",
        op: "If",
        input: ["pred", "model/call:0"],
        attr: {
          then_branch: { func: { name: "inner" } },
          else_branch: { func: { name: "inner" } },
          Tin: { list: { type: [DT.DT_FLOAT] } },
          Tout: { list: { type: [DT.DT_FLOAT] } },
          Tcond: { type: DT.DT_BOOL },
        },
      },
      ...Array.from({ length: 12 }, (_, i) => ({
        name: `dense${i ? `_${i}` : ""}/Relu`,
        op: "Relu",
        input: ["cond:0"],
        attr: { T: f32 },
      })),
    ],
    library: {
      function: [
        {
          signature: {
            name: "outer",
            inputArg: [
              { name: "a", type: DT.DT_FLOAT },
              { name: "b", type: DT.DT_FLOAT },
            ],
            outputArg: [{ name: "y", type: DT.DT_FLOAT }],
          },
          nodeDef: [
            { name: "dense/MatMul", op: "MatMul", input: ["a", "b"], attr: { T: f32 } },
            {
              name: "sub",
              op: "StatefulPartitionedCall",
              input: ["dense/MatMul:product:0"],
              attr: { f: { func: { name: "inner" } }, Tout: { list: { type: [DT.DT_FLOAT] } } },
            },
          ],
          ret: { y: "sub:output:0" },
        },
        {
          signature: {
            name: "inner",
            inputArg: [{ name: "p", type: DT.DT_FLOAT }],
            outputArg: [{ name: "q", type: DT.DT_FLOAT }],
          },
          nodeDef: [{ name: "Neg", op: "Neg", input: ["p"], attr: { T: f32 } }],
          ret: { q: "Neg:y:0" },
        },
      ],
    },
  };
}

const STRIPPED = [
  {
    name: "MatMul",
    inputArg: [
      { name: "a", typeAttr: "T" },
      { name: "b", typeAttr: "T" },
    ],
    outputArg: [{ name: "product", typeAttr: "T" }],
    attr: [
      { name: "T", type: "type" },
      { name: "transpose_a", type: "bool", defaultValue: { b: false } },
    ],
  },
  {
    name: "Neg",
    inputArg: [{ name: "x", typeAttr: "T" }],
    outputArg: [{ name: "y", typeAttr: "T" }],
    attr: [{ name: "T", type: "type" }],
  },
  {
    name: "StatefulPartitionedCall",
    outputArg: [{ name: "output", typeListAttr: "Tout" }],
    attr: [{ name: "Tout", type: "list(type)" }],
  },
  { name: "If", outputArg: [{ name: "output", typeListAttr: "Tout" }], attr: [{ name: "Tout", type: "list(type)" }] },
];

test("synthetic nested calls: args wired, named outputs resolved, defaults filled, If branches fan out", () => {
  const src = {
    graphDef: syntheticGraph(),
    strippedOps: STRIPPED,
    signatures: {
      s: {
        inputs: { x: { name: "x:0", dtype: DT.DT_FLOAT }, pred: { name: "pred:0", dtype: DT.DT_BOOL } },
        outputs: Object.fromEntries(
          Array.from({ length: 12 }, (_, i) => [`out${i}`, { name: `dense${i ? `_${i}` : ""}/Relu:0` }]),
        ),
      },
    },
  };
  const g = buildDisplayGraph(src, { signature: "s" }, { seriesMin: 5 });
  checkInvariants(g, 1000);
  const idx = (pred: (n: DisplayGraph["nodes"][number]) => boolean) => g.nodes.findIndex(pred);
  const matmul = idx((n) => n.name === "dense/MatMul");
  assert.ok(g.nodes[matmul].attrs.some(([k, v]) => k === "transpose_a" && v === "false (default)"));
  const innerNeg = g.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.name === "Neg");
  assert.equal(innerNeg.length, 3, "inner is instantiated for the nested call and for both If branches");
  // outer: MatMul -> sub's arg p -> Neg -> retval q -> outer's retval y
  const innerArgOfSub = g.edges.find((e) => e.s === matmul)!;
  assert.equal(g.nodes[innerArgOfSub.t].role, "arg");
  assert.equal(g.nodes[innerArgOfSub.t].name, "p");
  assert.equal(innerArgOfSub.dtype, "float32");
  const retY = idx((n) => n.name === "y" && n.role === "retval");
  const intoY = g.edges.find((e) => e.t === retY)!;
  assert.equal(g.nodes[intoY.s].name, "q");
  // If: the op node merges both branches; y feeds both branch args.
  const ifNode = idx((n) => n.op === "If");
  assert.equal(g.edges.filter((e) => e.t === ifNode && g.nodes[e.s].role === "retval").length, 2);
  assert.equal(g.edges.filter((e) => e.s === retY).length, 2);
  const ifGroup = g.groups[g.nodes[ifNode].parent];
  assert.equal(ifGroup.kind, "call");
  assert.deepEqual(ifGroup.groups.map((c) => g.groups[c].label).sort(), ["else: inner", "then: inner"]);
  // Hostile names survive verbatim (the webview escapes them).
  assert.ok(g.nodes.some((n) => n.name === "<img src=x onerror=alert(1)>" && n.value === "float32 [] = [2]"));
  // The 12 numbered dense scopes collapse into one series.
  const series = g.groups.find((x) => x.kind === "series");
  assert.ok(series, "series group");
  assert.equal(series.label, "dense_[0–11]/Relu");
  assert.equal(series.size, 12);
});

test("numbered scopes that feed one another stay a pipeline; parallel repeats become a series", () => {
  // conv2d -> conv2d_1 -> ... -> conv2d_5 (a Keras CNN's layers): must not be boxed together
  const chain: IGraphDef = { node: [{ name: "x", op: "Placeholder" }] };
  let prev = "x";
  for (let i = 0; i < 6; i++) {
    const scope = i ? `conv2d_${i}` : "conv2d";
    chain.node!.push({ name: `${scope}/Neg`, op: "Neg", input: [prev] });
    chain.node!.push({ name: `pool${i}/Neg`, op: "Neg", input: [`${scope}/Neg`] });
    prev = `pool${i}/Neg`;
  }
  const g1 = buildDisplayGraph({ graphDef: chain }, { graph: true }, { seriesMin: 5 });
  checkInvariants(g1, 1000);
  assert.equal(g1.groups.filter((x) => x.kind === "series" && x.label.startsWith("conv2d")).length, 0);
  // six heads on one input, not connected to each other: one series
  const heads: IGraphDef = { node: [{ name: "x", op: "Placeholder" }] };
  for (let i = 0; i < 6; i++) heads.node!.push({ name: `${i ? `head_${i}` : "head"}/Neg`, op: "Neg", input: ["x"] });
  const g2 = buildDisplayGraph({ graphDef: heads }, { graph: true }, { seriesMin: 5 });
  checkInvariants(g2, 1000);
  assert.equal(g2.groups.filter((x) => x.kind === "series" && x.label.startsWith("head")).length, 1);
});

test("chunking keeps every group under the child cap, in topological order", () => {
  const n = 2500;
  const graphDef: IGraphDef = { node: [{ name: "in", op: "Placeholder" }] };
  for (let i = 0; i < n; i++)
    graphDef.node!.push({
      name: `op${String.fromCharCode(97 + (i % 26))}${i}x`,
      op: "Neg",
      input: [i ? `op${String.fromCharCode(97 + ((i - 1) % 26))}${i - 1}x` : "in"],
    });
  const g = buildDisplayGraph({ graphDef }, { graph: true }, { maxChildren: 300 });
  checkInvariants(g, 300);
  const chunks = g.groups.filter((x) => x.kind === "chunk");
  assert.ok(chunks.length >= 9);
  // The first chunk starts with the input and the chain continues in order.
  const first = g.groups[g.groups[0].groups[0]];
  assert.equal(g.nodes[first.nodes[0]].name, "in");
});

test("function target and boilerplate flags", () => {
  const src = { graphDef: syntheticGraph(), strippedOps: STRIPPED };
  const g = buildDisplayGraph(src, { function: "outer" });
  checkInvariants(g, 1000);
  assert.equal(g.nodes.filter((n) => n.role === "arg" && n.fn === "outer").length, 2);
  const whole = buildDisplayGraph(
    {
      graphDef: {
        node: [
          { name: "save/SaveV2", op: "SaveV2" },
          { name: "init", op: "NoOp" },
          { name: "y", op: "Neg" },
        ],
      },
    },
    { graph: true },
  );
  assert.deepEqual(
    whole.nodes.map((n) => !!n.boiler),
    [true, true, false],
  );
  assert.equal(whole.groups[0].visibleSize, 1);
  assert.throws(() => buildDisplayGraph(src, { signature: "nope" }), /no signature/);
});
