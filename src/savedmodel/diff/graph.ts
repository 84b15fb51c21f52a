/**
 * Graph diff of two meta graphs: op histogram changes; library functions matched by name, by name without
 * TensorFlow's numeric suffix (`__inference_call_1234` ~ `__inference_call_5678`) and by structure; nodes added,
 * removed and changed (op, attributes, inputs, device) in the graph and in matched functions; and per signature
 * the node changes in what the signature reaches, with the function each sits in.
 */
import { calledFunctions, nodeOfTensor } from "../model.js";
import type { SignatureInfo } from "../modelTypes.js";
import { tensorflow } from "../proto.js";
import type { MetaGraph } from "../savedModel.js";
import type { FunctionMatch, GraphDiff, NodeChange, OpCountChange, SignatureGraphDiff } from "./types.js";

/** A library function's name without TensorFlow's trailing numeric uid ("__inference_call_1234" → "__inference_call"). */
export function functionBaseName(name: string): string {
  return name.replace(/_\d+$/, "");
}

type Node = tensorflow.INodeDef;

function opHistogram(nodes: Node[], functions: tensorflow.IFunctionDef[]): Map<string, number> {
  const h = new Map<string, number>();
  const add = (op: string) => h.set(op, (h.get(op) ?? 0) + 1);
  for (const n of nodes) add(n.op ?? "");
  for (const f of functions) for (const n of f.nodeDef ?? []) add(n.op ?? "");
  return h;
}

/** Structure of a function body independent of its name: argument dtypes and the multiset of node ops. */
export function functionStructure(f: tensorflow.IFunctionDef): string {
  const sig = f.signature;
  const args = (sig?.inputArg ?? []).map((a) => a.type ?? 0).join(",");
  const outs = (sig?.outputArg ?? []).map((a) => a.type ?? 0).join(",");
  const ops = (f.nodeDef ?? []).map((n) => functionBaseName(n.op ?? "")).sort();
  return `${args}->${outs}|${ops.join(" ")}`;
}

const ATTR_OPTS = { longs: String, bytes: String, enums: Number, defaults: false } as const;

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** An attribute value as comparable text, with function names reduced to their base names. */
function attrText(v: tensorflow.IAttrValue): string {
  const o = tensorflow.AttrValue.toObject(tensorflow.AttrValue.fromObject(v), ATTR_OPTS) as {
    func?: { name?: string };
    list?: { func?: { name?: string }[] };
  };
  if (o.func?.name) o.func.name = functionBaseName(o.func.name);
  for (const f of o.list?.func ?? []) if (f.name) f.name = functionBaseName(f.name);
  return stable(o);
}

function diffNodes(fn: string, na: Node[], nb: Node[], libA: Set<string>, libB: Set<string>): NodeChange[] {
  const out: NodeChange[] = [];
  const ma = new Map(na.map((n) => [n.name ?? "", n]));
  const mb = new Map(nb.map((n) => [n.name ?? "", n]));
  const opOf = (n: Node, lib: Set<string>) => (lib.has(n.op ?? "") ? functionBaseName(n.op ?? "") : (n.op ?? ""));
  // a node whose op changed may name its output args differently ("relu:activations:0" vs "tanh:y:0"): inputs
  // from it are compared by node and index only, so one op change is reported once
  const opChanged = new Set<string>();
  for (const [name, a] of ma) {
    const b = mb.get(name);
    if (b && opOf(a, libA) !== opOf(b, libB)) opChanged.add(name);
  }
  const inputText = (n: Node) =>
    (n.input ?? [])
      .map((i) => {
        const p = i.split(":");
        return p.length === 3 && opChanged.has(p[0]) ? `${p[0]}:*:${p[2]}` : i;
      })
      .join(",");
  for (const [name, a] of ma) {
    const b = mb.get(name);
    if (!b) {
      out.push({ kind: "removed", function: fn, node: name, op: a.op ?? "" });
      continue;
    }
    const what: NonNullable<NodeChange["what"]> = [];
    const opA = opOf(a, libA);
    const opB = opOf(b, libB);
    if (opA !== opB) what.push("op");
    const attrsA = a.attr ?? {};
    const attrsB = b.attr ?? {};
    const changedAttrs: string[] = [];
    for (const k of new Set([...Object.keys(attrsA), ...Object.keys(attrsB)])) {
      const x = attrsA[k];
      const y = attrsB[k];
      if (!x || !y || attrText(x) !== attrText(y)) changedAttrs.push(k);
    }
    if (changedAttrs.length) what.push("attrs");
    if (inputText(a) !== inputText(b)) what.push("inputs");
    const inA = (a.input ?? []).join(",");
    const inB = (b.input ?? []).join(",");
    if ((a.device ?? "") !== (b.device ?? "")) what.push("device");
    if (!what.length) continue;
    const c: NodeChange = { kind: "changed", function: fn, node: name, op: b.op ?? "", what };
    if (changedAttrs.length) c.attrs = changedAttrs.sort();
    if (what.includes("op")) {
      c.before = a.op ?? "";
      c.after = b.op ?? "";
    } else if (what.includes("inputs")) {
      c.before = inA;
      c.after = inB;
    } else if (what.includes("device")) {
      c.before = a.device ?? "";
      c.after = b.device ?? "";
    }
    out.push(c);
  }
  for (const [name, b] of mb) if (!ma.has(name)) out.push({ kind: "added", function: fn, node: name, op: b.op ?? "" });
  return out;
}

/** Pairs library functions of A and B: same name, then same base name, then same structure. */
export function matchFunctions(
  fa: tensorflow.IFunctionDef[],
  fb: tensorflow.IFunctionDef[],
): { matched: Omit<FunctionMatch, "changed">[]; added: string[]; removed: string[] } {
  const name = (f: tensorflow.IFunctionDef) => f.signature?.name ?? "";
  const structA = new Map(fa.map((f) => [name(f), functionStructure(f)]));
  const structB = new Map(fb.map((f) => [name(f), functionStructure(f)]));
  const restA = new Set(fa.map(name));
  const restB = new Set(fb.map(name));
  const matched: Omit<FunctionMatch, "changed">[] = [];
  const pair = (a: string, b: string, by: FunctionMatch["matchedBy"]) => {
    matched.push({ a, b, matchedBy: by });
    restA.delete(a);
    restB.delete(b);
  };
  for (const n of [...restA]) if (restB.has(n)) pair(n, n, "name");
  const group = (names: Set<string>) => {
    const g = new Map<string, string[]>();
    for (const n of [...names].sort()) {
      const k = functionBaseName(n);
      g.set(k, [...(g.get(k) ?? []), n]);
    }
    return g;
  };
  const ga = group(restA);
  const gb = group(restB);
  for (const [base, as] of ga) {
    const bs = gb.get(base);
    if (!bs) continue;
    const left = [...bs];
    const rest: string[] = [];
    for (const a of as) {
      const i = left.findIndex((b) => structB.get(b) === structA.get(a));
      if (i >= 0) pair(a, left.splice(i, 1)[0], "name_without_suffix");
      else rest.push(a);
    }
    for (const a of rest) if (left.length) pair(a, left.shift()!, "name_without_suffix");
  }
  const byStructB = new Map<string, string[]>();
  for (const b of [...restB].sort()) byStructB.set(structB.get(b)!, [...(byStructB.get(structB.get(b)!) ?? []), b]);
  for (const a of [...restA].sort()) {
    const c = byStructB.get(structA.get(a)!);
    if (c?.length) pair(a, c.shift()!, "structure");
  }
  return { matched, added: [...restB].sort(), removed: [...restA].sort() };
}

/** Functions a set of roots reaches through call attrs and library-op calls (the roots included). */
function reach(roots: string[], defs: Map<string, tensorflow.IFunctionDef>): Set<string> {
  const seen = new Set<string>();
  const lib = new Set(defs.keys());
  const stack = roots.filter((r) => defs.has(r));
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const node of defs.get(n)?.nodeDef ?? []) stack.push(...calledFunctions(node, lib).filter((c) => defs.has(c)));
  }
  return seen;
}

/**
 * Top-level nodes the signature runs: the backward slice from its outputs, stopping at the nodes its inputs
 * feed (what feeds them does not run when the signature is called), plus those input nodes — the slice the
 * graph view draws for the signature (src/graph/build.ts signatureSlice).
 */
function graphSlice(nodes: Node[], s: SignatureInfo | undefined): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name ?? "", n]));
  const seen = new Set<string>();
  if (!s) return seen;
  const tensors = (t: SignatureInfo["outputs"][number]) =>
    (t.tensorName
      ? [t.tensorName]
      : t.sparse
        ? Object.values(t.sparse)
        : (t.composite?.components ?? []).map((c) => c.tensorName ?? "")
    ).filter((n) => n);
  const stop = new Set(s.inputs.flatMap(tensors).map(nodeOfTensor));
  const stack: string[] = [...stop];
  for (const t of s.outputs) for (const n of tensors(t)) stack.push(nodeOfTensor(n));
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (stop.has(n)) continue;
    for (const i of byName.get(n)?.input ?? []) stack.push(nodeOfTensor(i));
  }
  return seen;
}

export interface GraphDiffOptions {
  signatureDef?: string;
}

/** Graph diff of two meta graphs with the same tag set; `sigA`/`sigB` are their visible signatures. */
export function diffGraph(
  a: MetaGraph,
  b: MetaGraph,
  sigA: SignatureInfo[],
  sigB: SignatureInfo[],
  opts: GraphDiffOptions = {},
): GraphDiff {
  const nodesA = a.hasGraph ? a.nodes() : [];
  const nodesB = b.hasGraph ? b.nodes() : [];
  const fa = a.functionDefs();
  const fb = b.functionDefs();
  const ha = opHistogram(nodesA, fa);
  const hb = opHistogram(nodesB, fb);
  const opHistogramChanges: OpCountChange[] = [];
  for (const op of [...new Set([...ha.keys(), ...hb.keys()])].sort()) {
    const x = ha.get(op) ?? 0;
    const y = hb.get(op) ?? 0;
    if (x !== y) opHistogramChanges.push({ op, a: x, b: y });
  }
  const libA = new Set(fa.map((f) => f.signature?.name ?? ""));
  const libB = new Set(fb.map((f) => f.signature?.name ?? ""));
  const defsA = new Map(fa.map((f) => [f.signature?.name ?? "", f]));
  const defsB = new Map(fb.map((f) => [f.signature?.name ?? "", f]));
  const m = matchFunctions(fa, fb);
  const nodes: NodeChange[] = diffNodes("", nodesA, nodesB, libA, libB);
  const matched: FunctionMatch[] = m.matched
    .map((p) => {
      const changes = diffNodes(p.b, defsA.get(p.a)?.nodeDef ?? [], defsB.get(p.b)?.nodeDef ?? [], libA, libB);
      nodes.push(...changes);
      return { ...p, changed: changes.length > 0 };
    })
    .sort((x, y) => (x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
  const signatures: SignatureGraphDiff[] = [];
  const nodeByNameB = new Map(nodesB.map((n) => [n.name ?? "", n]));
  const tagSet = a.tags.join(",");
  for (const sb of sigB) {
    if (opts.signatureDef !== undefined && sb.key !== opts.signatureDef) continue;
    const sa = sigA.find((s) => s.key === sb.key);
    if (!sa) continue;
    const fnsB = reach(sb.functionName ? [sb.functionName] : [], defsB);
    const sliceA = graphSlice(nodesA, sa);
    const sliceB = graphSlice(nodesB, sb);
    // functions called from the signature's top-level slice (TF1 graphs calling functions, TF2 call nodes)
    const topCalls = [...sliceB]
      .flatMap((n) => calledFunctions(nodeByNameB.get(n) ?? {}, libB))
      .filter((f) => defsB.has(f));
    for (const f of reach(topCalls, defsB)) fnsB.add(f);
    const inSig = (c: NodeChange) =>
      c.function === "" ? sliceA.has(c.node) || sliceB.has(c.node) : fnsB.has(c.function);
    signatures.push({ tagSet, signature: sb.key, nodes: nodes.filter(inSig) });
  }
  return {
    tagSet,
    opHistogram: opHistogramChanges,
    functions: { matched, added: m.added, removed: m.removed },
    nodes,
    signatures,
  };
}
