/**
 * Tensor bundle benchmarks. Run: npx tsx bench/bundle.bench.ts
 *  1. open + list each fixture's variables.index (median of several runs);
 *  2. read-all throughput (readTensor with CRC verification) per fixture;
 *  3. a builder-like synthetic 1 GB bundle written to a sparse file in /tmp, proving that listing reads only the
 *     index (bytes counted through a wrapping FileAccess) and measuring read throughput on it.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  openSync,
  ftruncateSync,
  closeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DataType } from "../src/savedmodel/dtypes.js";
import type { FileAccess } from "../src/savedmodel/fileAccess.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { BundleEntryProto, BundleHeaderProto } from "../src/savedmodel/proto.js";
import { TensorBundle } from "../src/savedmodel/tensorBundle/index.js";
import { crc32c, maskCrc } from "../src/savedmodel/tensorBundle/crc.js";
import { buildTable } from "../src/savedmodel/tensorBundle/tableWriter.js";

const FIXTURES = resolve(__dirname, "..", "..", "shared", "fixtures");

class CountingAccess implements FileAccess {
  bytes = new Map<string, number>();
  constructor(private readonly base: FileAccess) {}
  private add(p: string, n: number) {
    this.bytes.set(p, (this.bytes.get(p) ?? 0) + n);
  }
  async readFile(p: string) {
    const d = await this.base.readFile(p);
    this.add(p, d.length);
    return d;
  }
  async readRange(p: string, o: number, l: number) {
    const d = await this.base.readRange(p, o, l);
    this.add(p, d.length);
    return d;
  }
  list(p: string) {
    return this.base.list(p);
  }
  size(p: string) {
    return this.base.size(p);
  }
  describe(p: string) {
    return this.base.describe(p);
  }
  total() {
    return [...this.bytes.values()].reduce((a, b) => a + b, 0);
  }
}

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (n: number) => n / (1024 * 1024);

async function fixtures(): Promise<void> {
  console.log("\n== fixtures: open+list, read-all ==");
  console.log(
    "fixture".padEnd(50),
    "entries".padStart(7),
    "index B".padStart(9),
    "open ms".padStart(8),
    "data MB".padStart(8),
    "read ms".padStart(8),
    "MB/s".padStart(8),
  );
  for (const name of readdirSync(FIXTURES).sort()) {
    if (!existsSync(join(FIXTURES, name, "variables", "variables.index"))) continue;
    const fs = new NodeFileAccess(join(FIXTURES, name));
    const times: number[] = [];
    let b!: TensorBundle;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      b = await TensorBundle.open(fs);
      b.entries();
      times.push(ms(t0));
    }
    let bytes = 0;
    const t0 = performance.now();
    for (const e of b.entries()) {
      try {
        await b.readTensor(e.key);
        bytes += e.size;
      } catch {
        // incomplete fixtures: missing shard
      }
    }
    const rt = ms(t0);
    console.log(
      name.padEnd(50),
      String(b.entries().length).padStart(7),
      String(b.indexSize).padStart(9),
      median(times).toFixed(2).padStart(8),
      mb(bytes).toFixed(2).padStart(8),
      rt.toFixed(1).padStart(8),
      (bytes ? mb(bytes) / (rt / 1000) : 0).toFixed(0).padStart(8),
    );
  }
}

/** Writes a 1 GB builder-like bundle: the data shard is a sparse file of zeros; the index is real. */
function writeSynthetic(dir: string, targetBytes: number): { entries: number; dataBytes: number } {
  const vars = join(dir, "variables");
  require("node:fs").mkdirSync(vars, { recursive: true });
  const enc = new TextEncoder();
  const crcBySize = new Map<number, number>();
  const zeroCrc = (n: number) => {
    let c = crcBySize.get(n);
    if (c === undefined) {
      let crc: number | undefined;
      const chunk = new Uint8Array(Math.min(n, 1 << 20));
      for (let left = n; left > 0; left -= chunk.length)
        crc = crc32c(left >= chunk.length ? chunk : chunk.subarray(0, left), crc);
      c = crc ?? 0;
      crcBySize.set(n, c);
    }
    return c;
  };
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  let offset = 0;
  let layer = 0;
  const add = (key: string, shape: number[]) => {
    const size = shape.reduce((a, d) => a * d, 1) * 4;
    const entry = BundleEntryProto.encode({
      dtype: DataType.DT_FLOAT,
      shape: { dim: shape.map((s) => ({ size: s })) },
      offset: offset || undefined,
      size,
      crc32c: maskCrc(zeroCrc(size)),
    }).finish();
    entries.push({ key: enc.encode(key), value: entry });
    offset += size;
  };
  while (offset < targetBytes) {
    const p = `model/layer_with_weights-${layer}`;
    add(`${p}/kernel/.ATTRIBUTES/VARIABLE_VALUE`, [1024, 1024]);
    add(`${p}/bias/.ATTRIBUTES/VARIABLE_VALUE`, [1024]);
    add(`${p}/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE`, [1024, 1024]);
    add(`${p}/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE`, [1024, 1024]);
    layer++;
  }
  entries.push({
    key: new Uint8Array(0),
    value: BundleHeaderProto.encode({ numShards: 1, version: { producer: 1 } }).finish(),
  });
  writeFileSync(join(vars, "variables.index"), buildTable(entries));
  const fd = openSync(join(vars, "variables.data-00000-of-00001"), "w");
  ftruncateSync(fd, offset); // sparse: no blocks written, reads return zeros
  closeSync(fd);
  return { entries: entries.length - 1, dataBytes: offset };
}

async function synthetic(): Promise<void> {
  console.log("\n== synthetic builder-like 1 GB bundle (sparse data shard in /tmp) ==");
  const dir = mkdtempSync(join(tmpdir(), "bundle-bench-"));
  try {
    let t0 = performance.now();
    const { entries, dataBytes } = writeSynthetic(dir, 1024 ** 3);
    console.log(
      `wrote ${entries} entries, data shard ${mb(dataBytes).toFixed(0)} MB (sparse) in ${ms(t0).toFixed(0)} ms`,
    );
    const counting = new CountingAccess(new NodeFileAccess(dir));
    t0 = performance.now();
    const b = await TensorBundle.open(counting);
    const list = b.entries();
    const openMs = ms(t0);
    console.log(
      `open+list: ${list.length} entries in ${openMs.toFixed(1)} ms; bytes read: ${counting.total()} (index file ${b.indexSize} B, ${b.table?.blocks.length} block(s))`,
    );
    for (const [p, n] of counting.bytes) console.log(`   ${p}: ${n} B`);
    if (counting.total() !== b.indexSize) throw new Error("listing read more than the index!");
    const one = list.find((e) => e.key.endsWith("layer_with_weights-3/kernel/.ATTRIBUTES/VARIABLE_VALUE"))!;
    const before = counting.total();
    t0 = performance.now();
    await b.readTensor(one.key);
    console.log(
      `readTensor(one 4 MB kernel): ${ms(t0).toFixed(1)} ms, read ${counting.total() - before} B (entry size ${one.size})`,
    );
    let bytes = 0;
    t0 = performance.now();
    for (const e of list) {
      await b.readTensor(e.key);
      bytes += e.size;
    }
    const all = ms(t0);
    console.log(
      `read-all with CRC32C: ${mb(bytes).toFixed(0)} MB in ${(all / 1000).toFixed(2)} s = ${(mb(bytes) / (all / 1000)).toFixed(0)} MB/s`,
    );
    t0 = performance.now();
    for (const e of list) await b.readTensor(e.key, { verify: false });
    const nv = ms(t0);
    console.log(`read-all without CRC: ${(mb(bytes) / (nv / 1000)).toFixed(0)} MB/s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (existsSync(FIXTURES)) await fixtures();
  else console.log(`fixtures not found at ${FIXTURES}; skipping fixture benchmarks`);
  await synthetic();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
