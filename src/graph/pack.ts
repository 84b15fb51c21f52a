/**
 * Compact transport form of a DisplayGraph for postMessage: strings interned once, per-node and per-edge
 * fields in typed arrays (structured clone copies those in one go instead of walking ~10 objects per node).
 * `unpackDisplayGraph(packDisplayGraph(g))` deep-equals `g`.
 */
import {
  OP_KINDS,
  type DisplayGraph,
  type GraphEdge,
  type GraphNode,
  type NodeRole,
  type TensorDesc,
} from "./model.js";

const ROLES: (NodeRole | undefined)[] = [undefined, "arg", "retval", "sigInput", "sigOutput"];

export interface PackedGraph {
  v: 1;
  title: string;
  scope: DisplayGraph["scope"];
  warnings: string[];
  views?: DisplayGraph["views"];
  defaultReason?: string;
  groups: DisplayGraph["groups"];
  strings: string[];
  /** Per node: string indices (-1 = absent) */
  name: Int32Array;
  label: Int32Array;
  op: Int32Array;
  fn: Int32Array;
  device: Int32Array;
  varName: Int32Array;
  value: Int32Array;
  parent: Int32Array;
  /** OP_KINDS index, ROLES index, boiler flag */
  kind: Uint8Array;
  role: Uint8Array;
  boiler: Uint8Array;
  /** attrs of node i: attrKV[2*attrStart[i] .. 2*attrStart[i+1]) as key,value string indices */
  attrStart: Int32Array;
  attrKV: Int32Array;
  /** outputs of node i: outDesc[2*outStart[i] .. ) as dtype,shape string indices */
  outStart: Int32Array;
  outDesc: Int32Array;
  refStart: Int32Array;
  refs: Int32Array;
  /** edges */
  es: Int32Array;
  et: Int32Array;
  eso: Int32Array;
  eti: Int32Array;
  ectl: Uint8Array;
  edtype: Int32Array;
  eshape: Int32Array;
}

export function packDisplayGraph(g: DisplayGraph): PackedGraph {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const s = (x: string | undefined): number => {
    if (x === undefined) return -1;
    let i = index.get(x);
    if (i === undefined) {
      i = strings.length;
      strings.push(x);
      index.set(x, i);
    }
    return i;
  };
  const n = g.nodes.length;
  const p: PackedGraph = {
    v: 1,
    title: g.title,
    scope: g.scope,
    warnings: g.warnings,
    views: g.views,
    defaultReason: g.defaultReason,
    groups: g.groups,
    strings,
    name: new Int32Array(n),
    label: new Int32Array(n),
    op: new Int32Array(n),
    fn: new Int32Array(n),
    device: new Int32Array(n),
    varName: new Int32Array(n),
    value: new Int32Array(n),
    parent: new Int32Array(n),
    kind: new Uint8Array(n),
    role: new Uint8Array(n),
    boiler: new Uint8Array(n),
    attrStart: new Int32Array(n + 1),
    attrKV: new Int32Array(2 * g.nodes.reduce((k, x) => k + x.attrs.length, 0)),
    outStart: new Int32Array(n + 1),
    outDesc: new Int32Array(2 * g.nodes.reduce((k, x) => k + x.outputs.length, 0)),
    refStart: new Int32Array(n + 1),
    refs: new Int32Array(g.nodes.reduce((k, x) => k + (x.refs?.length ?? 0), 0)),
    es: new Int32Array(g.edges.length),
    et: new Int32Array(g.edges.length),
    eso: new Int32Array(g.edges.length),
    eti: new Int32Array(g.edges.length),
    ectl: new Uint8Array(g.edges.length),
    edtype: new Int32Array(g.edges.length),
    eshape: new Int32Array(g.edges.length),
  };
  let a = 0;
  let o = 0;
  let r = 0;
  g.nodes.forEach((x, i) => {
    p.name[i] = s(x.name);
    p.label[i] = s(x.label);
    p.op[i] = s(x.op);
    p.fn[i] = s(x.fn);
    p.device[i] = s(x.device);
    p.varName[i] = s(x.varName);
    p.value[i] = s(x.value);
    p.parent[i] = x.parent;
    p.kind[i] = OP_KINDS.indexOf(x.kind);
    p.role[i] = ROLES.indexOf(x.role);
    p.boiler[i] = x.boiler ? 1 : 0;
    p.attrStart[i] = a;
    for (const [k, v] of x.attrs) {
      p.attrKV[2 * a] = s(k);
      p.attrKV[2 * a + 1] = s(v);
      a++;
    }
    p.outStart[i] = o;
    for (const d of x.outputs) {
      p.outDesc[2 * o] = s(d.dtype);
      p.outDesc[2 * o + 1] = s(d.shape);
      o++;
    }
    p.refStart[i] = r;
    for (const f of x.refs ?? []) p.refs[r++] = s(f);
  });
  p.attrStart[n] = a;
  p.outStart[n] = o;
  p.refStart[n] = r;
  g.edges.forEach((e, i) => {
    p.es[i] = e.s;
    p.et[i] = e.t;
    p.eso[i] = e.so;
    p.eti[i] = e.ti;
    p.ectl[i] = e.ctl ? 1 : 0;
    p.edtype[i] = s(e.dtype);
    p.eshape[i] = s(e.shape);
  });
  return p;
}

/** The typed arrays of a packed graph (to transfer instead of copy). */
export function packedBuffers(p: PackedGraph): ArrayBuffer[] {
  return Object.values(p)
    .filter((v): v is Int32Array | Uint8Array => v instanceof Int32Array || v instanceof Uint8Array)
    .map((v) => v.buffer as ArrayBuffer);
}

export function unpackDisplayGraph(p: PackedGraph): DisplayGraph {
  const S = p.strings;
  const nodes: GraphNode[] = new Array(p.name.length);
  for (let i = 0; i < p.name.length; i++) {
    const attrs: [string, string][] = [];
    for (let k = p.attrStart[i]; k < p.attrStart[i + 1]; k++) attrs.push([S[p.attrKV[2 * k]], S[p.attrKV[2 * k + 1]]]);
    const outputs: TensorDesc[] = [];
    for (let k = p.outStart[i]; k < p.outStart[i + 1]; k++) {
      const d: TensorDesc = {};
      if (p.outDesc[2 * k] >= 0) d.dtype = S[p.outDesc[2 * k]];
      if (p.outDesc[2 * k + 1] >= 0) d.shape = S[p.outDesc[2 * k + 1]];
      outputs.push(d);
    }
    const node: GraphNode = {
      name: S[p.name[i]],
      label: S[p.label[i]],
      op: S[p.op[i]],
      kind: OP_KINDS[p.kind[i]],
      parent: p.parent[i],
      fn: S[p.fn[i]],
      attrs,
      outputs,
    };
    if (p.device[i] >= 0) node.device = S[p.device[i]];
    if (p.varName[i] >= 0) node.varName = S[p.varName[i]];
    if (p.value[i] >= 0) node.value = S[p.value[i]];
    if (p.boiler[i]) node.boiler = true;
    if (p.role[i]) node.role = ROLES[p.role[i]];
    if (p.refStart[i + 1] > p.refStart[i])
      node.refs = Array.from(p.refs.subarray(p.refStart[i], p.refStart[i + 1]), (x) => S[x]);
    nodes[i] = node;
  }
  const edges: GraphEdge[] = new Array(p.es.length);
  for (let i = 0; i < p.es.length; i++) {
    const e: GraphEdge = { s: p.es[i], t: p.et[i], so: p.eso[i], ti: p.eti[i] };
    if (p.ectl[i]) e.ctl = true;
    if (p.edtype[i] >= 0) e.dtype = S[p.edtype[i]];
    if (p.eshape[i] >= 0) e.shape = S[p.eshape[i]];
    edges[i] = e;
  }
  const g: DisplayGraph = { title: p.title, scope: p.scope, nodes, groups: p.groups, edges, warnings: p.warnings };
  if (p.views) g.views = p.views;
  if (p.defaultReason) g.defaultReason = p.defaultReason;
  return g;
}
