import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDisplayGraph } from "../../src/graph/index.js";
import type { IGraphDef } from "../../src/savedmodel/proto.js";
import { GraphModel, HEADER } from "../../src/webview/graph/viewModel.js";
import { tinyLayout } from "../../src/webview/graph/tinyLayout.js";
import { sceneToSvg } from "../../src/webview/graph/exportView.js";
import { escapeXml, ellipsize } from "../../src/webview/shared/escape.js";
import type { LayoutInput, LayoutOutput } from "../../src/protocol/graph.js";

const measure = (t: string, px: number) => t.length * px * 0.6;
const EVIL = "<img src=x onerror=alert(1)>";

function graph(): IGraphDef {
  return {
    node: [
      { name: "in", op: "Placeholder" },
      { name: "a/x", op: "Neg", input: ["in"] },
      { name: "a/y", op: "Neg", input: ["a/x"] },
      { name: "a/b/z", op: "Neg", input: ["a/y"] },
      { name: "a/b/w", op: "Neg", input: ["a/b/z"] },
      { name: EVIL, op: "Abs", input: ["a/b/w", "^in"] },
      { name: "save/SaveV2", op: "SaveV2", input: ["in"] },
    ],
  };
}

/** Lays out every pending group with the tiny layout (no worker), like the view does with ELK. */
function layoutAll(m: GraphModel): void {
  for (let p = m.pendingLayouts(); p.length; p = m.pendingLayouts())
    for (const x of p) m.setLayout(x, tinyLayout(x.input));
}

test("root layout lifts edges to collapsed groups and hides boilerplate", () => {
  const g = buildDisplayGraph({ graphDef: graph() }, { graph: true });
  const m = new GraphModel(g, measure);
  const [root] = m.pendingLayouts();
  assert.equal(root.group, 0);
  const ids = root.input.children.map((c) => c.id);
  const a = g.groups.findIndex((x) => x.label === "a");
  assert.ok(ids.includes(`g${a}`));
  assert.ok(!ids.some((id) => id[0] === "n" && g.nodes[+id.slice(1)].op === "SaveV2"), "SaveV2 hidden");
  const inIdx = g.nodes.findIndex((n) => n.name === "in");
  const evil = g.nodes.findIndex((n) => n.name === EVIL);
  const pairs = root.input.edges.map((e) => `${e.source}>${e.target}`).sort();
  // in -> a (data), a -> evil (data), in -> evil (control); the internal a/* edges are not at this level.
  assert.deepEqual(pairs, [`g${a}>n${evil}`, `n${inIdx}>g${a}`, `n${inIdx}>n${evil}`].sort());
  assert.equal(root.members.flat().length, 3);
});

test("expanding a group lays out only it and its ancestors; scene edges reach inner nodes", () => {
  const g = buildDisplayGraph({ graphDef: graph() }, { graph: true });
  const m = new GraphModel(g, measure);
  layoutAll(m);
  const a = g.groups.findIndex((x) => x.label === "a");
  const b = g.groups.findIndex((x) => x.label === "b");
  m.expanded.add(b); // b's parent a is collapsed: nothing to do yet
  assert.deepEqual(m.pendingLayouts(), []);
  m.expanded.add(a);
  const p1 = m.pendingLayouts().map((x) => x.group);
  assert.deepEqual(p1, [b], "deepest first; a waits for b's size");
  layoutAll(m);
  const scene = m.scene();
  const x = g.nodes.findIndex((n) => n.name === "a/x");
  const itx = scene.byKey.get(`n${x}`)!;
  const ita = scene.byKey.get(`g${a}`)!;
  assert.equal(ita.kind, "frame");
  assert.ok(
    itx.x >= ita.x && itx.y >= ita.y + HEADER && itx.x + itx.w <= ita.x + ita.w + 0.5,
    "child inside its frame",
  );
  const inIdx = g.nodes.findIndex((n) => n.name === "in");
  const e = scene.edges.find((se) => se.from === `n${inIdx}` && se.to === `n${x}`);
  assert.ok(e, "edge drawn from `in` to the inner node a/x");
  assert.deepEqual(e.pts.slice(-2), [itx.x + itx.w / 2, itx.y]);
  // every scene edge ends on visible items
  for (const se of scene.edges) assert.ok(scene.byKey.has(se.from) && scene.byKey.has(se.to));
  // collapsing a again: its cached layout stays, root is re-laid with the box size
  m.expanded.delete(a);
  assert.deepEqual(
    m.pendingLayouts().map((q) => q.group),
    [0],
  );
});

test("tinyLayout: topological layers even when children are listed out of order", () => {
  const inp: LayoutInput = {
    key: "t",
    children: [
      { id: "x", width: 40, height: 20 },
      { id: "y", width: 40, height: 20 },
      { id: "m", width: 60, height: 30 },
    ],
    edges: [
      { id: "e1", source: "x", target: "m" },
      { id: "e2", source: "m", target: "y" },
    ],
  };
  const out: LayoutOutput = tinyLayout(inp);
  const y = (i: number) => out.xy[2 * i + 1];
  assert.ok(y(0) < y(2) && y(2) < y(1), `layers x < m < y, got ${[y(0), y(2), y(1)]}`);
  assert.equal(out.routes.length, 2);
  assert.ok(out.width > 0 && out.height > y(1));
});

test("model strings are escaped in SVG export; ellipsize fits", () => {
  assert.equal(escapeXml(EVIL), "&lt;img src=x onerror=alert(1)&gt;");
  assert.equal(escapeXml("a\"b'c&\u0001"), "a&quot;b&#39;c&amp;\ufffd");
  const g = buildDisplayGraph({ graphDef: graph() }, { graph: true });
  const m = new GraphModel(g, measure);
  layoutAll(m);
  const svg = sceneToSvg(g, m.scene(), { colour: () => "#123456", font: 'A "font"', measure });
  assert.ok(!svg.includes("<img"), "no raw markup from node names");
  assert.ok(svg.includes("&lt;img src=x onerror=alert(1)&gt;"));
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes('font-family="A &quot;font&quot;"'));
  const s = ellipsize("abcdefghijklmnop", 50, (t) => t.length * 6);
  assert.ok(s.endsWith("…") && s.length * 6 <= 50 + 6);
});

test("search ranks exact op/name matches first and finds attribute values", async () => {
  const { searchGraph } = await import("../../src/webview/graph/search.js");
  const g = buildDisplayGraph(
    {
      graphDef: {
        node: [
          { name: "matmul_resource_arg", op: "Placeholder" },
          {
            name: "dense/MatMul",
            op: "MatMul",
            input: ["matmul_resource_arg", "matmul_resource_arg"],
            attr: { transpose_b: { b: true } },
          },
        ],
      },
    },
    { graph: true },
  );
  const hits = searchGraph(g, "MatMul");
  assert.equal(hits[0].title, "dense/MatMul");
  assert.ok(hits.some((h) => h.title === "matmul_resource_arg"));
  assert.deepEqual(
    searchGraph(g, "transpose_b").map((h) => h.title),
    ["dense/MatMul"],
  );
  assert.deepEqual(searchGraph(g, "   "), []);
});
