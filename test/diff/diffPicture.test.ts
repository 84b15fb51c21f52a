/**
 * The comparison editor's graph of a signature's changes (src/graph/diffPicture.ts): a builder-made TF2 pair
 * whose traced function differs in three ways — an op changed (Relu → Tanh), a node added after it (so the
 * function's output node reads another input), a node removed — gives a picture with exactly those three marked, the removed one drawn from A and wired in, and only
 * the groups holding them opened.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { buildDisplayGraph, graphSourceFromSavedModel, type DisplayGraph } from "../../src/graph/index.js";
import { signatureDiffPicture } from "../../src/graph/diffPicture.js";
import type { DiffReport } from "../../src/savedmodel/diff/index.js";
import { SavedModel } from "../../src/savedmodel/proto.js";
import type { SavedModelBuilder } from "../../src/savedmodel/builder/index.js";
import { tinyTf1, tinyTf2, writeTemp } from "./pairs.js";

/** Dense (MatMul, BiasAdd) + activation in a traced function; A has dense/dropout before it, B dense/scale after. */
const model = (side: "a" | "b"): SavedModelBuilder =>
  side === "a"
    ? tinyTf2({ dropout: true, activation: "Relu" })
    : tinyTf2({ uidShift: 5, activation: "Tanh", scale: true });

function picture(dir: string): DisplayGraph {
  const pb = readFileSync(join(dir, "saved_model.pb"));
  return buildDisplayGraph(graphSourceFromSavedModel(SavedModel.decode(pb)), { signature: "serving_default" });
}

test("graph changes of a signature: exactly the changed, added and removed nodes are marked", async () => {
  const a = await writeTemp(model("a"), "pic-a");
  const b = await writeTemp(model("b"), "pic-b");
  let out = "";
  const code = await main(["diff", a, b, "--json", "--only", "graph"], {
    out: (s) => (out += s),
    err: () => undefined,
    cwd: process.cwd(),
  });
  assert.equal(code, 0, out);
  const report = JSON.parse(out) as DiffReport;
  const gd = report.graph![0];
  const body = gd.functions.matched.find((m) => m.a.startsWith("__inference_call_"))!;
  assert.notEqual(body.a, body.b, "the bodies have other numeric suffixes");
  const gA = picture(a);
  const gB = picture(b);
  const { graph, overlay } = signatureDiffPicture(gd, "serving_default", gA, gB, { a: "A", b: "B" });
  const marks = overlay.nodes.map(([n, i]) => [graph.nodes[n].name, graph.nodes[n].fn, i.mark]).sort();
  // the body's output node (Identity) now reads dense/scale: its inputs changed
  assert.deepEqual(marks, [
    ["Identity", body.b, "changed"],
    ["dense/act", body.b, "changed"],
    ["dense/dropout", body.b, "removed"],
    ["dense/scale", body.b, "added"],
  ]);
  assert.deepEqual(overlay.counts, { added: 1, removed: 1, changed: 2 });
  assert.equal(gd.signatures[0].nodes.length, 4, "the picture marks what the diff reports, no more");
  assert.equal(overlay.unplaced, 0);
  const act = overlay.nodes.find(([n]) => graph.nodes[n].name === "dense/act")![1];
  assert.equal(act.before, "Relu");
  assert.equal(act.after, "Tanh");
  assert.ok(act.what?.includes("op"));
  // the removed node is drawn from A, wired from BiasAdd and into act, inside the same call group as in B
  const dropout = overlay.nodes.find(([, i]) => i.mark === "removed")![0];
  assert.equal(graph.nodes.length, gB.nodes.length + 1);
  assert.equal(graph.nodes[dropout].op, "Identity");
  const ends = graph.edges
    .filter((e) => e.s === dropout || e.t === dropout)
    .map((e) => (e.s === dropout ? `→ ${graph.nodes[e.t].name}` : `${graph.nodes[e.s].name} →`))
    .sort();
  assert.deepEqual(ends, ["dense/BiasAdd →", "→ dense/act"]);
  const actIndex = graph.nodes.findIndex((n) => n.name === "dense/act");
  assert.equal(graph.nodes[dropout].parent, graph.nodes[actIndex].parent);
  assert.ok(graph.groups[graph.nodes[dropout].parent].nodes.includes(dropout));
  // opened: exactly the groups holding a mark, with their ancestors; everything else stays collapsed
  const holding = new Set<number>();
  for (const [n] of overlay.nodes)
    for (let g = graph.nodes[n].parent; g >= 0; g = graph.groups[g].parent) holding.add(g);
  assert.deepEqual(new Set(overlay.groups), holding);
  assert.ok(overlay.groups.includes(0));
  // B's own graph is not modified
  assert.ok(!gB.nodes.some((n) => n.name === "dense/dropout"));
  // unchanged nodes are not marked
  for (const name of ["dense/MatMul", "dense/BiasAdd"])
    assert.ok(!overlay.nodes.some(([n]) => graph.nodes[n].name === name), name);
});

/** Signature "s"'s picture with one math node. */
function oneNodeGraph(name: string, op: string, attrs: [string, string][] = []): DisplayGraph {
  return {
    title: "t",
    scope: { kind: "signature", name: "s" },
    nodes: [{ name, label: name, op, kind: "math", parent: 0, fn: "", attrs, outputs: [] }],
    groups: [{ id: "", label: "s", kind: "root", parent: -1, nodes: [0], groups: [], size: 1, visibleSize: 1 }],
    edges: [],
    warnings: [],
  };
}

test("without A's picture the removed node is counted as not drawn", async () => {
  const gB = oneNodeGraph("n", "Neg");
  const { overlay } = signatureDiffPicture(
    {
      functions: { matched: [] },
      signatures: [
        {
          signature: "s",
          nodes: [
            { kind: "added", function: "", node: "n", op: "Neg" },
            { kind: "removed", function: "", node: "gone", op: "Relu" },
          ],
        },
      ],
    },
    "s",
    undefined,
    gB,
    { a: "A", b: "B" },
  );
  assert.deepEqual(overlay.nodes, [[0, { mark: "added", op: "Neg" }]]);
  assert.equal(overlay.unplaced, 1);
  assert.deepEqual(overlay.counts, { added: 1, removed: 0, changed: 0 });
});

test("TF1 pair (the E2E one): the removed signature input and its add are drawn from A, y marked changed", async () => {
  const a = await writeTemp(tinyTf1({ extraInput: true }), "pic1-a");
  const b = await writeTemp(tinyTf1({ w: [1, 2, 3, 4.5] }), "pic1-b");
  let out = "";
  await main(["diff", a, b, "--json", "--only", "graph"], { out: (s) => (out += s), err: () => undefined, cwd: "." });
  const gd = (JSON.parse(out) as DiffReport).graph![0];
  const { graph, overlay } = signatureDiffPicture(gd, "serving_default", picture(a), picture(b), { a: "1", b: "2" });
  const marks = overlay.nodes.map(([n, i]) => `${i.mark} ${graph.nodes[n].name} ${graph.nodes[n].op}`).sort();
  // y twice would mean the signature's synthetic output node "y" was marked too
  assert.deepEqual(marks, ["changed y Identity", "removed add AddV2", "removed x2 Placeholder"]);
  assert.equal(overlay.unplaced, 0);
  const x2 = graph.nodes.findIndex((n) => n.name === "x2");
  assert.equal(graph.nodes[x2].role, "sigInput");
  assert.ok(graph.edges.some((e) => e.s === x2 && graph.nodes[e.t].name === "add"));
});

test("a changed attribute carries its value in A and in B", () => {
  const one = (value: string): DisplayGraph => oneNodeGraph("c", "Cast", [["DstT", value]]);
  const { overlay } = signatureDiffPicture(
    {
      functions: { matched: [] },
      signatures: [
        {
          signature: "s",
          nodes: [{ kind: "changed", function: "", node: "c", op: "Cast", what: ["attrs"], attrs: ["DstT"] }],
        },
      ],
    },
    "s",
    one("int32"),
    one("float32"),
    { a: "A", b: "B" },
  );
  assert.deepEqual(overlay.nodes[0][1].attrValues, [["DstT", "int32", "float32"]]);
});
