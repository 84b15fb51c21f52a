/**
 * First view of an export (issue 12): tags and signatures, measured in a fresh Node process per run
 * (cold JIT), from the call that opens the folder to the signature list, after the library is
 * loaded (opened as `savedmodel show` and the decode worker do: graph on demand). On every fixture, on
 * synthetic 100k-node graphs (TF1 with a big library; TF2 with 100k top-level nodes) and on the builder's frozen-Const
 * exports of 10 MB, 100 MB, 500 MB and 1.5 GB (written to the temp folder at bench time and deleted
 * after), it also reports:
 *   - peak RSS of `savedmodel show` (the CLI bundled by esbuild here), anchor: the 10 MB export;
 *   - peak RSS of what the extension's decode worker does for an export (open, describe, variables,
 *     details, the graph view's display graph of the whole graph), in one fresh process;
 *   - the CLI start: `savedmodel show --tag_set serve` on a small builder export against bare
 *     `node -e 0`, interleaved, medians.
 *   - text twins: each fixture's saved_model.pbtxt twin against its binary, tags and signatures;
 *   - the CLI start as `npm run build` builds it and bin/savedmodel.js starts it (with and without code cache).
 * Usage: npx tsx bench/firstView.bench.ts [--sizes=10,100,500,1500] [--only=text,cli] [DIR...]
 */
import { build, type Plugin } from "esbuild";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  mkdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { largeGraph } from "./synthetic.js";
import { writeFrozenConstExport } from "./frozenConstFiles.js";
import { manyNodeTf2Files } from "../src/savedmodel/builder/manyNodeTf2.js";
import { halfPlusTwo } from "../src/savedmodel/builder/models.js";
import { writeExportToDir } from "../src/savedmodel/node/nodeWriter.js";

const FIXTURES = resolve(__dirname, "..", "..", "shared", "fixtures");
const src = (p: string) => JSON.stringify(resolve(__dirname, "..", p));
const TWIN_RUNS = 5;
const CLI_RUNS = 21;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bundle(contents: string, outfile: string, plugins: Plugin[] = []): Promise<void> {
  await build({
    plugins,
    stdin: { contents, resolveDir: __dirname, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "cjs",
    outfile,
    logLevel: "error",
    mainFields: ["module", "main"],
  });
}

interface Probe {
  loadMs: number;
  openToSignaturesMs: number;
  /** CPU time (user + system) of the same span: steadier than the wall time on a busy machine */
  openToSignaturesCpuMs: number;
  signatures: number;
  bytes: number;
  rssMb: number;
}

function runJson<T>(args: string[]): T {
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}

/** Peak RSS (MB) of a CLI run, from a preload that reports it at exit. */
function cliRss(work: string, cli: string, args: string[]): number {
  const r = spawnSync(process.execPath, ["-r", join(work, "rss.cjs"), cli, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`savedmodel ${args.join(" ")}: ${r.stderr}`);
  return Number(/RSS_KB (\d+)/.exec(r.stderr)![1]) / 1024;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "smx-firstview-"));
  const sizesArg = process.argv.find((a) => a.startsWith("--sizes="));
  const sizesMb = (sizesArg ? sizesArg.slice(8) : "10,100,500,1500").split(",").map(Number);
  const dirs = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const probe = join(work, "probe.cjs");
  const worker = join(work, "worker.cjs");
  const cli = join(work, "cli.cjs");
  await bundle(
    `
      const t0 = performance.now();
      const { NodeFileAccess } = require(${src("src/savedmodel/node/nodeFileAccess.ts")});
      const { openSavedModel } = require(${src("src/savedmodel/savedModel.ts")});
      const { describeModel } = require(${src("src/savedmodel/model.ts")});
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      (async () => {
        const exp = await openSavedModel(new NodeFileAccess(process.argv[2]), { graphOnDemand: true });
        const info = await describeModel(exp);
        const t2 = performance.now();
        const c2 = process.cpuUsage(c1);
        const sigs = info.metaGraphs.reduce((n, m) => n + m.signatures.length, 0);
        console.log(JSON.stringify({ loadMs: t1 - t0, openToSignaturesMs: t2 - t1,
          openToSignaturesCpuMs: (c2.user + c2.system) / 1000, signatures: sigs,
          bytes: exp.layout.savedModelSize, rssMb: (() => { try { return Number(/VmHWM:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1]); } catch { return process.resourceUsage().maxRSS; } })() / 1024 }));
      })();`,
    probe,
  );
  // what the decode worker does for an export shown in the tree and the graph view
  await bundle(
    `
      const { NodeFileAccess } = require(${src("src/savedmodel/node/nodeFileAccess.ts")});
      const { openSavedModel } = require(${src("src/savedmodel/savedModel.ts")});
      const m = require(${src("src/savedmodel/model.ts")});
      const { buildDisplayGraph } = require(${src("src/graph/build.ts")});
      const { graphSourceFromMetaGraph } = require(${src("src/graph/source.ts")});
      (async () => {
        const exp = await openSavedModel(new NodeFileAccess(process.argv[2]), { graphOnDemand: true });
        const info = await m.describeModel(exp);
        const vars = await m.loadVariables(exp).catch(() => undefined);
        if (exp.load) await exp.load();
        const mg = exp.metaGraphs[0];
        m.listFunctions(mg, info.metaGraphs[0].signatures);
        await m.objectTree(exp, mg, vars).catch(() => undefined);
        m.computeStats(mg, vars);
        const t = performance.now();
        const g = buildDisplayGraph(graphSourceFromMetaGraph(mg), { graph: true }, {});
        console.log(JSON.stringify({ graphMs: performance.now() - t, nodes: g.nodes?.length ?? 0,
          rssMb: (() => { try { return Number(/VmHWM:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1]); } catch { return process.resourceUsage().maxRSS; } })() / 1024 }));
      })();`,
    worker,
  );
  // the CLI as scripts/build.mjs bundles it (run and its executor in a bundle of their own)
  const { cliSplit } = (await import(resolve(__dirname, "..", "scripts", "cliSplit.mjs"))) as { cliSplit: Plugin };
  await bundle(`require(${src("src/cli/bin.ts")});`, cli, [cliSplit]);
  writeFileSync(
    join(work, "rss.cjs"),
    // VmHWM is this process's own peak; ru_maxrss of a child forked from a large parent starts at the parent's peak on Linux
    `process.on("exit", () => { let kb = process.resourceUsage().maxRSS; try { kb = Number(/VmHWM:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1]); } catch {} process.stderr.write("\\nRSS_KB " + kb + "\\n"); });`,
  );

  // --only=text,cli: just the text twins and/or the CLI start
  const only = process.argv
    .find((a) => a.startsWith("--only="))
    ?.slice(7)
    .split(",");
  if (only) {
    if (only.includes("text")) await textTwins(work, probe);
    if (only.includes("cli")) await cliStart(work);
    rmSync(work, { recursive: true, force: true });
    return;
  }

  const rows: Record<string, unknown>[] = [];
  const measure = (dir: string, label: string, extra = false) => {
    const runs = [0, 1, 2].map(() => runJson<Probe>([probe, dir]));
    const m = (k: keyof Probe) => median(runs.map((r) => r[k]));
    const row: Record<string, unknown> = {
      export: label,
      mb: +(runs[0].bytes / 1e6).toFixed(1),
      signatures: runs[0].signatures,
      libraryLoadMs: +m("loadMs").toFixed(1),
      tagsAndSignaturesMs: +m("openToSignaturesMs").toFixed(1),
    };
    if (extra) {
      row.showRssMb = +median([0, 1, 2].map(() => cliRss(work, cli, ["show", dir]))).toFixed(1);
      const w = [0, 1, 2].map(() => runJson<{ rssMb: number; graphMs: number }>([worker, dir]));
      row.workerAndGraphRssMb = +median(w.map((x) => x.rssMb)).toFixed(1);
      row.displayGraphMs = +median(w.map((x) => x.graphMs)).toFixed(1);
    }
    rows.push(row);
    console.log(JSON.stringify(row));
  };

  if (dirs.length) for (const d of dirs) measure(d, d.split("/").pop()!, true);
  else {
    if (existsSync(FIXTURES)) {
      for (const d of readdirSync(FIXTURES).sort())
        if (!d.startsWith("corrupt") && !d.endsWith(".md") && !d.startsWith("serving-bad"))
          measure(join(FIXTURES, d), d);
    } else console.log(`fixtures: skipped (${FIXTURES} not found)`);
    const big = join(work, "synthetic-100k");
    mkdirSync(big);
    writeFileSync(join(big, "saved_model.pb"), largeGraph(100_000, 2_000));
    measure(big, "synthetic-100k-nodes", true);
    rmSync(big, { recursive: true, force: true });
    // TF2: the StatefulPartitionedCall behind each signature among 100k top-level nodes
    const tf2 = join(work, "synthetic-100k-tf2");
    await writeExportToDir(manyNodeTf2Files(100_000), tf2);
    measure(tf2, "synthetic-100k-top-level-nodes-tf2", true);
    rmSync(tf2, { recursive: true, force: true });
    for (const mb of sizesMb) {
      const dir = join(work, `frozen-${mb}mb`);
      writeFrozenConstExport(dir, mb * 1e6);
      measure(dir, `frozen-const-${mb}MB`, true);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await textTwins(work, probe);

  const frozen = rows.filter((r) => String(r.export).startsWith("frozen"));
  const worst = Math.max(...rows.map((r) => r.tagsAndSignaturesMs as number));
  console.log(
    `\nworst tags+signatures after library load: ${worst.toFixed(1)} ms (aim <= 50; median of 3 fresh processes)`,
  );
  if (frozen.length >= 2) {
    const a = frozen[0];
    const b = frozen[frozen.length - 1];
    console.log(
      `savedmodel show peak RSS: ${a.showRssMb} MB at ${a.mb} MB -> ${b.showRssMb} MB at ${b.mb} MB: grows ${((b.showRssMb as number) - (a.showRssMb as number)).toFixed(1)} MB (aim <= 20)`,
    );
    console.log(`decode worker + graph view peak RSS at ${b.mb} MB: ${b.workerAndGraphRssMb} MB (aim < 300)`);
  }

  await cliStart(work);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Text exports (saved_model.pbtxt) against their binary twins, printed here from fixtures and the builder:
 * tags and signatures after the library is loaded, medians of fresh processes, interleaved.
 */
async function textTwins(work: string, probe: string): Promise<void> {
  const { printTextFormat } = await import("../src/savedmodel/textFormat/index.js");
  const { tensorflow } = await import("../src/savedmodel/proto.js");
  const twinSources: { name: string; pb: Uint8Array }[] = [];
  for (const name of [
    "potato-cnn-tf29",
    "odapi-tf1-ssd-traffic-sign",
    "lstm-bbc-news-2shards",
    "serving-half-plus-two-cpu",
  ]) {
    const p = join(FIXTURES, name, "saved_model.pb");
    if (existsSync(p)) twinSources.push({ name, pb: new Uint8Array(readFileSync(p)) });
    else console.log(`text twin ${name}: skipped (${p} not found)`);
  }
  twinSources.push({ name: "builder-half-plus-two", pb: halfPlusTwo().save().get("saved_model.pb")! });
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (const t of twinSources) {
    const binDir = join(work, `${t.name}-bin`);
    const txtDir = join(work, `${t.name}-txt`);
    mkdirSync(binDir);
    mkdirSync(txtDir);
    writeFileSync(join(binDir, "saved_model.pb"), t.pb);
    const text = printTextFormat(tensorflow.SavedModel.decode(t.pb), "tensorflow.SavedModel");
    writeFileSync(join(txtDir, "saved_model.pbtxt"), text);
    const bin: Probe[] = [];
    const txt: Probe[] = [];
    for (let i = 0; i < TWIN_RUNS; i++) {
      bin.push(runJson<Probe>([probe, binDir]));
      txt.push(runJson<Probe>([probe, txtDir]));
    }
    const b = bin.map((r) => r.openToSignaturesMs);
    const x = txt.map((r) => r.openToSignaturesMs);
    const bc = median(bin.map((r) => r.openToSignaturesCpuMs));
    const xc = median(txt.map((r) => r.openToSignaturesCpuMs));
    ratios.push(median(x) / median(b));
    cpuRatios.push(xc / bc);
    console.log(
      JSON.stringify({
        twin: t.name,
        binaryMb: +(t.pb.length / 1e6).toFixed(2),
        textMb: +(Buffer.byteLength(text) / 1e6).toFixed(2),
        binaryMs: +median(b).toFixed(1),
        textMs: +median(x).toFixed(1),
        textOverBinary: +(median(x) / median(b)).toFixed(2),
        binaryCpuMs: +bc.toFixed(1),
        textCpuMs: +xc.toFixed(1),
        textOverBinaryCpu: +(xc / bc).toFixed(2),
      }),
    );
    rmSync(binDir, { recursive: true, force: true });
    rmSync(txtDir, { recursive: true, force: true });
  }
  console.log(
    `text twins: tags+signatures at most ${Math.max(...ratios).toFixed(2)}x their binary twin's wall time, ${Math.max(...cpuRatios).toFixed(2)}x its CPU time (aim <= 4; medians of ${TWIN_RUNS} fresh processes each, interleaved; load average ${loadavg()[0].toFixed(2)})`,
  );
}

/**
 * CLI start: `savedmodel show --tag_set serve` on a small builder export against bare `node -e 0`, interleaved,
 * medians, with the CLI the user gets: scripts/build.mjs --cli-only (as `npm run build` builds it) started by
 * bin/savedmodel.js, with its code cache warm (a cache folder of its own here, written by one first run), and
 * without it (SAVEDMODEL_NO_COMPILE_CACHE: the first run after a build).
 */
async function cliStart(work: string): Promise<void> {
  const root = resolve(__dirname, "..");
  const b = spawnSync(
    process.execPath,
    [join(root, "scripts", "build.mjs"), "--cli-only", "--outdir", join(work, "dist")],
    {
      encoding: "utf8",
    },
  );
  if (b.status !== 0) throw new Error(`scripts/build.mjs --cli-only: ${b.stderr}`);
  mkdirSync(join(work, "bin"));
  copyFileSync(join(root, "bin", "savedmodel.js"), join(work, "bin", "savedmodel.js"));
  const savedmodel = join(work, "bin", "savedmodel.js");
  const small = join(work, "half-plus-two");
  await writeExportToDir(halfPlusTwo().save(), small);
  const cacheDir = join(work, "compile-cache");
  const spawn = (args: string[], env: Record<string, string> = {}) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, {
      encoding: "utf8",
      env: { ...process.env, SAVEDMODEL_CACHE_DIR: cacheDir, SAVEDMODEL_FROM_SOURCE: "", ...env },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return { ms: performance.now() - t, stderr: r.stderr };
  };
  const wall = (args: string[], env: Record<string, string> = {}) => spawn(args, env).ms;
  // CPU time of a whole process (user + system, from its start), reported at exit by a preload
  const cpuPreload = join(work, "cpu.cjs");
  writeFileSync(
    cpuPreload,
    `process.on("exit", () => { const c = process.cpuUsage(); process.stderr.write("\\nCPU_US " + (c.user + c.system) + "\\n"); });`,
  );
  const cpu = (args: string[]) => Number(/CPU_US (\d+)/.exec(spawn(["-r", cpuPreload, ...args]).stderr)![1]) / 1000;
  const show = [savedmodel, "show", small, "--tag_set", "serve"];
  wall(show); // writes the code cache
  const bare: number[] = [];
  const cached: number[] = [];
  const uncached: number[] = [];
  const load0 = loadavg()[0];
  for (let i = 0; i < CLI_RUNS; i++) {
    bare.push(wall(["-e", "0"]));
    cached.push(wall(show));
    uncached.push(wall(show, { SAVEDMODEL_NO_COMPILE_CACHE: "1" }));
  }
  const bareCpu: number[] = [];
  const showCpu: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    bareCpu.push(cpu(["-e", "0"]));
    showCpu.push(cpu(show));
  }
  const mb = median(bare);
  const line = (label: string, xs: number[]) =>
    `CLI start (${label}): show --tag_set serve ${median(xs).toFixed(1)} ms vs node -e 0 ${mb.toFixed(1)} ms: +${(median(xs) - mb).toFixed(1)} ms, ${(median(xs) / mb).toFixed(2)}x`;
  console.log(`${line("code cache warm", cached)} (aim: within 80 ms)`);
  console.log(line("no code cache", uncached));
  console.log(
    `CLI start CPU time (code cache warm): show ${median(showCpu).toFixed(1)} ms vs node -e 0 ${median(bareCpu).toFixed(1)} ms: +${(median(showCpu) - median(bareCpu)).toFixed(1)} ms (user + system, whole process)`,
  );
  console.log(
    `  medians of ${CLI_RUNS} interleaved runs; load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)} (${cpus().length} CPUs); dist/cli.js ${(statSync(join(work, "dist", "cli.js")).size / 1024).toFixed(0)} KB`,
  );
}

void main();
