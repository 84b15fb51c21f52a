/**
 * Full decode speed (issue 12), like with like: three decoders in the same thread with the same heap
 * settings, interleaved repetition by repetition, medians per file:
 *   - ours: the range pass openSavedModel runs (without listing the folder) + every meta graph's graphDef() (nodes and all library
 *     functions; node attributes decode on first use, see src/savedmodel/lazyNodeDef.ts) + objectGraph();
 *   - plain protobufjs `SavedModel.decode` (everything materialised);
 *   - Netron's decoder (../shared/reference/netron-tf-decoder; skipped with a message when absent).
 * Run twice: in a worker with the decode worker's settings (maxYoungGenerationSizeMb 256, as
 * src/extension/decodeClient.ts starts it) and on the main thread with Node's default heap.
 * Totals are total MB / sum of per-file medians. Inputs: every fixture's binary saved_model.pb and a
 * synthetic 100k-node / 2,000-function graph.
 * Usage: npx tsx bench/decode.bench.ts [--json] [--reps=N]
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SavedModel } from "../src/savedmodel/proto.js";
import { MetaGraph } from "../src/savedmodel/savedModel.js";
import { rangeDecodeSavedModel } from "../src/savedmodel/rangePass.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { largeGraph } from "./synthetic.js";

const REFERENCE = resolve(__dirname, "..", "..", "shared", "reference", "netron-tf-decoder");
const FIXTURES = resolve(__dirname, "..", "..", "shared", "fixtures");

type Decoder = "ours" | "plain" | "netron";
interface Input {
  name: string;
  bytes: Uint8Array;
}
interface FileResult {
  name: string;
  mb: number;
  ms: Partial<Record<Decoder, number>>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function netronDecoder(): Promise<((u: Uint8Array) => unknown) | undefined> {
  if (!existsSync(join(REFERENCE, "tf-proto.js"))) return undefined;
  const { tensorflow } = await import(join(REFERENCE, "tf-proto.js"));
  const protobuf = await import(join(REFERENCE, "protobuf.js"));
  return (u) => tensorflow.SavedModel.decode(protobuf.BinaryReader.open(u));
}

/** Our decode of a saved_model.pb: the range pass (what openSavedModel runs after listing the folder), then every part. */
async function ours(bytes: Uint8Array): Promise<number> {
  const fs = new MemoryFileAccess(new Map([["saved_model.pb", bytes]]));
  const ranged = await rangeDecodeSavedModel(fs, "saved_model.pb", bytes.length);
  const mgs = ranged.metaGraphs.map(
    (m, i) =>
      new MetaGraph(i, "saved_model.pb", {
        lazy: m.lazy,
        bytes: m.body,
        deferred: m.deferred,
        source: { fs, path: "saved_model.pb" },
      }),
  );
  let n = 0;
  for (const mg of mgs) {
    const g = mg.graphDef();
    n += g.node.length + (g.library?.function?.length ?? 0);
    n += mg.objectGraph()?.nodes.length ?? 0;
  }
  return n;
}

/** Times every decoder on every input, interleaved, in this thread. */
async function run(inputs: Input[], reps: number): Promise<FileResult[]> {
  const netron = await netronDecoder();
  const decoders: [Decoder, (b: Uint8Array) => unknown][] = [
    ["ours", (b) => ours(b)],
    ["plain", (b) => SavedModel.decode(b)],
  ];
  if (netron) decoders.push(["netron", (b) => netron(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))]);
  const out: FileResult[] = [];
  for (const inp of inputs) {
    const times: Record<string, number[]> = {};
    // small files get more repetitions: one garbage collection would otherwise decide their median
    const n =
      inp.bytes.length > 5e6
        ? Math.max(3, Math.floor(reps / 3))
        : inp.bytes.length < 1e5
          ? reps * 6
          : inp.bytes.length < 1e6
            ? reps * 2
            : reps;
    for (let i = 0; i < n + 2; i++) {
      // rotate the order each repetition so no decoder always follows the same one
      for (let k = 0; k < decoders.length; k++) {
        const [name, fn] = decoders[(i + k) % decoders.length];
        const t = performance.now();
        await fn(inp.bytes);
        const ms = performance.now() - t;
        if (i >= 2) (times[name] ??= []).push(ms);
      }
    }
    out.push({
      name: inp.name,
      mb: inp.bytes.length / 1e6,
      ms: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
    });
  }
  return out;
}

function inputs(): Input[] {
  const list: Input[] = [];
  if (existsSync(FIXTURES)) {
    for (const d of readdirSync(FIXTURES).sort()) {
      const p = join(FIXTURES, d, "saved_model.pb");
      if (existsSync(p) && !d.startsWith("corrupt")) list.push({ name: d, bytes: new Uint8Array(readFileSync(p)) });
    }
  } else console.log(`fixtures: skipped (${FIXTURES} not found)`);
  list.push({ name: "synthetic-100k-nodes-2000-functions", bytes: largeGraph(100_000, 2_000) });
  return list;
}

function report(label: string, rows: FileResult[]): Record<string, unknown> {
  const haveNetron = rows.every((r) => r.ms.netron !== undefined);
  const total = (d: Decoder, rs = rows) =>
    rs.reduce((a, r) => a + r.mb, 0) / (rs.reduce((a, r) => a + r.ms[d]!, 0) / 1000);
  const real = rows.filter((r) => !r.name.startsWith("synthetic"));
  console.log(`\n${label}`);
  console.log(
    "export".padEnd(52),
    "MB".padStart(6),
    "ours MB/s".padStart(10),
    "plain".padStart(8),
    haveNetron ? "netron".padStart(8) : "",
    haveNetron ? "ours/netron".padStart(12) : "",
    "ours/plain".padStart(11),
  );
  for (const r of rows) {
    const rate = (d: Decoder) => r.mb / (r.ms[d]! / 1000);
    console.log(
      r.name.padEnd(52),
      r.mb.toFixed(2).padStart(6),
      rate("ours").toFixed(1).padStart(10),
      rate("plain").toFixed(1).padStart(8),
      haveNetron ? rate("netron").toFixed(1).padStart(8) : "",
      haveNetron ? (r.ms.netron! / r.ms.ours!).toFixed(2).padStart(12) : "",
      (r.ms.plain! / r.ms.ours!).toFixed(2).padStart(11),
    );
  }
  const summary: Record<string, unknown> = {
    label,
    fixturesMB: +real.reduce((a, r) => a + r.mb, 0).toFixed(2),
    oursMBs: +total("ours", real).toFixed(1),
    plainMBs: +total("plain", real).toFixed(1),
  };
  if (haveNetron) {
    summary.netronMBs = +total("netron", real).toFixed(1);
    summary.oursOverNetron = +(total("ours", real) / total("netron", real)).toFixed(2);
    const worst = real.reduce(
      (w, r) => (r.ms.netron! / r.ms.ours! < w.x ? { x: r.ms.netron! / r.ms.ours!, name: r.name } : w),
      {
        x: Infinity,
        name: "",
      },
    );
    summary.worstFileOverNetron = +worst.x.toFixed(2);
    summary.worstFile = worst.name;
  } else console.log("Netron's decoder: skipped (../shared/reference/netron-tf-decoder not found)");
  summary.oursOverPlain = +(total("ours", real) / total("plain", real)).toFixed(2);
  console.log(
    `all fixtures (${summary.fixturesMB} MB, total MB / sum of medians): ours ${summary.oursMBs} MB/s, plain protobufjs ${summary.plainMBs}` +
      (haveNetron
        ? `, Netron ${summary.netronMBs}: ours/Netron ${summary.oursOverNetron}x (aim >= 1.3), lowest file ${summary.worstFileOverNetron}x (${summary.worstFile}; aim >= 1.0)`
        : "") +
      `; ours/plain ${summary.oursOverPlain}x`,
  );
  return summary;
}

async function main(): Promise<void> {
  const repsArg = process.argv.find((a) => a.startsWith("--reps="));
  const reps = repsArg ? Number(repsArg.slice(7)) : 9;
  const list = inputs();
  // 1. the decode worker's settings
  const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(__filename)});`, {
    eval: true,
    workerData: { reps },
    resourceLimits: { maxYoungGenerationSizeMb: 256 },
  });
  const inWorker: FileResult[] = await new Promise((res, rej) => {
    worker.once("message", res);
    worker.once("error", rej);
    worker.postMessage(list.map((i) => ({ name: i.name, bytes: i.bytes })));
  });
  await worker.terminate();
  const a = report("in a worker with maxYoungGenerationSizeMb 256 (the extension's decode worker)", inWorker);
  // 2. main thread, default heap
  const b = report("main thread, Node's default heap", await run(list, reps));
  if (process.argv.includes("--json")) console.log(JSON.stringify({ worker: a, main: b }));
}

if (isMainThread) void main();
else
  parentPort!.once("message", async (list: Input[]) => {
    parentPort!.postMessage(await run(list, (workerData as { reps: number }).reps));
  });
