import { test } from "node:test";
import assert from "node:assert/strict";
import { fastLayout } from "../../src/webview/graph/fastLayout.js";
import type { LayoutInput } from "../../src/protocol/graph.js";

/** A chain of `n` ops where op i also reads op i-7 (long skip edges), plus a fan-out/fan-in block. */
function chainWithSkips(n: number): LayoutInput {
  const children = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, width: 60 + (i % 5) * 10, height: 34 }));
  const edges: LayoutInput["edges"] = [];
  for (let i = 1; i < n; i++) edges.push({ id: `a${i}`, source: `n${i - 1}`, target: `n${i}` });
  for (let i = 7; i < n; i++) edges.push({ id: `b${i}`, source: `n${i - 7}`, target: `n${i}` });
  return { key: "g1", children, edges };
}

const boxes = (g: LayoutInput, xy: Float64Array) =>
  g.children.map((c, i) => ({ x: xy[2 * i], y: xy[2 * i + 1], w: c.width, h: c.height }));

// Speed lives in bench/graph.bench.ts; the only time bound here is a hang guard (~100x the expected ~20 ms).
test("fastLayout: 1,000-node chain with skip edges is layered in order, without overlaps", { timeout: 20_000 }, () => {
  const g = chainWithSkips(1000);
  const out = fastLayout(g);
  const b = boxes(g, out.xy);
  for (let i = 1; i < b.length; i++) assert.ok(b[i].y > b[i - 1].y + b[i - 1].h, `node ${i} below node ${i - 1}`);
  for (const r of b) {
    assert.ok(r.x >= 0 && r.x + r.w <= out.width + 0.01, "inside the width");
    assert.ok(r.y >= 0 && r.y + r.h <= out.height + 0.01, "inside the height");
  }
  // Every route starts at its source's bottom and ends at its target's top; long edges never cross a node.
  g.edges.forEach((e, i) => {
    const r = out.routes[i];
    const s = b[+e.source.slice(1)];
    const t = b[+e.target.slice(1)];
    assert.equal(r[1], s.y + s.h);
    assert.equal(r[r.length - 1], t.y);
    for (let k = 2; k < r.length - 2; k += 2) {
      const x = r[k];
      for (const o of b)
        if (o !== s && o !== t) assert.ok(!(x > o.x && x < o.x + o.w && r[k + 1] > o.y && r[k + 1] < o.y + o.h));
    }
    if (r.length > 4) {
      // The vertical lane run (points 1..2) passes beside every box of the layers in between.
      const lx = r[2];
      for (const o of b)
        if (o.y > s.y + s.h && o.y + o.h < t.y)
          assert.ok(lx < o.x || lx > o.x + o.w, `edge ${e.id} lane clear of boxes`);
    }
  });
});

test("fastLayout: parallel branches share a layer side by side; free edges and cycles do not break it", () => {
  const children = ["in", "a", "b", "c", "sum", "back"].map((id) => ({ id, width: 50, height: 30 }));
  const edges: LayoutInput["edges"] = [
    { id: "1", source: "in", target: "a" },
    { id: "2", source: "in", target: "b" },
    { id: "3", source: "in", target: "c" },
    { id: "4", source: "a", target: "sum" },
    { id: "5", source: "b", target: "sum" },
    { id: "6", source: "c", target: "sum" },
    { id: "7", source: "sum", target: "back" },
    { id: "8", source: "back", target: "in" },
    { id: "9", source: "a", target: "c", free: true },
  ];
  const out = fastLayout({ key: "k", children, edges });
  const y = (i: number) => out.xy[2 * i + 1];
  const x = (i: number) => out.xy[2 * i];
  assert.equal(y(1), y(2));
  assert.equal(y(2), y(3));
  assert.ok(x(1) + 50 <= x(2) && x(2) + 50 <= x(3), "model order, no overlap");
  assert.ok(y(0) < y(1) && y(1) < y(4) && y(4) < y(5));
  assert.equal(out.routes.length, edges.length);
  assert.ok(out.routes[7].length >= 4, "the back edge has a route");
});

test("fastLayout: empty groups, dangling edge ends, self loops and a random cyclic graph give finite output", () => {
  const empty = fastLayout({ key: "e", children: [], edges: [{ id: "x", source: "a", target: "b" }] });
  assert.equal(empty.xy.length, 0);
  assert.ok(empty.width >= 0 && empty.height >= 0);
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const children = Array.from({ length: 400 }, (_, i) => ({ id: `n${i}`, width: 40 + rnd(120), height: 24 + rnd(12) }));
  const edges: LayoutInput["edges"] = Array.from({ length: 900 }, (_, i) => ({
    id: `e${i}`,
    source: `n${rnd(410)}`,
    target: `n${rnd(400)}`,
  }));
  edges.push({ id: "self", source: "n3", target: "n3" });
  const out = fastLayout({ key: "r", children, edges });
  assert.ok(Number.isFinite(out.width) && Number.isFinite(out.height));
  for (const v of out.xy) assert.ok(Number.isFinite(v) && v >= 0);
  for (const r of out.routes) for (const v of r) assert.ok(Number.isFinite(v));
  // No two boxes overlap.
  const b = boxes({ key: "r", children, edges }, out.xy);
  const byRow = new Map<number, typeof b>();
  for (const r of b) byRow.set(r.y, [...(byRow.get(r.y) ?? []), r]);
  for (const row of byRow.values()) {
    row.sort((p, q) => p.x - q.x);
    for (let i = 1; i < row.length; i++) assert.ok(row[i].x >= row[i - 1].x + row[i - 1].w - 0.01, "no overlap");
  }
});
