/**
 * The comparison editor's requests, served in the decode worker (src/extension/decodeWorker.ts): contract,
 * graph and files of two open exports; the weight drift with progress; the Δ histogram of one variable; and
 * the pure halves of the behaviour comparison (seeded inputs, output deltas). The host only runs the exports
 * (in the executor's worker) and shows the results.
 */
import {
  compareOutputs,
  deltaHistogram,
  diffExports,
  diffWeights,
  randomInputs,
  type DiffReport,
} from "../../savedmodel/diff/index.js";
import type { SavedModelExport } from "../../savedmodel/savedModel.js";
import type { ModelInfo } from "../../savedmodel/modelTypes.js";
import type { CompareResult, CompareWeightsResult, DecodeRequest, DecodeResultMap } from "../../protocol/decode.js";

/** What the decode worker keeps of an open export (the part the comparison needs). */
export interface OpenForCompare {
  exp: SavedModelExport;
  info: ModelInfo;
}

type Req<K extends DecodeRequest["op"]> = Extract<DecodeRequest, { op: K }>;
type Progress = (message: string, done?: number, total?: number) => void;

/** Signature keys both exports' first meta graphs have. */
function commonSignatures(a: ModelInfo, b: ModelInfo): string[] {
  const keys = (i: ModelInfo) =>
    new Set((i.metaGraphs[0]?.signatures ?? []).map((s) => s.key).filter((k) => k !== "__saved_model_init_op"));
  const kb = keys(b);
  return [...keys(a)].filter((k) => kb.has(k)).sort();
}

export async function compare(
  a: OpenForCompare,
  b: OpenForCompare,
  req: Req<"compare">,
  progress: Progress,
): Promise<CompareResult> {
  const t0 = performance.now();
  const report: DiffReport = await diffExports(a.exp, b.exp, {
    sections: ["contract", "graph", "files"],
    locations: req.locations,
    infos: [a.info, b.info],
    onProgress: (m) => progress(m),
  });
  return { report, signatures: commonSignatures(a.info, b.info), ms: performance.now() - t0 };
}

/** Progress lines at most every 100 ms (a 1 GB checkpoint has hundreds of chunks). */
export async function compareWeights(
  a: OpenForCompare,
  b: OpenForCompare,
  progress: Progress,
): Promise<CompareWeightsResult> {
  let last = 0;
  const w = await diffWeights(a.exp, b.exp, {
    onProgress: (done, total, name) => {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      progress(`comparing ${name}`, done, total);
    },
  });
  return { weights: w.weights, diagnostics: w.diagnostics.filter((d) => d.severity !== "info") };
}

export function compareHistogram(
  a: OpenForCompare,
  b: OpenForCompare,
  req: Req<"compareHistogram">,
): Promise<DecodeResultMap["compareHistogram"]> {
  return deltaHistogram(a.exp, req.keyA, b.exp, req.keyB, { range: req.range });
}

export function compareInputs(req: Req<"compareInputs">): DecodeResultMap["compareInputs"] {
  return randomInputs(req.specs, req.seed);
}

export function compareRunOutputs(req: Req<"compareOutputs">): DecodeResultMap["compareOutputs"] {
  return compareOutputs(req.signature, req.outputsA, req.outputsB, req.atol, { kind: "seeded_random", seed: req.seed });
}
