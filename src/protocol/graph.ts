/**
 * Messages of the graph view: extension host <-> graph webview, and graph webview <-> its ELK layout
 * worker (an RpcMethods map for src/protocol/rpc.ts). Types only.
 */
import type { DisplayGraph } from "../graph/model.js";
import type { PackedGraph } from "../graph/pack.js";
import type { GraphDiffOverlay } from "../graph/diffPicture.js";
import type { HistogramBin, WireTensor } from "./run.js";
import type { TensorStats } from "../savedmodel/tensor.js";

/** Which node to select and reveal: a node name inside a function body ("" = the meta graph's GraphDef). */
export interface GraphNodeRef {
  fn: string;
  node: string;
}

// ---- host -> webview -------------------------------------------------------------------------------

/** Shows a graph (replacing any previous one); `reveal` selects a node once drawn. */
export interface GraphLoadMessage {
  type: "graph/load";
  /** The graph, packed (what the panel sends: typed arrays clone fast) or plain. */
  packed?: PackedGraph;
  graph?: DisplayGraph;
  reveal?: GraphNodeRef;
  /** The comparison editor's graph changes: which node was added, removed or changed (src/webview/graph/diffOverlay.ts). */
  diff?: GraphDiffOverlay;
}

/** Select and reveal a node in the current graph (tree -> graph navigation). */
export interface GraphRevealMessage {
  type: "graph/reveal";
  target: GraphNodeRef;
}

/** Loading failed: show the message instead of a graph. */
export interface GraphErrorMessage {
  type: "graph/error";
  message: string;
}

/** Reply to a GraphSaveFileMessage. */
export interface GraphSavedMessage {
  type: "graph/saved";
  path?: string;
  error?: string;
}

export type HostToGraphMessage = GraphLoadMessage | GraphRevealMessage | GraphErrorMessage | GraphSavedMessage;

// ---- webview -> host -------------------------------------------------------------------------------

/** The webview script runs and wants its graph. */
export interface GraphReadyMessage {
  type: "graph/ready";
}

/** A node was selected (graph -> tree navigation). */
export interface GraphSelectedMessage {
  type: "graph/selected";
  target: GraphNodeRef;
  op: string;
}

/** Open a function in its own graph view (from the details panel). */
export interface GraphOpenFunctionMessage {
  type: "graph/openFunction";
  fn: string;
}

/** Show the values of the variable whose handle a node holds (a weight drawn inside its consumer). */
export interface GraphOpenVariableMessage {
  type: "graph/openVariable";
  target: GraphNodeRef;
}

/** Open another view of the same export (the view picker): a signature, a function or the whole graph. */
export interface GraphOpenViewMessage {
  type: "graph/openView";
  target: { signature: string } | { function: string } | { graph: true };
}

/** Save an export: SVG text or base64 PNG. */
export interface GraphSaveFileMessage {
  type: "graph/saveFile";
  format: "svg" | "png";
  suggestedName: string;
  /** SVG: the document text; PNG: base64 of the file. */
  data: string;
}

/** First picture on screen / an expansion finished (timings for diagnostics and the bench). */
export interface GraphRenderedMessage {
  type: "graph/rendered";
  reason: "first" | "expand" | "collapse" | "expandAll" | "reveal";
  ms: number;
  visibleNodes: number;
}

export type GraphToHostMessage =
  | GraphReadyMessage
  | GraphSelectedMessage
  | GraphOpenFunctionMessage
  | GraphSaveFileMessage
  | GraphRenderedMessage
  | GraphOpenVariableMessage
  | GraphOpenViewMessage;

// ---- webview <-> layout worker (RpcMethods) ----------------------------------------------------------

export interface LayoutChild {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdgeIn {
  id: string;
  source: string;
  target: string;
  /** Not given to ELK (e.g. control-only edges): drawn straight, returns an empty route. */
  free?: boolean;
}

/** One ELK `layered` call: the direct children of one group, edges lifted to them. */
export interface LayoutInput {
  key: string;
  children: LayoutChild[];
  edges: LayoutEdgeIn[];
  /** Extra ELK layout options (merged over the defaults). */
  options?: Record<string, string>;
}

export interface LayoutOutput {
  key: string;
  width: number;
  height: number;
  /** x, y per child in input order. */
  xy: Float64Array;
  /** Per edge (input order): flat [x0, y0, x1, y1, ...] route points. */
  routes: number[][];
  ms: number;
}

export type LayoutMethods = {
  "layout/warm": { params: Record<string, never>; result: { ms: number } };
  "layout/run": { params: { graphs: LayoutInput[] }; result: { results: LayoutOutput[] } };
};

// ---- run overlay: the last run's per-node times and node values (host <-> graph webview) --------------
// (src/extension/graph/runLink.ts serves these; src/webview/graph/runOverlay.ts uses them)

/** Measured time of one node in a run, summed over its executions (loops, repeated calls). */
export interface GraphNodeTime {
  /** Function whose body holds the node ("" = the meta graph's GraphDef). */
  fn: string;
  node: string;
  op: string;
  ms: number;
  count: number;
  /** A call or functional control flow: `ms` includes the nodes it ran. */
  inclusive?: boolean;
}

/** The last successful run of the export (in this meta graph). */
export interface GraphRunData {
  /** Increases with every run the panel hears of (node values are cached per run). */
  runId: number;
  signature: string;
  metaGraph: number;
  /** Date.now() of the run. */
  at: number;
  nodeTimes: GraphNodeTime[];
}

/** host -> webview: a run of this export finished (sent after each successful run). */
export interface GraphRunDataMessage {
  type: "graph/runData";
  run: GraphRunData;
}

/** webview -> host: open the run form of a signature (this view's, by default). */
export interface GraphRunSignatureMessage {
  type: "graph/runSignature";
  signature?: string;
}

/** A short look at a tensor a node produced: what the details pane shows. */
export interface GraphValuePreview {
  /** "float32" */
  dtype: string;
  shape: number[];
  totalElements: number;
  /** The first values, formatted (flat, row-major). */
  values: string[];
  /** More values exist than `values` holds. */
  truncated: boolean;
  stats?: Omit<TensorStats, "count">;
  /** Histogram bins of all the values (src/shared/histogram.ts, computed where the tensor is). */
  histogram?: HistogramBin[];
}

/**
 * A Const node's value, read in the decode worker (src/extension/graph/constValue.ts): the preview, or the size
 * of content still on disk (read on request), or why it is not shown.
 */
export interface GraphConstValue {
  preview?: GraphValuePreview;
  /** All the values, for the paged table (small constants only). */
  table?: WireTensor;
  /** Bytes of tensor_content left on disk: ask again with `read` to read them. */
  onDisk?: number;
  /** Why the values are not shown (over the preview limit, unknown rank). */
  reason?: string;
}

/** Requests of the graph webview to its host (RpcMethods for src/protocol/rpc.ts). */
export type GraphRunMethods = {
  /** The last run's data, or null when the export has not run (in this meta graph). */
  "graph/lastRun": { params: Record<string, never>; result: GraphRunData | null };
  /** The value output `output` of node `node` (in function `fn`, "" = top level) had in the last run. */
  "graph/nodeValue": { params: { fn: string; node: string; output: number }; result: GraphValuePreview };
  /** The value of Const node `node` (in function `fn`); `read`: read content left on disk. */
  "graph/constValue": { params: { fn: string; node: string; read: boolean }; result: GraphConstValue };
};
