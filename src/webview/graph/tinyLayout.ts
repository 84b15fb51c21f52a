/**
 * Layered layout for tiny groups without ELK (an ELK call has a fixed cost of several ms, and expanding
 * everything in a big model means thousands of 2-8 node groups): longest-path layers, model order inside
 * a layer, layers centred, straight edges from bottom centre to top centre.
 */
import type { LayoutInput, LayoutOutput } from "../../protocol/graph.js";

export const TINY_MAX = 8;
const PAD = 12;
const GAP_X = 18;
const GAP_Y = 22;

export function tinyLayout(g: LayoutInput): LayoutOutput {
  const t0 = performance.now();
  const n = g.children.length;
  const idx = new Map(g.children.map((c, i) => [c.id, i]));
  // Topological order (Kahn, lowest index first; a cycle is broken at its lowest remaining index).
  const indeg = new Array<number>(n).fill(0);
  const ends = g.edges.map((e) => [idx.get(e.source)!, idx.get(e.target)!] as const);
  for (const [, t] of ends) indeg[t]++;
  const pos = new Array<number>(n).fill(-1);
  for (let k = 0; k < n; k++) {
    let pick = -1;
    for (let i = 0; i < n; i++)
      if (pos[i] < 0 && indeg[i] === 0) {
        pick = i;
        break;
      }
    if (pick < 0)
      for (let i = 0; i < n; i++)
        if (pos[i] < 0) {
          pick = i;
          break;
        }
    pos[pick] = k;
    for (const [s, t] of ends) if (s === pick && pos[t] < 0) indeg[t]--;
  }
  // Longest path from sources over edges that go forward in that order.
  const order = [...Array(n).keys()].sort((a, b) => pos[a] - pos[b]);
  const layer = new Array<number>(n).fill(0);
  for (const v of order)
    for (const [s, t] of ends) if (s === v && pos[t] > pos[s]) layer[t] = Math.max(layer[t], layer[s] + 1);
  const layers: number[][] = [];
  for (let i = 0; i < n; i++) (layers[layer[i]] ??= []).push(i);
  const widths = layers.map(
    (l) => (l ?? []).reduce((s, i) => s + g.children[i].width, 0) + GAP_X * Math.max(0, (l?.length ?? 1) - 1),
  );
  const W = Math.max(0, ...widths);
  const xy = new Float64Array(2 * n);
  let y = PAD;
  layers.forEach((l, k) => {
    if (!l) return;
    let x = PAD + (W - widths[k]) / 2;
    let h = 0;
    for (const i of l) {
      xy[2 * i] = x;
      xy[2 * i + 1] = y;
      x += g.children[i].width + GAP_X;
      h = Math.max(h, g.children[i].height);
    }
    y += h + GAP_Y;
  });
  const height = y - GAP_Y + PAD;
  const routes = g.edges.map((e) => {
    const s = idx.get(e.source)!;
    const t = idx.get(e.target)!;
    const a = g.children[s];
    const b = g.children[t];
    const sx = xy[2 * s] + a.width / 2;
    const sy = xy[2 * s + 1] + a.height;
    const tx = xy[2 * t] + b.width / 2;
    const ty = xy[2 * t + 1];
    if (ty > sy) return [sx, sy, tx, ty];
    // Back or same-layer edge: go round the right side.
    const rx = PAD + W + 6;
    return [sx, sy, rx, sy + 8, rx, ty - 8, tx, ty];
  });
  return {
    key: g.key,
    width: W + 2 * PAD + (g.edges.some((_, i) => routes[i].length > 4) ? 12 : 0),
    height,
    xy,
    routes,
    ms: performance.now() - t0,
  };
}
