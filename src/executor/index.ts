/**
 * The bundled executor: run any signature of a SavedModel locally with TensorFlow's loading
 * semantics and tfjs-core kernels. Must be bundled with esbuild (mainFields module,main; CJS).
 */
export {
  loadSession,
  Session,
  MissingOpsError,
  RefusedOpsError,
  INIT_OP_SIGNATURE_KEY,
  denseToCoo,
} from "./session.js";
export type { LoadOptions, RunOptions, RunResult, SignatureInfo, TensorSpec } from "./session.js";
export { NodeError } from "./kernel.js";
export type { MissingOp, ProfileEntry } from "./kernel.js";
export { AbortError } from "./interpreter.js";
export { initBackends, useBackend, wasmAvailable, type BackendName } from "./tfjs/runtime.js";
export { UNSAFE_OPS, SCAN_DENYLIST } from "./unsafeOps.js";
export { examplesFromJson, encodeExample, parseJsonKeepFloats } from "../shared/example.js";
export { evalGraph, type EvalOptions } from "./evalGraph.js";
export { ExecutorWorker, ExecutorError, type WorkerOptions } from "./workerClient.js";
export { converterCategories, converterCategory } from "./ops/converter.js";
export { OUR_FAMILIES, kernelFamily, allKernels } from "./ops/index.js";
export { refusalReason, kernelRows, type OpRow } from "./opCoverage.js";
export { CPU_ROUTED as CPU_ROUTED_FOR_TESTS } from "./tfjs/runtime.js";
