/**
 * Messages of the variable value view: extension host <-> variable webview. Types only.
 * Pages of values are requested with src/protocol/rpc.ts (`VariableRpc`).
 */
import type { VariableInfo } from "../savedmodel/modelTypes.js";
import type { TensorStats } from "../savedmodel/tensor.js";

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

/** What the decode worker found out about one variable's value. */
export interface VariableResult {
  info: VariableInfo;
  /** False when the tensor was not decoded (too big, or unreadable); `reason` says why. */
  decoded: boolean;
  reason?: string;
  error?: { message: string; file?: string; offset?: number; field?: string; hint?: string };
  stats?: TensorStats;
  histogram?: HistogramBin[];
  /** First values as display text. */
  first: string[];
  /** Whether the paged table may ask for any range (tensor small enough and kept in memory). */
  pageable: boolean;
  ms: number;
}

export interface ValueRow {
  /** Flat element index. */
  i: number;
  /** Multi-dimensional index, e.g. "[0, 2, 1]". */
  index: string;
  value: string;
}

export interface VariablePageResult {
  offset: number;
  total: number;
  rows: ValueRow[];
}

export interface VariableViewState {
  /** The export folder's URI (kept in the webview's state so the panel survives a window reload). */
  exportUri: string;
  exportName: string;
  exportLocation: string;
  checkpointKey: string;
  loading: boolean;
  result?: VariableResult;
  /** Set when reading failed altogether. */
  error?: string;
}

// host -> webview
export interface VariableStateMessage {
  type: "variable/state";
  state: VariableViewState;
}
export type HostToVariableMessage = VariableStateMessage;

// webview -> host
export type VariableToHostMessage =
  { type: "variable/ready" } | { type: "variable/reveal" } | { type: "variable/reload" };

/** Request/reply methods the webview calls on the host (src/protocol/rpc.ts). */
export type VariableRpc = {
  "variable/page": { params: { offset: number; count: number }; result: VariablePageResult };
};
