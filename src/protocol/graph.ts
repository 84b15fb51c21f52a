/**
 * Messages of the graph view: extension host <-> graph webview, and graph webview <-> its ELK layout
 * worker (an RpcMethods map for src/protocol/rpc.ts). Types only.
 */
import type { DisplayGraph } from "../graph/model.js";
import type { PackedGraph } from "../graph/pack.js";

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
  GraphReadyMessage | GraphSelectedMessage | GraphOpenFunctionMessage | GraphSaveFileMessage | GraphRenderedMessage;

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
