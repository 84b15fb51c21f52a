/**
 * The summary of a comparison report (counts by severity, what changed): pure, over the report's types only, so
 * the extension host can refresh it when the weights or the behaviour arrive without loading the decoder.
 */
import type { DiffReport, DiffSummary } from "./types.js";

export function summarize(r: Omit<DiffReport, "summary">): DiffSummary {
  const count = (s: string) => r.contract.filter((c) => c.severity === s).length;
  const breaking = count("breaking");
  const compatible = count("compatible");
  const none = count("none");
  const weightsChanged =
    (r.weights?.changes.filter((c) => c.what !== "name").length ?? 0) +
    (r.weights?.drift.filter((d) => d.fractionChanged > 0).length ?? 0);
  const graphChanged = (r.graph ?? []).some(
    (g) => g.nodes.length || g.opHistogram.length || g.functions.added.length || g.functions.removed.length,
  );
  const filesChanged =
    (r.files?.assets.length ?? 0) + (r.files?.fingerprint.filter((f) => f.field !== "uuid").length ?? 0);
  const s: DiffSummary = {
    breaking,
    compatible,
    none,
    contract: breaking ? "breaking" : compatible ? "compatible" : none ? "none" : "identical",
    weightsChanged,
    graphChanged,
    filesChanged,
    anyChange: r.contract.length > 0 || weightsChanged > 0 || graphChanged || filesChanged > 0,
  };
  if (r.behaviour) {
    s.outputsBeyondAtol = r.behaviour.beyondAtol;
    s.anyChange ||= r.behaviour.beyondAtol;
  }
  return s;
}
