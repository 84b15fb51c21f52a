/**
 * Library functions as a user sees them: signature (args with dtypes and recorded shapes), size,
 * the functions each one calls, Keras implementation-selection tags, and which signatures reach it.
 */
import { dtypeShortName } from "./dtypes.js";
import type { ArgInfo, FunctionInfo, SignatureInfo } from "./modelTypes.js";
import { calledFunctions } from "./model.js";
import type { tensorflow } from "./proto.js";
import type { MetaGraph } from "./savedModel.js";
import { shapeDims } from "./shape.js";

const utf8 = new TextDecoder();

function argInfo(arg: tensorflow.OpDef.IArgDef, attrs?: Record<string, tensorflow.IAttrValue>): ArgInfo {
  const info: ArgInfo = { name: arg.name ?? "" };
  if (arg.type) {
    info.dtype = arg.type;
    info.dtypeShort = dtypeShortName(arg.type);
  }
  const shapes = attrs?.["_output_shapes"]?.list?.shape;
  if (shapes?.length === 1) info.shape = shapeDims(shapes[0]);
  return info;
}

function attrString(v: tensorflow.IAttrValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.s && v.s.length) return utf8.decode(v.s);
  return undefined;
}

/** Every library function of a meta graph (decodes all bodies once). */
export function listFunctions(mg: MetaGraph, signatures: SignatureInfo[] = []): FunctionInfo[] {
  const names = new Set(mg.functionSummaries.map((f) => f.name));
  const infos = new Map<string, FunctionInfo>();
  for (const s of mg.functionSummaries) {
    const f = mg.functionDef(s.name);
    if (!f) continue;
    const sig = f.signature;
    const calls = new Set<string>();
    for (const n of f.nodeDef ?? []) for (const c of calledFunctions(n, names)) calls.add(c);
    infos.set(s.name, {
      name: s.name,
      nodeCount: f.nodeDef?.length ?? 0,
      inputs: (sig?.inputArg ?? []).map((a, i) => argInfo(a, f.argAttr?.[i]?.attr ?? undefined)),
      outputs: (sig?.outputArg ?? []).map((a) => argInfo(a)),
      calls: [...calls].sort(),
      apiImplements: attrString(f.attr?.["_api_implements"]),
      apiPreferredDevice: attrString(f.attr?.["_api_preferred_device"]),
      usedBySignatures: [],
    });
  }
  // which signatures reach each function: calls from the signature's function, transitively
  for (const s of signatures) {
    const roots = new Set<string>();
    if (s.functionName) roots.add(s.functionName);
    const stack = [...roots];
    const seen = new Set<string>();
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const info = infos.get(n);
      if (!info) continue;
      info.usedBySignatures.push(s.key);
      stack.push(...info.calls);
    }
  }
  return [...infos.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
