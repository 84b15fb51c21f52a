/**
 * Decode speed (issue 2 §8): for every fixture and a synthetic 100k-node / 2,000-function graph,
 *  - time to tags + signatures (lazy first pass),
 *  - full decode MB/s: plain protobufjs `SavedModel.decode` on the main thread (default heap) versus
 *    our decode path in a worker whose young generation is raised (maxYoungGenerationSizeMb 256: measured best of 32–256 here),
 *  - text format parse vs binary decode for the text twin,
 *  - peak RSS.
 * Usage: npx tsx bench/decode.bench.ts [--json]
 */
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SavedModel, tensorflow } from "../src/savedmodel/proto.js";
import { lazyDecodeSavedModel, sliceRange } from "../src/savedmodel/lazyPass.js";
import { largeGraph } from "./synthetic.js";

const FIXTURES = resolve(__dirname, "..", "..", "shared", "fixtures");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Our full decode: lazy pass, then every part decoded on its own (graph nodes, each function, object graph). */
function fullDecode(buf: Uint8Array): number {
  const lazy = lazyDecodeSavedModel(buf);
  let n = 0;
  for (const m of lazy.metaGraphs) {
    if (m.graph) n += tensorflow.GraphDef.decode(sliceRange(buf, m.graph.range)).node.length;
    if (m.objectGraphRange) n += tensorflow.SavedObjectGraph.decode(sliceRange(buf, m.objectGraphRange)).nodes.length;
  }
  return n;
}

function timeIt(fn: () => void, reps: number): number {
  for (let i = 0; i < 2; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

interface Row {
  name: string;
  mb: number;
  lazyMs: number;
  plainMainMBs: number;
  plainWorkerMBs: number;
  oursWorkerMBs: number;
  textMBs?: number;
  binaryOfTextMBs?: number;
  peakRssMB: number;
}

async function mainThread(): Promise<void> {
  const inputs: { name: string; path?: string; bytes?: Uint8Array }[] = [];
  if (existsSync(FIXTURES)) {
    for (const d of readdirSync(FIXTURES).sort()) {
      const p = join(FIXTURES, d, "saved_model.pb");
      if (existsSync(p) && !d.startsWith("corrupt")) inputs.push({ name: d, path: p });
    }
  }
  const t0 = performance.now();
  const big = largeGraph(100_000, 2_000);
  console.error(
    `built synthetic 100k-node/2000-function SavedModel: ${(big.length / 1e6).toFixed(1)} MB in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  inputs.push({ name: "synthetic-100k-nodes-2000-functions", bytes: big });

  const rows: Row[] = [];
  // one long-lived worker (warm JIT, like the extension's decode worker) with a raised young generation
  const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(__filename)});`, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: 256 },
  });
  const inWorker = (bytes: Uint8Array, mode: "plain" | "ours"): Promise<number> =>
    new Promise((res, rej) => {
      const onError = (e: Error) => rej(e);
      worker.once("error", onError);
      worker.once("message", (m: { ms: number }) => {
        worker.off("error", onError);
        res(m.ms);
      });
      worker.postMessage({ bytes, mode });
    });
  let totalBytes = 0;
  let totalPlain = 0;
  let totalOurs = 0;
  let totalPlainWorker = 0;
  let peak = 0;
  const textRows: { name: string; textMBs: number; binMBs: number }[] = [];
  for (const inp of inputs) {
    const bytes = inp.bytes ?? new Uint8Array(readFileSync(inp.path!));
    const reps = bytes.length > 5e6 ? 5 : bytes.length > 5e5 ? 9 : 25;
    const lazyMs = timeIt(() => lazyDecodeSavedModel(bytes), reps);
    const plainMs = timeIt(() => SavedModel.decode(bytes), reps);
    const plainWorkerMs = await inWorker(bytes, "plain");
    const oursMs = await inWorker(bytes, "ours");
    const mb = bytes.length / 1e6;
    peak = Math.max(peak, process.memoryUsage().rss / 1e6);
    totalBytes += mb;
    totalPlain += plainMs;
    totalOurs += oursMs;
    totalPlainWorker += plainWorkerMs;
    rows.push({
      name: inp.name,
      mb,
      lazyMs,
      plainMainMBs: mb / (plainMs / 1000),
      plainWorkerMBs: mb / (plainWorkerMs / 1000),
      oursWorkerMBs: mb / (oursMs / 1000),
      peakRssMB: peak,
    });
  }
  await worker.terminate();
  // text format vs binary: print each fixture as text with our printer, then parse it
  try {
    const { printTextFormat, parseTextFormat } = await import("../src/savedmodel/textFormat/index.js");
    for (const inp of inputs.filter(
      (i) =>
        i.path &&
        [
          "potato-cnn-tf29",
          "odapi-tf1-ssd-traffic-sign",
          "lstm-bbc-news-2shards",
          "serving-half-plus-two-cpu",
        ].includes(i.name),
    )) {
      const bytes = new Uint8Array(readFileSync(inp.path!));
      const msg = SavedModel.decode(bytes);
      const text = printTextFormat(msg, "tensorflow.SavedModel");
      const tms = timeIt(() => parseTextFormat(text, "tensorflow.SavedModel", "bench.pbtxt"), 3);
      const bms = timeIt(() => SavedModel.decode(bytes), 3);
      textRows.push({
        name: inp.name,
        textMBs: bytes.length / 1e6 / (tms / 1000),
        binMBs: bytes.length / 1e6 / (bms / 1000),
      });
    }
  } catch (e) {
    console.error("text format bench skipped:", (e as Error).message);
  }
  const summary = {
    totalMB: totalBytes,
    plainMainMBs: totalBytes / (totalPlain / 1000),
    plainWorkerMBs: totalBytes / (totalPlainWorker / 1000),
    oursWorkerMBs: totalBytes / (totalOurs / 1000),
  };
  if (process.argv.includes("--json")) console.log(JSON.stringify({ rows, textRows, ...summary }));
  else {
    console.log(
      "export".padEnd(50),
      "MB".padStart(6),
      "lazy ms".padStart(8),
      "plain main".padStart(11),
      "plain worker".padStart(13),
      "ours worker".padStart(12),
      "rss MB".padStart(7),
    );
    for (const r of rows)
      console.log(
        r.name.padEnd(50),
        r.mb.toFixed(2).padStart(6),
        r.lazyMs.toFixed(2).padStart(8),
        r.plainMainMBs.toFixed(1).padStart(11),
        r.plainWorkerMBs.toFixed(1).padStart(13),
        r.oursWorkerMBs.toFixed(1).padStart(12),
        r.peakRssMB.toFixed(0).padStart(7),
      );
    const real = rows.filter((r) => !r.name.startsWith("synthetic"));
    const mb = real.reduce((a, r) => a + r.mb, 0);
    const rate = (f: (r: Row) => number) => mb / real.reduce((a, r) => a + r.mb / f(r), 0);
    console.log(
      `real fixtures ${mb.toFixed(1)} MB: plain protobufjs on the main thread ${rate((r) => r.plainMainMBs).toFixed(1)} MB/s; plain in the worker ${rate((r) => r.plainWorkerMBs).toFixed(1)}; ours in the worker ${rate((r) => r.oursWorkerMBs).toFixed(1)}`,
    );
    console.log(
      `all ${summary.totalMB.toFixed(1)} MB (MB/s over total bytes / sum of medians): plain protobufjs on the main thread ${summary.plainMainMBs.toFixed(1)}; plain in a worker with a 256 MB young generation ${summary.plainWorkerMBs.toFixed(1)}; ours (lazy pass + parts) in that worker ${summary.oursWorkerMBs.toFixed(1)}`,
    );
    for (const t of textRows)
      console.log(
        `text format ${t.name}: parse ${t.textMBs.toFixed(1)} MB/s vs binary ${t.binMBs.toFixed(1)} MB/s (${(t.binMBs / t.textMBs).toFixed(1)}x slower)`,
      );
  }
}

if (isMainThread) void mainThread();
else {
  parentPort!.on("message", ({ bytes, mode }: { bytes: Uint8Array; mode: "plain" | "ours" }) => {
    const reps = bytes.length > 5e6 ? 5 : bytes.length > 5e5 ? 9 : 25;
    const ms = timeIt(() => (mode === "plain" ? SavedModel.decode(bytes) : fullDecode(bytes)), reps);
    parentPort!.postMessage({ ms });
  });
}
