/**
 * `savedmodel vars` on a big checkpoint (issue 12): peak RSS and throughput of the statistics, against
 * plain sequential reading of the same shard (16 MiB node:fs reads) in the same run, interleaved.
 * The export is the builder's (a small graph) with a checkpoint of float32 variables of 256 MiB each,
 * written to the temp folder at bench time (index built with the bundle's table writer, data streamed)
 * and deleted after.
 * Usage: npx tsx bench/vars.bench.ts [--gib=6]
 */
import { build, type Plugin } from "esbuild";
import { spawnSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statfsSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DataType as DT } from "../src/savedmodel/dtypes.js";
import { GraphBuilder, SavedModelBuilder } from "../src/savedmodel/builder/index.js";
import { writeExportToDir } from "../src/savedmodel/node/nodeWriter.js";
import { BundleEntryProto, BundleHeaderProto } from "../src/savedmodel/proto.js";
import { buildTable } from "../src/savedmodel/tensorBundle/tableWriter.js";
import { crc32c, maskCrc } from "../src/savedmodel/tensorBundle/crc.js";

const VAR_BYTES = 256 << 20;
const CHUNK = 16 << 20;

async function writeExport(dir: string, totalBytes: number): Promise<number> {
  const g = new GraphBuilder();
  g.identity("y", g.placeholder("x", DT.DT_FLOAT, [-1]));
  await writeExportToDir(new SavedModelBuilder().addMetaGraph(["serve"], { graph: g, saver: false }).save(), dir);
  const count = Math.max(1, Math.floor(totalBytes / VAR_BYTES));
  // one variable's content, written `count` times: float32 sin(i) * 10
  const chunk = new Float32Array(CHUNK / 4).map((_, i) => Math.sin(i) * 10);
  const chunkBytes = new Uint8Array(chunk.buffer);
  let crc: number | undefined;
  for (let at = 0; at < VAR_BYTES; at += CHUNK) crc = crc32c(chunkBytes, crc);
  mkdirSync(join(dir, "variables"), { recursive: true });
  const fd = openSync(join(dir, "variables", "variables.data-00000-of-00001"), "w");
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  for (let v = 0; v < count; v++) {
    for (let at = 0; at < VAR_BYTES; at += CHUNK) writeSync(fd, chunkBytes);
    const entry = {
      dtype: DT.DT_FLOAT,
      shape: { dim: [{ size: VAR_BYTES / 4 / 1024 }, { size: 1024 }] },
      offset: v * VAR_BYTES,
      size: VAR_BYTES,
      crc32c: maskCrc(crc!),
    };
    const key = `dense_${String(v).padStart(2, "0")}/kernel`;
    entries.push({ key: new TextEncoder().encode(key), value: BundleEntryProto.encode(entry).finish() });
  }
  closeSync(fd);
  entries.push({
    key: new Uint8Array(0),
    value: BundleHeaderProto.encode({ numShards: 1, version: { producer: 1 } }).finish(),
  });
  writeFileSync(join(dir, "variables", "variables.index"), buildTable(entries));
  return count * VAR_BYTES;
}

/** Plain sequential reading of the shard in 16 MiB reads: MB/s. */
function plainRead(file: string): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(file, "r");
  const t = performance.now();
  let total = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) break;
    total += n;
  }
  closeSync(fd);
  return total / 1e6 / ((performance.now() - t) / 1000);
}

async function main(): Promise<void> {
  const gibArg = process.argv.find((a) => a.startsWith("--gib="));
  let gib = gibArg ? Number(gibArg.slice(6)) : 6;
  const free = (() => {
    const s = statfsSync(tmpdir());
    return s.bavail * s.bsize;
  })();
  if (gib * 2 ** 30 > free * 0.8) {
    const fit = Math.floor((free * 0.8) / 2 ** 30);
    console.log(`only ${(free / 2 ** 30).toFixed(1)} GiB free in ${tmpdir()}: using ${fit} GiB instead of ${gib}`);
    gib = fit;
  }
  const work = mkdtempSync(join(tmpdir(), "smx-vars-"));
  try {
    const dir = join(work, "export");
    const t0 = performance.now();
    const bytes = await writeExport(dir, gib * 2 ** 30);
    console.log(
      `wrote a ${(bytes / 2 ** 30).toFixed(2)} GiB checkpoint in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const cli = join(work, "cli.cjs");
    const { cliSplit } = (await import(resolve(__dirname, "..", "scripts", "cliSplit.mjs"))) as { cliSplit: Plugin };
    await build({
      stdin: {
        contents: `require(${JSON.stringify(resolve(__dirname, "../src/cli/bin.ts"))});`,
        resolveDir: __dirname,
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "cjs",
      outfile: cli,
      logLevel: "error",
      mainFields: ["module", "main"],
      plugins: [cliSplit],
    });
    writeFileSync(
      join(work, "rss.cjs"),
      `process.on("exit", () => process.stderr.write("\\nRSS_KB " + process.resourceUsage().maxRSS + "\\n"));`,
    );
    const shard = join(dir, "variables", "variables.data-00000-of-00001");
    const plain: number[] = [];
    const vars: { mbps: number; rssMb: number; progressLines: number }[] = [];
    for (let round = 0; round < 2; round++) {
      plain.push(plainRead(shard));
      const t = performance.now();
      const r = spawnSync(process.execPath, ["-r", join(work, "rss.cjs"), cli, "vars", dir, "--json"], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      });
      const s = (performance.now() - t) / 1000;
      if (r.status !== 0) throw new Error(r.stderr);
      const j = JSON.parse(r.stdout);
      if (!j.variables.every((v: { stats?: { count: number } }) => v.stats?.count === VAR_BYTES / 4))
        throw new Error("missing statistics");
      vars.push({
        mbps: bytes / 1e6 / s,
        rssMb: Number(/RSS_KB (\d+)/.exec(r.stderr)![1]) / 1024,
        progressLines: (r.stderr.match(/^vars: statistics .* read/gm) ?? []).length,
      });
      console.log(
        JSON.stringify({
          round,
          plainReadMBps: +plain[round].toFixed(0),
          varsMBps: +vars[round].mbps.toFixed(0),
          ...vars[round],
        }),
      );
    }
    const med = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const p = med(plain);
    const v = med(vars.map((x) => x.mbps));
    console.log(
      `vars --json on ${(bytes / 2 ** 30).toFixed(2)} GiB: ${v.toFixed(0)} MB/s vs plain sequential read ${p.toFixed(0)} MB/s (${(v / p).toFixed(2)}x); ` +
        `peak RSS ${Math.max(...vars.map((x) => x.rssMb)).toFixed(0)} MB (aim < 200); ${vars[0].progressLines} progress lines on stderr`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
