/** The kernel contract shared by every op family. */
import type * as tf from "@tensorflow/tfjs-core";
import type { Attrs } from "./attrs.js";
import type { Body, CNode } from "./graph.js";
import type { SessionState } from "./state.js";
import type { Value } from "./values.js";

export interface ProfileEntry {
  node: string;
  op: string;
  fn: string;
  ms: number;
  /** A function call or functional control flow: `ms` includes the nodes it ran (listed separately). */
  inclusive?: boolean;
}

/** Per-run state: shared by the top-level graph and every function call it makes. */
export interface RunState {
  session: SessionState;
  signal?: AbortSignal;
  /** Function-call nesting depth (recursion guard). */
  depth: number;
  /** Tensors held by live value slots, with their slot counts. */
  live: Map<tf.Tensor, number>;
  /** tfjs-converter ExecutionContext (TensorArray/TensorList storage) for this run. */
  converterCtx: unknown;
  profile?: ProfileEntry[];
  nodesExecuted: number;
  /** Tensors pinned (kept beyond the run) during this run. */
  pinnedThisRun: tf.Tensor[];
  /** Function-call stack, for error messages. */
  stack: string[];
  /** The session's backend; compute ops switch back to it after a tfjs-cpu detour. */
  backend: string;
  /** Intermediate tensors to capture inside function bodies: body name → node index → (output index, key). */
  taps?: Map<string, Map<number, { index: number; key: string }[]>>;
  /** Captured tap values (the last execution wins, e.g. inside loops). */
  tapped?: Map<string, Value>;
  /** Ops that ran on the tfjs-cpu fallback in this run (wasm lacks them or they take strings), with counts. */
  cpuFallback?: Map<string, number>;
}

export interface OpContext {
  node: CNode;
  body: Body;
  attrs: Attrs;
  inputs: Value[];
  run: RunState;
}

export interface KernelDef {
  run(c: OpContext): Value[] | Promise<Value[]>;
  /** Receives TF1 ref variables (RefVar) as they are, instead of their current value. */
  refInputs?: boolean;
  /** Receives dead inputs (TF1 Merge). */
  deadInputs?: boolean;
  /** Reads or writes files, network or processes: refused unless `allow` says it is safe here. */
  unsafe?: boolean;
  /** Computes with tfjs kernels: runs on the preferred backend (or tfjs-cpu for ops wasm lacks / strings). */
  compute?: boolean;
  /** Runs library functions (its profile time includes theirs). */
  calls?: boolean;
}

export type KernelTable = Record<string, KernelDef>;

/** An error in one node, naming node, op, function and input shapes. */
export class NodeError extends Error {
  constructor(
    readonly node: string,
    readonly op: string,
    readonly fn: string,
    readonly inputShapes: string[],
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `node "${node}" (op ${op}${fn ? `, in function "${fn}"` : ", in the top-level graph"})` +
        `${inputShapes.length ? ` with inputs ${listInputs(inputShapes)}` : ""}: ${detail}`,
      options,
    );
    this.name = "NodeError";
  }
}

/** Input descriptions for a message: a node with thousands of inputs (Concat, AddN) is abbreviated. */
function listInputs(shapes: string[]): string {
  return shapes.length <= 8
    ? shapes.join(", ")
    : `${shapes.slice(0, 4).join(", ")} and ${shapes.length - 4} more (${shapes.length} inputs)`;
}

/** Missing kernels for a signature: op → the nodes that use it (function-qualified). */
export interface MissingOp {
  op: string;
  nodes: string[];
  /** True for known custom-op families (TF Text, Decision Forests, ...). */
  custom?: boolean;
  /** Why the executor has no kernel on purpose (GPU-only, training input pipelines). */
  why?: string;
  /** Why the op is refused (it touches files, network or processes): never run, refused before the run starts. */
  refused?: string;
}
