// Writes docs/ops.md: every TensorFlow op the executor runs (and on which backends), every op it refuses
// by design and why, and the ops of the real exports in ../shared/fixtures that it lacks.
// Backends are observed: every signature of every fixture runs on a wasm session with tiny inputs, and
// the ops that went to the tfjs-cpu fallback are recorded.
// Usage: node scripts/gen-ops-table.mjs [fixtures-dir]   (default $SAVEDMODEL_FIXTURES or ../shared/fixtures)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
if (!process.env.__GEN_OPS_TSX) {
  // Re-run under tsx: the input builders are the tests' TypeScript helpers.
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", new URL(import.meta.url).pathname, ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: { ...process.env, __GEN_OPS_TSX: "1" },
    },
  );
  process.exit(r.status ?? 1);
}

const fixturesDir = resolve(
  process.argv[2] ?? process.env.SAVEDMODEL_FIXTURES ?? join(root, "..", "shared", "fixtures"),
);
const { buildExecutorBundles } = await import("./build-executor-test.mjs");
const outdir = join(root, "node_modules", ".cache", `ops-table-${process.pid}`);
await buildExecutorBundles(outdir);
process.on("exit", () => rmSync(outdir, { recursive: true, force: true }));
const X = createRequire(join(outdir, "x.cjs"))(join(outdir, "cli.cjs"));
const { feedsFor } = await import("../test/fidelity/helpers/feedsFor.ts");

const kernels = X.allKernels();
/** op → { fixtures: Set, reached: Set("fixture/signature") } */
const seen = new Map();
const note = (op, fixture) => {
  const e = seen.get(op) ?? { fixtures: new Set(), reached: new Set() };
  e.fixtures.add(fixture);
  seen.set(op, e);
  return e;
};
const onWasm = new Set();
const fallback = new Map();
const fixtures = existsSync(fixturesDir)
  ? readdirSync(fixturesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];
let loaded = 0;
for (const name of fixtures) {
  let s;
  try {
    s = await X.loadSession(new X.NodeFileAccess(join(fixturesDir, name)), { backend: "wasm", onWarning: () => {} });
  } catch {
    continue; // not a loadable SavedModel (corrupt, SessionBundle)
  }
  loaded++;
  const program = s.state.program;
  for (const n of program.graph.node ?? []) if (!program.functions.has(n.op)) note(n.op, name);
  for (const f of program.functions.values())
    for (const n of f.nodeDef ?? []) if (!program.functions.has(n.op)) note(n.op, name);
  for (const sig of s.signatures()) {
    const main = program.mainBody();
    const ref = (t) => main.byName.get(t.replace(/^\^/, "").replace(/:\d+$/, ""));
    const roots = sig.outputs
      .flatMap((o) => (o.sparse ? [o.sparse.indices, o.sparse.values, o.sparse.denseShape] : [o.name]))
      .map(ref);
    const fed = new Set(
      sig.inputs
        .flatMap((i) => (i.sparse ? [i.sparse.indices, i.sparse.values, i.sparse.denseShape] : [i.name]))
        .map(ref),
    );
    for (const op of s.reachableOps(roots, fed).keys()) note(op, name).reached.add(`${name} ${sig.key}`);
    if (s.missingOps(sig.key).length || s.refusedOps(sig.key).length) continue;
    try {
      const r = await s.run(sig.key, feedsFor(s, sig, X.encodeExample));
      const fb = r.warnings.find((w) => w.startsWith("ops on the tfjs-cpu fallback"));
      const cpu = new Set(
        (fb?.split(": ")[1] ?? "")
          .split(", ")
          .map((x) => x.replace(/ ×\d+$/, ""))
          .filter(Boolean),
      );
      for (const op of s.reachableOps(roots, fed).keys()) {
        if (cpu.has(op)) fallback.set(op, (fallback.get(op) ?? 0) + 1);
        else if (kernels[op]?.compute) onWasm.add(op);
      }
    } catch {
      // the coverage test reports failures; the table records what ran
    }
  }
  s.dispose();
}

const rows = X.kernelRows();
const backends = (r) => {
  if (!r.compute) return "host (no tfjs kernel: graph plumbing, state, strings in JS)";
  if (r.cpuOnly) return "cpu (wasm sessions route it to tfjs-cpu)";
  if (fallback.has(r.op) && !onWasm.has(r.op))
    return "cpu (wasm sessions fell back to tfjs-cpu: string inputs or no wasm kernel)";
  if (onWasm.has(r.op)) return "cpu, wasm" + (fallback.has(r.op) ? " (tfjs-cpu for string inputs)" : "");
  return "cpu, wasm (wasm not exercised by a fixture; tfjs-cpu when wasm lacks the kernel)";
};
const runRows = rows.filter((r) => !r.refused);
const refusedKernelRows = rows.filter((r) => r.refused);
const fixtureOps = [...seen.keys()].sort();
const refusedOnly = fixtureOps.filter((op) => !kernels[op] && X.refusalReason(op));
const missing = fixtureOps.filter((op) => !kernels[op] && !X.refusalReason(op));
const esc = (s) => String(s).replace(/\|/g, "\\|");
const list = (set, n = 4) => {
  const a = [...set].sort();
  return a.slice(0, n).join(", ") + (a.length > n ? ` and ${a.length - n} more` : "");
};

const out = [];
out.push("# Op coverage of the executor");
out.push("");
out.push("Generated by `node scripts/gen-ops-table.mjs` (do not edit by hand). Backends are observed by running every");
out.push(
  `signature of every fixture in \`../shared/fixtures\` (${loaded} loadable exports) on a wasm session with tiny inputs.`,
);
out.push(
  "Every op with a tfjs kernel runs on both backends: a wasm session sends ops wasm lacks (and string inputs) to tfjs-cpu.",
);
out.push("");
out.push("## Totals");
out.push("");
out.push(
  `- ops the executor runs: **${runRows.length}** (${runRows.filter((r) => r.family === "converter").length} through tfjs-converter's op families, ${runRows.filter((r) => r.family !== "converter").length} of our own families)`,
);
out.push(
  `- ops refused by design: **${refusedKernelRows.length + refusedOnly.length}** listed (${refusedKernelRows.length} with a refusing kernel, ${refusedOnly.length} custom-op, checkpoint, GPU-only or tf.data ops seen in the fixtures), plus every op of the custom-op families`,
);
out.push(
  `- ops in the fixtures: **${fixtureOps.length}**; run: ${fixtureOps.filter((op) => kernels[op] && !X.refusalReason(op)).length}; refused by design: ${fixtureOps.filter((op) => X.refusalReason(op)).length}; missing: **${missing.length}** (${missing.filter((op) => seen.get(op).reached.size).length} of them reached by a signature)`,
);
out.push("");
out.push("## Ops in the fixtures that the executor lacks");
out.push("");
if (!missing.length) out.push("None.");
else {
  out.push("| op | fixtures | reached by a signature |");
  out.push("|---|---|---|");
  for (const op of missing) {
    const e = seen.get(op);
    out.push(
      `| ${esc(op)} | ${esc(list(e.fixtures))} | ${e.reached.size ? esc(list(e.reached, 3)) : "no (not on any signature's path)"} |`,
    );
  }
}
out.push("");
out.push("## Ops refused by design");
out.push("");
out.push("| op | why | in the fixtures |");
out.push("|---|---|---|");
for (const op of [...refusedKernelRows.map((r) => r.op), ...refusedOnly].sort())
  out.push(
    `| ${esc(op)} | ${esc(X.refusalReason(op) ?? rows.find((r) => r.op === op)?.refused)} | ${seen.has(op) ? esc(list(seen.get(op).fixtures, 3)) : ""} |`,
  );
out.push("");
out.push(
  "Custom-op families refused as a whole (native code of TensorFlow add-on libraries): `" +
    "Sentencepiece*`, `Wordpiece*`, `SimpleML*`, TF Text tokenizers, `Addons>*`, `TPU*` (see `KNOWN_CUSTOM_OP` in src/executor/unsafeOps.ts).",
);
out.push("");
out.push("## Ops the executor runs");
out.push("");
out.push("| op | family | backends | in the fixtures |");
out.push("|---|---|---|---|");
for (const r of runRows)
  out.push(`| ${esc(r.op)} | ${r.family} | ${backends(r)} | ${seen.has(r.op) ? seen.get(r.op).fixtures.size : ""} |`);
out.push("");
writeFileSync(join(root, "docs", "ops.md"), out.join("\n"));
console.log(
  `docs/ops.md: ${runRows.length} run, ${refusedKernelRows.length + refusedOnly.length} refused, ${missing.length} missing of ${fixtureOps.length} fixture ops`,
);
