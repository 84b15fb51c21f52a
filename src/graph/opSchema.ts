/**
 * Op output layouts and attribute defaults for the graph builder: the model's `stripped_op_list` first,
 * then the project op registry, then function signatures (src/savedmodel/opRegistry `OpResolver`).
 */
import type { IAttrValue, IFunctionDef, IOpDef } from "../savedmodel/proto.js";
import { dtypeShortName } from "../savedmodel/dtypes.js";
import { OpResolver, outputLayout } from "../savedmodel/opRegistry/index.js";

/** One output argument's flat range. */
export interface OutputRange {
  name: string;
  start: number;
  count: number;
  /** dtype per flat output in the range, when known. */
  dtypes: (string | undefined)[];
}

export class OpSchemas {
  private readonly resolver: OpResolver;
  private readonly layouts = new Map<string, OutputRange[] | undefined>();

  constructor(strippedOps: readonly IOpDef[] | null | undefined, functions: readonly IFunctionDef[]) {
    this.resolver = new OpResolver({ strippedOpList: [...(strippedOps ?? [])], functions: [...functions] });
  }

  /** Attribute defaults of an op that `attrs` lacks. */
  defaults(op: string, attrs: Record<string, IAttrValue>): [string, IAttrValue][] {
    const out: [string, IAttrValue][] = [];
    for (const a of this.resolver.get(op)?.attrs ?? [])
      if (a.default && !Object.prototype.hasOwnProperty.call(attrs, a.name)) out.push([a.name, a.default]);
    return out;
  }

  /** Flat output ranges per output arg; undefined when the op is unknown. */
  outputLayout(op: string, attrs: Record<string, IAttrValue>): OutputRange[] | undefined {
    const schema = this.resolver.get(op);
    if (!schema) return undefined;
    // Layouts depend only on the attrs that size/type the outputs: cache by their values. Callers never mutate.
    let key = op;
    for (const a of schema.outputs) {
      for (const n of [a.typeAttr, a.numberAttr, a.typeListAttr]) {
        if (!n) continue;
        const v = attrs[n];
        key += `|${v ? `${v.type ?? ""}:${v.i ?? ""}:${v.list?.type?.join(",") ?? ""}` : "-"}`;
      }
    }
    if (this.layouts.has(key)) return this.layouts.get(key);
    const full: Record<string, IAttrValue> = { ...attrs };
    for (const a of schema.attrs)
      if (a.default && !Object.prototype.hasOwnProperty.call(full, a.name)) full[a.name] = a.default;
    const ranges = outputLayout(schema, full).map((r) => ({
      name: r.name,
      start: r.start,
      count: r.count,
      dtypes: r.dtypes.map((d) => (d === undefined ? undefined : dtypeShortName(r.isRef ? d + 100 : d))),
    }));
    if (this.layouts.size < 100_000) this.layouts.set(key, ranges);
    return ranges;
  }
}
