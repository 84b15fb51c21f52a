/**
 * Op output layouts and attribute defaults for the graph builder, from the model's `stripped_op_list` and
 * its function signatures. Kept behind this small interface so the project op registry
 * (src/savedmodel/opRegistry) can replace the lookup without touching the builder.
 */
import type { IAttrValue, IFunctionDef, IOpDef } from "../savedmodel/proto.js";
import { dtypeShortName } from "../savedmodel/dtypes.js";

/** One output argument's flat range. */
export interface OutputRange {
  name: string;
  start: number;
  count: number;
  /** dtype per flat output in the range, when known. */
  dtypes: (string | undefined)[];
}

export class OpSchemas {
  private readonly ops = new Map<string, IOpDef>();

  constructor(strippedOps: readonly IOpDef[] | null | undefined, functions: readonly IFunctionDef[]) {
    for (const op of strippedOps ?? []) if (op.name) this.ops.set(op.name, op);
    for (const f of functions) if (f.signature?.name) this.ops.set(f.signature.name, f.signature);
  }

  get(op: string): IOpDef | undefined {
    return this.ops.get(op);
  }

  /** Attribute defaults of an op (only attrs absent from `attrs`). */
  defaults(op: string, attrs: Record<string, IAttrValue>): [string, IAttrValue][] {
    const def = this.ops.get(op);
    const out: [string, IAttrValue][] = [];
    for (const a of def?.attr ?? [])
      if (a.name && !(a.name in attrs) && a.defaultValue) out.push([a.name, a.defaultValue]);
    return out;
  }

  /** Flat output ranges per output arg; undefined when the op is unknown. */
  outputLayout(op: string, attrs: Record<string, IAttrValue>): OutputRange[] | undefined {
    const def = this.ops.get(op);
    if (!def) return undefined;
    const out: OutputRange[] = [];
    let start = 0;
    for (const arg of def.outputArg ?? []) {
      let count = 1;
      let dtypes: (string | undefined)[];
      const attr = (n: string | null | undefined) => (n ? (attrs[n] ?? defaultOf(def, n)) : undefined);
      if (arg.numberAttr) {
        count = Number(attr(arg.numberAttr)?.i ?? 1);
        const t = arg.typeAttr ? attr(arg.typeAttr)?.type : arg.type;
        dtypes = new Array(count).fill(t ? dtypeShortName(t) : undefined);
      } else if (arg.typeListAttr) {
        const types = attr(arg.typeListAttr)?.list?.type ?? [];
        count = types.length;
        dtypes = types.map((t) => dtypeShortName(t));
      } else {
        const t = arg.typeAttr ? attr(arg.typeAttr)?.type : arg.type;
        dtypes = [t ? dtypeShortName(t) : undefined];
      }
      if (!Number.isFinite(count) || count < 0 || count > 1e6) count = 1;
      out.push({ name: arg.name ?? "", start, count, dtypes });
      start += count;
    }
    return out;
  }
}

function defaultOf(def: IOpDef, name: string): IAttrValue | undefined {
  return def.attr?.find((a) => a.name === name)?.defaultValue ?? undefined;
}
