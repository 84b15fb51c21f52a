/**
 * The weights comparison with its helper thread (src/savedmodel/node/driftThread.ts): the ranges computed by the two
 * threads are exactly float32DriftRange's on each range; a comparison with the thread gives the figures of one
 * without (counts and max |Δ| exactly, sums to 1e-12), the same on every run, NaN/inf chunks included, also through
 * a FileAccess without reads into buffers (as the decode worker's); cancelling stops it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
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

test("the helper thread's ranges are float32DriftRange's, range by range, call after call", async () => {
  const t = new DriftThread();
  try {
    const n = 100_003;
    const a = t.alloc(n * 4);
    const b = t.alloc(n * 4);
    const xa = new Float32Array(a.buffer, 0, n);
    const xb = new Float32Array(b.buffer, 0, n);
    const next = mulberry32(5);
    for (let call = 0; call < 100; call++) {
      for (let i = 0; i < n; i++) {
        xa[i] = next() - 0.5;
        xb[i] = i % 7 === call % 7 ? xa[i] : xa[i] + (next() - 0.5) * 1e-3;
      }
      const pieces = 1 + (call % 13);
      const got = Array.from(t.ranges(a, b, pieces));
      const want: number[] = [];
      const out = new Float64Array(5);
      for (let p = 0; p < pieces; p++) {
        float32DriftRange(xa, xb, Math.floor((p * n) / pieces), Math.floor(((p + 1) * n) / pieces), out);
        want.push(...out);
      }
      assert.deepEqual(got, want, `call ${call}, ${pieces} ranges`);
    }
  } finally {
    await t.close();
  }
});

/** An export with float32 variables w (the values given) and small (3 values). */
const exportWith = (dir: string, w: Float32Array) =>
  writeFloat32Variables(dir, [
    ["w", w],
    ["small", Float32Array.of(1, 2, w[0])],
  ]);

test("drift with the helper thread: the figures of the one-thread comparison, the same on every run", async () => {
  const root = mkdtempSync(join(tmpdir(), "drift-thread-"));
  try {
    const n = 300_001;
    const next = mulberry32(7);
    const a = Float32Array.from({ length: n }, () => (next() - 0.5) * 4);
    const b = Float32Array.from(a, (x, i) => (i % 5 === 0 ? x : x * (1 + (next() - 0.5) * 1e-3)));
    // a chunk with NaN = NaN, a one-sided NaN and an infinity: that chunk goes through the general loop
    a[200_000] = NaN;
    b[200_000] = NaN;
    b[200_010] = NaN;
    a[200_020] = Infinity;
    b[200_020] = Infinity;
    await exportWith(join(root, "a"), a);
    await exportWith(join(root, "b"), b);
    const open = (fs: (d: string) => FileAccess) =>
      Promise.all([openSavedModel(fs(join(root, "a"))), openSavedModel(fs(join(root, "b")))]);
    const node = await open((d) => new NodeFileAccess(d));
    const plain = await open((d) => plainNodeAccess(d));
    const chunkBytes = 1 << 20; // 4 ranges of 64K elements a chunk
    const one = (await diffWeights(node[0], node[1], { chunkBytes })).weights;
    const runs: (typeof one)[] = [];
    for (const [x, y] of [node, node, plain])
      runs.push((await diffWeights(x, y, { chunkBytes, threads: () => new DriftThread() })).weights);
    assert.deepEqual(runs[1], runs[0], "the same figures on every run");
    assert.deepEqual(runs[2], runs[0], "the same through readRange (bytes copied into the shared buffers)");
    const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.abs(y);
    assert.equal(runs[0].drift.length, 2);
    for (const d of one.drift) {
      const t = runs[0].drift.find((x) => x.name === d.name)!;
      assert.equal(t.maxAbs, d.maxAbs, d.name);
      assert.equal(t.fractionChanged, d.fractionChanged, d.name);
      assert.equal(t.nanMismatch, d.nanMismatch, d.name);
      assert.ok(close(t.meanAbs, d.meanAbs), `${d.name} meanAbs ${t.meanAbs} vs ${d.meanAbs}`);
      assert.ok(close(t.relL2, d.relL2), `${d.name} relL2 ${t.relL2} vs ${d.relL2}`);
    }
    const w = runs[0].drift.find((x) => x.name === "w")!;
    assert.equal(w.nanMismatch, 1);
    assert.ok(w.fractionChanged > 0.75 && w.fractionChanged < 0.85, String(w.fractionChanged));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a comparison with the helper thread stops when cancelled, the thread with it", async () => {
  const root = mkdtempSync(join(tmpdir(), "drift-thread-cancel-"));
  try {
    const n = 1 << 20;
    const a = Float32Array.from({ length: n }, (_, i) => i);
    await exportWith(join(root, "a"), a);
    await exportWith(
      join(root, "b"),
      a.map((x) => x + 1),
    );
    const [ea, eb] = await Promise.all([
      openSavedModel(new NodeFileAccess(join(root, "a"))),
      openSavedModel(new NodeFileAccess(join(root, "b"))),
    ]);
    const stop = new AbortController();
    let thread: DriftThread | undefined;
    let chunks = 0;
    await assert.rejects(
      diffWeights(ea, eb, {
        chunkBytes: 256 << 10,
        threads: () => (thread = new DriftThread()),
        signal: stop.signal,
        onProgress: () => {
          if (++chunks === 3) stop.abort();
        },
      }),
      /cancelled/,
    );
    assert.equal(chunks, 3);
    assert.ok(thread, "the thread was made");
    assert.ok(thread.closed, "the thread was closed");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
