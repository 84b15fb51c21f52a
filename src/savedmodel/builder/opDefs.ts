/**
 * stripped_op_list entries: the OpDef of every op a graph uses, rebuilt from the bundled op registry
 * (TF writes these so a loader can check the graph against its own op versions).
 */
import { registryOp, type ArgSchema } from "../opRegistry/index.js";
import type { IOpDef } from "../proto.js";
import { STATEFUL_OPS } from "./nodeScope.js";

function argDef(a: ArgSchema): NonNullable<IOpDef["inputArg"]>[number] {
  const d: NonNullable<IOpDef["inputArg"]>[number] = { name: a.name };
  if (a.type) d.type = a.type;
  if (a.typeAttr) d.typeAttr = a.typeAttr;
  if (a.numberAttr) d.numberAttr = a.numberAttr;
  if (a.typeListAttr) d.typeListAttr = a.typeListAttr;
  if (a.isRef) d.isRef = true;
  return d;
}

/** The OpDef of `op` from the registry, or undefined for ops it does not know (custom ops, functions). */
export function opDefOf(op: string): IOpDef | undefined {
  const s = registryOp(op);
  if (!s) return undefined;
  const def: IOpDef = {
    name: s.name,
    inputArg: s.inputs.map(argDef),
    outputArg: s.outputs.map(argDef),
    attr: s.attrs.map((a) => {
      const ad: NonNullable<IOpDef["attr"]>[number] = { name: a.name, type: a.type };
      if (a.default) ad.defaultValue = a.default;
      if (a.minimum !== undefined) {
        ad.hasMinimum = true;
        ad.minimum = a.minimum;
      }
      return ad;
    }),
  };
  if (STATEFUL_OPS.has(op)) def.isStateful = true;
  return def;
}

/** OpDefs for the given op types, sorted by name as TF writes them; unknown ops are skipped. */
export function strippedOpList(ops: Iterable<string>): IOpDef[] {
  return [...new Set(ops)]
    .sort()
    .map(opDefOf)
    .filter((d): d is IOpDef => !!d);
}
