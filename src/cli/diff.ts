/**
 * `savedmodel diff A B`: what changed between two exports — the serving contract (classified breaking /
 * compatible / none), the weights (value drift, streamed), the graph, the files — and with `--run SIGNATURE`
 * the outputs of both on the same inputs. Text report or `--json` (schema `savedmodel.diff/1`, docs/diff.md).
 * Exit codes for CI: 0 no breaking change, 3 breaking contract change (with --fail-on any: any change),
 * 4 outputs differ beyond --atol, 1 error, 2 usage.
 */
import { resolve } from "node:path";
import { NodeFileAccess } from "../savedmodel/node/nodeFileAccess.js";
import { DriftThread } from "../savedmodel/node/driftThread.js";
import { openSavedModel } from "../savedmodel/savedModel.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import {
  ALL_SECTIONS,
  compareOutputs,
  diffExports,
  randomInputs,
  summarize,
  type BehaviourDiff,
  type ContractChange,
  type DiffReport,
  type Section,
} from "../savedmodel/diff/index.js";
import { parseFlags, UsageError, type CliIO } from "./io.js";
import { jsonReplacer } from "./show.js";
import { escapeControl } from "./escape.js";
import { ExitCode } from "./exitCodes.js";

export const DIFF_USAGE = `usage: savedmodel diff A B [--tag_set TAGS] [--signature_def KEY] [--json] [--fail-on breaking|any]

  A B                     the two export folders (A = before, B = after)
  --tag_set TAGS          compare only this meta graph (comma-separated tags, e.g. serve)
  --signature_def KEY     compare only this signature
  --only SECTIONS         comma-separated: contract,weights,graph,files (default: all)
  --all                   include optimizer slots and bookkeeping entries in the weights
  --run KEY               also run signature KEY on both exports with the same inputs and compare the outputs
  --inputs / --input_exprs / --input_examples   inputs for --run, as for savedmodel run (default: seeded random)
  --seed N                seed of the random inputs (default 1)
  --atol X                largest |Δ| of an output that counts as equal (default 1e-6)
  --backend wasm|cpu      executor backend for --run (default wasm)
  --timeout_ms MS         --run: one deadline per export for loading, restore, init ops and the run (default 300000)
  --fail-on breaking|any  exit 3 on a breaking contract change (default) or on any change
  --json                  print JSON (schema "savedmodel.diff/1")

exit status: 0 no breaking change; 3 breaking contract change (or any change with --fail-on any);
             4 outputs differ beyond --atol; 1 error; 2 usage`;

const num = (x: number) =>
  x === Infinity
    ? "inf"
    : Number.isNaN(x)
      ? "-"
      : x === 0
        ? "0"
        : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6
          ? String(+x.toPrecision(4))
          : x.toExponential(3);
const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
const MARK = { added: "+", removed: "-", changed: "~" } as const;

function where(c: ContractChange): string {
  const parts = [c.tagSet || "(no tags)"];
  if (c.signature !== undefined) parts.push(c.signature);
  let s = parts.join("/");
  if (c.tensor !== undefined) s += ` ${c.side}['${c.tensor}']`;
  return s;
}

function contractLines(c: ContractChange): string[] {
  const what = c.subject.replace("_", " ");
  const change =
    c.kind === "changed"
      ? `${what} ${c.before ?? ""} → ${c.after ?? ""}`
      : `${what} ${c.kind}${c.before || c.after ? ` (${c.before ?? c.after})` : ""}`;
  return [`  ${MARK[c.kind]} [${c.severity}] ${where(c)}: ${change}`, `      ${c.reason}`];
}

const MAX_LINES = 40;

export function formatDiffText(r: DiffReport): string {
  const L: string[] = [];
  const side = (label: string, s: DiffReport["a"]) =>
    `${label}: ${s.location}  (${s.format}${s.tfVersion ? `, TF ${s.tfVersion}` : ""}; tag-sets ${s.tagSets.map((t) => `'${t.join(",")}'`).join(" ")})`;
  L.push(side("A", r.a), side("B", r.b));
  const s = r.summary;
  L.push("", `Contract: ${s.breaking} breaking, ${s.compatible} compatible, ${s.none} no-impact change(s)`);
  if (!r.contract.length) L.push("  (no change)");
  for (const c of r.contract) L.push(...contractLines(c));
  if (r.graph) {
    for (const g of r.graph) {
      L.push("", `Graph '${g.tagSet}':`);
      if (!g.opHistogram.length && !g.nodes.length && !g.functions.added.length && !g.functions.removed.length)
        L.push("  (no change)");
      for (const o of g.opHistogram) L.push(`  ${o.a === 0 ? "+" : o.b === 0 ? "-" : "~"} op ${o.op}: ${o.a} → ${o.b}`);
      const by = (k: string) => g.functions.matched.filter((m) => m.matchedBy === k).length;
      L.push(
        `  functions: ${g.functions.matched.length} matched (${by("name")} by name, ${by("name_without_suffix")} by name without suffix, ${by("structure")} by structure), ${g.functions.added.length} added, ${g.functions.removed.length} removed`,
      );
      const renamed = g.functions.matched.filter((m) => m.a !== m.b);
      const fnLines = [
        ...renamed.map((m) => `    ${m.a} ~ ${m.b} (${m.matchedBy.replace(/_/g, " ")})`),
        ...g.functions.added.map((f) => `  + function ${f}`),
        ...g.functions.removed.map((f) => `  - function ${f}`),
      ];
      L.push(...fnLines.slice(0, MAX_LINES));
      if (fnLines.length > MAX_LINES)
        L.push(`  … ${fnLines.length - MAX_LINES} more function line(s) (--json for all)`);
      for (const n of g.nodes.slice(0, MAX_LINES)) {
        const loc = `${n.function ? `${n.function}/` : ""}${n.node}`;
        const extra =
          n.kind === "changed"
            ? ` ${n.what!.join("+")}${n.before !== undefined ? `: ${n.before}${n.after !== undefined ? ` → ${n.after}` : ""}` : ""}${n.attrs ? ` (attrs ${n.attrs.join(", ")})` : ""}`
            : ` (${n.op})`;
        L.push(`  ${MARK[n.kind]} node ${loc}${extra}`);
      }
      if (g.nodes.length > MAX_LINES) L.push(`  … ${g.nodes.length - MAX_LINES} more node change(s) (--json for all)`);
      for (const sg of g.signatures)
        if (sg.nodes.length) L.push(`  signature ${sg.signature}: ${sg.nodes.length} node change(s) in what it runs`);
    }
  }
  if (r.files) {
    const f = r.files;
    L.push("", "Files:");
    if (!f.assets.length && !f.fingerprint.length && !f.producer.length) L.push("  (no change)");
    for (const a of f.assets)
      L.push(
        `  ${MARK[a.kind]} ${a.path}` +
          (a.kind === "changed"
            ? `: ${a.sizeA} → ${a.sizeB} bytes, crc32c ${a.hashA} → ${a.hashB}`
            : ` (${a.sizeA ?? a.sizeB} bytes)`),
      );
    if (f.fingerprintA !== f.fingerprintB) L.push(`  ${f.fingerprintB ? "+" : "-"} fingerprint.pb`);
    for (const p of f.fingerprint)
      L.push(`  ~ fingerprint ${p.field}: ${p.a ?? "(none)"} → ${p.b ?? "(none)"}`, `      ${p.meaning}`);
    for (const p of f.producer) L.push(`  ~ ${p.field}: ${p.a ?? "(none)"} → ${p.b ?? "(none)"}`);
  }
  if (r.weights) {
    const w = r.weights;
    const moved = w.drift.filter((d) => d.fractionChanged > 0);
    L.push(
      "",
      `Weights: ${w.matched} matched, ${w.identical} identical, ${moved.length} drifted; ${w.changes.filter((c) => c.kind === "added").length} added, ${w.changes.filter((c) => c.kind === "removed").length} removed`,
    );
    for (const c of w.changes) {
      if (c.kind === "added") L.push(`  + ${c.name} ${c.after}`);
      else if (c.kind === "removed") L.push(`  - ${c.name} ${c.before}`);
      else if (c.what === "name") L.push(`  ~ ${c.keyB}: name ${c.before} → ${c.after}`);
      else
        L.push(
          `  ~ ${c.name}: ${c.what}${c.before !== undefined ? ` ${c.before} → ${c.after}` : ""}${c.detail ? ` (${c.detail})` : ""}`,
        );
    }
    for (const d of moved.slice(0, MAX_LINES))
      L.push(
        `  ~ ${d.name}  max|Δ| ${num(d.maxAbs)}  mean|Δ| ${num(d.meanAbs)}  ‖Δ‖/‖A‖ ${num(d.relL2)}  changed ${pct(d.fractionChanged)}${d.matchedBy === "object_path" ? "  (matched by object path)" : ""}`,
      );
    if (moved.length > MAX_LINES) L.push(`  … ${moved.length - MAX_LINES} more drifted variable(s) (--json for all)`);
  }
  if (r.behaviour) {
    const b = r.behaviour;
    L.push(
      "",
      `Behaviour of '${b.signature}' (${b.inputs === "seeded_random" ? `seeded random inputs, seed ${b.seed}` : "given inputs"}, atol ${b.atol}):`,
    );
    for (const o of b.outputs)
      L.push(
        `  ${o.equal ? "=" : "~"} ${o.key}  max|Δ| ${num(o.maxAbs)}  mean|Δ| ${num(o.meanAbs)}${o.argmaxChanged !== undefined ? `  argmax changed ${pct(o.argmaxChanged)}` : ""}${o.detail ? `  (${o.detail})` : ""}${o.equal ? "" : "  BEYOND ATOL"}`,
      );
    for (const k of b.onlyA) L.push(`  - ${k} (only A produces it)`);
    for (const k of b.onlyB) L.push(`  + ${k} (only B produces it)`);
  }
  for (const d of r.diagnostics)
    L.push(`${d.severity} (${d.side.toUpperCase()}): ${d.file}${d.field ? ` (${d.field})` : ""}: ${d.message}`);
  // each entry is one line: escaping it leaves no control character a model string could bring
  return L.map(escapeControl).join("\n") + "\n";
}

/** The exit status of a report under --fail-on. */
export function exitStatus(r: DiffReport, failOn: "breaking" | "any"): number {
  if (r.summary.breaking > 0) return ExitCode.DiffBreaking;
  if (failOn === "any" && r.summary.anyChange && !(r.summary.outputsBeyondAtol && onlyBehaviour(r)))
    return ExitCode.DiffBreaking;
  if (r.summary.outputsBeyondAtol) return ExitCode.DiffOutputsDiffer;
  return ExitCode.Ok;
}

function onlyBehaviour(r: DiffReport): boolean {
  const s = r.summary;
  return r.contract.length === 0 && s.weightsChanged === 0 && !s.graphChanged && s.filesChanged === 0;
}

async function behaviour(
  rootA: string,
  rootB: string,
  key: string,
  flags: Record<string, string | boolean | string[]>,
  io: CliIO,
  tags: string[] | undefined,
): Promise<BehaviourDiff> {
  // the executor runs in its worker thread, as for `savedmodel run`: one deadline per export covers loading,
  // restore, init ops and the run, and reaching it terminates the worker (no tfjs in this process)
  const { ExecutorWorker } = await import("../executor/workerClient.js");
  const { executorWorkerScript } = await import("./workerScript.js");
  const { feedsFromFlags } = await import("./feedFlags.js");
  const timeoutMs = flags.timeout_ms === undefined ? 300_000 : Number(flags.timeout_ms);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new UsageError("--timeout_ms must be a positive whole number of milliseconds");
  const script = await executorWorkerScript();
  const atol = flags.atol === undefined ? 1e-6 : Number(flags.atol);
  if (!Number.isFinite(atol) || atol < 0) throw new UsageError("--atol needs a number >= 0");
  const seed = flags.seed === undefined ? 1 : Number(flags.seed);
  if (!Number.isInteger(seed)) throw new UsageError("--seed needs an integer");
  const backend = (flags.backend as string | undefined) ?? "wasm";
  if (backend !== "wasm" && backend !== "cpu") throw new UsageError("--backend must be wasm or cpu");
  const outputs: Record<string, DecodedTensor>[] = [];
  let feeds: Record<string, DecodedTensor> | undefined;
  let given = false;
  for (const root of [rootA, rootB]) {
    const worker = new ExecutorWorker(new NodeFileAccess(root), { script, timeoutMs, loadTimeoutMs: timeoutMs });
    try {
      const loaded = await worker.load({ tags, backend: backend as "wasm" | "cpu" });
      const sig = loaded.signatures.find((s) => s.key === key);
      if (!sig) throw new UsageError(`--run: ${root} has no signature "${key}"`);
      if (!feeds) {
        feeds = await feedsFromFlags(flags, sig, io.cwd);
        given = Object.keys(feeds).length > 0;
        if (!given) feeds = randomInputs(sig.inputs, seed);
      }
      const missing = await worker.missingOps(key);
      if (missing.length)
        throw new UsageError(`--run: ${root} uses ops the executor lacks: ${missing.map((m) => m.op).join(", ")}`);
      const r = await worker.run(key, feeds, { timeoutMs });
      outputs.push(r.outputs);
    } finally {
      await worker.terminate();
    }
  }
  return compareOutputs(key, outputs[0], outputs[1], atol, given ? { kind: "given" } : { kind: "seeded_random", seed });
}

export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const { flags, positional } = parseFlags(argv, {
    values: [
      "tag_set",
      "signature_def",
      "fail_on",
      "only",
      "run",
      "inputs",
      "input_exprs",
      "input_examples",
      "seed",
      "atol",
      "backend",
      "timeout_ms",
    ],
    booleans: ["json", "help", "all"],
  });
  if (flags.help) {
    io.out(DIFF_USAGE + "\n");
    return ExitCode.Ok;
  }
  if (positional.length !== 2)
    throw new UsageError(`diff needs two export folders: savedmodel diff A B\n\n${DIFF_USAGE}`);
  const failOn = (flags.fail_on as string | undefined) ?? "breaking";
  if (failOn !== "breaking" && failOn !== "any") throw new UsageError("--fail-on must be breaking or any");
  const sections = flags.only
    ? String(flags.only)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : ALL_SECTIONS;
  for (const s of sections)
    if (!ALL_SECTIONS.includes(s as Section))
      throw new UsageError(`--only: unknown section "${s}" (use ${ALL_SECTIONS.join(",")})`);
  const tags = flags.tag_set
    ? String(flags.tag_set)
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)
    : undefined;
  const [rootA, rootB] = positional.map((p) => resolve(io.cwd, p));
  const [a, b] = await Promise.all([
    openSavedModel(new NodeFileAccess(rootA)),
    openSavedModel(new NodeFileAccess(rootB)),
  ]);
  for (const [exp, label, p] of [
    [a, "A", positional[0]],
    [b, "B", positional[1]],
  ] as const) {
    if (tags && !exp.metaGraphByTags(tags))
      throw new UsageError(`--tag_set '${tags.join(",")}' is not in ${label} (${escapeControl(p)})`);
  }
  const report = await diffExports(a, b, {
    tagSet: tags,
    signatureDef: flags.signature_def as string | undefined,
    sections: sections as Section[],
    locations: [positional[0], positional[1]],
    weights: { all: !!flags.all, threads: () => new DriftThread() },
  });
  if (flags.run) {
    report.behaviour = await behaviour(rootA, rootB, String(flags.run), flags, io, tags);
    report.summary = summarize(report);
  }
  io.out(flags.json ? JSON.stringify(report, diffJsonReplacer, 2) + "\n" : formatDiffText(report));
  return exitStatus(report, failOn);
}

/** JSON replacer: non-finite numbers as "inf" / "-inf" / "nan" (JSON has none), plus show's replacer. */
export function diffJsonReplacer(key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value))
    return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  return jsonReplacer(key, value);
}
