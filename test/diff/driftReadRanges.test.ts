/**
 * The weights comparison where both threads read the ranges they compute (DriftThread.readRanges: positional reads
 * on descriptors of files opened through the export's contained open). Each range's figures are exactly
 * float32DriftRange's over that range's own bytes — a read at any other place (a neighbouring variable, the wrong
 * chunk) would change them; a range past the end of the file comes back NaN; and a whole comparison gives, bit for
 * bit, the figures of the path that reads chunks into shared buffers (a FileAccess without descriptors).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffWeights } from "../../src/savedmodel/diff/weights.js";
import { float32DriftRange } from "../../src/savedmodel/diff/float32Drift.js";
import { DriftThread } from "../../src/savedmodel/node/driftThread.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import type { FileAccess } from "../../src/savedmodel/fileAccess.js";
import { mulberry32 } from "../../src/savedmodel/random.js";
import { plainNodeAccess } from "../helpers/plainAccess.js";
import { writeFloat32Variables } from "./pairs.js";

test("readRanges: each range's figures come from its own bytes of both files; past the end, NaN", async () => {
  const root = mkdtempSync(join(tmpdir(), "drift-read-ranges-"));
  const t = new DriftThread();
  const fds: number[] = [];
  try {
    const n = 1 << 20; // floats per file
    const next = mulberry32(11);
    const xa = Float32Array.from({ length: n }, () => next() - 0.5);
    const xb = Float32Array.from(xa, (x) => x + (next() - 0.5) * 1e-2);
    writeFileSync(join(root, "a"), new Uint8Array(xa.buffer));
    writeFileSync(join(root, "b"), new Uint8Array(xb.buffer));
    const fdA = openSync(join(root, "a"), "r");
    fds.push(fdA);
    const fdB = openSync(join(root, "b"), "r");
    fds.push(fdB);
    const out = new Float64Array(5);
    for (let call = 0; call < 40; call++) {
      // odd starts (in floats) differing between the sides, 1 to 5 chunks of 1 to 7 ranges
      const step = 4 * (70_001 + call * 1_013);
      const chunks = 1 + (call % 5);
      const pieces = 1 + (call % 7);
      const startA = (call * 7_919) % 40_000;
      const startB = (call * 104_729) % 30_000;
      const got = Array.from(t.readRanges({ fdA, posA: startA * 4, fdB, posB: startB * 4, step, chunks, pieces }));
      const want: number[] = [];
      const m = step / 4;
      for (let c = 0; c < chunks; c++)
        for (let p = 0; p < pieces; p++) {
          const from = c * m + Math.floor((p * m) / pieces);
          const to = c * m + Math.floor(((p + 1) * m) / pieces);
          float32DriftRange(
            xa.subarray(startA + from, startA + to),
            xb.subarray(startB + from, startB + to),
            0,
            to - from,
            out,
          );
          want.push(...out);
        }
      assert.deepEqual(got, want, `call ${call}: ${chunks} chunks of ${pieces} ranges at ${startA}/${startB}`);
    }
    // the second chunk runs past the end of file A: its ranges there are NaN, the first chunk's are not
    const step = 4 * 300_000;
    const figures = t.readRanges({ fdA, posA: (n - 450_000) * 4, fdB, posB: 0, step, chunks: 2, pieces: 2 });
    assert.ok(Number.isFinite(figures[1]) && Number.isFinite(figures[6]), "the first chunk is read");
    assert.ok(Number.isFinite(figures[11]), "range 0 of the second chunk ends before the end of file");
    assert.ok(Number.isNaN(figures[16]), "range 1 of the second chunk runs past the end of file");
  } finally {
    for (const fd of fds) closeSync(fd);
    await t.close();
    rmSync(root, { recursive: true, force: true });
  }
});

/** Three float32 variables, adjacent in the shard: "a_pre", "w" (the values given) and "z_post". */
function exportWith(dir: string, w: Float32Array, neighbour: number) {
  const around = new Float32Array(70_000).fill(neighbour);
  return writeFloat32Variables(dir, [
    ["a_pre", around],
    ["w", w],
    ["z_post", around],
  ]);
}

test("drift with both threads reading: bit for bit the shared-buffer figures, nothing read from the neighbours", async () => {
  const root = mkdtempSync(join(tmpdir(), "drift-read-ranges-cmp-"));
  try {
    const n = 7 * 65_536 + 12_345; // chunks of 2 ranges: 3 whole chunks and a partial one
    const next = mulberry32(3);
    const a = Float32Array.from({ length: n }, () => (next() - 0.5) * 2);
    const b = Float32Array.from(a, (x, i) => (i % 3 === 0 ? x : x * (1 + (next() - 0.5) * 1e-3)));
    b[140_000] = NaN; // the second chunk goes through the general loop
    // neighbours differ by 1e6 between A and B: any byte of theirs in w's ranges would show in w's max |Δ|
    await exportWith(join(root, "a"), a, 0);
    await exportWith(join(root, "b"), b, 1e6);
    const open = (fs: (d: string) => FileAccess) =>
      Promise.all([openSavedModel(fs(join(root, "a"))), openSavedModel(fs(join(root, "b")))]);
    const chunkBytes = 2 * 65_536 * 4;
    let jobs = 0;
    const counted = () => {
      const t = new DriftThread();
      const readRanges = t.readRanges.bind(t);
      t.readRanges = (job) => (jobs++, readRanges(job));
      return t;
    };
    const [xa, xb] = await open((d) => new NodeFileAccess(d));
    const reading = (await diffWeights(xa, xb, { chunkBytes, threads: counted })).weights;
    assert.ok(jobs > 0, "both threads read (readRanges) through the node FileAccess");
    jobs = 0;
    const [ya, yb] = await open((d) => plainNodeAccess(d, { readRangeInto: true }));
    const shared = (await diffWeights(ya, yb, { chunkBytes, threads: counted })).weights;
    assert.equal(jobs, 0, "without descriptors the chunks are read into shared buffers");
    assert.deepEqual(reading, shared);
    const w = reading.drift.find((d) => d.name === "w")!;
    assert.equal(w.nanMismatch, 1);
    assert.ok(w.maxAbs < 1e-2, `w's max |Δ| ${w.maxAbs}`);
    assert.ok(Math.abs(w.fractionChanged - 2 / 3) < 1e-3, String(w.fractionChanged));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("with both threads reading, a truncated shard is still reported unreadable (how much was read)", async () => {
  const root = mkdtempSync(join(tmpdir(), "drift-read-ranges-trunc-"));
  try {
    const n = 4 * 65_536;
    const a = Float32Array.from({ length: n }, (_, i) => i);
    await exportWith(join(root, "a"), a, 0);
    await exportWith(
      join(root, "b"),
      a.map((x) => x + 1),
      0,
    );
    const [ea, eb] = await Promise.all([
      openSavedModel(new NodeFileAccess(join(root, "a"))),
      openSavedModel(new NodeFileAccess(join(root, "b"))),
    ]);
    // B's shard cut in the middle of w
    truncateSync(join(root, "b", "variables", "variables.data-00000-of-00001"), (70_000 + n / 2) * 4);
    const r = await diffWeights(ea, eb, { chunkBytes: 65_536 * 4, threads: () => new DriftThread() });
    const c = r.weights.changes.find((x) => x.kind === "changed" && x.what === "unreadable" && x.name === "w");
    assert.ok(c && c.kind === "changed", JSON.stringify(r.weights.changes));
    assert.match(
      c.detail ?? "",
      /variables\.data-00000-of-00001.*(truncated|read \d+ of \d+)|(truncated|read \d+ of \d+)/,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
