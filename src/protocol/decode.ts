/**
 * Requests the extension host makes of the decode worker (src/extension/decodeWorker.ts), over the one channel
 * (rpc.ts). The worker decodes; the host does every file read through vscode.workspace.fs and answers the
 * worker's reads (fileAccessRpc.ts).
 */
import type { ModelInfo, ModelVariables, ObjectNodeInfo, FunctionInfo, ModelStats } from "../savedmodel/modelTypes.js";
import type { VariablePageResult, VariableResult } from "./variable.js";
export type { HistogramBin, ValueRow, VariablePageResult, VariableResult } from "./variable.js";
import type { BuildOptions, BuildTarget } from "../graph/build.js";
import type { DisplayGraph } from "../graph/model.js";
import type { ExampleFeatureRow } from "./run.js";
import type { DiffReport, GraphDiff } from "../savedmodel/diff/types.js";
import type { GraphDiffOverlay } from "../graph/diffPicture.js";
import type { TensorSpecInfo } from "../savedmodel/modelTypes.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import type { GraphConstValue } from "./graph.js";

/** A SavedModelError (or any error) flattened for postMessage. */
export interface SerializedError {
  name: string;
  message: string;
  file?: string;
  detail?: string;
  offset?: number;
  field?: string;
  hint?: string;
}

export interface OpenResult {
  info: ModelInfo;
  /** Undefined with `variablesError` set when the checkpoint could not be read at all. */
  variables?: ModelVariables;
  variablesError?: SerializedError;
  timings: { openMs: number; describeMs: number; variablesMs: number };
}

export interface DetailsResult {
  metaGraph: number;
  functions: FunctionInfo[];
  objectTree?: ObjectNodeInfo;
  stats?: ModelStats;
  /** Problems met while decoding the graph/functions/object graph (the rest is still returned). */
  errors: SerializedError[];
  ms: number;
}

export interface DecodeLimits {
  maxProtoBytes: number;
  /** Largest tensor decoded for statistics (elements). */
  maxElements: number;
  /** Largest tensor kept for the paged table (elements). */
  tableMaxElements: number;
}

export type DecodeRequest =
  | { op: "open"; exportId: string; display: string; limits: DecodeLimits }
  | { op: "details"; exportId: string; metaGraph: number }
  | { op: "variable"; exportId: string; checkpointKey: string; limits: DecodeLimits; firstCount: number; bins: number }
  | { op: "variablePage"; exportId: string; checkpointKey: string; offset: number; count: number }
  | { op: "displayGraph"; exportId: string; metaGraph: number; target: BuildTarget; opts: BuildOptions }
  | { op: "variableOfNode"; exportId: string; metaGraph: number; fn: string; node: string }
  | { op: "exampleFeatures"; exportId: string; metaGraph: number }
  | {
      op: "constValue";
      exportId: string;
      metaGraph: number;
      fn: string;
      node: string;
      read: boolean;
      limits: DecodeLimits;
    }
  // the comparison editor (src/extension/compare): export A is `exportId`, export B `otherId`
  | {
      op: "compareOpen";
      exportId: string;
      otherId: string;
      locations: [string, string];
      sections: ("contract" | "graph" | "files")[];
    }
  | { op: "compareWeights"; exportId: string; otherId: string; report: DiffReport }
  | { op: "compareHistogram"; exportId: string; otherId: string; keyA: string; keyB: string; range?: number }
  | { op: "compareInputs"; exportId: string; specs: Pick<TensorSpecInfo, "key" | "dtype" | "shape">[]; seed: number }
  | {
      op: "compareBehaviour";
      exportId: string;
      report: DiffReport;
      signature: string;
      outputs: [Record<string, DecodedTensor>, Record<string, DecodedTensor>];
      atol: number;
      seed: number;
    }
  | {
      op: "compareGraph";
      exportId: string;
      otherId: string;
      /** Names of A and B shown in the picture. */
      names: { a: string; b: string };
      /** The diff of the meta graph holding the signature (DiffReport.graph[i]). */
      diff: GraphDiff;
      signature: string;
    }
  | { op: "close"; exportId: string };

export interface DecodeResultMap {
  open: OpenResult;
  details: DetailsResult;
  variable: VariableResult;
  variablePage: VariablePageResult;
  displayGraph: DisplayGraph;
  /** Checkpoint key of the variable a function-body node reads, or null. */
  variableOfNode: string | null;
  /** The tf.Example features the meta graph's parse ops read (the run form's tf.Example builder), or null. */
  exampleFeatures: ExampleFeatureRow[] | null;
  /** A Const node's value for the graph view's details pane. */
  constValue: GraphConstValue;
  /** Contract, graph and files of A vs B, and the signature keys both have. */
  compareOpen: { report: DiffReport; signatures: string[] };
  /** The report with the weights section added (progress data: { done, total, name }). */
  compareWeights: DiffReport;
  compareHistogram: { lo: number; hi: number; counts: number[]; zero: number };
  /** Seeded random inputs for the behaviour comparison. */
  compareInputs: Record<string, DecodedTensor>;
  /** The report with the behaviour section added. */
  compareBehaviour: DiffReport;
  /** B's picture of the signature with A's removed nodes merged in, and which node changed how. */
  compareGraph: { graph: DisplayGraph; overlay: GraphDiffOverlay };
  close: null;
}

/** The channel's method table: each request op takes its request object and answers with its result. */
export type DecodeMethods = {
  [K in DecodeRequest["op"]]: { params: Extract<DecodeRequest, { op: K }>; result: DecodeResultMap[K] };
};

export function serializeError(e: unknown): SerializedError {
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    const pick = <T>(k: string, t: string) => (typeof o[k] === t ? (o[k] as T) : undefined);
    return {
      name: pick<string>("name", "string") ?? "Error",
      message: pick<string>("message", "string") ?? String(e),
      file: pick<string>("file", "string"),
      detail: pick<string>("detail", "string"),
      offset: pick<number>("offset", "number"),
      field: pick<string>("field", "string"),
      hint: pick<string>("hint", "string"),
    };
  }
  return { name: "Error", message: String(e) };
}
