/**
 * OpResolver: finds the schema for an op type the way TensorFlow would at load time — the
 * model's own stripped_op_list first (it matches the producer's TF version), then the bundled
 * registry, then a library function's signature (function-call nodes use the function name as op).
 */
import type { IAttrValue, IFunctionDef, INodeDef, IOpDef } from "../proto.js";
import { hasRegistryOp, registryOp } from "./registry.js";
import { schemaFromOpDef } from "./schema.js";
import type { OpSchema } from "./schema.js";

export interface OpResolverOptions {
  /** meta_info_def.stripped_op_list.op of the MetaGraphDef. */
  strippedOpList?: IOpDef[] | null;
  /** graph_def.library.function of the MetaGraphDef. */
  functions?: IFunctionDef[] | null;
}

export class OpResolver {
  private readonly model = new Map<string, IOpDef>();
  private readonly fns = new Map<string, IFunctionDef>();
  private readonly cache = new Map<string, OpSchema | null>();

  constructor(opts: OpResolverOptions = {}) {
    for (const d of opts.strippedOpList ?? []) if (d?.name) this.model.set(d.name, d);
    for (const f of opts.functions ?? []) {
      const n = f?.signature?.name;
      if (n) this.fns.set(n, f);
    }
  }

  get(op: string): OpSchema | undefined {
    const hit = this.cache.get(op);
    if (hit !== undefined) return hit ?? undefined;
    let schema: OpSchema | undefined;
    const def = this.model.get(op);
    if (def) schema = schemaFromOpDef(def, "model");
    else schema = registryOp(op);
    if (!schema) {
      const fn = this.fns.get(op);
      if (fn?.signature) schema = schemaFromOpDef(fn.signature, "function");
    }
    this.cache.set(op, schema ?? null);
    return schema;
  }

  has(op: string): boolean {
    return this.model.has(op) || hasRegistryOp(op) || this.fns.has(op);
  }

  /** The bundled registry's schema, ignoring the model's stripped_op_list and its functions. */
  registryOnly(op: string): OpSchema | undefined {
    return registryOp(op);
  }

  /** The library function called by op type `op` (a plain function-call node), if any. */
  functionFor(op: string): IFunctionDef | undefined {
    return this.fns.get(op);
  }
}

/**
 * The node's attrs plus every attr its schema declares with a default that the node lacks
 * (exports with meta_info_def.stripped_default_attrs drop attrs equal to their default).
 * Returns a new object; the node is never modified. Default values are shared — do not mutate them.
 */
export function withDefaults(node: INodeDef, schema?: OpSchema): Record<string, IAttrValue> {
  const out: Record<string, IAttrValue> = { ...(node.attr ?? {}) };
  if (schema) {
    for (const a of schema.attrs) {
      if (a.default && !Object.prototype.hasOwnProperty.call(out, a.name)) out[a.name] = a.default;
    }
  }
  return out;
}
