/**
 * What the graph view opens on when it is asked for an export's graph without a signature or a function:
 * the callable that computes the model. Signatures first (serving_default, else the first); then, for
 * exports without signatures, the object graph: the root object's `__call__` concrete function, else the
 * function Keras' `call_and_return_conditional_losses` wrapper calls, else the largest function the object
 * graph reaches; a TF1 graph without signatures opens whole. Also lists the views a picker offers.
 */
import type { IFunctionDef, tensorflow } from "../savedmodel/proto.js";

type ISavedObjectGraph = tensorflow.ISavedObjectGraph;
import type { BuildTarget, GraphSource } from "./build.js";
import type { ViewChoice } from "./model.js";

export type { ViewChoice };

const INIT_SIGNATURE = "__saved_model_init_op";
const CALL_OPS = new Set(["PartitionedCall", "StatefulPartitionedCall"]);

/** "__inference_call_1234" -> "call". */
function shortName(fn: string): string {
  return fn.replace(/^__(inference|forward|backward)_/, "").replace(/_\d+$/, "") || fn;
}

function isGradient(fn: string): boolean {
  return /^__(forward|backward)_/.test(fn) || /gradient/i.test(fn);
}

/** The concrete functions of the object-graph node reached from the root by `path` (local names). */
function concreteAt(og: ISavedObjectGraph, path: string[]): string[] {
  const nodes = og.nodes ?? [];
  let id = 0;
  for (const name of path) {
    const ref = nodes[id]?.children?.find((c) => c.localName === name);
    if (!ref || typeof ref.nodeId !== "number") return [];
    id = ref.nodeId;
  }
  const n = nodes[id];
  if (n?.function?.concreteFunctions?.length) return n.function.concreteFunctions;
  if (n?.bareConcreteFunction?.concreteFunctionName) return [n.bareConcreteFunction.concreteFunctionName];
  return [];
}

/** Every concrete function the object graph names (functions, bare concrete functions, the map). */
function reachedFunctions(og: ISavedObjectGraph): string[] {
  const out = new Set<string>();
  for (const n of og.nodes ?? []) {
    for (const f of n.function?.concreteFunctions ?? []) out.add(f);
    if (n.bareConcreteFunction?.concreteFunctionName) out.add(n.bareConcreteFunction.concreteFunctionName);
  }
  for (const f of Object.keys(og.concreteFunctions ?? {})) out.add(f);
  return [...out];
}

/** The function a thin wrapper body calls (its only call op), or the wrapper itself. */
function unwrap(fn: string, fns: Map<string, IFunctionDef>): string {
  const f = fns.get(fn);
  const calls = (f?.nodeDef ?? []).filter((n) => CALL_OPS.has(n.op ?? ""));
  const others = (f?.nodeDef ?? []).length - calls.length;
  const inner = calls.length === 1 && others <= 6 ? calls[0].attr?.f?.func?.name : undefined;
  return inner && fns.has(inner) ? inner : fn;
}

/** Total op count of a function including the bodies it calls (each function counted once). */
function deepSize(fn: string, fns: Map<string, IFunctionDef>, memo = new Map<string, number>()): number {
  const hit = memo.get(fn);
  if (hit !== undefined) return hit;
  memo.set(fn, 0);
  const f = fns.get(fn);
  let n = f?.nodeDef?.length ?? 0;
  for (const nd of f?.nodeDef ?? []) {
    const callee = nd.attr?.f?.func?.name;
    if (callee && fns.has(callee)) n += deepSize(callee, fns, memo);
  }
  memo.set(fn, n);
  return n;
}

function largest(names: string[], fns: Map<string, IFunctionDef>): string | undefined {
  let best: string | undefined;
  let size = -1;
  const memo = new Map<string, number>();
  for (const f of names) {
    if (!fns.has(f) || isGradient(f)) continue;
    const s = deepSize(f, fns, memo);
    if (s > size) [best, size] = [f, s];
  }
  return best;
}

/** The view opened when none is named. */
export function defaultView(src: GraphSource): BuildTarget {
  return chooseDefault(src).target;
}

/** The default view and why it was chosen. */
export function chooseDefault(src: GraphSource): { target: Exclude<BuildTarget, { default: true }>; why: string } {
  const sigs = Object.keys(src.signatures ?? {}).filter((k) => k !== INIT_SIGNATURE);
  if (sigs.length) {
    const s = sigs.includes("serving_default") ? "serving_default" : sigs[0];
    return { target: { signature: s }, why: `signature ${s}` };
  }
  const fns = new Map<string, IFunctionDef>();
  for (const f of src.graphDef.library?.function ?? []) if (f.signature?.name) fns.set(f.signature.name, f);
  const og = src.objectGraph;
  if (og?.nodes?.length) {
    const call = largest(concreteAt(og, ["__call__"]), fns);
    if (call) return { target: { function: unwrap(call, fns) }, why: "the root object's __call__" };
    const keras = largest(concreteAt(og, ["call_and_return_conditional_losses"]), fns);
    if (keras)
      return { target: { function: unwrap(keras, fns) }, why: "what Keras' call_and_return_conditional_losses calls" };
    const any = largest(reachedFunctions(og), fns);
    if (any) return { target: { function: unwrap(any, fns) }, why: "the largest function the object graph reaches" };
  }
  const graphOps = (src.graphDef.node ?? []).filter((n) => !/^(NoOp|Const|Placeholder)$/.test(n.op ?? "")).length;
  if (graphOps === 0 && fns.size) {
    const any = largest([...fns.keys()], fns);
    if (any) return { target: { function: any }, why: "the largest function in the library" };
  }
  return { target: { graph: true }, why: "the whole graph (no signatures)" };
}

/** Views a picker offers: the whole graph, every signature and every concrete function (largest first). */
export function viewChoices(src: GraphSource, max = 200): ViewChoice[] {
  const out: ViewChoice[] = [{ label: "whole graph", target: { graph: true }, nodes: src.graphDef.node?.length ?? 0 }];
  for (const k of Object.keys(src.signatures ?? {}))
    if (k !== INIT_SIGNATURE) out.push({ label: `signature ${k}`, target: { signature: k }, nodes: 0 });
  const fns = (src.graphDef.library?.function ?? [])
    .filter((f) => f.signature?.name && !isGradient(f.signature.name))
    .map((f) => ({ name: f.signature!.name!, nodes: f.nodeDef?.length ?? 0 }))
    .sort((a, b) => b.nodes - a.nodes)
    .slice(0, max);
  for (const f of fns) out.push({ label: `ƒ ${shortName(f.name)}`, target: { function: f.name }, nodes: f.nodes });
  return out;
}
