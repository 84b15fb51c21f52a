/**
 * All kernels: tfjs-converter's op families as the base, our own families on top. Our families must
 * not define the same op twice (checked here); overriding a converter op is deliberate and listed.
 */
import type { KernelTable } from "../kernel.js";
import { converterKernels } from "./converter.js";
import { functionalKernels } from "./functional.js";
import { graphKernels } from "./graph.js";
import { ioKernels } from "./io.js";
import { parsingKernels } from "./parsing.js";
import { stringKernels } from "./strings.js";
import { tableKernels } from "./tables.js";
import { tf1FlowKernels } from "./tf1flow.js";
import { variableKernels } from "./variables.js";
import { miscKernels } from "./misc.js";
import { fusedKernels } from "./fused.js";
import { unicodeKernels } from "./unicode.js";
import { trainingKernels } from "./training.js";
import { reductionKernels } from "./reductions.js";

export const OUR_FAMILIES: Record<string, KernelTable> = {
  graph: graphKernels,
  variables: variableKernels,
  functional: functionalKernels,
  io: ioKernels,
  tables: tableKernels,
  parsing: parsingKernels,
  strings: stringKernels,
  tf1flow: tf1FlowKernels,
  misc: miscKernels,
  fused: fusedKernels,
  unicode: unicodeKernels,
  training: trainingKernels,
  reductions: reductionKernels,
};

/** Converter ops that ours replace on purpose (hash tables keyed by node name, frames, Identity cloning, ...). */
// Prod/Sum/Mean/Max/Min/All/Any: an empty input gives the identity (tfjs-wasm returns garbage).
export const OVERRIDDEN: string[] = [];

let table: KernelTable | undefined;

export function allKernels(): KernelTable {
  if (table) return table;
  const base = converterKernels();
  const ours: KernelTable = {};
  const owner: Record<string, string> = {};
  for (const [family, t] of Object.entries(OUR_FAMILIES)) {
    for (const [op, k] of Object.entries(t)) {
      if (owner[op]) throw new Error(`op ${op} is defined by both the ${owner[op]} and ${family} op families`);
      owner[op] = family;
      ours[op] = k;
      if (base[op]) OVERRIDDEN.push(op);
    }
  }
  table = { ...base, ...ours };
  return table;
}

/** Which family runs an op: one of ours, "converter", or undefined when none. */
export function kernelFamily(op: string): string | undefined {
  for (const [family, t] of Object.entries(OUR_FAMILIES)) if (t[op]) return family;
  return converterKernels()[op] ? "converter" : undefined;
}
