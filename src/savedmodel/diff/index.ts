/**
 * Compare two exports: the serving contract (always, from the cheap first view), and on request the weights,
 * the graph and the files. Pure: reads through each export's FileAccess, never runs anything.
 */
import { describeModel } from "../model.js";
import type { ModelInfo } from "../modelTypes.js";
import type { SavedModelExport } from "../savedModel.js";
import { diffContract, tagSetKey } from "./contract.js";
import { diffFiles } from "./files.js";
import { diffGraph } from "./graph.js";
import { ALL_SECTIONS, type DiffReport, type DiffSummary, type ExportSide, type Section } from "./types.js";
import { diffWeights, type WeightsOptions } from "./weights.js";

export * from "./types.js";
export { diffContract, tagSetKey } from "./contract.js";
export { diffWeights, deltaHistogram, matchVariables } from "./weights.js";
export { diffGraph, matchFunctions, functionBaseName } from "./graph.js";
export { diffFiles, FINGERPRINT_MEANING } from "./files.js";
export { compareOutputs, randomInputs } from "./behaviour.js";

export interface DiffOptions {
  tagSet?: string[];
  signatureDef?: string;
  sections?: Section[];
  /** Display locations of A and B (default: their FileAccess descriptions). */
  locations?: [string, string];
  weights?: Omit<WeightsOptions, "signal" | "onProgress">;
  signal?: AbortSignal;
  /** Progress of the long reads (weights, asset contents). */
  onProgress?: (message: string, done?: number, total?: number) => void;
  /** Already computed first views (describeModel), to avoid decoding twice. */
  infos?: [ModelInfo, ModelInfo];
}

function side(info: ModelInfo, location: string): ExportSide {
  return {
    location,
    format: info.format,
    tagSets: info.metaGraphs.map((m) => m.tags),
    tfVersion: info.metaGraphs.find((m) => m.tfVersion)?.tfVersion,
  };
}

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

/** The comparison report of two exports (schema savedmodel.diff/1, without the behaviour part). */
export async function diffExports(
  a: SavedModelExport,
  b: SavedModelExport,
  opts: DiffOptions = {},
): Promise<DiffReport> {
  const sections = opts.sections ?? ALL_SECTIONS;
  const [infoA, infoB] = opts.infos ?? (await Promise.all([describeModel(a), describeModel(b)]));
  const diagnostics: DiffReport["diagnostics"] = [
    ...infoA.diagnostics.filter((d) => d.severity !== "info").map((d) => ({ ...d, side: "a" as const })),
    ...infoB.diagnostics.filter((d) => d.severity !== "info").map((d) => ({ ...d, side: "b" as const })),
  ];
  const report: Omit<DiffReport, "summary"> = {
    schema: "savedmodel.diff/1",
    a: side(infoA, opts.locations?.[0] ?? a.fs.describe("")),
    b: side(infoB, opts.locations?.[1] ?? b.fs.describe("")),
    tagSet: opts.tagSet,
    signatureDef: opts.signatureDef,
    sections,
    contract: diffContract(infoA, infoB, { tagSet: opts.tagSet, signatureDef: opts.signatureDef }),
    diagnostics,
  };
  if (sections.includes("graph")) {
    report.graph = [];
    const want = opts.tagSet ? tagSetKey(opts.tagSet) : undefined;
    for (const ma of a.metaGraphs) {
      const k = tagSetKey(ma.tags);
      if (want !== undefined && k !== want) continue;
      const mb = b.metaGraphs.find((m) => tagSetKey(m.tags) === k);
      if (!mb) continue;
      opts.onProgress?.(`comparing the graph of ${ma.tags.join(",") || "(no tags)"}`);
      const ia = infoA.metaGraphs.find((m) => m.index === ma.index)!;
      const ib = infoB.metaGraphs.find((m) => m.index === mb.index)!;
      try {
        report.graph.push(diffGraph(ma, mb, ia.signatures, ib.signatures, { signatureDef: opts.signatureDef }));
      } catch (e) {
        diagnostics.push({
          severity: "error",
          side: "a",
          file: a.layout.savedModelFile,
          message: `graph not compared: ${(e as Error).message}`,
        });
      }
    }
  }
  if (sections.includes("files")) {
    opts.onProgress?.("comparing assets and fingerprint");
    report.files = await diffFiles(a, infoA, b, infoB, { signal: opts.signal });
  }
  if (sections.includes("weights")) {
    const w = await diffWeights(a, b, {
      ...opts.weights,
      signal: opts.signal,
      onProgress: (done, total, v) => opts.onProgress?.(`comparing ${v}`, done, total),
    });
    report.weights = w.weights;
    diagnostics.push(...w.diagnostics.filter((d) => d.severity !== "info"));
  }
  const { contract, weights, graph, files, diagnostics: _diagnostics, ...head } = report;
  void _diagnostics;
  return {
    ...head,
    summary: summarize(report),
    contract,
    ...(graph ? { graph } : {}),
    ...(files ? { files } : {}),
    ...(weights ? { weights } : {}),
    diagnostics,
  } as DiffReport;
}
