/**
 * The picture of what changed in a signature between two exports, for the graph view: export B's display graph
 * of the signature with the nodes A had and B lost merged back in (from A's display graph of the same signature,
 * placed in the group with the same id), and a marking of every node as added, removed or changed (the node
 * changes `savedmodel diff` computed, keyed by function and node name). Groups holding a change are listed so
 * the view opens them and leaves the unchanged ones collapsed. Pure: no protobuf, no DOM.
 *
 *   const { graph, overlay } = diffPicture(graphA, graphB, sig.nodes, { a: "model/1", b: "model/2", fnAtoB });
 */
import type { DisplayGraph, GraphEdge, GraphGroup, GraphNode } from "./model.js";

export type DiffMark = "added" | "removed" | "changed";

/** One node change as `savedmodel diff` reports it (src/savedmodel/diff/types.ts NodeChange). */
export interface NodeChangeLike {
  kind: DiffMark;
  /** Function holding the node ("" = the top-level graph), B's name for matched functions. */
  function: string;
  node: string;
  op?: string;
  what?: string[];
  attrs?: string[];
  before?: string;
  after?: string;
}

/** What the graph view shows for a marked node or call group. */
export interface DiffNodeInfo {
  mark: DiffMark;
  op?: string;
  what?: string[];
  attrs?: string[];
  before?: string;
  after?: string;
  /** Changed attributes with their values as the view formats them: [name, in A, in B] ("" = absent). */
  attrValues?: [string, string, string][];
}

/** The marking sent with the graph (GraphLoadMessage.diff). */
export interface GraphDiffOverlay {
  /** Names of the exports: A (before), B (after). */
  a: string;
  b: string;
  signature: string;
  /** Marked leaf nodes: [node index, what changed]. */
  nodes: [number, DiffNodeInfo][];
  /** Call groups whose call node itself changed: [group index, what changed]. */
  calls: [number, DiffNodeInfo][];
  /** Groups holding a marked node or call at any depth (the view expands these, collapses the rest). */
  groups: number[];
  counts: Record<DiffMark, number>;
  /** Changes of the signature that are not in the picture (e.g. a node of a function A called and B does not). */
  unplaced: number;
}

export interface DiffPictureOptions {
  a: string;
  b: string;
  /** A's function name -> B's, for functions matched under another name. */
  fnAtoB?: Map<string, string>;
}

const clip = (s: string) => (s.length > 160 ? `${s.slice(0, 159)}…` : s);
const key = (fn: string, name: string) => `${fn}\u0000${name}`;
/** Nodes the display graph made up (a signature's outputs, a call's arguments and results): no NodeDef behind them. */
const synthetic = (n: GraphNode) => n.role !== undefined && n.role !== "sigInput";

function info(c: NodeChangeLike): DiffNodeInfo {
  const i: DiffNodeInfo = { mark: c.kind };
  if (c.op !== undefined) i.op = c.op;
  if (c.what) i.what = c.what;
  if (c.attrs) i.attrs = c.attrs;
  if (c.before !== undefined) i.before = c.before;
  if (c.after !== undefined) i.after = c.after;
  return i;
}

/**
 * Marks B's picture of a signature with `changes` (the signature's node changes) and merges in the removed nodes
 * drawn in A's picture (`graphA`, optional: without it removed nodes are counted as unplaced).
 */
export function diffPicture(
  graphA: DisplayGraph | undefined,
  graphB: DisplayGraph,
  changes: NodeChangeLike[],
  opts: DiffPictureOptions,
): { graph: DisplayGraph; overlay: GraphDiffOverlay } {
  const fnAtoB = opts.fnAtoB ?? new Map<string, string>();
  const nodes: GraphNode[] = graphB.nodes.slice();
  const groups: GraphGroup[] = graphB.groups.map((g) => ({ ...g, nodes: g.nodes.slice() }));
  const edges: GraphEdge[] = graphB.edges.slice();
  const graph: DisplayGraph = {
    ...graphB,
    title: `${graphB.title} · changes ${opts.a} → ${opts.b}`,
    nodes,
    groups,
    edges,
    // the picker's other views are plain views of B: this panel shows one signature's changes
    views: undefined,
  };
  const byKey = new Map<string, NodeChangeLike>();
  for (const c of changes) byKey.set(key(c.function, c.node), c);
  const marked = new Map<number, DiffNodeInfo>();
  const calls = new Map<number, DiffNodeInfo>();
  const found = new Set<NodeChangeLike>();
  // A's nodes by B's names, for the values of changed attributes
  const fnAtoBOf = (fn: string) => fnAtoB.get(fn) ?? fn;
  const nodeInA = new Map<string, GraphNode>();
  for (const n of graphA?.nodes ?? []) if (!synthetic(n)) nodeInA.set(key(fnAtoBOf(n.fn), n.name), n);
  const withValues = (i: DiffNodeInfo, b: GraphNode): DiffNodeInfo => {
    if (!i.attrs?.length) return i;
    const a = nodeInA.get(key(b.fn, b.name));
    const val = (n: GraphNode | undefined, k: string) => clip(n?.attrs.find(([x]) => x === k)?.[1] ?? "");
    return { ...i, attrValues: i.attrs.map((k) => [k, val(a, k), val(b, k)]) };
  };
  nodes.forEach((n, i) => {
    if (synthetic(n)) return;
    const c = byKey.get(key(n.fn, n.name));
    if (c && c.kind !== "removed") {
      marked.set(i, withValues(info(c), n));
      found.add(c);
    }
  });
  groups.forEach((g, gi) => {
    if (g.kind !== "call" || !g.call) return;
    const c = byKey.get(key(g.call.fn, g.call.name));
    if (c && c.kind !== "removed") {
      calls.set(gi, info(c));
      found.add(c);
    }
  });

  // removed nodes: drawn from A, in the group with the same id in B (or its nearest ancestor that B has)
  const removed = changes.filter((c) => c.kind === "removed");
  if (graphA && removed.length) {
    const want = new Map(removed.map((c) => [key(c.function, c.node), c]));
    const mapFn = (fn: string) => fnAtoB.get(fn) ?? fn;
    const groupOfId = new Map(groups.map((g, i) => [g.id, i]));
    const bByPlace = new Map<string, number>();
    const bByKey = new Map<string, number>();
    nodes.forEach((n, i) => {
      const k = key(n.fn, n.name);
      if (!bByKey.has(k)) bByKey.set(k, i);
      bByPlace.set(`${groups[n.parent]?.id ?? ""}\u0000${k}`, i);
    });
    const parentInB = (ga: number): number => {
      for (let g = ga; g >= 0; g = graphA.groups[g].parent) {
        const b = groupOfId.get(graphA.groups[g].id);
        if (b !== undefined) return b;
      }
      return 0;
    };
    const aToNew = new Map<number, number>();
    graphA.nodes.forEach((n, ai) => {
      if (synthetic(n)) return;
      const c = want.get(key(mapFn(n.fn), n.name));
      if (!c) return;
      const parent = parentInB(n.parent);
      const ni = nodes.length;
      nodes.push({ ...n, fn: mapFn(n.fn), parent });
      groups[parent].nodes.push(ni);
      for (let g = parent; g >= 0; g = groups[g].parent) {
        groups[g].size++;
        if (!n.boiler) groups[g].visibleSize++;
      }
      aToNew.set(ai, ni);
      marked.set(ni, info(c));
      found.add(c);
    });
    const inB = (ai: number): number | undefined => {
      const got = aToNew.get(ai);
      if (got !== undefined) return got;
      const n = graphA.nodes[ai];
      const k = key(mapFn(n.fn), n.name);
      return bByPlace.get(`${graphA.groups[n.parent]?.id ?? ""}\u0000${k}`) ?? bByKey.get(k);
    };
    for (const e of graphA.edges) {
      if (!aToNew.has(e.s) && !aToNew.has(e.t)) continue;
      const s = inB(e.s);
      const t = inB(e.t);
      if (s === undefined || t === undefined || s === t) continue;
      edges.push({ ...e, s, t });
    }
  }

  const open = new Set<number>();
  const lift = (g: number) => {
    for (; g >= 0 && !open.has(g); g = groups[g].parent) open.add(g);
  };
  for (const n of marked.keys()) lift(nodes[n].parent);
  for (const g of calls.keys()) lift(groups[g].parent);
  const counts: Record<DiffMark, number> = { added: 0, removed: 0, changed: 0 };
  for (const c of found) counts[c.kind]++;
  return {
    graph,
    overlay: {
      a: opts.a,
      b: opts.b,
      signature: graphB.scope.name,
      nodes: [...marked].sort((x, y) => x[0] - y[0]),
      calls: [...calls].sort((x, y) => x[0] - y[0]),
      groups: [...open].sort((x, y) => x - y),
      counts,
      unplaced: changes.length - found.size,
    },
  };
}

/** The part of a meta graph's GraphDiff (src/savedmodel/diff/types.ts) the picture needs. */
export interface GraphDiffLike {
  functions: { matched: { a: string; b: string }[] };
  signatures: { signature: string; nodes: NodeChangeLike[] }[];
}

/** The picture of signature `signature`'s changes from the diff of its meta graph. */
export function signatureDiffPicture(
  diff: GraphDiffLike,
  signature: string,
  graphA: DisplayGraph | undefined,
  graphB: DisplayGraph,
  names: { a: string; b: string },
): { graph: DisplayGraph; overlay: GraphDiffOverlay } {
  const sig = diff.signatures.find((s) => s.signature === signature);
  const fnAtoB = new Map(diff.functions.matched.map((m) => [m.a, m.b]));
  return diffPicture(graphA, graphB, sig?.nodes ?? [], { ...names, fnAtoB });
}
