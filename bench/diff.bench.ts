/**
 * `savedmodel diff` benchmarks. Run: npx tsx bench/diff.bench.ts [--gb 1] [--runs 3] [--keep] [--only contract|drift|first]
 *  1. contract diff of fixture pairs after the library is loaded (open both + describe + classify), median of 15
 *     per pair; target ≤ 100 ms;
 *  2. weight drift over two builder checkpoints of --gb GB each (B = A·(1+1e-4), every element differs) against
 *     the anchor: a plain sequential 8 MiB-chunk read of the same two data files, interleaved, medians of --runs
 *     (default 3); each run in a fresh child process (the parent's heap holds the builder's garbage); target
 *     ≥ 50 % of the plain read's throughput; peak RSS of the drift process (target < 300 MB). The CPU time (user +
 *     system, all threads) of each is printed too: on a shared machine wall time follows the other load, CPU time
 *     much less. The drift runs as the CLI runs it, with its helper thread (the two threads each read — positional
 *     reads on the shards opened through the contained open — and compare the ranges they take); the anchor stays
 *     one thread reading sequentially, the fastest a plain read of the same files goes;
 *  3. the comparison editor's first content: what the editor waits for before its first message, through the
 *     real decode worker and client (open both, then contract + graph + files), for large fixture pairs, median
 *     of 5 after a warm-up; target ≤ 1 s.
 *     (The webview's own load and render is measured by the E2E in test/e2e/compareUi.mjs.)
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DataType } from "../src/savedmodel/dtypes.js";
import { GraphBuilder, SavedModelBuilder, tensorOf } from "../src/savedmodel/builder/index.js";
import { writeExportToDir } from "../src/savedmodel/node/nodeWriter.js";
import { diffExports, diffWeights } from "../src/savedmodel/diff/index.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { DriftThread } from "../src/savedmodel/node/driftThread.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { DecodeClient } from "../src/extension/decodeClient.js";
import { tsWorkerScript } from "../test/helpers/tsWorker.js";

const FIXTURES = resolve(__dirname, "..", "..", "shared", "fixtures");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

async function open(dir: string) {
  return openSavedModel(new NodeFileAccess(dir));
}

/**
 * Peak RSS of this process in MB: /proc/self/status VmHWM (fresh after exec) where available — getrusage's
 * maxRSS keeps the forking parent's peak across exec on Linux, which would report the builder's gigabytes.
 */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Child mode: run the drift (or the plain read) once; print time, bytes and peak RSS (MB). */
async function child(mode: string, a: string, b: string) {
  if (mode === "plain") {
    const shards = [a, b].map((d) => join(d, "variables", "variables.data-00000-of-00001"));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const bytes = plainRead(shards);
    console.log(JSON.stringify({ ms: performance.now() - t0, cpuMs: cpuMs(c0), bytes, rssMb: peakRssMb() }));
    return;
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const [ea, eb] = await Promise.all([open(a), open(b)]);
  // as the CLI and the decode worker run it: the float32 loop split with a helper thread
  const r = await diffWeights(ea, eb, { threads: () => new DriftThread() });
  const ms = performance.now() - t0;
  if (r.weights.drift.some((d) => d.fractionChanged === 0)) throw new Error("expected every variable to drift");
  console.log(JSON.stringify({ ms, cpuMs: cpuMs(c0), bytes: r.weights.bytesCompared, rssMb: peakRssMb() }));
}

/** CPU time of this process since `c0` (user + system, every thread), ms. */
function cpuMs(c0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1000;
}

function runChild(mode: string, a: string, b: string): { ms: number; cpuMs: number; bytes: number; rssMb: number } {
  const c = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", mode, a, b], { encoding: "utf8" });
  if (c.status !== 0) throw new Error(c.stderr);
  return JSON.parse(c.stdout.trim().split("\n").pop()!);
}

async function contractBench() {
  const pairs: [string, string][] = [
    ["serving-half-plus-two-cpu", "serving-half-plus-two-tf2-cpu"],
    ["tfx-taxi-estimator-2shards", "tfx-taxi-estimator-2022"],
    ["lstm-bbc-news-2shards", "tfnet-keras-lstm-tf212"],
    ["incomplete-albert-tf23", "keras3-transformer-tf217"],
  ];
  console.log("1. contract diff after library load (open both + describe + classify), median of 15");
  for (const [x, y] of pairs) {
    const a = join(FIXTURES, x);
    const b = join(FIXTURES, y);
    if (!existsSync(a) || !existsSync(b)) {
      console.log(`   skip ${x} → ${y}: fixtures not found`);
      continue;
    }
    await diffExports(await open(a), await open(b), { sections: ["contract"] }); // warm-up
    const t: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      const r = await diffExports(await open(a), await open(b), { sections: ["contract"] });
      t.push(performance.now() - t0);
      void r;
    }
    const m = median(t);
    console.log(`   ${x} → ${y}: ${m.toFixed(1)} ms ${m <= 100 ? "(≤ 100 ms: ok)" : "(OVER 100 ms)"}`);
  }
}

/** The decode worker's TypeScript source behind the real host-side client (as test/extension/decodeWorker.test.ts). */
function decodeWorkerClient(): DecodeClient {
  return new DecodeClient(
    tsWorkerScript(join(__dirname, "..", "src", "extension", "decodeWorker.ts")),
    () => undefined,
  );
}

async function firstContentBench() {
  const pairs: [string, string][] = [
    ["serving-half-plus-two-cpu", "serving-half-plus-two-tf2-cpu"],
    ["lstm-bbc-news-2shards", "tfnet-keras-lstm-tf212"],
    ["incomplete-albert-tf23", "keras3-transformer-tf217"],
    ["odapi-tf1-ssd-traffic-sign", "tfx-taxi-estimator-2022"],
  ];
  console.log(
    "3. comparison editor's first content, as src/extension/compare gets it: in the decode worker (warm), open both (describe + variables index) then compareOpen for the contract (the first message), then graph + files; file reads answered over the channel; median of 5",
  );
  const client = decodeWorkerClient();
  const keepAlive = setInterval(() => undefined, 1000);
  const limits = { maxProtoBytes: 2 ** 31, maxElements: 1 << 24, tableMaxElements: 1 << 20 };
  let n = 0;
  try {
    for (const [x, y] of pairs) {
      const a = join(FIXTURES, x);
      const b = join(FIXTURES, y);
      if (!existsSync(a) || !existsSync(b)) continue;
      const first: number[] = [];
      const worker: number[] = [];
      const rest: number[] = [];
      for (let i = 0; i < 6; i++) {
        const [ia, ib] = [`a${n}`, `b${n++}`];
        client.register(ia, new NodeFileAccess(a));
        client.register(ib, new NodeFileAccess(b));
        const t0 = performance.now();
        await Promise.all([
          client.request({ op: "open", exportId: ia, display: a, limits }),
          client.request({ op: "open", exportId: ib, display: b, limits }),
        ]);
        // the editor's first message: the contract; graph and files follow (src/extension/compare/comparePanel.ts)
        const c0 = performance.now();
        const r = await client.request({
          op: "compareOpen",
          exportId: ia,
          otherId: ib,
          locations: [x, y],
          sections: ["contract"],
        });
        const c1 = performance.now();
        await client.request({
          op: "compareOpen",
          exportId: ia,
          otherId: ib,
          locations: [x, y],
          sections: ["contract", "graph", "files"],
        });
        if (i > 0 && r.report) {
          // the first round warms the worker up (the extension's worker is long-lived)
          first.push(c1 - t0);
          worker.push(c1 - c0);
          rest.push(performance.now() - t0);
        }
        await client.request({ op: "close", exportId: ia });
        await client.request({ op: "close", exportId: ib });
      }
      const m = median(first);
      console.log(
        `   ${x} → ${y}: first content ${m.toFixed(0)} ms ${m <= 1000 ? "(≤ 1 s: ok)" : "(OVER 1 s)"} (of which the contract request ${median(worker).toFixed(0)} ms); graph + files by ${median(rest).toFixed(0)} ms`,
      );
    }
  } finally {
    clearInterval(keepAlive);
    client.dispose();
  }
}

async function buildCheckpoint(dir: string, gb: number, scale: number) {
  const perVar = 64 << 20; // bytes
  const n = Math.round((gb * 1024 * 1024 * 1024) / perVar);
  const g = new GraphBuilder();
  const side = Math.sqrt(perVar / 4);
  for (let v = 0; v < n; v++) {
    const values = new Float32Array(perVar / 4);
    for (let i = 0; i < values.length; i++) values[i] = (((i * 2654435761 + v * 97) >>> 0) / 4294967296 - 0.5) * scale;
    g.variable(`layer_${v}/kernel`, tensorOf(DataType.DT_FLOAT, [side, side], values), { initializer: "none" });
  }
  g.saver();
  const b = new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: g, signatureDefs: {} });
  await writeExportToDir(b.save(), dir);
}

function plainRead(files: string[], chunk = 8 << 20): number {
  const buf = Buffer.allocUnsafe(chunk);
  let total = 0;
  for (const f of files) {
    const fd = openSync(f, "r");
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, chunk, null);
        if (n === 0) break;
        total += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  return total;
}

async function driftBench(gb: number, keep: boolean) {
  const root = mkdtempSync(join(tmpdir(), "smdiff-bench-"));
  const a = join(root, "a");
  const b = join(root, "b");
  try {
    console.log(`2. weight drift over two ${gb} GB builder checkpoints (${root})`);
    let t0 = performance.now();
    await buildCheckpoint(a, gb, 1);
    await buildCheckpoint(b, gb, 1 + 1e-4);
    console.log(`   built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // each measurement in a fresh process (no builder garbage in the heap), plain and drift interleaved
    const plain: number[] = [];
    const drift: number[] = [];
    const plainCpu: number[] = [];
    const driftCpu: number[] = [];
    let rss = 0;
    let bytes = 0;
    for (let i = 0; i < Number(arg("runs") ?? 3); i++) {
      const p = runChild("plain", a, b);
      plain.push(p.ms);
      plainCpu.push(p.cpuMs);
      bytes = p.bytes;
      const d = runChild("drift", a, b);
      drift.push(d.ms);
      driftCpu.push(d.cpuMs);
      rss = Math.max(rss, d.rssMb);
    }
    const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);
    const ratio = median(plain) / median(drift);
    console.log(
      `   plain sequential read: ${median(plain).toFixed(0)} ms (${mbps(median(plain)).toFixed(0)} MB/s); drift: ${median(drift).toFixed(0)} ms (${mbps(median(drift)).toFixed(0)} MB/s) [runs: plain ${plain.map((x) => x.toFixed(0)).join("/")}, drift ${drift.map((x) => x.toFixed(0)).join("/")}]`,
    );
    console.log(
      `   drift throughput = ${(ratio * 100).toFixed(0)} % of plain read ${ratio >= 0.5 ? "(≥ 50 %: ok)" : "(UNDER 50 %)"}`,
    );
    console.log(
      `   CPU time (user + system, all threads): plain ${median(plainCpu).toFixed(0)} ms, drift ${median(driftCpu).toFixed(0)} ms (plain/drift = ${((median(plainCpu) / median(driftCpu)) * 100).toFixed(0)} %)`,
    );
    console.log(
      `   peak RSS of the drift process: ${rss.toFixed(0)} MB ${rss < 300 ? "(< 300 MB: ok)" : "(OVER 300 MB)"}`,
    );
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

async function mainBench() {
  if (process.argv.includes("--child")) {
    const i = process.argv.indexOf("--child");
    return child(process.argv[i + 1], process.argv[i + 2], process.argv[i + 3]);
  }
  const only = arg("only");
  if (!only || only === "contract") await contractBench();
  if (!only || only === "drift") await driftBench(Number(arg("gb") ?? 1), process.argv.includes("--keep"));
  if (!only || only === "first") await firstContentBench();
}

mainBench().catch((e) => {
  console.error(e);
  process.exit(1);
});
