/**
 * Which variable a node inside a TF2 function body reads: `Conv2D/ReadVariableOp` in a Keras layer's
 * function reads the resource argument `conv2d_readvariableop_resource`. Concrete functions in the
 * object graph list their captured variables (`bound_inputs`, the last arguments, in order); other
 * functions get theirs from the call nodes (PartitionedCall / StatefulPartitionedCall) of their
 * callers, so the argument is followed up the call chain until a concrete function binds it.
 * Pure: runs in the decode worker on a decoded MetaGraph.
 */
import type { MetaGraph } from "../savedmodel/savedModel.js";
import type { ModelVariables, VariableInfo } from "../savedmodel/modelTypes.js";
import { DataType } from "../savedmodel/dtypes.js";

const CALL_OPS = new Set(["PartitionedCall", "StatefulPartitionedCall"]);
const MAX_DEPTH = 16;

interface CallSite {
  caller: string;
  inputs: string[];
}

export class CaptureResolver {
  private callers?: Map<string, CallSite[]>;

  constructor(private readonly mg: MetaGraph) {}

  /** Callee → the call nodes that call it (decodes every function body once). */
  private callSites(): Map<string, CallSite[]> {
    if (this.callers) return this.callers;
    const map = new Map<string, CallSite[]>();
    for (const { name } of this.mg.functionSummaries) {
      const fd = this.mg.functionDef(name);
      for (const n of fd?.nodeDef ?? []) {
        const callee = CALL_OPS.has(n.op ?? "") ? n.attr?.f?.func?.name : undefined;
        if (!callee) continue;
        const list = map.get(callee) ?? [];
        list.push({ caller: name, inputs: (n.input ?? []).filter((i) => !i.startsWith("^")) });
        map.set(callee, list);
      }
    }
    return (this.callers = map);
  }

  /** Object-graph node id of the variable behind argument `arg` of function `fn`. */
  argObject(fn: string, arg: string, depth = 0): number | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const fd = this.mg.functionDef(fn);
    const args = fd?.signature?.inputArg ?? [];
    const idx = args.findIndex((a) => a.name === arg);
    if (idx < 0) return undefined;
    const bound = this.mg.objectGraph()?.concreteFunctions?.[fn]?.boundInputs ?? [];
    const k = idx - (args.length - bound.length);
    if (bound.length && k >= 0) return bound[k];
    for (const site of this.callSites().get(fn) ?? []) {
      const input = site.inputs[idx];
      if (!input || input.includes(":")) continue; // a node output of the caller, not one of its arguments
      const id = this.argObject(site.caller, input, depth + 1);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /** Object id of the variable that node `node` of function `fn` reads or writes (or is, for an argument). */
  nodeObject(fn: string, node: string): number | undefined {
    const fd = this.mg.functionDef(fn);
    if (!fd) return undefined;
    if (fd.signature?.inputArg?.some((a) => a.name === node)) return this.argObject(fn, node);
    const nd = fd.nodeDef.find((n) => n.name === node);
    if (!nd) return undefined;
    const resourceArgs = new Set(
      (fd.signature?.inputArg ?? []).filter((a) => a.type === DataType.DT_RESOURCE).map((a) => a.name ?? ""),
    );
    for (const input of nd.input ?? []) {
      if (input.startsWith("^") || input.includes(":")) continue;
      if (resourceArgs.has(input)) {
        const id = this.argObject(fn, input);
        if (id !== undefined) return id;
      }
    }
    return undefined;
  }
}

/** The variable behind a node of a function body, via the object graph; undefined when not found. */
export function variableOfNode(
  mg: MetaGraph,
  vars: ModelVariables | undefined,
  fn: string,
  node: string,
  resolver = new CaptureResolver(mg),
): VariableInfo | undefined {
  const id = resolver.nodeObject(fn, node);
  if (id === undefined || !vars) return undefined;
  return vars.variables.find((v) => v.objectId === id);
}
