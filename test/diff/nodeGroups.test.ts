/**
 * The comparison editor's node-change lists (src/webview/compare/nodeGroups.ts) on the E2E pair (model/1 has
 * input x2 added to the product, model/2 drops it and moves one weight): the page used to print "serving_default:
 * 3 node change(s)" above a table of 4 rows (the weight's initial value, which no signature runs, was among
 * them). Each list now holds exactly the changes its heading counts; the rest are listed apart.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.js";
import type { DiffReport } from "../../src/savedmodel/diff/index.js";
import { nodeChangeGroups } from "../../src/webview/compare/nodeGroups.js";
import { tinyTf1, writeTemp } from "./pairs.js";

test("node changes per signature, and those outside every signature apart: every count is its rows", async () => {
  const a = await writeTemp(tinyTf1({ extraInput: true }), "groups-a");
  const b = await writeTemp(tinyTf1({ w: [1, 2, 3, 4.5] }), "groups-b");
  let out = "";
  const code = await main(["diff", a, b, "--json", "--only", "graph"], {
    out: (s) => (out += s),
    err: () => undefined,
    cwd: process.cwd(),
  });
  assert.ok(code !== 1 && code !== 2, `exit ${code}`);
  const g = (JSON.parse(out) as DiffReport).graph![0];
  assert.equal(g.nodes.length, 4, "four node changes in the graph");
  const groups = nodeChangeGroups(g);
  const rows = groups.map((x) => [x.signature ?? "(outside)", x.nodes.map((c) => `${c.kind} ${c.node}`).sort()]);
  assert.deepEqual(rows, [
    ["serving_default", ["changed y", "removed add", "removed x2"]],
    ["(outside)", ["changed w/Initializer/initial_value"]],
  ]);
  // every change is listed, once per list it belongs to
  const listed = new Set(groups.flatMap((x) => x.nodes));
  assert.equal(listed.size, g.nodes.length);
  assert.equal(g.signatures[0].nodes.length, groups[0].nodes.length);
});

test("no change outside the signatures: no extra list", () => {
  const c = { kind: "added" as const, function: "", node: "n", op: "Neg" };
  assert.deepEqual(nodeChangeGroups({ nodes: [c], signatures: [{ tagSet: "serve", signature: "s", nodes: [c] }] }), [
    { signature: "s", nodes: [c] },
  ]);
});

test("a signature's node changes stop at its inputs: what feeds an input does not run when it is called", async () => {
  const { GraphBuilder, SavedModelBuilder } = await import("../../src/savedmodel/builder/index.js");
  const { DataType } = await import("../../src/savedmodel/dtypes.js");
  // raw → [pre (B only)] → x (the signature's input) → y = x · x
  const make = (pre: boolean) => {
    const g = new GraphBuilder();
    let t = g.placeholder("raw", DataType.DT_FLOAT, [-1]);
    if (pre) t = g.op("Neg", "pre", [t]).output;
    const x = g.identity("x", t);
    const y = g.identity("y", g.op("Mul", "mul", [x, x]).output);
    return new SavedModelBuilder({ tfVersion: "1.15.0" }).addMetaGraphAndVariables(["serve"], {
      graph: g,
      signatureDefs: { serving_default: { inputs: { x }, outputs: { y } } },
    });
  };
  const a = await writeTemp(make(false), "slice-a");
  const b = await writeTemp(make(true), "slice-b");
  let out = "";
  await main(["diff", a, b, "--json", "--only", "graph"], { out: (s) => (out += s), err: () => undefined, cwd: "." });
  const g = (JSON.parse(out) as DiffReport).graph![0];
  assert.deepEqual(g.nodes.map((c) => `${c.kind} ${c.node}`).sort(), ["added pre", "changed x"]);
  assert.deepEqual(
    g.signatures[0].nodes.map((c) => `${c.kind} ${c.node}`),
    ["changed x"],
    "pre feeds the input x: it does not run when serving_default is called",
  );
  assert.deepEqual(
    nodeChangeGroups(g).map((x) => [x.signature ?? "(outside)", x.nodes.length]),
    [
      ["serving_default", 1],
      ["(outside)", 1],
    ],
  );
});
