/**
 * Tensor references. GraphDef inputs are "node", "node:1", "^node". FunctionDef bodies use
 * "arg" (an input arg of the signature), "node:output_arg:index" (index within that output arg)
 * and "^node"; resolving the latter to a flat output index needs the producer's op schema.
 */
import { SavedModelError } from "../errors.js";
import type { IFunctionDef, INodeDef } from "../proto.js";
import { outputLayout } from "./layout.js";
import type { ArgLayout } from "./layout.js";
import { withDefaults } from "./resolver.js";
import type { OpResolver } from "./resolver.js";

export type TensorSource =
  | { kind: "arg"; argIndex: number; name: string }
  | { kind: "node"; node: string; index: number }
  | { kind: "control"; node: string };

export type GraphTensorRef = { kind: "node"; node: string; index: number } | { kind: "control"; node: string };

/** A tensor reference that does not resolve: names the function, the node using it and the reference. */
export class TensorRefError extends SavedModelError {
  readonly ref: string;
  readonly functionName?: string;
  readonly node?: string;
  constructor(ref: string, detail: string, ctx: RefContext & { functionName?: string } = {}) {
    const where = [
      ctx.functionName !== undefined ? `function "${ctx.functionName}"` : undefined,
      ctx.node !== undefined ? `node "${ctx.node}"` : undefined,
    ]
      .filter(Boolean)
      .join(" ");
    super(ctx.file ?? "saved_model.pb", `${where ? where + ": " : ""}reference "${ref}": ${detail}`, {
      field: ctx.field,
    });
    this.name = "TensorRefError";
    this.ref = ref;
    this.functionName = ctx.functionName;
    this.node = ctx.node;
  }
}

export interface RefContext {
  /** File named in errors (default "saved_model.pb"). */
  file?: string;
  /** The node (or "ret <name>") whose input this reference is, for error messages. */
  node?: string;
  /** Field path for errors, e.g. "meta_graphs[0].graph_def.library.function[3]". */
  field?: string;
}

/** Parses a GraphDef input name: "node" (output 0), "node:1", "^node" (control). */
export function resolveGraphTensor(ref: string): GraphTensorRef {
  if (ref.startsWith("^")) return { kind: "control", node: ref.slice(1) };
  const c = ref.lastIndexOf(":");
  if (c > 0 && /^\d+$/.test(ref.slice(c + 1)))
    return { kind: "node", node: ref.slice(0, c), index: Number(ref.slice(c + 1)) };
  return { kind: "node", node: ref, index: 0 };
}

interface FnIndex {
  nodes: Map<string, INodeDef>;
  args: Map<string, number>;
  layouts: Map<string, ArgLayout[] | null>;
}
const fnIndexes = new WeakMap<IFunctionDef, FnIndex>();

function indexOf(fn: IFunctionDef): FnIndex {
  let ix = fnIndexes.get(fn);
  if (!ix) {
    const nodes = new Map<string, INodeDef>();
    for (const n of fn.nodeDef ?? []) if (n.name) nodes.set(n.name, n);
    const args = new Map<string, number>();
    (fn.signature?.inputArg ?? []).forEach((a, i) => {
      if (a.name && !args.has(a.name)) args.set(a.name, i);
    });
    ix = { nodes, args, layouts: new Map() };
    fnIndexes.set(fn, ix);
  }
  return ix;
}

/** Output layout of a function body node (attrs with defaults filled), cached per function. */
export function functionNodeOutputs(fn: IFunctionDef, nodeName: string, resolver: OpResolver): ArgLayout[] | undefined {
  const ix = indexOf(fn);
  let lay = ix.layouts.get(nodeName);
  if (lay === undefined) {
    const node = ix.nodes.get(nodeName);
    const schema = node ? resolver.get(node.op ?? "") : undefined;
    lay = node && schema ? outputLayout(schema, withDefaults(node, schema)) : null;
    ix.layouts.set(nodeName, lay);
  }
  return lay ?? undefined;
}

/**
 * Resolves a FunctionDef body reference to a signature input arg, a flat output of a body node,
 * or a control dependency. Throws TensorRefError when the arg/node/output does not exist.
 */
export function resolveFunctionTensor(
  ref: string,
  fn: IFunctionDef,
  resolver: OpResolver,
  ctx: RefContext = {},
): TensorSource {
  const ix = indexOf(fn);
  const err = (detail: string) => new TensorRefError(ref, detail, { ...ctx, functionName: fn.signature?.name ?? "" });
  if (ref.startsWith("^")) {
    const node = ref.slice(1);
    if (!ix.nodes.has(node)) throw err(`no node "${node}" in the function body`);
    return { kind: "control", node };
  }
  const parts = ref.split(":");
  if (parts.length === 1) {
    const argIndex = ix.args.get(ref);
    if (argIndex === undefined) throw err(`no input argument "${ref}" in the function signature`);
    return { kind: "arg", argIndex, name: ref };
  }
  const nodeName = parts[0];
  const node = ix.nodes.get(nodeName);
  if (!node) throw err(`no node "${nodeName}" in the function body`);
  // GraphDef-style "node:3" (flat index) is accepted too.
  if (parts.length === 2 && /^\d+$/.test(parts[1])) return { kind: "node", node: nodeName, index: Number(parts[1]) };
  if (parts.length > 3) throw err(`expected "node:output_arg:index"`);
  const outArg = parts[1];
  const idxText = parts.length === 3 ? parts[2] : "0";
  if (!/^\d+$/.test(idxText)) throw err(`output index "${idxText}" is not a number`);
  const idx = Number(idxText);
  const layout = functionNodeOutputs(fn, nodeName, resolver);
  if (!layout)
    throw err(
      `op "${node.op ?? ""}" of node "${nodeName}" is unknown (not in the model's op list, the registry or the library)`,
    );
  const arg = layout.find((a) => a.name === outArg);
  if (!arg) {
    const names = layout.map((a) => a.name).join(", ") || "none";
    throw err(`op "${node.op ?? ""}" has no output "${outArg}" (outputs: ${names})`);
  }
  if (!arg.countUnknown && idx >= arg.count) {
    throw err(`output "${outArg}" of node "${nodeName}" has ${arg.count} tensor(s); index ${idx} is out of range`);
  }
  return { kind: "node", node: nodeName, index: arg.start + idx };
}

export interface FunctionOutput {
  outputArg: string;
  source: TensorSource;
}

/** The function's ret map resolved in signature output order. Throws TensorRefError when an output has no ret entry. */
export function functionOutputs(fn: IFunctionDef, resolver: OpResolver, ctx: RefContext = {}): FunctionOutput[] {
  const ret = fn.ret ?? {};
  return (fn.signature?.outputArg ?? []).map((a) => {
    const name = a.name ?? "";
    const ref = Object.prototype.hasOwnProperty.call(ret, name) ? ret[name] : undefined;
    if (ref === undefined) {
      throw new TensorRefError("", `output "${name}" has no ret entry`, {
        ...ctx,
        functionName: fn.signature?.name ?? "",
      });
    }
    return {
      outputArg: name,
      source: resolveFunctionTensor(ref, fn, resolver, { ...ctx, node: ctx.node ?? `ret ${name}` }),
    };
  });
}
