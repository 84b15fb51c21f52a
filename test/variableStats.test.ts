/** Streamed variable statistics (bounded reads) equal tensorStats of the whole tensor; checksum, cancel, progress. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType as DT } from "../src/savedmodel/dtypes.js";
import { GraphBuilder, SavedModelBuilder, tensorOf } from "../src/savedmodel/builder/index.js";
import { writeExportToDir } from "../src/savedmodel/node/nodeWriter.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { loadVariables, readVariable } from "../src/savedmodel/model.js";
import { tensorStats } from "../src/savedmodel/tensor.js";
import { streamVariableStats } from "../src/savedmodel/variableStats.js";
import { openBundle } from "../src/savedmodel/variables.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { main } from "../src/cli/main.js";

function exportFiles(): Map<string, Uint8Array> {
  const g = new GraphBuilder();
  const big = new Float32Array(10_000).map((_, i) => Math.sin(i) * 100);
  big[7] = NaN;
  big[11] = Infinity;
  big[13] = 0;
  const vars = {
    big: tensorOf(DT.DT_FLOAT, [100, 100], big),
    f64: tensorOf(DT.DT_DOUBLE, [3], [Math.PI, -1e300, 2]),
    half: tensorOf(DT.DT_HALF, [4], [0.5, -2, 65504, 0.0009765625]),
    i64: { dtype: DT.DT_INT64, shape: [3], values: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 42n]) },
    u8: tensorOf(DT.DT_UINT8, [3], [0, 128, 255]),
    c64: tensorOf(DT.DT_COMPLEX64, [2], [1, 2, -3, 4.5]),
    empty: tensorOf(DT.DT_FLOAT, [0, 4], []),
    str: tensorOf(DT.DT_STRING, [1], ["x"]),
  };
  for (const [name, value] of Object.entries(vars))
    g.variable(`v/${name}`, value, { kind: name === "str" ? "ref" : "resource" });
  g.saver();
  return new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: g }).save();
}

test("streamed statistics in small reads equal tensorStats of the whole tensor, for every dtype", async () => {
  const exp = await openSavedModel(new MemoryFileAccess(exportFiles()));
  const vars = await loadVariables(exp);
  let compared = 0;
  for (const v of vars.variables) {
    if (v.dtype === DT.DT_STRING) {
      assert.equal(await streamVariableStats(exp, v.checkpointKey), undefined);
      continue;
    }
    const want = tensorStats(await readVariable(exp, v.checkpointKey));
    let calls = 0;
    const got = await streamVariableStats(exp, v.checkpointKey, { chunkBytes: 100, onProgress: () => calls++ });
    const close = (a: number, b: number) =>
      (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    assert.ok(got, v.name);
    for (const k of ["mean", "std"] as const)
      assert.ok(close(got[k], want[k]), `${v.name} ${k}: ${got[k]} vs ${want[k]}`);
    assert.deepEqual({ ...got, mean: 0, std: 0 }, { ...want, mean: 0, std: 0 }, v.name);
    if (v.bytes > 100) assert.ok(calls >= Math.floor(v.bytes / 100), `${v.name}: ${calls} progress calls`);
    compared++;
  }
  assert.ok(compared >= 7);
});

test("a changed byte is a checksum error; an aborted signal stops between reads", async () => {
  const files = exportFiles();
  const exp0 = await openSavedModel(new MemoryFileAccess(files));
  const key = (await loadVariables(exp0)).variables.find((v) => v.name.endsWith("big"))!.checkpointKey;
  const shardName = [...files.keys()].find((k) => k.includes(".data-"))!;
  const shard = Uint8Array.from(files.get(shardName)!);
  const entry = (await openBundle(exp0))!.get(key)!;
  const bad = new Map(files);
  const copy = Uint8Array.from(shard);
  copy[entry.offset + 20_000] ^= 0xff;
  bad.set(shardName, copy);
  const exp = await openSavedModel(new MemoryFileAccess(bad));
  await assert.rejects(streamVariableStats(exp, key, { chunkBytes: 4096 }), (e: unknown) => {
    assert.ok(e instanceof SavedModelError);
    assert.match(e.message, /checksum mismatch/);
    return true;
  });
  const ac = new AbortController();
  await assert.rejects(
    streamVariableStats(exp0, key, {
      chunkBytes: 4096,
      signal: ac.signal,
      onProgress: () => ac.abort(),
    }),
    (e: unknown) => (e as Error).name === "AbortError",
  );
});

test("savedmodel vars --no-stats lists the variables without statistics", async () => {
  const dir = mkdtempSync(join(tmpdir(), "smx-varstats-"));
  try {
    await writeExportToDir(exportFiles(), dir);
    let out = "";
    const code = await main(["vars", dir, "--no-stats", "--json"], { out: (s) => (out += s), err: () => {}, cwd: dir });
    assert.equal(code, 0);
    const j = JSON.parse(out);
    assert.ok(j.variables.length >= 8);
    assert.ok(j.variables.every((v: { stats?: unknown }) => v.stats === undefined));
    out = "";
    await main(["vars", dir, "--json"], { out: (s) => (out += s), err: () => {}, cwd: dir });
    const withStats = JSON.parse(out).variables.find((v: { name: string }) => v.name.endsWith("big"));
    assert.equal(withStats.stats.nanCount, 1);
    assert.equal(withStats.stats.infCount, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
