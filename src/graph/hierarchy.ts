/**
 * Turns each container (root, call and body groups) into nested name-scope groups, then orders children
 * topologically, groups numbered siblings into series and splits huge flat groups into chunks.
 */
import type { GraphEdge, GraphGroup, GraphNode } from "./model.js";
import { stableTopoOrder } from "./topoOrder.js";

export interface ContainerItem {
  kind: "node" | "group";
  index: number;
  /** Full name inside the container's graph/body ("dense/MatMul"). */
  name: string;
}

export interface HierarchyOptions {
  maxChildren: number;
  seriesMin: number;
  /** The root shows at most about this many boxes: loose ops are grouped by weakly connected part (default 50). */
  topMax?: number;
}

const TOP_MAX = 50;

interface Trie {
  children: Map<string, Trie>;
  items: { item: ContainerItem; label: string }[];
  count: number;
}

function newTrie(): Trie {
  return { children: new Map(), items: [], count: 0 };
}

export function buildHierarchy(
  nodes: GraphNode[],
  groups: GraphGroup[],
  edges: GraphEdge[],
  items: Map<number, ContainerItem[]>,
  opts: HierarchyOptions,
): void {
  const containers = [...items.keys()];
  for (const c of containers) scopeContainer(nodes, groups, c, items.get(c)!);
  const rank = topoRanks(nodes.length, edges);
  const groupRank: number[] = new Array<number>(groups.length).fill(Infinity);
  // Sizes and ranks bottom-up (children always have larger indices than parents except containers' scopes;
  // so walk by depth instead).
  const order = depthOrder(groups);
  for (let k = order.length - 1; k >= 0; k--) {
    const g = groups[order[k]];
    let size = g.nodes.length;
    let vis = 0;
    let r = Infinity;
    for (const n of g.nodes) {
      if (!nodes[n].boiler) vis++;
      if (rank[n] < r) r = rank[n];
    }
    for (const c of g.groups) {
      size += groups[c].size;
      vis += groups[c].visibleSize;
      if (groupRank[c] < r) r = groupRank[c];
    }
    g.size = size;
    g.visibleSize = vis;
    groupRank[order[k]] = r;
  }
  const byRank = (a: number, b: number) => rank[a] - rank[b];
  const byGroupRank = (a: number, b: number) => groupRank[a] - groupRank[b];
  for (const gi of order) {
    const g = groups[gi];
    g.nodes.sort(byRank);
    g.groups.sort(byGroupRank);
  }
  for (const gi of order) makeSeries(nodes, groups, edges, gi, opts.seriesMin, rank, groupRank);
  clusterTopLevel(nodes, groups, edges, opts.topMax ?? TOP_MAX, rank, groupRank);
  const n0 = groups.length;
  for (let gi = 0; gi < n0; gi++) chunk(nodes, groups, gi, opts.maxChildren, rank, groupRank);
}

/** More arguments/results than this in one body are boxed as one "inputs"/"outputs" group. */
const MAX_LOOSE_ARGS = 4;

function scopeContainer(nodes: GraphNode[], groups: GraphGroup[], container: number, list: ContainerItem[]): void {
  const root = newTrie();
  const prefix0 = groups[container].kind === "root" ? "" : `${groups[container].id}::`;
  for (const [tag, label] of [
    ["\u0000arg:", "inputs"],
    ["\u0000ret:", "outputs"],
  ] as const) {
    const these = list.filter((it) => it.kind === "node" && it.name.startsWith(tag));
    if (these.length <= MAX_LOOSE_ARGS) continue;
    groups.push({
      id: `${prefix0}(${label})`,
      label: `${label} (${these.length})`,
      kind: "args",
      parent: container,
      nodes: [],
      groups: [],
      size: 0,
      visibleSize: 0,
    });
    const gi = groups.length - 1;
    groups[container].groups.push(gi);
    for (const it of these) {
      nodes[it.index].parent = gi;
      groups[gi].nodes.push(it.index);
    }
    const set = new Set(these);
    list = list.filter((it) => !set.has(it));
  }
  for (const item of list) {
    // A signature's inputs and outputs stay at the top, never inside a scope box (they belong on the first screen).
    if (item.kind === "node" && (nodes[item.index].role === "sigInput" || nodes[item.index].role === "sigOutput")) {
      root.items.push({ item, label: item.name });
      root.count++;
      continue;
    }
    const segs = item.name.split("/");
    let t = root;
    t.count++;
    for (let i = 0; i < segs.length - 1; i++) {
      let c = t.children.get(segs[i]);
      if (!c) t.children.set(segs[i], (c = newTrie()));
      t = c;
      t.count++;
    }
    t.items.push({ item, label: segs[segs.length - 1] });
  }
  // An item named like a scope ("a" next to "a/b") moves inside that scope.
  const settle = (t: Trie) => {
    for (const [seg, c] of t.children) settle(c);
    t.items = t.items.filter((it) => {
      const c = t.children.get(it.label);
      if (!c) return true;
      c.items.unshift(it);
      c.count++;
      return false;
    });
  };
  settle(root);
  const prefix = groups[container].kind === "root" ? "" : `${groups[container].id}::`;
  const attach = (parent: number, it: { item: ContainerItem; label: string }) => {
    if (it.item.kind === "node") {
      nodes[it.item.index].parent = parent;
      groups[parent].nodes.push(it.item.index);
    } else {
      groups[it.item.index].parent = parent;
      groups[parent].groups.push(it.item.index);
    }
  };
  const emit = (t: Trie, parent: number, path: string) => {
    for (const it of t.items) attach(parent, it);
    for (const [seg, c0] of t.children) {
      let c = c0;
      let label = seg;
      let p = path ? `${path}/${seg}` : seg;
      // Single-item scopes are not worth a box: hoist the item.
      if (countItems(c) === 1) {
        const only = firstItem(c)!;
        const rel = path ? only.item.name.slice(path.length + 1) : only.item.name;
        const target = only.item.kind === "node" ? nodes[only.item.index] : groups[only.item.index];
        if (target.label === only.label && rel.endsWith(only.label)) target.label = rel;
        attach(parent, only);
        continue;
      }
      // Collapse chains of scopes holding one scope and nothing else.
      while (c.items.length === 0 && c.children.size === 1) {
        const [s2, c2] = c.children.entries().next().value as [string, Trie];
        label += `/${s2}`;
        p += `/${s2}`;
        c = c2;
      }
      groups.push({
        id: `${prefix}${p}/`,
        label,
        kind: "scope",
        parent,
        nodes: [],
        groups: [],
        size: 0,
        visibleSize: 0,
      });
      const gi = groups.length - 1;
      groups[parent].groups.push(gi);
      emit(c, gi, p);
    }
  };
  emit(root, container, "");
}

function countItems(t: Trie): number {
  let n = t.items.length;
  for (const c of t.children.values()) {
    n += countItems(c);
    if (n > 1) return n;
  }
  return n;
}

function firstItem(t: Trie): { item: ContainerItem; label: string } | undefined {
  if (t.items.length) return t.items[0];
  for (const c of t.children.values()) {
    const f = firstItem(c);
    if (f) return f;
  }
  return undefined;
}

/** Groups from the root down (parents before children). */
export function depthOrder(groups: readonly GraphGroup[]): number[] {
  const out: number[] = [0];
  for (let i = 0; i < out.length; i++) for (const c of groups[out[i]].groups) out.push(c);
  return out;
}

/** Topological rank of every node (Kahn's algorithm, ties by index; cycles broken by index). */
export function topoRanks(n: number, edges: readonly GraphEdge[]): Float64Array {
  const indeg = new Int32Array(n);
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(edges.length);
  edges.forEach((e, i) => {
    indeg[e.t]++;
    next[i] = head[e.s];
    head[e.s] = i;
  });
  const pos = stableTopoOrder(n, indeg, (v, visit) => {
    for (let e = head[v]; e >= 0; e = next[e]) visit(edges[e].t);
  });
  return Float64Array.from(pos);
}

const SERIES_RE = /^(.*?)_(\d+)((?:\/.*)?)$/;

/** "dense_3/Relu" -> ["dense|/Relu", 3]: the series key (base and rest) and the member number. */
function seriesKey(label: string): [string, number] | undefined {
  const m = SERIES_RE.exec(label);
  if (m && m[1] && !m[1].includes("/")) return [`${m[1]}|${m[3]}`, Number(m[2])];
  return undefined;
}

/** The key an unnumbered first member ("dense/Relu") would have. */
function baseKey(label: string): string {
  const k = label.indexOf("/");
  return k < 0 ? `${label}|` : `${label.slice(0, k)}|${label.slice(k)}`;
}

/** Numbered siblings ("dense", "dense_1", ... "dense_9") of the same kind become one series group. */
function makeSeries(
  nodes: GraphNode[],
  groups: GraphGroup[],
  edges: GraphEdge[],
  gi: number,
  min: number,
  rank: Float64Array,
  groupRank: number[],
): void {
  const g = groups[gi];
  if (g.kind === "series") return;
  const buckets = new Map<string, { nodes: number[]; groups: number[]; nums: number[] }>();
  const add = (key: string, num: number, isNode: boolean, i: number) => {
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { nodes: [], groups: [], nums: [] }));
    (isNode ? b.nodes : b.groups).push(i);
    b.nums.push(num);
  };
  if (g.nodes.length + g.groups.length < min) return;
  const nodeBase = (n: number) => `n|${nodes[n].op}|${baseKey(nodes[n].label)}`;
  const groupBase = (c: number) => `g|${groups[c].kind}|${baseKey(groups[c].label)}`;
  for (const n of g.nodes) {
    const k = seriesKey(nodes[n].label);
    if (k && nodes[n].role !== "sigInput" && nodes[n].role !== "sigOutput")
      add(`n|${nodes[n].op}|${k[0]}`, k[1], true, n);
  }
  for (const c of g.groups) {
    const k = seriesKey(groups[c].label);
    if (k && groups[c].kind === "scope") add(`g|scope|${k[0]}`, k[1], false, c);
  }
  let bases: Set<string> | undefined;
  for (const [key, b] of buckets) {
    if (b.nums.length + 1 < min) continue;
    const [, , base, rest] = key.split("|");
    if (!bases) {
      bases = new Set<string>();
      for (const n of g.nodes) if (!SERIES_RE.test(nodes[n].label)) bases.add(nodeBase(n));
      for (const c of g.groups) if (!SERIES_RE.test(groups[c].label)) bases.add(groupBase(c));
    }
    // The unnumbered first member ("dense" before "dense_1") joins too.
    if (bases.has(key)) {
      if (key.startsWith("n|")) {
        const first = g.nodes.find((n) => nodeBase(n) === key);
        if (first !== undefined) (b.nodes.unshift(first), b.nums.unshift(0));
      } else {
        const first = g.groups.find((c) => groupBase(c) === key);
        if (first !== undefined) (b.groups.unshift(first), b.nums.unshift(0));
      }
    }
    const count = b.nodes.length + b.groups.length;
    if (count < min || count === g.nodes.length + g.groups.length) continue;
    // Members that feed one another (conv2d -> pool -> conv2d_1 -> ...) are a pipeline, not a series:
    // boxing them together would hide the data flow. TensorBoard's series are parallel repeats.
    if (membersChained(nodes, groups, edges, gi, b.nodes, b.groups)) continue;
    const lo = Math.min(...b.nums);
    const hi = Math.max(...b.nums);
    const id = `${g.id}::series:${key}`;
    groups.push({
      id,
      label: `${base}_[${lo}–${hi}]${rest}`,
      kind: "series",
      parent: gi,
      nodes: b.nodes.sort((x, y) => rank[x] - rank[y]),
      groups: b.groups.sort((x, y) => groupRank[x] - groupRank[y]),
      size: 0,
      visibleSize: 0,
    });
    const si = groups.length - 1;
    const sg = groups[si];
    let size = 0;
    let vis = 0;
    let r = Infinity;
    for (const n of sg.nodes) {
      nodes[n].parent = si;
      size++;
      if (!nodes[n].boiler) vis++;
      r = Math.min(r, rank[n]);
    }
    for (const c of sg.groups) {
      groups[c].parent = si;
      size += groups[c].size;
      vis += groups[c].visibleSize;
      r = Math.min(r, groupRank[c]);
    }
    sg.size = size;
    sg.visibleSize = vis;
    groupRank[si] = r;
    const inSeries = new Set(sg.nodes);
    const gInSeries = new Set(sg.groups);
    g.nodes = g.nodes.filter((n) => !inSeries.has(n));
    g.groups = g.groups.filter((c) => !gInSeries.has(c));
    insertByRank(g.groups, si, groupRank);
  }
}

/** True when data flows from one member to another through the parent's children (a chain, not parallel repeats). */
function membersChained(
  nodes: GraphNode[],
  groups: GraphGroup[],
  edges: GraphEdge[],
  gi: number,
  memberNodes: number[],
  memberGroups: number[],
): boolean {
  // the direct child of `gi` holding leaf node n: node n itself (key n) or a child group (key -(c + 1))
  const childOf = (n: number): number | undefined => {
    let p = nodes[n].parent;
    if (p === gi) return n;
    let depth = 0;
    while (p >= 0 && groups[p].parent !== gi) {
      p = groups[p].parent;
      if (++depth > 256) return undefined;
    }
    return p >= 0 ? -(p + 1) : undefined;
  };
  const adj = new Map<number, number[]>();
  for (const e of edges) {
    if (e.ctl) continue;
    const a = childOf(e.s);
    if (a === undefined) continue;
    const b = childOf(e.t);
    if (b === undefined || a === b) continue;
    let list = adj.get(a);
    if (!list) adj.set(a, (list = []));
    list.push(b);
  }
  const members = new Set<number>([...memberNodes, ...memberGroups.map((c) => -(c + 1))]);
  for (const start of members) {
    const seen = new Set<number>([start]);
    const stack = [...(adj.get(start) ?? [])];
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      if (members.has(x)) return true;
      seen.add(x);
      for (const y of adj.get(x) ?? []) if (!seen.has(y)) stack.push(y);
    }
  }
  return false;
}

function rankOf(groupRank: number[], i: number): number {
  return groupRank[i] ?? Infinity;
}

function insertByRank(list: number[], gi: number, groupRank: number[]): void {
  const r = rankOf(groupRank, gi);
  let k = list.findIndex((c) => rankOf(groupRank, c) > r);
  if (k < 0) k = list.length;
  list.splice(k, 0, gi);
}

/** Splits a group with more than `max` direct children into chunks, in topological order. */
function chunk(
  nodes: GraphNode[],
  groups: GraphGroup[],
  gi: number,
  max: number,
  rank: Float64Array,
  groupRank: number[],
): void {
  const g = groups[gi];
  while (g.nodes.length + g.groups.length > max) {
    type Child = { node: boolean; i: number; r: number };
    const kids: Child[] = [
      ...g.nodes.map((i) => ({ node: true, i, r: rank[i] })),
      ...g.groups.map((i) => ({ node: false, i, r: rankOf(groupRank, i) })),
    ].sort((a, b) => a.r - b.r);
    const parts = Math.ceil(kids.length / max);
    const per = Math.ceil(kids.length / parts);
    g.nodes = [];
    g.groups = [];
    for (let p = 0; p < parts; p++) {
      const slice = kids.slice(p * per, (p + 1) * per);
      const id = `${g.id}::part${p + 1}of${parts}${groups.length}`;
      const cg: GraphGroup = {
        id,
        label: `${g.label} · part ${p + 1}/${parts}`,
        kind: "chunk",
        parent: gi,
        nodes: [],
        groups: [],
        size: 0,
        visibleSize: 0,
      };
      groups.push(cg);
      const ci = groups.length - 1;
      for (const k of slice) {
        if (k.node) {
          cg.nodes.push(k.i);
          nodes[k.i].parent = ci;
          cg.size++;
          if (!nodes[k.i].boiler) cg.visibleSize++;
        } else {
          cg.groups.push(k.i);
          groups[k.i].parent = ci;
          cg.size += groups[k.i].size;
          cg.visibleSize += groups[k.i].visibleSize;
        }
      }
      groupRank[ci] = slice[0]?.r ?? Infinity;
      g.groups.push(ci);
    }
  }
}

/**
 * Keeps the root's first screen readable: when it has more than `max` direct children, its loose ops (not in a
 * name scope, not a signature input/output) are grouped by weakly connected part (the parts of a TF1 graph
 * without scopes: metrics, input parsing, ...), largest parts first; what still does not fit is one more box.
 */
function clusterTopLevel(
  nodes: GraphNode[],
  groups: GraphGroup[],
  edges: GraphEdge[],
  max: number,
  rank: Float64Array,
  groupRank: number[],
): void {
  const root = groups[0];
  if (!root || root.nodes.length + root.groups.length <= max) return;
  // Direct child of the root holding each leaf: node n -> n, a group c -> -(c + 1).
  const top = new Int32Array(groups.length).fill(-1);
  const topGroup = (g: number): number => {
    if (g <= 0) return -1;
    if (top[g] !== -1) return top[g];
    const p = groups[g].parent;
    const r = p === 0 ? g : topGroup(p);
    top[g] = r;
    return r;
  };
  const keyOf = (n: number): number | undefined => {
    const p = nodes[n].parent;
    if (p === 0) return n;
    const t = topGroup(p);
    return t > 0 ? -(t + 1) : undefined;
  };
  const uf = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (uf.has(r) && uf.get(r) !== r) r = uf.get(r)!;
    uf.set(x, r);
    return r;
  };
  for (const e of edges) {
    if (e.ctl) continue;
    const a = keyOf(e.s);
    const b = keyOf(e.t);
    if (a === undefined || b === undefined || a === b) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) uf.set(ra, rb);
  }
  // Inputs (signature inputs, placeholders) and outputs stay on the first screen.
  const loose = root.nodes.filter(
    (n) => nodes[n].role !== "sigInput" && nodes[n].role !== "sigOutput" && !/^Placeholder/.test(nodes[n].op),
  );
  const parts = new Map<number, number[]>();
  for (const n of loose) {
    const r = find(n);
    let l = parts.get(r);
    if (!l) parts.set(r, (l = []));
    l.push(n);
  }
  // Largest parts become boxes first; single ops stay loose while there is room.
  const list = [...parts.values()].sort((a, b) => b.length - a.length || rank[a[0]] - rank[b[0]]);
  let count = root.nodes.length + root.groups.length;
  const boxed: number[][] = [];
  const rest: number[] = [];
  for (const part of list) {
    if (count <= max) break;
    if (part.length < 2) {
      rest.push(...part);
      continue;
    }
    // One part holding everything: a box around it all says nothing (chunks split it instead).
    if (part.length >= root.nodes.length + root.groups.length - 1) continue;
    if (boxed.length < max - 10) {
      boxed.push(part);
      count -= part.length - 1;
    } else rest.push(...part);
  }
  if (count > max && rest.length) boxed.push(rest);
  else rest.length = 0;
  const moved = new Set<number>();
  boxed.forEach((part, k) => {
    part.sort((a, b) => rank[a] - rank[b]);
    const isRest = part === rest;
    const first = nodes[part[0]];
    const gi = groups.length;
    groups.push({
      id: `::part${k}`,
      label: isRest ? "other ops" : `${first.label} …`,
      kind: "chunk",
      parent: 0,
      nodes: part,
      groups: [],
      size: part.length,
      visibleSize: part.filter((n) => !nodes[n].boiler).length,
    });
    for (const n of part) {
      nodes[n].parent = gi;
      moved.add(n);
    }
    groupRank[gi] = rank[part[0]];
    insertByRank(root.groups, gi, groupRank);
  });
  root.nodes = root.nodes.filter((n) => !moved.has(n));
}
