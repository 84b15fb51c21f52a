/**
 * Opening with graphOnDemand (the first view of `savedmodel show` and the decode worker): the graph and
 * object graph stay on disk, only their field headers are walked; the function behind a TF2 signature is
 * found by reading only the nodes whose name matches; load() then gives what the eager open gives; damaged
 * nested data is still one SavedModelError naming the file, when first read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { describeModel } from "../src/savedmodel/model.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { tensorflow } from "../src/savedmodel/proto.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { CountingAccess } from "./helpers/countingAccess.js";
import { manyNodeTf2Files } from "../src/savedmodel/builder/manyNodeTf2.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

/** The builder's TF2 half-plus-two with `extra` more top-level nodes (about 300 bytes each) before its own. */
function manyNodeTf2(extra: number): { files: Map<string, Uint8Array>; pb: Uint8Array } {
  const files = manyNodeTf2Files(extra);
  return { files, pb: files.get("saved_model.pb")! };
}

test("a many-node TF2 export: open and signatures read the node headers once and only the signature's call node", async () => {
  const { files, pb } = manyNodeTf2(20_000);
  assert.ok(pb.length > 5e6, `${pb.length} bytes`);
  const eager = await openSavedModel(new MemoryFileAccess(files));
  const want = await describeModel(eager);
  const fs = new CountingAccess(new MemoryFileAccess(files));
  const exp = await openSavedModel(fs, { graphOnDemand: true });
  const openBytes = fs.bytes;
  // the node headers are walked through bounded windows, once: no whole-file read, nothing read twice
  assert.deepEqual(fs.wholeFiles, []);
  assert.ok(openBytes <= pb.length + (1 << 20), `open read ${openBytes} of ${pb.length} bytes`);
  const mg = exp.metaGraphs[0];
  assert.equal(mg.loaded, false);
  assert.equal(mg.nodeCount, eager.metaGraphs[0].nodeCount);
  assert.equal(mg.functionCount, eager.metaGraphs[0].functionCount);
  assert.equal(mg.producer, eager.metaGraphs[0].producer);
  const info = await describeModel(exp);
  const describeBytes = fs.bytes - openBytes;
  // only the nodes the signatures' outputs name (and name-hash look-alikes) are read
  assert.ok(describeBytes < 16 << 10, `describe read ${describeBytes} bytes`);
  assert.deepEqual(
    info.metaGraphs[0].signatures.map((s) => [s.key, s.functionName]),
    want.metaGraphs[0].signatures.map((s) => [s.key, s.functionName]),
  );
  assert.ok(info.metaGraphs[0].signatures.every((s) => s.functionName));
  assert.equal(info.metaGraphs[0].nodeCount, eager.metaGraphs[0].nodeCount);
});

test("graphOnDemand: synchronous accessors refuse before load(); after it the graph equals the eager open's", async () => {
  const { files } = manyNodeTf2(500);
  const eager = (await openSavedModel(new MemoryFileAccess(files))).metaGraphs[0];
  const exp = await openSavedModel(new MemoryFileAccess(files), { graphOnDemand: true });
  const mg = exp.metaGraphs[0];
  assert.throws(
    () => mg.graphDef(),
    (e: unknown) => e instanceof SavedModelError && /not read yet/.test(e.message),
  );
  assert.throws(() => mg.functionSummaries, SavedModelError);
  // the object graph alone is read by range; the graph stays on disk
  assert.equal((await mg.loadObjectGraph())?.nodes.length, eager.objectGraph()?.nodes.length);
  assert.equal(mg.loaded, false);
  await exp.load();
  assert.equal(mg.loaded, true);
  const enc = (g: tensorflow.GraphDef) => Buffer.from(tensorflow.GraphDef.encode(g).finish());
  assert.ok(enc(mg.graphDef()).equals(enc(eager.graphDef())));
  assert.deepEqual(mg.functionSummaries, eager.functionSummaries);
});

test("graphOnDemand: a damaged node is one SavedModelError naming the file when first read", async () => {
  const { files, pb } = manyNodeTf2(200);
  // the call node behind the signatures: break the attr map entry inside it (a length past its end)
  const name = new TextEncoder().encode("StatefulPartitionedCall");
  let at = -1;
  // the top-level node named and typed StatefulPartitionedCall (name, field 1, then op, field 2)
  const n = name.length;
  const isName = (i: number) => name.every((c, k) => pb[i + k] === c);
  for (let i = 2; i + 2 * n + 2 <= pb.length && at < 0; i++)
    if (
      pb[i - 2] === 0x0a &&
      pb[i - 1] === n &&
      isName(i) &&
      pb[i + n] === 0x12 &&
      pb[i + n + 1] === n &&
      isName(i + n + 2)
    )
      at = i;
  assert.ok(at > 0, "call node found");
  const bad = Uint8Array.from(pb);
  // the first attr entry (field 5, wire type 2) after the name: claim 127 bytes more than it has
  let j = at + name.length;
  while (bad[j] !== 0x2a) j++;
  bad[j + 1] = 0x7f;
  const broken = new Map(files);
  broken.set("saved_model.pb", bad);
  const exp = await openSavedModel(new MemoryFileAccess(broken), { graphOnDemand: true });
  const info = await describeModel(exp);
  const d = info.diagnostics.find((x) => /cannot read the graph's nodes/.test(x.message));
  assert.ok(d, JSON.stringify(info.diagnostics));
  assert.match(d.message, /saved_model\.pb/);
  await assert.rejects(
    (async () => {
      await exp.load();
      exp.metaGraphs[0].graphDef();
    })(),
    (e: unknown) => e instanceof SavedModelError && /saved_model\.pb/.test(e.message),
  );
});

test(
  "every fixture: graphOnDemand gives the same signatures, counts and, after load(), graph",
  { skip: skipNoFixtures },
  async () => {
    for (const name of fixtureNames()) {
      if (!existsSync(join(fixturePath(name), "saved_model.pb")) || name.startsWith("corrupt")) continue;
      const eager = await openSavedModel(new NodeFileAccess(fixturePath(name)));
      const lazy = await openSavedModel(new NodeFileAccess(fixturePath(name)), { graphOnDemand: true });
      const a = await describeModel(eager);
      const b = await describeModel(lazy);
      assert.deepEqual(b.metaGraphs, a.metaGraphs, name);
      await lazy.load();
      const full = tensorflow.SavedModel.decode(readFileSync(join(fixturePath(name), "saved_model.pb")));
      for (const [i, mg] of lazy.metaGraphs.entries()) {
        await mg.resolveDeferredTensors();
        const g = mg.graphDef();
        await mg.resolveDeferredTensors();
        const want = Buffer.from(tensorflow.GraphDef.encode(full.metaGraphs[i].graphDef ?? {}).finish());
        assert.ok(want.equals(Buffer.from(tensorflow.GraphDef.encode(g).finish())), `${name} meta graph ${i}`);
      }
    }
  },
);
