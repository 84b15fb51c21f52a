/**
 * The weights comparison's hot path: the float32 loop gives exactly the generic loop's figures (NaN, infinities,
 * signed zeros included); reads into reused buffers (NodeFileAccess.readRangeInto) keep the containment rules;
 * other FileAccess implementations fall back to readRange with the same figures; a truncated shard is named.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accumulate, accumulateF32, diffWeights, newAccumulator } from "../../src/savedmodel/diff/weights.js";
import { mulberry32 } from "../../src/savedmodel/random.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { tinyTf1, writeTemp } from "./pairs.js";
import { plainNodeAccess } from "../helpers/plainAccess.js";

test("the float32 drift loop agrees with the generic loop (exactly in counts and max, sums to 1e-12)", () => {
  const next = mulberry32(11);
  const n = 10_003;
  const a = Float32Array.from({ length: n }, () => next() * 2 - 1);
  const b = Float32Array.from(a, (x, i) => (i % 3 === 0 ? x + (next() - 0.5) * 1e-3 : x));
  // finite values: the branch-free pass
  const finite = newAccumulator();
  accumulate(finite, a, b);
  const fast = newAccumulator();
  accumulateF32(fast, a.subarray(0, 4000), b.subarray(0, 4000));
  accumulateF32(fast, a.subarray(4000), b.subarray(4000));
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.abs(y);
  for (const k of ["sumAbs", "sumSqDelta", "sumSqA"] as const) assert.ok(close(fast[k], finite[k]), k);
  assert.deepEqual(
    { ...fast, sumAbs: 0, sumSqDelta: 0, sumSqA: 0 },
    { ...finite, sumAbs: 0, sumSqDelta: 0, sumSqA: 0 },
  );
  assert.equal(fast.changed, Math.ceil(n / 3));
  // NaN and infinities: the chunk is redone by the generic loop
  a[10] = NaN; // one-sided NaN
  b[11] = NaN;
  a[12] = NaN; // NaN equals NaN
  b[12] = NaN;
  a[13] = Infinity; // equal infinities
  b[13] = Infinity;
  a[14] = Infinity; // opposite infinities
  b[14] = -Infinity;
  a[15] = 0; // signed zeros are equal
  b[15] = -0;
  a[16] = 1;
  b[16] = Infinity;
  const js = newAccumulator();
  accumulate(js, a, b);
  const f32 = newAccumulator();
  // in two calls, as chunks arrive
  accumulateF32(f32, a.subarray(0, 5000), b.subarray(0, 5000));
  accumulateF32(f32, a.subarray(5000), b.subarray(5000));
  assert.deepEqual(f32, js);
  assert.equal(f32.nanMismatch, 2);
  assert.equal(f32.maxAbs, Infinity);
});

test("readRangeInto and openReader read into the given buffer, bounded by the file, and refuse links out of the export", async () => {
  const d = mkdtempSync(join(tmpdir(), "read-into-"));
  try {
    const exp = join(d, "export");
    mkdirSync(exp);
    writeFileSync(
      join(exp, "f"),
      Uint8Array.from({ length: 10 }, (_, i) => i),
    );
    writeFileSync(join(d, "secret"), "secret");
    symlinkSync(join(d, "secret"), join(exp, "leak"));
    const fs = new NodeFileAccess(exp);
    const buf = new Uint8Array(4).fill(255);
    assert.equal(await fs.readRangeInto("f", 3, buf), 4);
    assert.deepEqual([...buf], [3, 4, 5, 6]);
    assert.equal(await fs.readRangeInto("f", 8, buf), 2, "clamped to the file's size");
    assert.deepEqual([...buf], [8, 9, 5, 6]);
    await assert.rejects(fs.readRangeInto("leak", 0, buf), /outside the export folder/);
    assert.deepEqual([...buf], [8, 9, 5, 6], "nothing read from outside");
    await assert.rejects(fs.openReader("leak"), /outside the export folder/);
    const r = await fs.openReader("f");
    try {
      assert.equal(r.size, 10);
      assert.equal(await r.readInto(1, buf), 4);
      assert.deepEqual([...buf], [1, 2, 3, 4]);
      assert.equal(await r.readInto(9, buf), 1, "bounded by the size at open");
    } finally {
      await r.close();
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("drift through openReader (node:fs) and through readRange (other FileAccess) gives the same figures", async () => {
  const dirA = await writeTemp(tinyTf1(), "into-a");
  const dirB = await writeTemp(tinyTf1({ w: [1.5, 2, 3, 4.5] }), "into-b");
  const node = await Promise.all([openSavedModel(new NodeFileAccess(dirA)), openSavedModel(new NodeFileAccess(dirB))]);
  const other = await Promise.all([openSavedModel(plainNodeAccess(dirA)), openSavedModel(plainNodeAccess(dirB))]);
  for (const chunkBytes of [4, 8, 1 << 20]) {
    const x = await diffWeights(node[0], node[1], { chunkBytes });
    const y = await diffWeights(other[0], other[1], { chunkBytes });
    assert.deepEqual(x.weights, y.weights, `chunkBytes ${chunkBytes}`);
    assert.equal(x.weights.drift[0].maxAbs, 0.5);
    assert.equal(x.weights.drift[0].fractionChanged, 0.5);
  }
});

test("a truncated shard is reported unreadable, naming how much was read", async () => {
  const dirA = await writeTemp(tinyTf1(), "trunc-a");
  const dirB = await writeTemp(tinyTf1({ w: [1.5, 2, 3, 4.5] }), "trunc-b");
  const [ea, eb] = await Promise.all([
    openSavedModel(new NodeFileAccess(dirA)),
    openSavedModel(new NodeFileAccess(dirB)),
  ]);
  truncateSync(join(dirB, "variables", "variables.data-00000-of-00001"), 8);
  const r = await diffWeights(ea, eb, { chunkBytes: 4 });
  assert.deepEqual(r.weights.drift, []);
  const c = r.weights.changes.find((x) => x.kind === "changed" && x.what === "unreadable");
  assert.ok(c && c.kind === "changed", JSON.stringify(r.weights.changes));
  assert.match(c.detail ?? "", /read 0 of 4 bytes|truncated/);
});
