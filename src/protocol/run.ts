/**
 * Messages of the run form (test-running a signature): extension host <-> run webview. Types only.
 * Tensors travel as `WireTensor` (raw little-endian bytes, or a list of byte strings) so every dtype,
 * int64 included, crosses VS Code's message serialization unchanged.
 */
import type { TensorStats } from "../savedmodel/tensor.js";

/** A tensor on the wire: numeric values as their raw little-endian bytes, strings as byte lists. */
export interface WireTensor {
  dtype: number;
  shape: number[];
  /** Numeric values: the bytes of a typed array of class `array` ("Float32Array", "BigInt64Array", ...). */
  bytes?: Uint8Array;
  array?: string;
  strings?: Uint8Array[];
}

/** One signature input as the form needs it. */
export interface RunInputInfo {
  key: string;
  tensorName: string;
  dtype: number;
  dtypeShort: string;
  /** -1 for unknown sizes; undefined for unknown rank. */
  shape?: number[];
  hasDefault: boolean;
  /** Why this input cannot be fed (composite encodings other than COO sparse). */
  unsupported?: string;
  /** A COO sparse input: fed dense, or as its components key/indices, key/values, key/dense_shape. */
  sparse?: boolean;
}

export interface RunOutputInfo {
  key: string;
  tensorName: string;
  dtype: number;
  dtypeShort: string;
  shape?: number[];
}

/** How one input was filled (remembered per signature; small, never the tensor itself). */
export type InputSource =
  | { kind: "json"; text: string }
  | { kind: "fill"; fill: "random" | "zeros" | "ones" | "range"; dims: number[]; seed?: number }
  | { kind: "text"; lines: string }
  | { kind: "file"; path: string; member?: string }
  | { kind: "image"; path: string; dims: number[]; scale: "0..1" | "-1..1" | "0..255" }
  | { kind: "examples"; features: ExampleFeatureRow[][] }
  | { kind: "default" };

export interface ExampleFeatureRow {
  name: string;
  kind: "float" | "int64" | "bytes";
  /** Comma-separated values as typed. */
  values: string;
}

export interface RunFormState {
  exportName: string;
  exportLocation: string;
  /** The folder as given to `--dir` in copied command lines. */
  dir: string;
  tags: string[];
  metaGraph: number;
  signature: string;
  methodName: string;
  inputs: RunInputInfo[];
  outputs: RunOutputInfo[];
  trusted: boolean;
  /** Inputs used last time for this signature. */
  remembered?: Record<string, InputSource>;
  /** Shell for "Copy as" command lines on this machine. */
  shell: "posix" | "powershell";
  /** Class names for top-k (a labels file the user picked for this signature, or a *label* asset of the export). */
  labels?: { path: string; names: string[] };
  /** tf.Example features the model parses (for the builder's first rows), when it has Parse*Example nodes. */
  exampleFeatures?: ExampleFeatureRow[];
}

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

export interface RunOutputResult {
  key: string;
  tensor: WireTensor;
  /** True when `tensor` holds only the first elements (the whole output was too big to send). */
  truncated: boolean;
  totalElements: number;
  stats?: TensorStats;
  histogram?: HistogramBin[];
}

export interface RunError {
  message: string;
  name: string;
  node?: string;
  op?: string;
  fn?: string;
  /** Ops without kernels (MissingOpsError). */
  missing?: { op: string; nodes: string[] }[];
}

export interface ProfileRow {
  node: string;
  op: string;
  fn: string;
  ms: number;
  count: number;
}

export interface RunResultState {
  runId: number;
  ok: boolean;
  outputs: RunOutputResult[];
  timings?: {
    loadMs: number;
    restoreInitMs: number;
    execMs: number;
    totalMs: number;
    warm: boolean;
    /** tfjs backend: "wasm" or "cpu" */ backend?: string;
  };
  warnings: string[];
  nodesExecuted?: number;
  /** Slowest nodes (top 50) and time per op type. */
  profile?: { nodes: ProfileRow[]; ops: { op: string; ms: number; count: number }[]; totalMs: number };
  error?: RunError;
  cancelled?: boolean;
}

// ---- host -> webview -------------------------------------------------------------------------------
export type HostToRunMessage =
  | { type: "run/state"; state: RunFormState }
  | { type: "run/started"; runId: number }
  | { type: "run/result"; result: RunResultState }
  | { type: "run/trust"; trusted: boolean }
  /** A node was selected in the graph view of this export: show the value it produced in the last run. */
  | { type: "run/showNodeValue"; node: string; fn: string };

// ---- webview -> host -------------------------------------------------------------------------------
export type RunToHostMessage =
  | { type: "run/ready" }
  | { type: "run/remember"; inputs: Record<string, InputSource> }
  | { type: "run/copyText"; text: string; what: string }
  | { type: "run/showNode"; node: string; fn?: string }
  | { type: "run/manageTrust" }
  | { type: "run/cancel" };

/** Request/reply methods the webview calls on the host (src/protocol/rpc.ts). */
export type RunRpc = {
  "run/execute": {
    params: { feeds: Record<string, WireTensor>; recipe: Record<string, InputSource> };
    result: { runId: number };
  };
  /** Pick (or, with `path`, re-read) a .npy/.npz/.json file from the workspace. */
  "run/loadFile": {
    params: { key: string; dtype: number; path?: string; member?: string; sparse?: boolean };
    result: {
      path: string;
      members?: string[];
      member?: string;
      tensor?: WireTensor;
      json?: string;
      /** A sparse input's indices/values/dense_shape members of an .npz. */
      components?: Record<"indices" | "values" | "dense_shape", WireTensor>;
    } | null;
  };
  /** Pick (or re-read) an image file; the webview decodes it. */
  "run/loadImage": { params: { path?: string }; result: { path: string; bytes: Uint8Array; mime: string } | null };
  /** Save one output as .npy (a save dialog that starts in the workspace, never in the export folder). */
  "run/saveNpy": { params: { key: string }; result: { path?: string } };
  /** Pick a labels file (one class name per line) for this signature's top-k. */
  "run/loadLabels": { params: Record<string, never>; result: { path: string; names: string[] } | null };
  /** Save the inputs of the last run as an .npz (what "Copy as" command lines point at for big inputs). */
  "run/saveInputsNpz": { params: { keys: string[] }; result: { path?: string } };
  /** The value a graph node produced in the last run (re-runs with the same inputs and fetches it). */
  "run/nodeValue": {
    params: { tensor: string; fn?: string };
    result: { tensor: WireTensor; stats?: TensorStats; truncated: boolean; totalElements: number };
  };
};
