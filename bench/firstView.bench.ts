/**
 * What a user sees first: tags and signatures, measured in a fresh Node process per export
 * (cold JIT), from the call that opens the folder to the signature list (issue 2: ≤ 50 ms for any
 * export, however large). Also reports the library's load time and the process start.
 * Usage: npx tsx bench/firstView.bench.ts [DIR...]   (default: every fixture + a synthetic ~30 MB export)
 */
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { largeGraph } from "./synthetic.js";

const FIXTURES = resolve(__dirname, "..", "..", "shared", "fixtures");

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "smx-firstview-"));
  const entry = join(work, "entry.cjs");
  await build({
    stdin: {
      contents: `
        const t0 = performance.now();
        const { NodeFileAccess } = require(${JSON.stringify(resolve(__dirname, "../src/savedmodel/node/nodeFileAccess.ts"))});
        const { openSavedModel } = require(${JSON.stringify(resolve(__dirname, "../src/savedmodel/savedModel.ts"))});
        const { describeModel } = require(${JSON.stringify(resolve(__dirname, "../src/savedmodel/model.ts"))});
        const t1 = performance.now();
        (async () => {
          const exp = await openSavedModel(new NodeFileAccess(process.argv[2]));
          const info = await describeModel(exp);
          const t2 = performance.now();
          const sigs = info.metaGraphs.reduce((n, m) => n + m.signatures.length, 0);
          console.log(JSON.stringify({ loadMs: t1 - t0, openToSignaturesMs: t2 - t1, sinceProcessStartMs: t2 + 0, signatures: sigs, bytes: exp.layout.savedModelSize }));
        })();`,
      resolveDir: __dirname,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    outfile: entry,
    logLevel: "error",
  });
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    if (existsSync(FIXTURES))
      for (const d of readdirSync(FIXTURES).sort())
        if (!d.startsWith("corrupt") && !d.endsWith(".md")) dirs.push(join(FIXTURES, d));
    const big = join(work, "synthetic-100k");
    mkdirSync(big);
    writeFileSync(join(big, "saved_model.pb"), largeGraph(100_000, 2_000));
    dirs.push(big);
  }
  let worst = 0;
  for (const dir of dirs) {
    const runs: {
      loadMs: number;
      openToSignaturesMs: number;
      sinceProcessStartMs: number;
      bytes: number;
      signatures: number;
    }[] = [];
    for (let i = 0; i < 3; i++) {
      const r = spawnSync(process.execPath, [entry, dir], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${dir}: ${r.stderr}`);
      runs.push(JSON.parse(r.stdout));
    }
    runs.sort((a, b) => a.openToSignaturesMs - b.openToSignaturesMs);
    const m = runs[1];
    worst = Math.max(worst, m.openToSignaturesMs);
    console.log(
      JSON.stringify({
        dir: dir.split("/").pop(),
        mb: +(m.bytes / 1e6).toFixed(2),
        signatures: m.signatures,
        libraryLoadMs: +m.loadMs.toFixed(1),
        openToSignaturesMs: +m.openToSignaturesMs.toFixed(1),
        sinceProcessStartMs: +m.sinceProcessStartMs.toFixed(1),
      }),
    );
  }
  console.log(`worst open → signatures: ${worst.toFixed(1)} ms (median of 3 fresh processes per export)`);
}

void main();
