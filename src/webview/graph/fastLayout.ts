/**
 * Layered layout for big groups without ELK, linear-ish in nodes + edges (an ELK `layered` call costs
 * 0.35-2 s per 1,000 nodes here; this costs a few ms): topological order (model order first), longest-path
 * layers, one barycentre sweep for the order inside a layer, x pulled towards the predecessors and packed
 * without overlap, edges between neighbouring layers drawn straight and longer edges routed in lanes beside
 * the nodes they pass (never through them).
 */
import type { LayoutInput, LayoutOutput } from "../../protocol/graph.js";
import { stableTopoOrder } from "../../graph/topoOrder.js";

/** Layout option asking the worker for this layout instead of ELK. */
export const FAST_OPTION = "smx.fastLayered";

const PAD = 12;
const GAP_X = 18;
const GAP_Y = 22;
const LANE = 6;

export function fastLayout(g: LayoutInput): LayoutOutput {
  const t0 = performance.now();
  const n = g.children.length;
  const idx = new Map<string, number>();
  g.children.forEach((c, i) => idx.set(c.id, i));
  const E = g.edges.length;
  const es = new Int32Array(E);
  const et = new Int32Array(E);
  g.edges.forEach((e, i) => {
    es[i] = idx.get(e.source) ?? -1;
    et[i] = idx.get(e.target) ?? -1;
  });
  const shaping = (i: number) => es[i] >= 0 && et[i] >= 0 && es[i] !== et[i] && !g.edges[i].free;
  // Adjacency (CSR) of shaping edges.
  const outStart = new Int32Array(n + 1);
  for (let i = 0; i < E; i++) if (shaping(i)) outStart[es[i] + 1]++;
  for (let v = 0; v < n; v++) outStart[v + 1] += outStart[v];
  const outAdj = new Int32Array(outStart[n]);
  const fill = outStart.slice(0, n);
  for (let i = 0; i < E; i++) if (shaping(i)) outAdj[fill[es[i]]++] = et[i];

  // Topological order: lowest ready index first (a binary heap), a cycle broken at the lowest unplaced index.
  const indeg = new Int32Array(n);
  for (let k = 0; k < outAdj.length; k++) indeg[outAdj[k]]++;
  const pos = stableTopoOrder(n, indeg, (v, visit) => {
    for (let j = outStart[v]; j < outStart[v + 1]; j++) visit(outAdj[j]);
  });
  const order = new Int32Array(n);
  for (let v = 0; v < n; v++) order[pos[v]] = v;
  // Longest-path layers over edges that go forward in that order.
  const layer = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const v = order[k];
    for (let j = outStart[v]; j < outStart[v + 1]; j++) {
      const t = outAdj[j];
      if (pos[t] > pos[v] && layer[t] < layer[v] + 1) layer[t] = layer[v] + 1;
    }
  }
  let L = 0;
  for (let v = 0; v < n; v++) L = Math.max(L, layer[v] + 1);
  const layers: number[][] = Array.from({ length: L }, () => []);
  for (let k = 0; k < n; k++) layers[layer[order[k]]].push(order[k]);

  // Predecessors between neighbouring layers, for the barycentre sweep and x pulls.
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++)
    for (let j = outStart[v]; j < outStart[v + 1]; j++) {
      const t = outAdj[j];
      if (layer[t] > layer[v]) preds[t].push(v);
    }
  const w = (v: number) => g.children[v].width;
  const cx = new Float64Array(n);
  const rank = new Float64Array(n);
  for (let li = 0; li < L; li++) {
    const l = layers[li];
    if (li > 0) {
      const bary = new Map<number, number>();
      for (const v of l) {
        const p = preds[v];
        bary.set(v, p.length ? p.reduce((s, u) => s + rank[u], 0) / p.length : Number.POSITIVE_INFINITY);
      }
      l.sort((a, b) => bary.get(a)! - bary.get(b)! || pos[a] - pos[b]);
    }
    l.forEach((v, i) => (rank[v] = i));
    // Wanted centres: mean of the predecessors' centres, else packed from 0; then packed both ways without overlap.
    const want = l.map((v) => (preds[v].length ? preds[v].reduce((s, u) => s + cx[u], 0) / preds[v].length : NaN));
    let x = 0;
    const left = new Float64Array(l.length);
    const right = new Float64Array(l.length);
    for (let i = 0; i < l.length; i++) {
      const half = w(l[i]) / 2;
      const c = Number.isNaN(want[i]) ? x + half : Math.max(x + half, want[i]);
      left[i] = c;
      x = c + half + GAP_X;
    }
    x = Number.POSITIVE_INFINITY;
    for (let i = l.length - 1; i >= 0; i--) {
      const half = w(l[i]) / 2;
      const c = Number.isNaN(want[i]) ? Math.min(x - half, left[i]) : Math.min(x - half, want[i]);
      right[i] = c;
      x = c - half - GAP_X;
    }
    // Average of the two packings keeps order and spacing (both satisfy the gaps).
    for (let i = 0; i < l.length; i++) cx[l[i]] = (left[i] + right[i]) / 2;
  }
  let minX = Number.POSITIVE_INFINITY;
  for (let v = 0; v < n; v++) minX = Math.min(minX, cx[v] - w(v) / 2);
  if (!Number.isFinite(minX)) minX = 0;
  const xy = new Float64Array(2 * n);
  const layerY = new Float64Array(L + 1);
  const layerLo = new Float64Array(L).fill(Number.POSITIVE_INFINITY);
  const layerHi = new Float64Array(L).fill(Number.NEGATIVE_INFINITY);
  let y = PAD;
  for (let li = 0; li < L; li++) {
    let h = 0;
    for (const v of layers[li]) {
      const x0 = cx[v] - w(v) / 2 - minX + PAD;
      xy[2 * v] = x0;
      xy[2 * v + 1] = y;
      h = Math.max(h, g.children[v].height);
      layerLo[li] = Math.min(layerLo[li], x0);
      layerHi[li] = Math.max(layerHi[li], x0 + w(v));
    }
    layerY[li] = y;
    y += h + GAP_Y;
  }
  layerY[L] = y;
  let W = 0;
  for (let li = 0; li < L; li++) W = Math.max(W, layerHi[li]);

  // Routes. Long edges run in lanes beside the layers they pass (left or right, whichever is nearer).
  const bottom = (v: number) => xy[2 * v + 1] + g.children[v].height;
  const routes: number[][] = new Array(E);
  const long: { i: number; a: number; b: number; side: number; x: number }[] = [];
  const lo = rangeTable(layerLo, Math.min);
  const hi = rangeTable(layerHi, Math.max);
  for (let i = 0; i < E; i++) {
    const s = es[i];
    const t = et[i];
    if (s < 0 || t < 0) {
      routes[i] = [];
      continue;
    }
    const sx = xy[2 * s] + w(s) / 2;
    const tx = xy[2 * t] + w(t) / 2;
    if (layer[t] === layer[s] + 1 || s === t) {
      routes[i] = [sx, bottom(s), tx, xy[2 * t + 1]];
      continue;
    }
    const [a, b] = layer[t] > layer[s] ? [layer[s] + 1, layer[t] - 1] : [layer[t], layer[s]];
    const l0 = lo(a, b);
    const h0 = hi(a, b);
    const mid = (sx + tx) / 2;
    const side = layer[t] > layer[s] && mid - l0 < h0 - mid ? -1 : 1;
    long.push({ i, a, b, side, x: side < 0 ? l0 : h0 });
    routes[i] = [];
  }
  // Lanes: greedy interval colouring per side, so vertical runs do not overlap.
  long.sort((p, q) => p.a - q.a || p.b - q.b);
  const laneEnd: [number[], number[]] = [[], []];
  let minLane = 0;
  let maxLane = 0;
  for (const e of long) {
    const ends = laneEnd[e.side < 0 ? 0 : 1];
    let k = ends.findIndex((end) => end < e.a);
    if (k < 0) k = ends.push(e.b) - 1;
    else ends[k] = e.b;
    const lx = e.x + e.side * (LANE * (k + 1) + 4);
    minLane = Math.min(minLane, lx);
    maxLane = Math.max(maxLane, lx);
    const s = es[e.i];
    const t = et[e.i];
    const sx = xy[2 * s] + w(s) / 2;
    const tx = xy[2 * t] + w(t) / 2;
    const sy = bottom(s);
    const ty = xy[2 * t + 1];
    const y0 = layerY[e.a] - GAP_Y / 2;
    const y1 = layerY[e.b + 1] - GAP_Y / 2;
    routes[e.i] = [sx, sy, lx, Math.max(sy + 4, y0), lx, Math.min(ty - 4, y1), tx, ty];
  }
  // Left lanes may go below x = 0: shift everything right.
  const shift = minLane < PAD ? PAD - minLane : 0;
  if (shift) {
    for (let v = 0; v < n; v++) xy[2 * v] += shift;
    for (const r of routes) for (let k = 0; k < r.length; k += 2) r[k] += shift;
  }
  return {
    key: g.key,
    width: Math.max(W, maxLane) + shift + PAD,
    height: L ? y - GAP_Y + PAD : 2 * PAD,
    xy,
    routes,
    ms: performance.now() - t0,
  };
}

/** Range min/max queries over a fixed array (sparse table). */
function rangeTable(a: Float64Array, f: (x: number, y: number) => number): (i: number, j: number) => number {
  const table: Float64Array[] = [a];
  for (let k = 1; 1 << k <= a.length; k++) {
    const prev = table[k - 1];
    const cur = new Float64Array(a.length - (1 << k) + 1);
    for (let i = 0; i < cur.length; i++) cur[i] = f(prev[i], prev[i + (1 << (k - 1))]);
    table.push(cur);
  }
  return (i, j) => {
    if (j < i) j = i;
    const k = 31 - Math.clz32(j - i + 1);
    return f(table[k][i], table[k][j - (1 << k) + 1]);
  };
}
