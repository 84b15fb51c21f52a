/**
 * The plain display graph the graph view draws: leaf op nodes, a tree of groups (name scopes, function
 * calls, series, chunks) and edges between leaf nodes. Built by `buildDisplayGraph` (src/graph/build.ts);
 * knows no protobuf, so the webview and the host share it as plain JSON.
 */

/** Colour family of an op (the legend). */
export type OpKind =
  "input" | "output" | "constant" | "variable" | "math" | "nn" | "array" | "control" | "call" | "io" | "other";

export const OP_KINDS: readonly OpKind[] = [
  "input",
  "output",
  "constant",
  "variable",
  "math",
  "nn",
  "array",
  "control",
  "call",
  "io",
  "other",
];

/** dtype and shape of one tensor, when known ("float32", "[-1, 28, 28]"). */
export interface TensorDesc {
  dtype?: string;
  shape?: string;
}

/** Role of a synthetic node that wires a call's arguments/results through its body. */
export type NodeRole = "arg" | "retval" | "sigInput" | "sigOutput";

export interface GraphNode {
  /** The node's name as written in its graph or function body. */
  name: string;
  /** Short display label (last scope segment, or the variable name for resource reads). */
  label: string;
  op: string;
  kind: OpKind;
  /** Index of the parent group in `DisplayGraph.groups`. */
  parent: number;
  /** Function whose body holds this node; "" for the meta graph's GraphDef. */
  fn: string;
  device?: string;
  /** Attributes, formatted readably, defaults filled in where the op schema is known; sorted by key. */
  attrs: [string, string][];
  /** One entry per flat output tensor (inputs are the edges into the node). */
  outputs: TensorDesc[];
  /** Variable name for variable handles and resource reads. */
  varName?: string;
  /** Preview of a constant's value. */
  value?: string;
  /** Save/restore, NoOp, init: hidden by default. */
  boiler?: boolean;
  role?: NodeRole;
  /** Functions this op references by attribute without being opened as a call group (e.g. dataset fns). */
  refs?: string[];
}

export type GroupKind = "root" | "scope" | "call" | "body" | "series" | "chunk" | "args";

export interface CallInfo {
  /** The call node's name inside its own graph or function. */
  name: string;
  op: string;
  /** The function holding the call node ("" = GraphDef). */
  fn: string;
  device?: string;
  attrs: [string, string][];
  inputs: string[];
  outputs: TensorDesc[];
}

export interface GraphGroup {
  /** Stable path-like id, unique in the graph ("" for the root). */
  id: string;
  label: string;
  kind: GroupKind;
  /** Parent group index, -1 for the root. */
  parent: number;
  /** Direct child leaf nodes, in topological order. */
  nodes: number[];
  /** Direct child groups, in topological order. */
  groups: number[];
  /** Number of leaf nodes below this group (all depths). */
  size: number;
  /** Number of non-boilerplate leaf nodes below this group. */
  visibleSize: number;
  /** Called function (call and body groups). */
  fn?: string;
  /** The call node for call groups. */
  call?: CallInfo;
  /** The Keras layer this scope or call is (from the object graph / keras_metadata.pb). */
  layer?: { className: string; params: number };
}

export interface GraphEdge {
  /** Source and target leaf node indices. */
  s: number;
  t: number;
  /** Output index on the source; input position on the target (-1 for control edges). */
  so: number;
  ti: number;
  ctl?: boolean;
  dtype?: string;
  shape?: string;
  /** Drawn for a folded pass-through chain (made by the graph view, never by the builder). */
  via?: boolean;
}

/** A view of the same export the graph view's picker offers. */
export interface ViewChoice {
  label: string;
  target: { signature: string } | { function: string } | { graph: true };
  /** Op count of the view's own body (top level of a function, nodes of the graph; 0 = not counted). */
  nodes: number;
}

export interface DisplayGraph {
  title: string;
  /** What was drawn: a signature slice, a function, or the whole meta graph. */
  scope: { kind: "signature" | "function" | "graph"; name: string };
  nodes: GraphNode[];
  /** groups[0] is the root. */
  groups: GraphGroup[];
  edges: GraphEdge[];
  /** Problems found while building (unknown functions, budget reached...). */
  warnings: string[];
  /** Other views of the export (whole graph, signatures, concrete functions) for the picker. */
  views?: ViewChoice[];
  /** Why this view was opened when none was named ("the root object's __call__"...). */
  defaultReason?: string;
}
