/** Session state that persists between runs of one loaded model: variables, tables, pinned tensors. */
import * as tf from "@tensorflow/tfjs-core";
import type { FileAccess } from "../savedmodel/fileAccess.js";
import type { Program } from "./graph.js";
import type { KernelTable, RunState } from "./kernel.js";

export interface VariableSlot {
  key: string;
  /** Declared dtype (TensorFlow DataType). */
  dtype: number;
  shape?: number[];
  value?: tf.Tensor;
}

/** A hash table: keys are strings (decoded bytes) or numbers; values are numbers or strings. */
export interface HashTable {
  key: string;
  keyDtype: number;
  valueDtype: number;
  map: Map<string | number, string | number | Uint8Array>;
  initialized: boolean;
  mutable: boolean;
}

export interface SessionOptions {
  /** Hear about value-changing narrowings, refused ops, etc. */
  onWarning?: (msg: string) => void;
  /** Largest tensor (elements) an op, Const or checkpoint entry may create (default 2^27); hostile Fill/shape guards. */
  maxElements?: number;
  /** Deepest function-call nesting. */
  maxCallDepth?: number;
  /** Inference rewrites such as folding batch norm into convolutions (default true). */
  optimize?: boolean;
  /** Most bytes all live tensors may take during a run (default 1.5 GiB); checked as nodes run. */
  maxTensorBytes?: number;
  /**
   * The memory budget (default 1.5 GiB): JS heap + ArrayBuffers + wasm memory of the process. An op whose output
   * would not fit is refused before it allocates; a run that creeps past it is stopped (guards.ts).
   */
  maxMemoryBytes?: number;
}

export class SessionState {
  readonly vars = new Map<string, VariableSlot>();
  readonly tables = new Map<string, HashTable>();
  readonly pinned = new WeakSet<tf.Tensor>();
  private readonly warned = new Set<string>();
  runWarnings: string[] = [];
  readonly maxElements: number;
  readonly maxCallDepth: number;
  readonly maxTensorBytes: number;
  readonly maxMemoryBytes: number;
  /** Opened tensor bundles by prefix (the contract is TensorBundle from savedmodel/tensorBundle). */
  readonly bundles = new Map<string, Promise<unknown>>();

  constructor(
    readonly program: Program,
    readonly fs: FileAccess,
    readonly kernels: KernelTable,
    readonly opts: SessionOptions = {},
  ) {
    // tfjs-wasm aborts near 2 GiB of heap: keep single tensors and the whole run well below it.
    this.maxElements = opts.maxElements ?? 2 ** 27;
    this.maxCallDepth = opts.maxCallDepth ?? 64;
    this.maxTensorBytes = opts.maxTensorBytes ?? 1.5 * 2 ** 30;
    this.maxMemoryBytes = opts.maxMemoryBytes ?? 1.5 * 2 ** 30;
  }

  warn(msg: string): void {
    if (this.warned.has(msg)) return;
    this.warned.add(msg);
    this.runWarnings.push(msg);
    this.opts.onWarning?.(msg);
  }

  pin(t: tf.Tensor, run?: RunState): void {
    if (this.pinned.has(t)) return;
    this.pinned.add(t);
    run?.pinnedThisRun.push(t);
  }

  /** Replaces a variable's value; the old value is released unless a run still holds it. */
  setVariable(slot: VariableSlot, value: tf.Tensor, run?: RunState): void {
    const old = slot.value;
    if (old === value) return;
    this.pin(value, run);
    slot.value = value;
    if (old) {
      this.pinned.delete(old);
      if (!run?.live.has(old) && !old.isDisposed) old.dispose();
    }
  }

  variable(key: string, dtype: number, shape?: number[]): VariableSlot {
    let s = this.vars.get(key);
    if (!s) {
      s = { key, dtype, shape };
      this.vars.set(key, s);
    }
    return s;
  }

  dispose(): void {
    for (const v of this.vars.values()) {
      if (v.value && !v.value.isDisposed) v.value.dispose();
      v.value = undefined;
    }
    this.vars.clear();
    this.tables.clear();
  }
}
