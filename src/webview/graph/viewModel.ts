/**
 * Pure view model of the graph view: which groups are expanded, what each visible group's ELK call gets
 * (its direct children as boxes, edges lifted to them), and the scene (global coordinates of frames,
 * boxes, nodes and edges) once layouts exist. No DOM, so it is unit-tested under Node.
 */
import type { DisplayGraph, GraphEdge } from "../../graph/model.js";
import type { LayoutInput, LayoutOutput } from "../../protocol/graph.js";
import { formatCount } from "../../shared/modelFormat.js";
import { FAST_OPTION } from "./fastLayout.js";
import { computeFolding, weightRef, weightRoots, type Folding, type WeightRef } from "./fold.js";

export const HEADER = 24;
export const LEAF_H = 34;
export const LEAF_H1 = 24;
export const BOX_H = 36;
export const MAX_W = 220;
/** Height of one line listing a weight inside its consumer, and the most lines listed (then "+N more"). */
export const WEIGHT_LINE = 14;
export const WEIGHT_LINES = 3;
/** Font sizes (px) of a node's label, its second line (op, group subtitle) and its weight lines. */
export const LABEL_PX = 12;
export const SUB_PX = 11;
/** Groups with more visible children than this get the fast JS layered layout instead of ELK. */
export const BIG_GROUP = 300;
/** Groups with at most this many visible children get crossing minimisation. */
export const SMALL_GROUP = 150;

export type Measure = (text: string, px: number, bold?: boolean) => number;

/** Item key inside one group's layout: "n<node>" or "g<group>". */
export type ItemKey = string;

export interface GroupLayoutInput {
  group: number;
  input: LayoutInput;
  /** Original edge indices behind each lifted layout edge. */
  members: number[][];
  sig: string;
}

export interface SceneItem {
  key: ItemKey;
  kind: "leaf" | "box" | "frame";
  index: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SceneEdge {
  /** Visible endpoints. */
  from: ItemKey;
  to: ItemKey;
  /** Flat x,y points. */
  pts: number[];
  ctl: boolean;
  /** Original edges drawn by this path. */
  edges: number[];
}

export interface Scene {
  items: SceneItem[];
  edges: SceneEdge[];
  byKey: Map<ItemKey, SceneItem>;
  width: number;
  height: number;
}

export class GraphModel {
  readonly depth: Int32Array;
  readonly edgeLca: Int32Array;
  readonly edgesByLca = new Map<number, number[]>();
  readonly expanded = new Set<number>([0]);
  showBoiler = false;
  /** Draw weights (variables, constants, captured resources) as their own nodes instead of inside consumers. */
  showWeights = false;
  /** Draw pass-through nodes (Identity, _Retval, call arguments) instead of folding them into edges. */
  showPassThrough = false;
  /** The display graph's edges followed by the edges standing for folded pass-through chains. */
  readonly edges: GraphEdge[];
  readonly folding: Folding;
  private readonly inEdges: number[][];
  /** Leaf nodes shown below each group (all depths) under the current toggles. */
  private shown: Int32Array;
  private readonly rootsMemo = new Map<number, number[]>();
  private readonly weightCache = new Map<ItemKey, WeightRef[]>();
  private readonly layouts = new Map<
    number,
    { sig: string; out: LayoutOutput; members: number[][]; keys: ItemKey[] }
  >();
  private readonly sizeCache = new Map<ItemKey, [number, number]>();

  constructor(
    readonly g: DisplayGraph,
    private readonly measure: Measure,
  ) {
    const groups = g.groups;
    this.depth = new Int32Array(groups.length);
    // Parents may have larger indices than children (series/chunks are appended), so resolve recursively.
    const done = new Uint8Array(groups.length);
    const depthOf = (gi: number): number => {
      if (gi <= 0) return 0;
      if (done[gi]) return this.depth[gi];
      const d = depthOf(groups[gi].parent) + 1;
      this.depth[gi] = d;
      done[gi] = 1;
      return d;
    };
    for (let i = 0; i < groups.length; i++) depthOf(i);
    const orig: number[][] = g.nodes.map(() => []);
    g.edges.forEach((e, i) => orig[e.t].push(i));
    this.folding = computeFolding(g, orig);
    this.edges = g.edges.concat(this.folding.bypass);
    this.inEdges = g.nodes.map(() => []);
    this.edges.forEach((e, i) => this.inEdges[e.t].push(i));
    this.shown = new Int32Array(groups.length);
    this.recount();
    this.edgeLca = new Int32Array(this.edges.length);
    this.edges.forEach((e, i) => {
      const l = this.lca(g.nodes[e.s].parent, g.nodes[e.t].parent);
      this.edgeLca[i] = l;
      let list = this.edgesByLca.get(l);
      if (!list) this.edgesByLca.set(l, (list = []));
      list.push(i);
    });
  }

  lca(a: number, b: number): number {
    const groups = this.g.groups;
    while (this.depth[a] > this.depth[b]) a = groups[a].parent;
    while (this.depth[b] > this.depth[a]) b = groups[b].parent;
    while (a !== b) {
      a = groups[a].parent;
      b = groups[b].parent;
    }
    return a;
  }

  /** The child of group `gi` that contains leaf `n` ("n.." or "g.."), or undefined if `n` is not below it. */
  childOf(gi: number, n: number): ItemKey | undefined {
    let p = this.g.nodes[n].parent;
    if (p === gi) return `n${n}`;
    const groups = this.g.groups;
    while (p > 0 && groups[p].parent !== gi) p = groups[p].parent;
    return p > 0 && groups[p].parent === gi ? `g${p}` : undefined;
  }

  /** Deepest visible item showing leaf `n`: the leaf itself or its outermost collapsed ancestor group. */
  visibleOf(n: number): ItemKey {
    const chain: number[] = [];
    for (let p = this.g.nodes[n].parent; p > 0; p = this.g.groups[p].parent) chain.push(p);
    for (let k = chain.length - 1; k >= 0; k--) if (!this.expanded.has(chain[k])) return `g${chain[k]}`;
    return `n${n}`;
  }

  /** Ancestors of a node or group, outermost last (excluding the root). */
  ancestors(key: ItemKey): number[] {
    const out: number[] = [];
    let p = key[0] === "n" ? this.g.nodes[+key.slice(1)].parent : this.g.groups[+key.slice(1)].parent;
    for (; p > 0; p = this.g.groups[p].parent) out.push(p);
    return out;
  }

  nodeHidden(n: number): boolean {
    return (
      (!this.showBoiler && !!this.g.nodes[n].boiler) ||
      (!this.showWeights && this.folding.weight[n] === 1) ||
      (!this.showPassThrough && this.folding.pass[n] === 1)
    );
  }

  /** True when a node is folded (drawn inside its consumer or into an edge), not merely boilerplate. */
  nodeFolded(n: number): boolean {
    return (!this.showWeights && this.folding.weight[n] === 1) || (!this.showPassThrough && this.folding.pass[n] === 1);
  }

  groupHidden(gi: number): boolean {
    return this.shown[gi] === 0;
  }

  edgeHidden(e: GraphEdge): boolean {
    return (!!e.via && this.showPassThrough) || this.nodeHidden(e.s) || this.nodeHidden(e.t);
  }

  /** Recounts the shown leaves per group; call after changing showBoiler / showWeights / showPassThrough. */
  recount(): void {
    const groups = this.g.groups;
    const shown = new Int32Array(groups.length);
    this.g.nodes.forEach((node, n) => {
      if (this.nodeHidden(n)) return;
      for (let p = node.parent; p >= 0; p = groups[p].parent) shown[p]++;
    });
    this.shown = shown;
    this.weightCache.clear();
  }

  /** Shown leaf nodes below a group under the current toggles. */
  shownSize(gi: number): number {
    return this.shown[gi];
  }

  /** The weights listed inside an item's box: a Keras layer's box says "N params" instead (details list them). */
  drawnWeights(key: ItemKey): WeightRef[] {
    if (key[0] === "g" && this.g.groups[+key.slice(1)].layer) return [];
    return this.weightsOf(key);
  }

  /** The weights drawn inside a visible leaf or collapsed group box (none when weights are shown as nodes). */
  weightsOf(key: ItemKey): WeightRef[] {
    if (this.showWeights) return [];
    const hit = this.weightCache.get(key);
    if (hit) return hit;
    const idx = +key.slice(1);
    const roots = new Set<number>();
    const addLeaf = (t: number) => {
      if (this.nodeHidden(t)) return;
      for (const ei of this.inEdges[t]) {
        const e = this.edges[ei];
        if (e.ctl || !this.folding.weight[e.s]) continue;
        for (const r of weightRoots(this.g, this.inEdges, this.folding.weight, this.rootsMemo, e.s)) roots.add(r);
      }
    };
    if (key[0] === "n") addLeaf(idx);
    else {
      const todo = [idx];
      while (todo.length) {
        const gi = todo.pop()!;
        for (const n of this.g.groups[gi].nodes) addLeaf(n);
        todo.push(...this.g.groups[gi].groups);
      }
    }
    const out = [...roots].map((r) => weightRef(this.g, r));
    this.weightCache.set(key, out);
    return out;
  }

  /** Expanded groups whose ancestors are all expanded (the ones that need a layout), root first. */
  visibleExpanded(): number[] {
    const out: number[] = [0];
    for (let i = 0; i < out.length; i++)
      for (const c of this.g.groups[out[i]].groups) if (this.expanded.has(c) && !this.groupHidden(c)) out.push(c);
    return out;
  }

  /** Box size of a visible child (a leaf, a collapsed group, or an expanded group whose layout exists). */
  sizeOf(key: ItemKey): [number, number] | undefined {
    const idx = +key.slice(1);
    if (key[0] === "g" && this.expanded.has(idx)) {
      const l = this.layouts.get(idx);
      if (!l) return undefined;
      const head = this.measure(`${this.g.groups[idx].label}  ·  ${groupSubtitle(this.g, idx)}`, LABEL_PX, true) + 40;
      return [Math.max(l.out.width, head), l.out.height + HEADER];
    }
    const cached = this.sizeCache.get(key);
    if (cached) return cached;
    let s: [number, number];
    const lines = weightLines(this.drawnWeights(key), key[0] === "g" ? 1 : WEIGHT_LINES);
    const linesW = Math.max(0, ...lines.map((l) => this.measure(l, SUB_PX))) + 20;
    const extraH = lines.length ? lines.length * WEIGHT_LINE + 4 : 0;
    if (key[0] === "n") {
      const n = this.g.nodes[idx];
      const one = n.label === n.op;
      const w = Math.max(this.measure(n.label, LABEL_PX), one ? 0 : this.measure(n.op, SUB_PX) + 20, linesW) + 20;
      s = [Math.min(MAX_W + 60, Math.max(44, w)), (one ? LEAF_H1 : LEAF_H) + extraH];
    } else {
      const grp = this.g.groups[idx];
      const w =
        Math.max(this.measure(grp.label, LABEL_PX, true), this.measure(groupSubtitle(this.g, idx), SUB_PX), linesW) +
        34;
      s = [Math.min(MAX_W + 60, Math.max(72, w)), BOX_H + extraH];
    }
    this.sizeCache.set(key, s);
    return s;
  }

  /** The ELK input for one expanded group, or undefined when a child's size is not known yet. */
  layoutInput(gi: number): GroupLayoutInput | undefined {
    const grp = this.g.groups[gi];
    const children: LayoutInput["children"] = [];

    for (const n of grp.nodes) {
      if (this.nodeHidden(n)) continue;
      const [w, h] = this.sizeOf(`n${n}`)!;
      children.push({ id: `n${n}`, width: w, height: h });
    }
    for (const c of grp.groups) {
      if (this.groupHidden(c)) continue;
      const s = this.sizeOf(`g${c}`);
      if (!s) return undefined;
      children.push({ id: `g${c}`, width: s[0], height: s[1] });
    }
    const lifted = new Map<string, number>();
    const members: number[][] = [];
    const edges: LayoutInput["edges"] = [];
    for (const ei of this.edgesByLca.get(gi) ?? []) {
      const e = this.edges[ei];
      if (this.edgeHidden(e)) continue;
      const a = this.childOf(gi, e.s);
      const b = this.childOf(gi, e.t);
      if (!a || !b || a === b) continue;
      const k = `${a}>${b}`;
      let li = lifted.get(k);
      if (li === undefined) {
        li = edges.length;
        lifted.set(k, li);
        edges.push({ id: `e${li}`, source: a, target: b });
        members.push([]);
      }
      members[li].push(ei);
    }
    // Control-only connections do not shape the layout (they are drawn straight and dashed).
    members.forEach((m, li) => {
      if (m.every((ei) => this.edges[ei].ctl)) edges[li].free = true;
    });
    const input: LayoutInput = { key: `g${gi}`, children, edges };
    // ELK costs 0.35-2 s per 1,000 nodes even with its cheapest options; big groups get fastLayout.
    // Small groups can afford crossing minimisation (much tidier with many long edges); big ones keep model order.
    if (children.length <= SMALL_GROUP) input.options = { "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP" };
    else if (children.length > BIG_GROUP) input.options = { [FAST_OPTION]: "true" };
    return { group: gi, input, members, sig: this.sigOf(gi)! };
  }

  /** What a group's layout depends on besides the graph: boilerplate shown, sizes of its expanded children. */
  private sigOf(gi: number): string | undefined {
    const parts: string[] = [`${+this.showBoiler}${+this.showWeights}${+this.showPassThrough}`];
    for (const c of this.g.groups[gi].groups) {
      if (!this.expanded.has(c) || this.groupHidden(c)) continue;
      const s = this.sizeOf(`g${c}`);
      if (!s) return undefined;
      parts.push(`${c}:${s[0]}x${s[1]}`);
    }
    return parts.join(",");
  }

  /** Groups (visible, expanded) whose layout is missing or stale and whose children are all sized. */
  pendingLayouts(): GroupLayoutInput[] {
    return this.pendingGroups().map((gi) => this.layoutInput(gi)!);
  }

  /** The groups `pendingLayouts` would lay out (cheap: no edge lifting). */
  pendingGroups(): number[] {
    const vis = this.visibleExpanded();
    const out: number[] = [];
    // Deepest first: a parent's input needs its expanded children's sizes.
    const byDepth = vis.sort((a, b) => this.depth[b] - this.depth[a]);
    const blocked = new Set<number>();
    for (const gi of byDepth) {
      if (blocked.has(gi)) {
        blocked.add(this.g.groups[gi].parent);
        continue;
      }
      const sig = this.sigOf(gi);
      if (sig === undefined) {
        blocked.add(this.g.groups[gi].parent);
        continue;
      }
      if (this.layouts.get(gi)?.sig === sig) continue;
      out.push(gi);
      blocked.add(this.g.groups[gi].parent);
    }
    return out;
  }

  setLayout(inp: GroupLayoutInput, out: LayoutOutput): void {
    this.layouts.set(inp.group, { sig: inp.sig, out, members: inp.members, keys: inp.input.children.map((c) => c.id) });
  }

  /** Forgets the layouts of these groups (they are laid out again by the next relayout). */
  dropLayouts(groups: Iterable<number>): void {
    for (const gi of groups) this.layouts.delete(gi);
  }

  hasLayout(gi: number): boolean {
    return this.layouts.has(gi);
  }

  clearLayouts(): void {
    this.layouts.clear();
    this.sizeCache.clear();
  }

  /** Global coordinates of everything visible. Requires layouts for all visible expanded groups. */
  scene(): Scene {
    const visCache = new Array<ItemKey | undefined>(this.g.nodes.length);
    const visibleOf = (n: number) => (visCache[n] ??= this.visibleOf(n));
    const items: SceneItem[] = [];
    const edges: SceneEdge[] = [];
    const byKey = new Map<ItemKey, SceneItem>();
    const place = (gi: number, ox: number, oy: number) => {
      const l = this.layouts.get(gi);
      if (!l) return;
      l.keys.forEach((key, i) => {
        const x = ox + l.out.xy[2 * i];
        const y = oy + l.out.xy[2 * i + 1];
        const [w, h] = this.sizeOf(key) ?? [0, 0];
        const idx = +key.slice(1);
        const kind = key[0] === "n" ? "leaf" : this.expanded.has(idx) ? "frame" : "box";
        const it: SceneItem = { key, kind, index: idx, x, y, w, h };
        items.push(it);
        byKey.set(key, it);
        if (kind === "frame") place(idx, x, y + HEADER);
      });
    };
    place(0, 0, 0);
    const routeOf = (gi: number, ox: number, oy: number) => {
      const l = this.layouts.get(gi);
      if (!l) return;
      const keySet = new Set(l.keys);
      l.members.forEach((mem, li) => {
        const route = l.out.routes[li] ?? [];
        const pts: number[] = [];
        for (let k = 0; k < route.length; k += 2) pts.push(route[k] + ox, route[k + 1] + oy);
        const groupsOf = new Map<string, SceneEdge>();
        for (const ei of mem) {
          const e = this.edges[ei];
          const from = visibleOf(e.s);
          const to = visibleOf(e.t);
          const k = `${from}>${to}`;
          let se = groupsOf.get(k);
          if (!se) {
            const a = byKey.get(from);
            const b = byKey.get(to);
            if (!a || !b) continue;
            const exact = keySet.has(from) && keySet.has(to) && pts.length >= 4 && sameEnds(a, b, pts);
            let p = pts;
            if (!exact) {
              const inner = pts.slice(2, -2);
              p = [a.x + a.w / 2, a.y + a.h, ...inner, b.x + b.w / 2, b.y];
            }
            se = { from, to, pts: p, ctl: true, edges: [] };
            groupsOf.set(k, se);
            edges.push(se);
          }
          se.edges.push(ei);
          if (!e.ctl) se.ctl = false;
        }
      });
    };
    const walk = (gi: number, ox: number, oy: number) => {
      routeOf(gi, ox, oy);
      const l = this.layouts.get(gi);
      if (!l) return;
      l.keys.forEach((key, i) => {
        const idx = +key.slice(1);
        if (key[0] === "g" && this.expanded.has(idx))
          walk(idx, ox + l.out.xy[2 * i], oy + l.out.xy[2 * i + 1] + HEADER);
      });
    };
    walk(0, 0, 0);
    const root = this.layouts.get(0);
    return { items, edges, byKey, width: root?.out.width ?? 0, height: root?.out.height ?? 0 };
  }
}

/** True when the route starts on box a's border and ends on box b's (so ELK's own route can be used). */
function sameEnds(a: SceneItem, b: SceneItem, pts: number[]): boolean {
  const on = (it: SceneItem, x: number, y: number) =>
    x >= it.x - 1 && x <= it.x + it.w + 1 && y >= it.y - 1 && y <= it.y + it.h + 1;
  return on(a, pts[0], pts[1]) && on(b, pts[pts.length - 2], pts[pts.length - 1]);
}

/** "ƒ dense_call · 120 ops" — the second line of a collapsed group box. */
export function groupSubtitle(g: DisplayGraph, gi: number): string {
  const grp = g.groups[gi];
  const ops = `${formatCount(grp.visibleSize)} op${grp.visibleSize === 1 ? "" : "s"}`;
  if (grp.layer) {
    const p = grp.layer.params;
    return `${grp.layer.className}${p ? ` · ${formatCount(p)} param${p === 1 ? "" : "s"}` : ""} · ${ops}`;
  }
  if (grp.kind === "call" && grp.fn) return `ƒ ${shortFn(grp.fn)} · ${ops}`;
  if (grp.kind === "call" && grp.call) return `${grp.call.op} · ${ops}`;
  return ops;
}

function shortFn(fn: string): string {
  return fn.replace(/^__(inference|forward|backward)_/, "").replace(/_\d+$/, "") || fn;
}

/** The lines listing weights inside a node: "dense/kernel  float32 [784, 10]", at most WEIGHT_LINES. */
export function weightLines(ws: readonly WeightRef[], max = WEIGHT_LINES): string[] {
  const line = (w: WeightRef) => [w.name, w.dtype, w.shape].filter(Boolean).join("  ");
  if (ws.length <= max) return ws.map(line);
  // One line for a box: "4 weights: gamma, beta, moving_mean, …".
  if (max === 1)
    return [`${ws.length} weights: ${ws.map((w) => w.name.slice(w.name.lastIndexOf("/") + 1)).join(", ")}`];
  return [...ws.slice(0, max - 1).map(line), `+${ws.length - max + 1} more weights`];
}
