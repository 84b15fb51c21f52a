/**
 * What the graph view folds away by default, as Netron does: weights (variables, constants, captured
 * resources and the reads/identities/arguments that only carry them) are drawn inside the op that consumes
 * them; pass-through chains (`Identity`, `_Retval`, call arguments) fold into the edge they carry. Pure: no
 * DOM, unit-tested under Node.
 */
import type { DisplayGraph, GraphEdge, GraphNode } from "../../graph/model.js";

/** Ops whose output is a weight: a variable handle, a constant, a lookup table. */
const WEIGHT_OPS = new Set([
  "Const",
  "HostConst",
  "VarHandleOp",
  "VariableV2",
  "Variable",
  "HashTableV2",
  "HashTable",
  "MutableHashTableV2",
  "MutableHashTable",
  "MutableDenseHashTableV2",
]);
/** Ops that only carry a weight on (their data inputs are all weights, so they are too). */
const WEIGHT_CARRIERS = new Set(["ReadVariableOp", "Identity", "IdentityN", "Cast", "Snapshot", "StopGradient"]);
const PASS_OPS = new Set(["Identity", "Snapshot"]);

export function isWeightRoot(n: GraphNode): boolean {
  if (n.role === "sigInput" || n.role === "sigOutput" || n.role === "retval") return false;
  return WEIGHT_OPS.has(n.op);
}

export interface Folding {
  /** Leaf nodes drawn inside their consumers (weights) or folded into edges (pass-through). */
  weight: Uint8Array;
  pass: Uint8Array;
  /** Edges that stand for a folded pass-through chain: source -> consumer. */
  bypass: GraphEdge[];
}

/**
 * Marks weights (roots and the nodes that only carry them) and pass-through nodes; builds the edges that
 * replace pass-through chains. `inEdges[n]` lists the edge indices into node n.
 */
export function computeFolding(g: DisplayGraph, inEdges: readonly (readonly number[])[]): Folding {
  const n = g.nodes.length;
  const weight = new Uint8Array(n);
  const pass = new Uint8Array(n);
  const dataIn = (i: number) => inEdges[i].filter((ei) => !g.edges[ei].ctl);
  // Weights: roots, then carriers whose data inputs are all weights (to a fixed point, in topological sweeps).
  const carrier = (node: GraphNode) =>
    WEIGHT_CARRIERS.has(node.op) || node.role === "arg" || (node.op === "_Arg" && node.role === undefined);
  for (let i = 0; i < n; i++) {
    const node = g.nodes[i];
    if (isWeightRoot(node)) weight[i] = 1;
    // A function view's own resource arguments are captured variables.
    else if (node.role === "arg" && node.outputs[0]?.dtype === "resource" && dataIn(i).length === 0) weight[i] = 1;
  }
  for (let changed = true, sweeps = 0; changed && sweeps < 64; sweeps++) {
    changed = false;
    for (let i = 0; i < n; i++) {
      if (weight[i]) continue;
      const node = g.nodes[i];
      if (!carrier(node)) continue;
      const ins = dataIn(i);
      if (ins.length && ins.every((ei) => weight[g.edges[ei].s])) {
        weight[i] = 1;
        changed = true;
      }
    }
  }
  // Pass-through: call arguments and results with one data input, and single-input Identity ops.
  for (let i = 0; i < n; i++) {
    if (weight[i]) continue;
    const node = g.nodes[i];
    const ins = dataIn(i);
    if (ins.length !== 1) continue;
    if (node.role === "arg" || node.role === "retval" || (PASS_OPS.has(node.op) && node.role === undefined))
      pass[i] = 1;
  }
  // Each edge out of a pass-through chain into a kept node becomes source -> that node.
  const bypass: GraphEdge[] = [];
  const sourceOf = (start: number): { s: number; so: number } | undefined => {
    let cur = start;
    for (let steps = 0; steps < 4096; steps++) {
      if (!pass[cur]) return undefined;
      const e = g.edges[dataIn(cur)[0]];
      if (!pass[e.s]) return { s: e.s, so: e.so };
      cur = e.s;
    }
    return undefined;
  };
  const memo = new Map<number, { s: number; so: number } | undefined>();
  g.edges.forEach((e) => {
    if (!pass[e.s] || pass[e.t] || e.ctl) return;
    let src = memo.get(e.s);
    if (!memo.has(e.s)) memo.set(e.s, (src = sourceOf(e.s)));
    if (!src || src.s === e.t) return;
    const b: GraphEdge = { s: src.s, t: e.t, so: src.so, ti: e.ti, via: true };
    if (e.dtype) b.dtype = e.dtype;
    if (e.shape) b.shape = e.shape;
    bypass.push(b);
  });
  return { weight, pass, bypass };
}

/** One weight drawn inside its consumer. */
export interface WeightRef {
  /** The weight's root node (a variable handle, a constant...). */
  node: number;
  name: string;
  dtype?: string;
  shape?: string;
}

const attr = (n: GraphNode, k: string) => n.attrs.find((a) => a[0] === k)?.[1]?.replace(/ \(default\)$/, "");

/** Short name, dtype and shape of a weight root. */
export function weightRef(g: DisplayGraph, i: number): WeightRef {
  const n = g.nodes[i];
  const full = n.varName ?? n.name;
  const parts = full.split("/").filter(Boolean);
  // "model/dense/kernel" -> "dense/kernel": the last segment alone ("kernel") says too little.
  let name = parts.slice(-2).join("/") || full;
  if (parts.length > 1 && /^\d+$|^Read$|^ReadVariableOp$/.test(parts[parts.length - 1]))
    name = parts.slice(-3).join("/");
  const r: WeightRef = { node: i, name };
  if (n.op === "Const" || n.op === "HostConst") {
    const d = n.outputs[0];
    if (d?.dtype) r.dtype = d.dtype;
    if (d?.shape) r.shape = d.shape;
    else {
      // "float32 [3, 3] = …" (tensorPreview) carries the shape when _output_shapes does not.
      const m = n.value?.match(/^(\w+) (\[[^\]]*\])/);
      if (m) [r.dtype, r.shape] = [m[1], m[2]];
    }
  } else {
    const dt = attr(n, "dtype");
    const sh = attr(n, "shape");
    if (dt) r.dtype = dt;
    if (sh) r.shape = sh;
    if (!dt && n.outputs[0]?.dtype) r.dtype = n.outputs[0].dtype;
  }
  return r;
}

/** The weight roots behind a folded weight node (through reads, identities and captured arguments). */
export function weightRoots(
  g: DisplayGraph,
  inEdges: readonly (readonly number[])[],
  weight: Uint8Array,
  memo: Map<number, number[]>,
  start: number,
): number[] {
  const hit = memo.get(start);
  if (hit) return hit;
  const out = new Set<number>();
  const seen = new Set<number>();
  const todo = [start];
  while (todo.length) {
    const i = todo.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    const ins = inEdges[i].filter((ei) => !g.edges[ei].ctl && weight[g.edges[ei].s]);
    if (!ins.length) out.add(i);
    else for (const ei of ins) todo.push(g.edges[ei].s);
    if (seen.size > 10_000) break;
  }
  const r = [...out];
  memo.set(start, r);
  return r;
}
