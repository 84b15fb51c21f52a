/**
 * Messages of the overview page (the saved_model.pb custom editor): extension host <-> overview
 * webview. Types only. The host pushes the whole state whenever it changes; the webview asks for
 * navigation (open a variable or file, reveal in the tree, show the graph).
 */
import type { ModelInfo, ModelStats, VariableInfo, ObjectNodeInfo } from "../savedmodel/modelTypes.js";
import type { Diagnostic } from "../savedmodel/errors.js";

export interface OverviewError {
  message: string;
  file?: string;
  offset?: number;
  field?: string;
  hint?: string;
}

export interface OverviewMetaGraph {
  index: number;
  /** True while the graph is being decoded for statistics. */
  loading: boolean;
  stats?: ModelStats;
  /** Keras layers (top level of the object tree): name, class, parameters. */
  layers?: { name: string; className?: string; params: number; path: string }[];
  objectParameterCount?: number;
  errors: OverviewError[];
}

export interface OverviewVariables {
  /** The largest variables first, capped (see `omitted`). */
  largest: VariableInfo[];
  omitted: number;
  count: number;
  parameterCount: number;
  totalBytes: number;
  numShards: number;
  withProblems: VariableInfo[];
  diagnostics: Diagnostic[];
}

export interface OverviewState {
  name: string;
  location: string;
  state: "idle" | "loading" | "loaded" | "failed" | "cancelled";
  progress?: string;
  error?: OverviewError;
  info?: ModelInfo;
  variables?: OverviewVariables;
  variablesError?: OverviewError;
  metaGraphs: OverviewMetaGraph[];
  timings?: { openMs: number; describeMs: number; variablesMs: number };
}

// host -> webview
export interface OverviewStateMessage {
  type: "overview/state";
  state: OverviewState;
}
export type HostToOverviewMessage = OverviewStateMessage;

// webview -> host
export type OverviewToHostMessage =
  | { type: "overview/ready" }
  | { type: "overview/retry" }
  | { type: "overview/showLog" }
  | { type: "overview/openVariable"; checkpointKey: string }
  | { type: "overview/openFile"; path: string }
  | { type: "overview/showGraph"; metaGraph: number; signature?: string }
  | { type: "overview/run"; metaGraph: number; signature: string }
  | {
      type: "overview/reveal";
      metaGraph: number;
      kind: "signature" | "function" | "variable" | "export";
      name: string;
    };

/** Pure helper so the layer list is the same in tests and in the host. */
export function topLayers(tree: ObjectNodeInfo | undefined): OverviewMetaGraph["layers"] {
  if (!tree) return undefined;
  // a Keras model's layers are the root's children named by Keras metadata
  return tree.children
    .filter((c) => c.kind === "user_object" && (c.className || c.parameterCount > 0))
    .map((c) => ({ name: c.layerName ?? c.localName, className: c.className, params: c.parameterCount, path: c.path }));
}
