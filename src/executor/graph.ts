/**
 * Compiles the top-level GraphDef and library FunctionDefs into executable bodies: stripped default
 * attrs refilled from the op registry, `^control` inputs split from data inputs, function-body
 * references ("node:out_arg:i", "arg") flattened to (node, flat index) or argument slots.
 */
import type { IFunctionDef, IGraphDef, INodeDef, IOpDef } from "../savedmodel/proto.js";
import {
  OpResolver,
  outputLayout,
  resolveFunctionTensor,
  resolveGraphTensor,
  withDefaults,
  type OpSchema,
} from "../savedmodel/opRegistry/index.js";
import type { Attrs } from "./attrs.js";
import { optimizeBody } from "./fusion.js";

/** A data input: `node >= 0` is a body node's flat output; `node < 0` is argument `-1 - node`. */
export interface NodeInput {
  node: number;
  index: number;
}

export interface CNode {
  idx: number;
  name: string;
  op: string;
  def: INodeDef;
  attrs: Attrs;
  schema?: OpSchema;
  inputs: NodeInput[];
  control: number[];
  /** Number of outputs from the schema, or -1 when unknown. */
  outputCount: number;
  /** Base dtype per output where known. */
  outputDtypes: (number | undefined)[];
  /** A reference that did not resolve: raised if the node is ever executed. */
  brokenInput?: string;
  /** Per-node caches used by kernels (converter node, decoded Const, ...). */
  cache: Record<string, unknown>;
}

export interface Body {
  /** "" for the top-level graph, else the function name. */
  name: string;
  isFunction: boolean;
  fn?: IFunctionDef;
  nodes: CNode[];
  byName: Map<string, number>;
  args: { name: string; dtype?: number }[];
  rets: NodeInput[];
  retDtypes: (number | undefined)[];
  controlRets: number[];
  /** Uses TF1 control flow (Switch/Merge/Enter/Exit/NextIteration): needs the dynamic scheduler. */
  hasTf1Flow: boolean;
}

export const TF1_FLOW_OPS = new Set([
  "Switch",
  "RefSwitch",
  "Merge",
  "RefMerge",
  "Enter",
  "RefEnter",
  "Exit",
  "RefExit",
  "NextIteration",
  "RefNextIteration",
  "LoopCond",
]);

/** A function attr spelled "api_implements" (TF's defun attributes, as Keras writes them) or "_api_implements". */
function apiAttr(f: IFunctionDef, name: string): string | undefined {
  const v = f.attr?.[name]?.s ?? f.attr?.[`_${name}`]?.s;
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : new TextDecoder().decode(v);
}

export class Program {
  readonly resolver: OpResolver;
  readonly functions = new Map<string, IFunctionDef>();
  private readonly bodies = new Map<string, Body>();
  private readonly implementations = new Map<string, string[]>();
  private main?: Body;
  /** Nodes rewritten by the inference fusions so far (bodies compile lazily). */
  fusedNodes = 0;

  constructor(
    readonly graph: IGraphDef,
    strippedOpList: IOpDef[] | null | undefined,
    /** Inference rewrites (conv + batch-norm folding). */
    readonly optimize = false,
  ) {
    const fns = graph.library?.function ?? [];
    this.resolver = new OpResolver({ strippedOpList, functions: fns });
    for (const f of fns) {
      const name = f.signature?.name;
      if (!name) continue;
      this.functions.set(name, f);
      const impl = apiAttr(f, "api_implements");
      if (impl) {
        const key = impl;
        const list = this.implementations.get(key) ?? [];
        list.push(name);
        this.implementations.set(key, list);
      }
    }
  }

  /**
   * Grappler's implementation selector, for a CPU: when a function declares `api_implements`,
   * call the sibling implementation whose `api_preferred_device` is CPU (Keras LSTM/GRU exports
   * carry CudnnRNN variants that must not be taken).
   */
  selectImplementation(name: string): string {
    const f = this.functions.get(name);
    const impl = f ? apiAttr(f, "api_implements") : undefined;
    if (!f || !impl) return name;
    const device = (n: string) => {
      const fn = this.functions.get(n);
      return (fn ? apiAttr(fn, "api_preferred_device") : undefined)?.toUpperCase() ?? "";
    };
    const cands = this.implementations.get(impl) ?? [name];
    if (device(name) === "CPU" || device(name) === "") return name;
    return cands.find((c) => device(c) === "CPU") ?? name;
  }

  /** Every body compiled so far (top-level graph and functions). */
  compiledBodies(): Body[] {
    return [...(this.main ? [this.main] : []), ...this.bodies.values()];
  }

  mainBody(): Body {
    if (!this.main) {
      this.main = compileGraph(this.graph.node ?? [], this.resolver);
      if (this.optimize) this.fusedNodes += optimizeBody(this.main);
    }
    return this.main;
  }

  /** The compiled body of library function `name` (after implementation selection by the caller). */
  functionBody(name: string): Body {
    let b = this.bodies.get(name);
    if (!b) {
      const f = this.functions.get(name);
      if (!f) throw new Error(`function "${name}" is not in the graph's library`);
      b = compileFunction(f, this.resolver);
      if (this.optimize) this.fusedNodes += optimizeBody(b);
      this.bodies.set(name, b);
    }
    return b;
  }
}

function makeNode(idx: number, def: INodeDef, resolver: OpResolver): CNode {
  const op = def.op ?? "";
  const schema = resolver.get(op);
  const attrs = withDefaults(def, schema) as Attrs;
  let outputCount = -1;
  let outputDtypes: (number | undefined)[] = [];
  if (schema) {
    const lay = outputLayout(schema, attrs);
    if (!lay.some((a) => a.countUnknown)) {
      outputCount = lay.reduce((n, a) => n + a.count, 0);
      outputDtypes = lay.flatMap((a) => a.dtypes);
    }
  }
  return {
    idx,
    name: def.name ?? "",
    op,
    def,
    attrs,
    schema,
    inputs: [],
    control: [],
    outputCount,
    outputDtypes,
    cache: {},
  };
}

export function compileGraph(nodeDefs: INodeDef[], resolver: OpResolver): Body {
  const nodes = nodeDefs.map((d, i) => makeNode(i, d, resolver));
  const byName = new Map<string, number>();
  for (const n of nodes) byName.set(n.name, n.idx);
  let hasTf1Flow = false;
  for (const n of nodes) {
    if (TF1_FLOW_OPS.has(n.op)) hasTf1Flow = true;
    for (const ref of n.def.input ?? []) {
      const r = resolveGraphTensor(ref);
      const src = byName.get(r.node);
      if (src === undefined) {
        n.brokenInput ??= `input "${ref}" names no node in the graph`;
        continue;
      }
      if (r.kind === "control") n.control.push(src);
      else n.inputs.push({ node: src, index: r.index });
    }
  }
  return { name: "", isFunction: false, nodes, byName, args: [], rets: [], retDtypes: [], controlRets: [], hasTf1Flow };
}

export function compileFunction(fn: IFunctionDef, resolver: OpResolver): Body {
  const name = fn.signature?.name ?? "";
  const nodes = (fn.nodeDef ?? []).map((d, i) => makeNode(i, d, resolver));
  const byName = new Map<string, number>();
  for (const n of nodes) byName.set(n.name, n.idx);
  let hasTf1Flow = false;
  const toInput = (ref: string, ctxNode: string): NodeInput | { control: number } => {
    const s = resolveFunctionTensor(ref, fn, resolver, { node: ctxNode });
    if (s.kind === "arg") return { node: -1 - s.argIndex, index: 0 };
    const idx = byName.get(s.node)!;
    if (s.kind === "control") return { control: idx };
    return { node: idx, index: s.index };
  };
  for (const n of nodes) {
    if (TF1_FLOW_OPS.has(n.op)) hasTf1Flow = true;
    for (const ref of n.def.input ?? []) {
      try {
        const r = toInput(ref, n.name);
        if ("control" in r) n.control.push(r.control);
        else n.inputs.push(r);
      } catch (e) {
        n.brokenInput ??= e instanceof Error ? e.message : String(e);
      }
    }
  }
  const sig = fn.signature;
  const args = (sig?.inputArg ?? []).map((a) => ({ name: a.name ?? "", dtype: a.type ? Number(a.type) : undefined }));
  const rets: NodeInput[] = [];
  const retDtypes: (number | undefined)[] = [];
  for (const a of sig?.outputArg ?? []) {
    const ref = fn.ret?.[a.name ?? ""];
    if (ref === undefined) throw new Error(`function "${name}": output "${a.name}" has no ret entry`);
    const r = toInput(ref, `ret ${a.name}`);
    if ("control" in r) throw new Error(`function "${name}": output "${a.name}" is a control reference`);
    rets.push(r);
    retDtypes.push(a.type ? Number(a.type) : undefined);
  }
  const controlRets: number[] = [];
  for (const v of Object.values(fn.controlRet ?? {})) {
    const idx = byName.get(v);
    if (idx !== undefined) controlRets.push(idx);
  }
  return { name, isFunction: true, fn, nodes, byName, args, rets, retDtypes, controlRets, hasTf1Flow };
}

/** Nodes needed for the request, pruned at fed nodes; undefined `order` entries mean a cycle. */
export function neededNodes(body: Body, roots: number[], fed: Set<number>): Set<number> {
  const needed = new Set<number>();
  const stack = roots.filter((n) => n >= 0);
  while (stack.length) {
    const n = stack.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    if (fed.has(n)) continue;
    const node = body.nodes[n];
    for (const i of node.inputs) if (i.node >= 0 && !needed.has(i.node)) stack.push(i.node);
    for (const c of node.control) if (!needed.has(c)) stack.push(c);
  }
  return needed;
}
