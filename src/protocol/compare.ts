/** Messages between the comparison editor's host (src/extension/compare) and its webview (src/webview/compare). */
import type { DiffReport } from "../savedmodel/diff/types.js";

export interface DeltaHistogram {
  keyA: string;
  keyB: string;
  lo: number;
  hi: number;
  counts: number[];
  zero: number;
}

export type HostToCompareMessage =
  | {
      type: "report";
      report: DiffReport;
      nameA: string;
      nameB: string;
      weightsPending: boolean;
      /** Signature keys both exports have (for the behaviour comparison). */
      signatures: string[];
      trusted: boolean;
    }
  | { type: "progress"; message: string; done?: number; total?: number }
  | { type: "weightsCancelled"; message: string }
  | { type: "histogram"; histogram: DeltaHistogram }
  | { type: "histogramError"; keyB: string; message: string }
  | { type: "behaviour"; report: DiffReport }
  | { type: "behaviourError"; message: string }
  | { type: "error"; message: string };

export type CompareToHostMessage =
  | { type: "ready" }
  | { type: "cancel" }
  | { type: "compareWeights" }
  | { type: "histogram"; keyA: string; keyB: string; range?: number }
  | { type: "runBehaviour"; signature: string; atol: number; seed: number }
  /** Open the graph view of B's signature with added, removed and changed nodes coloured. */
  | { type: "showGraphChanges"; signature: string };
