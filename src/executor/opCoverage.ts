/**
 * What the executor does with each TensorFlow op: runs it (which family, whether it computes with tfjs
 * kernels), or refuses it by design (and why). `scripts/ops-table.mjs` turns this into docs/ops.md.
 */
import { allKernels, kernelFamily } from "./ops/index.js";
import { REFUSED_IN_SIGNATURES } from "./session.js";
import { CPU_ROUTED } from "./tfjs/runtime.js";
import { KNOWN_CUSTOM_OP, UNSAFE_OPS } from "./unsafeOps.js";
import { NOT_SERVING_OPS } from "./refusals.js";

/** Why the executor refuses `op` by design, or undefined when it does not. */
export function refusalReason(op: string): string | undefined {
  if (UNSAFE_OPS[op])
    return `${UNSAFE_OPS[op]}: the executor never touches files, network or processes outside the export`;
  if (REFUSED_IN_SIGNATURES[op])
    return `${REFUSED_IN_SIGNATURES[op]} (allowed only in the load-time restore from the export's variables/)`;
  if (NOT_SERVING_OPS[op]) return NOT_SERVING_OPS[op];
  if (KNOWN_CUSTOM_OP.test(op))
    return "custom op of a TensorFlow add-on library (TF Text, Decision Forests, ...): native code that is not part of TensorFlow";
  return undefined;
}

export interface OpRow {
  op: string;
  family: string;
  /** Computes with tfjs kernels (runs on the session's backend, tfjs-cpu when wasm lacks the kernel). */
  compute: boolean;
  /** Always routed to tfjs-cpu on wasm sessions. */
  cpuOnly: boolean;
  /** A refused-by-design op whose kernel refuses at run time (e.g. WriteFile). */
  refused?: string;
}

/** Every op with a kernel, sorted. */
export function kernelRows(): OpRow[] {
  const k = allKernels();
  return Object.keys(k)
    .sort()
    .map((op) => ({
      op,
      family: kernelFamily(op) ?? "?",
      compute: !!k[op].compute,
      cpuOnly: CPU_ROUTED.has(op),
      ...(k[op].unsafe || refusalReason(op)
        ? { refused: refusalReason(op) ?? "refused outside the export's assets" }
        : {}),
    }));
}
