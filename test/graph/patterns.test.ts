import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDisplayGraph, graphSourceFromMetaGraph, type GraphSource } from "../../src/graph/index.js";
import { MemoryFileAccess } from "../../src/savedmodel/memoryFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { GraphModel, groupSubtitle } from "../../src/webview/graph/viewModel.js";
import { patternFiles } from "../../bench/graphPatterns.js";

const measure = (t: string, px: number) => t.length * px * 0.6;

async function source(name: Parameters<typeof patternFiles>[0]): Promise<GraphSource> {
  const exp = await openSavedModel(new MemoryFileAccess(patternFiles(name)));
  return graphSourceFromMetaGraph(exp.metaGraphs[0]);
}

test("a ~2,000-node TF1 graph: the top level shows at most ~50 boxes, each part with its op count", async () => {
  const src = await source("tf1Scoped");
  const whole = buildDisplayGraph(src, { graph: true });
  assert.ok(whole.nodes.length > 1500, `${whole.nodes.length} nodes`);
  const m = new GraphModel(whole, measure);
  const root = whole.groups[0];
  const shown = root.nodes.filter((n) => !m.nodeHidden(n)).length + root.groups.filter((c) => !m.groupHidden(c)).length;
  assert.ok(shown <= 50, `${shown} top-level boxes`);
  const labels = root.groups.map((c) => whole.groups[c].label);
  for (const scope of ["ParseExample", "model", "metrics", "head"])
    assert.ok(labels.includes(scope), labels.join(", "));
  // The unscoped clusters are grouped, not 200 loose ops.
  assert.ok(root.groups.some((c) => whole.groups[c].kind === "chunk" && whole.groups[c].size >= 7));
  // A signature view: its inputs and outputs sit at the top level (never inside a scope box).
  const sig = buildDisplayGraph(src, { signature: "eval" });
  const top = new Set(sig.groups[0].nodes);
  const io = sig.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.role === "sigInput" || n.role === "sigOutput");
  assert.equal(io.length, 4);
  for (const [n, i] of io) assert.ok(top.has(i), `${n.name} at the top level`);
});

test("a TF2 Keras export with 77 captured variables: no variable box, each weight inside its consumer", async () => {
  const src = await source("kerasCaptured");
  const g = buildDisplayGraph(src, { signature: "serving_default" });
  const m = new GraphModel(g, measure);
  const handles = g.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.op === "VarHandleOp");
  assert.ok(handles.length >= 50, `${handles.length} variables`);
  for (const [, i] of handles) assert.ok(m.nodeHidden(i), "no VarHandleOp box");
  // Every Conv2D lists its kernel (dtype and shape) inside it.
  const convs = g.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.op === "Conv2D");
  assert.ok(convs.length >= 5);
  for (const [n, i] of convs) {
    const ws = m.weightsOf(`n${i}`);
    assert.equal(ws.length, 1, `${n.name}: ${JSON.stringify(ws)}`);
    assert.match(ws[0].name, /kernel/);
    assert.equal(ws[0].dtype, "float32");
    assert.match(ws[0].shape ?? "", /^\[\d+, \d+, \d+, \d+\]$/);
  }
});

test("Keras layers: scope boxes show the layer class and parameter count from the object graph", async () => {
  const src = await source("kerasCaptured");
  const g = buildDisplayGraph(src, { signature: "serving_default" });
  const layered = g.groups.filter((x) => x.layer);
  assert.ok(layered.length >= 10, `${layered.length} layer boxes`);
  const conv1 = layered.find((x) => x.label === "Conv1");
  assert.ok(conv1, layered.map((x) => x.label).join(", "));
  assert.equal(conv1.layer!.className, "Conv2D");
  assert.equal(conv1.layer!.params, 3 * 3 * 3 * 8, "the kernel's elements");
  const bn = layered.find((x) => x.layer!.className === "BatchNormalization");
  assert.ok(bn && bn.layer!.params > 0);
  assert.match(groupSubtitle(g, g.groups.indexOf(conv1)), /^Conv2D · 216 params · \d+ ops$/);
});
