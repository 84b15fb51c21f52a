/**
 * GraphDef + FunctionDefLibrary (+ a signature) -> DisplayGraph. Function calls (PartitionedCall,
 * StatefulPartitionedCall, If/While/Case and direct function ops) become groups holding an instance of the
 * called body, with `_Arg`/`_Retval` nodes wiring the caller's inputs and outputs through; name scopes,
 * series and chunks are added by `buildHierarchy`.
 */
import type {
  IAttrValue,
  IFunctionDef,
  IGraphDef,
  INodeDef,
  IOpDef,
  ISignatureDef,
  tensorflow,
} from "../savedmodel/proto.js";
import { dtypeShortName } from "../savedmodel/dtypes.js";
import { bytesToString, formatAttr, formatShape, tensorPreview } from "./format.js";
import type { CallInfo, DisplayGraph, GraphEdge, GraphGroup, GraphNode, TensorDesc } from "./model.js";
import { isBoilerplate, opKind } from "./opKind.js";
import { OpSchemas } from "./opSchema.js";
import { buildHierarchy, type ContainerItem } from "./hierarchy.js";
import { chooseDefault, viewChoices } from "./defaultView.js";
import { annotateLayers, kerasLayers } from "./kerasLayers.js";

export interface GraphSource {
  /** The meta graph's graph_def, including its function library. */
  graphDef: IGraphDef;
  /** meta_info_def.stripped_op_list.op */
  strippedOps?: readonly IOpDef[] | null;
  signatures?: Record<string, ISignatureDef> | null;
  /** The object graph (TF2 exports): picks the default view of exports without signatures. */
  objectGraph?: tensorflow.ISavedObjectGraph | null;
  /** keras_metadata.pb's objects (TF 2.5+ Keras exports keep layer metadata there, not in the object graph). */
  kerasMetadata?: readonly tensorflow.IKerasSavedObject[] | null;
}

/** `default`: the callable that computes the model (src/graph/defaultView.ts). */
export type BuildTarget = { signature: string } | { function: string } | { graph: true } | { default: true };

export interface BuildOptions {
  /** Split groups with more direct children than this into chunks (default 1000). */
  maxChildren?: number;
  /** Group at least this many numbered siblings into a series (default 5). */
  seriesMin?: number;
  /** Stop opening call groups once this many nodes exist (default 500,000). */
  maxNodes?: number;
  /** Maximum call nesting depth (default 64). */
  maxDepth?: number;
}

interface Endpoint {
  node: number;
  out: number;
}

/** What a name inside one graph/body resolves to. */
const NO_ATTRS: [string, string][] = [];
const NO_DTYPES: (string | undefined)[] = [];

interface Producer {
  leaf?: number;
  /** Flat outputs of a call group (its retval nodes). */
  outputs?: Endpoint[];
  /** Output layout of the producing op (function bodies name outputs by arg). */
  op: string;
  attrs: Record<string, IAttrValue>;
  ctlOut: number;
  /** For call groups: where control inputs / data inputs land. */
  ctlIn?: number;
  argTargets?: (number | undefined)[];
}

interface Body {
  args: number[];
  rets: Endpoint[];
  ctlIn: number;
  ctlOut: number;
}

const SINGLE_CALL_OPS = new Set(["PartitionedCall", "StatefulPartitionedCall", "TPUPartitionedCall"]);
const MULTI_CALL: Record<string, (a: Record<string, IAttrValue>) => [string, string][]> = {
  If: (a) => [
    ["then", a.then_branch?.func?.name ?? ""],
    ["else", a.else_branch?.func?.name ?? ""],
  ],
  While: (a) => [
    ["cond", a.cond?.func?.name ?? ""],
    ["body", a.body?.func?.name ?? ""],
  ],
  Case: (a) => (a.branches?.list?.func ?? []).map((f, i) => [`branch ${i}`, f.name ?? ""] as [string, string]),
};
MULTI_CALL.StatelessIf = MULTI_CALL.If;
MULTI_CALL.StatelessWhile = MULTI_CALL.While;
MULTI_CALL.StatelessCase = MULTI_CALL.Case;

class Builder {
  readonly nodes: GraphNode[] = [];
  readonly groups: GraphGroup[] = [];
  readonly edges: GraphEdge[] = [];
  readonly warnings: string[] = [];
  /** Items (leaf nodes or call/body groups) held by each container group, keyed by group index. */
  readonly items = new Map<number, ContainerItem[]>();
  private readonly fns = new Map<string, IFunctionDef>();
  private readonly schemas: OpSchemas;
  private readonly stack: string[] = [];
  private readonly maxNodes: number;
  private readonly maxDepth: number;
  private budgetWarned = false;
  private readonly attrLists = new Map<string, [string, string][]>();
  private readonly descs = new Map<string, TensorDesc>();
  private readonly flatDtypes = new WeakMap<object, { n: number; dtypes: (string | undefined)[] }>();

  constructor(
    private readonly src: GraphSource,
    opts: BuildOptions,
  ) {
    const lib = src.graphDef.library?.function ?? [];
    for (const f of lib) if (f.signature?.name) this.fns.set(f.signature.name, f);
    this.schemas = new OpSchemas(src.strippedOps, lib);
    this.maxNodes = opts.maxNodes ?? 500_000;
    this.maxDepth = opts.maxDepth ?? 64;
  }

  newGroup(g: Omit<GraphGroup, "nodes" | "groups" | "size" | "visibleSize">): number {
    this.groups.push({ ...g, nodes: [], groups: [], size: 0, visibleSize: 0 });
    const i = this.groups.length - 1;
    this.items.set(i, []);
    return i;
  }

  private addItem(container: number, item: ContainerItem): void {
    this.items.get(container)!.push(item);
  }

  private attrsOf(nd: INodeDef): [string, string][] {
    const attrs = nd.attr ?? {};
    const out: [string, string][] = [];
    for (const [k, v] of Object.entries(attrs)) if (k !== "_output_shapes") out.push([k, formatAttr(v)]);
    for (const [k, v] of this.schemas.defaults(nd.op ?? "", attrs)) out.push([k, `${formatAttr(v)} (default)`]);
    if (!out.length) return NO_ATTRS;
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Most nodes share a handful of attribute lists ("T = float32"): one frozen copy each keeps the graph's
    // live object count (and so the garbage collector's work while it is built) down. Callers never mutate.
    let key = "";
    for (const [k, v] of out) key += `${k}\u0000${v}\u0001`;
    if (key.length > 200) return out;
    const hit = this.attrLists.get(key);
    if (hit) return hit;
    if (this.attrLists.size < 50_000) this.attrLists.set(key, out);
    return out;
  }

  private outputsOf(nd: INodeDef): TensorDesc[] {
    const attrs = nd.attr ?? {};
    const layout = this.schemas.outputLayout(nd.op ?? "", attrs);
    const shapes = attrs._output_shapes?.list?.shape ?? [];
    // Layouts are cached per op and attrs, so their flat dtype lists are too.
    let flat = layout && this.flatDtypes.get(layout);
    if (layout && !flat)
      this.flatDtypes.set(
        layout,
        (flat = { n: layout.reduce((s, r) => s + r.count, 0), dtypes: layout.flatMap((r) => r.dtypes) }),
      );
    const dtypes = flat?.dtypes ?? NO_DTYPES;
    const n = flat ? flat.n : shapes.length || 1;
    const out: TensorDesc[] = [];
    for (let i = 0; i < Math.max(n, shapes.length); i++) {
      const d: TensorDesc = {};
      if (dtypes[i]) d.dtype = dtypes[i];
      else if (attrs.dtype?.type && i === 0) d.dtype = dtypeShortName(attrs.dtype.type);
      else if (attrs.T?.type) d.dtype = dtypeShortName(attrs.T.type);
      if (shapes[i]) d.shape = formatShape(shapes[i]);
      out.push(this.internDesc(d));
    }
    return out;
  }

  /** One shared object per distinct (dtype, shape) pair; nobody mutates a TensorDesc after this. */
  private internDesc(d: TensorDesc): TensorDesc {
    const key = `${d.dtype ?? ""}\u0000${d.shape ?? ""}`;
    const hit = this.descs.get(key);
    if (hit) return hit;
    if (this.descs.size < 50_000) this.descs.set(key, d);
    return d;
  }

  private leaf(nd: INodeDef, container: number, fn: string): number {
    const name = nd.name ?? "";
    const op = nd.op ?? "";
    const attrs = nd.attr ?? {};
    const node: GraphNode = {
      name,
      label: name.slice(name.lastIndexOf("/") + 1),
      op,
      kind: opKind(op),
      parent: container,
      fn,
      attrs: this.attrsOf(nd),
      outputs: this.outputsOf(nd),
    };
    if (nd.device) node.device = nd.device;
    if (isBoilerplate(name, op, fn === "")) node.boiler = true;
    if ((op === "Const" || op === "HostConst") && attrs.value?.tensor)
      node.value = tensorPreview(attrs.value.tensor, 16);
    if (op === "VarHandleOp" || op === "VariableV2" || op === "Variable" || /HashTable/.test(op)) {
      const shared = attrs.shared_name?.s ? bytesToString(attrs.shared_name.s) : "";
      node.varName = shared || name;
    }
    const refs: string[] = [];
    for (const v of Object.values(attrs)) {
      if (v.func?.name) refs.push(v.func.name);
      for (const f of v.list?.func ?? []) if (f.name) refs.push(f.name);
    }
    if (refs.length) node.refs = refs;
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  private synthetic(
    container: number,
    fn: string,
    name: string,
    op: string,
    role: GraphNode["role"],
    out: TensorDesc,
  ): number {
    this.nodes.push({
      name,
      label: name,
      op,
      kind: role === "arg" || role === "sigInput" ? "input" : "output",
      parent: container,
      fn,
      attrs: [],
      outputs: [out],
      role,
    });
    return this.nodes.length - 1;
  }

  private edge(src: Endpoint | undefined, t: number | undefined, ti: number, ctl: boolean): void {
    if (!src || t === undefined || src.node === t) return;
    const e: GraphEdge = { s: src.node, t, so: src.out, ti };
    if (ctl) e.ctl = true;
    else {
      const d = this.nodes[src.node].outputs[src.out];
      if (d?.dtype) e.dtype = d.dtype;
      if (d?.shape) e.shape = d.shape;
    }
    this.edges.push(e);
  }

  /** The functions a node opens as call bodies, or undefined when it is a plain op. */
  private callTargets(nd: INodeDef): { multi: boolean; bodies: [string, string][] } | undefined {
    const op = nd.op ?? "";
    const attrs = nd.attr ?? {};
    if (SINGLE_CALL_OPS.has(op)) return { multi: false, bodies: [["", attrs.f?.func?.name ?? ""]] };
    const multi = MULTI_CALL[op];
    if (multi) return { multi: true, bodies: multi(attrs) };
    if (this.fns.has(op)) return { multi: false, bodies: [["", op]] };
    return undefined;
  }

  private canOpen(fnName: string): string | undefined {
    const f = this.fns.get(fnName);
    if (!f) return `function ${fnName || "(unnamed)"} is not in the library`;
    if (this.stack.includes(fnName)) return `recursive call to ${fnName}`;
    if (this.stack.length >= this.maxDepth) return `calls nested deeper than ${this.maxDepth}`;
    if (this.nodes.length + (f.nodeDef?.length ?? 0) > this.maxNodes) return `node budget of ${this.maxNodes} reached`;
    return undefined;
  }

  private callInfo(nd: INodeDef, fn: string): CallInfo {
    const info: CallInfo = {
      name: nd.name ?? "",
      op: nd.op ?? "",
      fn,
      attrs: this.attrsOf(nd),
      inputs: nd.input ?? [],
      outputs: this.outputsOf(nd),
    };
    if (nd.device) info.device = nd.device;
    return info;
  }

  /** Creates the item for one NodeDef in `container`; returns how names resolve to it. */
  private place(nd: INodeDef, container: number, prefix: string, fn: string): Producer {
    const name = nd.name ?? "";
    const op = nd.op ?? "";
    const attrs = nd.attr ?? {};
    const call = this.callTargets(nd);
    const blocked = call?.bodies.map(([, f]) => this.canOpen(f)).find((r) => r !== undefined);
    if (call && blocked && !(blocked.startsWith("node budget") && this.budgetWarned)) {
      this.warnings.push(`${fn ? `${fn}: ` : ""}${name} (${op}) not opened: ${blocked}`);
      if (blocked.startsWith("node budget")) this.budgetWarned = true;
    }
    if (!call || blocked) {
      const leaf = this.leaf(nd, container, fn);
      if (call) this.nodes[leaf].kind = "call";
      this.addItem(container, { kind: "node", index: leaf, name });
      return { leaf, op, attrs, ctlOut: leaf };
    }
    const id = prefix + name;
    const g = this.newGroup({
      id,
      label: name.slice(name.lastIndexOf("/") + 1),
      kind: "call",
      parent: container,
      fn: call.multi ? undefined : call.bodies[0][1],
      call: this.callInfo(nd, fn),
    });
    this.addItem(container, { kind: "group", index: g, name });
    const callOutputs = this.outputsOf(nd);
    if (!call.multi) {
      const body = this.instantiate(call.bodies[0][1], g, id + "::", callOutputs);
      return {
        outputs: body.rets,
        op,
        attrs,
        ctlOut: body.ctlOut,
        ctlIn: body.ctlIn,
        argTargets: body.args,
      };
    }
    // If/While/Case: the op node merges its bodies' results; inputs fan out to every body's args.
    const merge = this.leaf(nd, g, fn);
    this.nodes[merge].label = op;
    this.addItem(g, { kind: "node", index: merge, name: op });
    const skip = op.includes("While") ? 0 : 1; // If/Case: input 0 is the condition / branch index
    const fanOut: number[][] = [];
    for (const [role, fnName] of call.bodies) {
      const bg = this.newGroup({
        id: `${id}::${role}`,
        label: `${role}: ${shortFnName(fnName)}`,
        kind: "body",
        parent: g,
        fn: fnName,
      });
      this.addItem(g, { kind: "group", index: bg, name: role });
      const outs = role === "cond" ? [{ dtype: "bool" }] : callOutputs;
      const body = this.instantiate(fnName, bg, `${id}::${role}::`, outs);
      body.args.forEach((a, i) => (fanOut[i + skip] ??= []).push(a));
      body.rets.forEach((r, i) => this.edge(r, merge, role === "cond" ? -1 : i, false));
    }
    if (skip) (fanOut[0] ??= []).push(merge);
    const argTargets: (number | undefined)[] = [];
    const multiTargets = fanOut;
    return { leaf: merge, op, attrs, ctlOut: merge, ctlIn: merge, argTargets, multiTargets } as Producer & {
      multiTargets: number[][];
    };
  }

  /** Instantiates function `fnName` into `container`; caller wires inputs to `args`. */
  instantiate(fnName: string, container: number, prefix: string, callOutputs: TensorDesc[]): Body {
    const f = this.fns.get(fnName)!;
    this.stack.push(fnName);
    const sig = f.signature ?? {};
    const byName = new Map<string, Producer>();
    const args: number[] = [];
    (sig.inputArg ?? []).forEach((a, i) => {
      const argName = a.name ?? `arg${i}`;
      const d: TensorDesc = {};
      if (a.type) d.dtype = dtypeShortName(a.type);
      const shapes = f.argAttr?.[String(i)]?.attr?._output_shapes?.list?.shape;
      if (shapes?.[0]) d.shape = formatShape(shapes[0]);
      const n = this.synthetic(container, fnName, argName, "_Arg", "arg", d);
      args.push(n);
      this.addItem(container, { kind: "node", index: n, name: synthName("arg", argName) });
      byName.set(argName, { leaf: n, op: "_Arg", attrs: {}, ctlOut: n });
    });
    const defs = f.nodeDef ?? [];
    const placed: Producer[] = [];
    for (const nd of defs) {
      const p = this.place(nd, container, prefix, fnName);
      placed.push(p);
      byName.set(nd.name ?? "", p);
    }
    const resolve = (ref: string): Endpoint | undefined => {
      const parts = ref.split(":");
      const p = byName.get(parts[0]);
      if (!p) return undefined;
      if (parts.length === 1) return p.leaf !== undefined ? { node: p.leaf, out: 0 } : p.outputs?.[0];
      const layout = this.schemas.outputLayout(p.op, p.attrs);
      const range = layout?.find((r) => r.name === parts[1]);
      const idx = Number(parts[2] ?? 0);
      let flat = range ? range.start + idx : idx;
      if (!range && layout === undefined && p.outputs === undefined) flat = idx; // unknown op: best effort
      if (p.outputs) return p.outputs[flat];
      return { node: p.leaf!, out: flat };
    };
    defs.forEach((nd, k) => this.wire(nd, placed[k], resolve, (r) => byName.get(r)));
    const rets: Endpoint[] = [];
    (sig.outputArg ?? []).forEach((a, i) => {
      const outName = a.name ?? `out${i}`;
      const d: TensorDesc = { ...(callOutputs[i] ?? {}) };
      if (!d.dtype && a.type) d.dtype = dtypeShortName(a.type);
      const n = this.synthetic(container, fnName, outName, "_Retval", "retval", d);
      this.addItem(container, { kind: "node", index: n, name: synthName("ret", outName) });
      const src = f.ret?.[outName];
      if (src) this.edge(resolve(src), n, 0, false);
      rets.push({ node: n, out: 0 });
    });
    let ctlOut = rets[0]?.node;
    if (ctlOut === undefined) {
      ctlOut = this.synthetic(container, fnName, "(done)", "_ControlRet", "retval", {});
      this.addItem(container, { kind: "node", index: ctlOut, name: synthName("ret", "(done)") });
    }
    for (const r of Object.values(f.controlRet ?? {})) {
      const p = byName.get(r);
      if (p) this.edge({ node: p.ctlOut, out: -1 }, ctlOut, -1, true);
    }
    const ctlIn = args[0] ?? placed.find((p) => p.leaf !== undefined)?.leaf ?? ctlOut;
    this.stack.pop();
    return { args, rets, ctlIn, ctlOut };
  }

  /** Adds the edges into one placed node from its NodeDef inputs. */
  wire(
    nd: INodeDef,
    p: Producer,
    resolve: (ref: string) => Endpoint | undefined,
    producer: (name: string) => Producer | undefined,
  ): void {
    const multiTargets = (p as Producer & { multiTargets?: number[][] }).multiTargets;
    let dataIdx = 0;
    for (const ref of nd.input ?? []) {
      if (ref.startsWith("^")) {
        const src = producer(ref.slice(1));
        if (src) this.edge({ node: src.ctlOut, out: -1 }, p.ctlIn ?? p.leaf, -1, true);
        continue;
      }
      const src = resolve(ref);
      const i = dataIdx++;
      if (multiTargets) for (const t of multiTargets[i] ?? []) this.edge(src, t, t === p.leaf ? 0 : 0, false);
      else if (p.argTargets) this.edge(src, p.argTargets[i], 0, false);
      else this.edge(src, p.leaf, i, false);
    }
  }

  /** Places the top-level GraphDef nodes in `names` (all when undefined) into the root. */
  placeGraph(nodes: readonly INodeDef[]): Map<string, Producer> {
    const byName = new Map<string, Producer>();
    const placed: Producer[] = [];
    for (const nd of nodes) {
      const p = this.place(nd, 0, "", "");
      placed.push(p);
      byName.set(nd.name ?? "", p);
    }
    const resolve = (ref: string): Endpoint | undefined => {
      const c = ref.lastIndexOf(":");
      const name = c > 0 ? ref.slice(0, c) : ref;
      const out = c > 0 ? Number(ref.slice(c + 1)) : 0;
      const p = byName.get(name) ?? (c > 0 ? undefined : undefined);
      if (!p) return undefined;
      if (p.outputs) return p.outputs[out];
      return { node: p.leaf!, out };
    };
    nodes.forEach((nd, k) => this.wire(nd, placed[k], resolve, (r) => byName.get(r)));
    return byName;
  }

  resolveTensor(byName: Map<string, Producer>, tensor: string): Endpoint | undefined {
    const c = tensor.lastIndexOf(":");
    const p = byName.get(c > 0 ? tensor.slice(0, c) : tensor);
    const out = c > 0 ? Number(tensor.slice(c + 1)) : 0;
    if (!p) return undefined;
    return p.outputs ? p.outputs[out] : { node: p.leaf!, out };
  }
}

/** Container item name for a synthetic node: no "/" (never nested in a scope) and never equal to a scope name. */
function synthName(kind: string, name: string): string {
  return `\u0000${kind}:${name.replace(/\//g, "\u2215")}`;
}

/** "__inference_dense_layer_call_fn_1234" -> "dense_layer_call_fn". */
export function shortFnName(fn: string): string {
  return fn.replace(/^__(inference|forward|backward)_/, "").replace(/_\d+$/, "") || fn;
}

function tensorNodeName(t: string): string {
  const s = t.startsWith("^") ? t.slice(1) : t;
  const c = s.indexOf(":");
  return c >= 0 ? s.slice(0, c) : s;
}

/** Names of the GraphDef nodes a signature's outputs depend on, stopping at its inputs. */
export function signatureSlice(nodes: readonly INodeDef[], sig: ISignatureDef): Set<string> {
  const byName = new Map<string, INodeDef>();
  for (const n of nodes) byName.set(n.name ?? "", n);
  const stop = new Set(Object.values(sig.inputs ?? {}).map((t) => tensorNodeName(t.name ?? "")));
  const seen = new Set<string>();
  const todo: string[] = [];
  const push = (n: string) => {
    if (!seen.has(n) && byName.has(n)) {
      seen.add(n);
      todo.push(n);
    }
  };
  for (const t of Object.values(sig.outputs ?? {})) push(tensorNodeName(t.name ?? ""));
  for (const n of stop) push(n);
  while (todo.length) {
    const n = todo.pop()!;
    if (stop.has(n)) continue;
    for (const i of byName.get(n)!.input ?? []) push(tensorNodeName(i));
  }
  return seen;
}

/** Builds the display graph for a signature, a function, or the whole graph. */
export function buildDisplayGraph(src: GraphSource, target: BuildTarget, opts: BuildOptions = {}): DisplayGraph {
  let defaultReason: string | undefined;
  if ("default" in target) {
    const d = chooseDefault(src);
    target = d.target;
    defaultReason = d.why;
  }
  const b = new Builder(src, opts);
  const all = src.graphDef.node ?? [];
  let title: string;
  let scope: DisplayGraph["scope"];
  if ("signature" in target) {
    const sig = src.signatures?.[target.signature];
    if (!sig) throw new Error(`no signature named ${JSON.stringify(target.signature)}`);
    title = `signature ${target.signature}`;
    scope = { kind: "signature", name: target.signature };
    b.newGroup({ id: "", label: target.signature, kind: "root", parent: -1 });
    const keep = signatureSlice(all, sig);
    const byName = b.placeGraph(all.filter((n) => keep.has(n.name ?? "")));
    for (const [key, t] of Object.entries(sig.inputs ?? {})) {
      const p = byName.get(tensorNodeName(t.name ?? ""));
      if (p?.leaf !== undefined) {
        const n = b.nodes[p.leaf];
        n.role = "sigInput";
        n.kind = "input";
        if (key !== n.name) n.label = `${key} (${n.label})`;
        // Output descriptions are shared between nodes (interned): replace, never mutate.
        const d: TensorDesc = { ...(n.outputs[0] ?? {}) };
        n.outputs[0] = d;
        if (t.dtype) d.dtype = dtypeShortName(t.dtype);
        if (t.tensorShape) d.shape = formatShape(t.tensorShape);
      }
    }
    for (const [key, t] of Object.entries(sig.outputs ?? {})) {
      const d: TensorDesc = {};
      if (t.dtype) d.dtype = dtypeShortName(t.dtype);
      if (t.tensorShape) d.shape = formatShape(t.tensorShape);
      const n = b["synthetic"](0, "", key, "Output", "sigOutput", d);
      b.items.get(0)!.push({ kind: "node", index: n, name: synthName("out", key) });
      const srcEp = b.resolveTensor(byName, t.name ?? "");
      if (srcEp)
        b.edges.push({ s: srcEp.node, t: n, so: srcEp.out, ti: 0, ...descOf(b.nodes[srcEp.node], srcEp.out, d) });
      else b.warnings.push(`signature output ${key} names ${t.name}, which is not in the graph`);
    }
  } else if ("function" in target) {
    title = `function ${target.function}`;
    scope = { kind: "function", name: target.function };
    const f = (src.graphDef.library?.function ?? []).find((x) => x.signature?.name === target.function);
    if (!f) throw new Error(`no function named ${JSON.stringify(target.function)}`);
    b.newGroup({ id: "", label: shortFnName(target.function), kind: "root", parent: -1, fn: target.function });
    b.instantiate(target.function, 0, "", []);
  } else {
    title = "graph";
    scope = { kind: "graph", name: "" };
    b.newGroup({ id: "", label: "graph", kind: "root", parent: -1 });
    b.placeGraph(all);
  }
  labelResourceReads(b.nodes, b.edges);
  buildHierarchy(b.nodes, b.groups, b.edges, b.items, {
    maxChildren: opts.maxChildren ?? 1000,
    seriesMin: opts.seriesMin ?? 5,
  });
  annotateLayers(b.groups, kerasLayers(src.objectGraph, src.kerasMetadata));
  const g: DisplayGraph = { title, scope, nodes: b.nodes, groups: b.groups, edges: b.edges, warnings: b.warnings };
  g.views = viewChoices(src);
  if (defaultReason) g.defaultReason = defaultReason;
  return g;
}

function descOf(n: GraphNode, out: number, fallback: TensorDesc): { dtype?: string; shape?: string } {
  const d = { ...fallback, ...Object.fromEntries(Object.entries(n.outputs[out] ?? {}).filter(([, v]) => v)) };
  const r: { dtype?: string; shape?: string } = {};
  if (d.dtype) r.dtype = d.dtype;
  if (d.shape) r.shape = d.shape;
  return r;
}

const PASS_THROUGH = new Set(["_Arg", "_Retval", "Identity", "IdentityN"]);

/** Resource reads and writes show the variable they touch (traced back through args and identities). */
function labelResourceReads(nodes: GraphNode[], edges: GraphEdge[]): void {
  const in0 = new Map<number, GraphEdge>();
  for (const e of edges) if (!e.ctl && (e.ti === 0 || nodes[e.t].op === "IdentityN") && !in0.has(e.t)) in0.set(e.t, e);
  const memo = new Map<number, string | undefined>();
  const varOf = (start: number): string | undefined => {
    let n = start;
    for (let steps = 0; steps < 256; steps++) {
      if (memo.has(n)) return memo.get(n);
      const node = nodes[n];
      if (node.varName) return node.varName;
      if (!PASS_THROUGH.has(node.op) && node.role === undefined) return undefined;
      const e = in0.get(n);
      if (!e) return undefined;
      n = e.s;
    }
    return undefined;
  };
  nodes.forEach((node, i) => {
    if (
      node.varName ||
      !/VariableOp$|^ResourceGather|^ResourceScatter|^ResourceApply|^LookupTable|^VarIsInitializedOp$/.test(node.op)
    )
      return;
    const e = in0.get(i);
    const v = e ? varOf(e.s) : undefined;
    memo.set(i, undefined);
    if (v) {
      node.varName = v;
      node.label = node.op === "ReadVariableOp" ? v : `${node.label} ${v}`;
    }
  });
}
