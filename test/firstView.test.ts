/**
 * The range-read first view: opening reads a bounded number of bytes whatever the export's size,
 * big constants stay on disk until read, and the graph decoded from the range pass is the same
 * as a full decode of the file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { describeModel, nodeOfTensor, calledFunctions } from "../src/savedmodel/model.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { tensorflow } from "../src/savedmodel/proto.js";
import { deferredContentOf } from "../src/savedmodel/deferredContent.js";
import { tensorFromProto } from "../src/savedmodel/tensor.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { frozenConstFiles } from "../src/savedmodel/builder/frozenConst.js";
import { halfPlusTwo } from "../src/savedmodel/builder/models.js";
import { CountingAccess } from "./helpers/countingAccess.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

const frozenFiles = frozenConstFiles;

test("a frozen 24 MB constant stays on disk: the first view reads a bounded number of bytes", async () => {
  const small = frozenFiles(4 << 20);
  const big = frozenFiles(24 << 20);
  const read: number[] = [];
  for (const f of [small, big]) {
    const fs = new CountingAccess(new MemoryFileAccess(f.files));
    const exp = await openSavedModel(fs);
    const info = await describeModel(exp);
    assert.deepEqual(info.metaGraphs[0].tags, ["serve"]);
    assert.deepEqual(
      info.metaGraphs[0].signatures.map((s) => s.key),
      ["serving_default"],
    );
    assert.deepEqual(fs.wholeFiles, [], "saved_model.pb is never read whole");
    read.push(fs.bytes);
    console.log(`read ${fs.bytes} bytes of ${f.pb.length}`);
  }
  // the window is 4 MiB: both read about the same, far less than the file
  assert.ok(read[1] <= read[0] + (64 << 10), `read ${read[1]} bytes for 24 MB vs ${read[0]} for 4 MB`);
  assert.ok(read[1] < 6 << 20);
});

test("a deferred constant is marked, refuses to decode silently, and reads back exactly by range", async () => {
  const f = frozenFiles(3 << 20);
  const exp = await openSavedModel(new MemoryFileAccess(f.files));
  const mg = exp.metaGraphs[0];
  assert.ok(mg.hasDeferredContent);
  const node = mg.graphDef().node.find((n) => n.name === f.constName)!;
  const t = node.attr!.value.tensor!;
  const d = deferredContentOf(t);
  assert.deepEqual(d, { offset: f.contentOffset, length: 3 << 20 });
  assert.throws(
    () => tensorFromProto(t),
    (e: unknown) => e instanceof SavedModelError && /not read yet/.test(e.message),
  );
  await mg.resolveDeferredTensors();
  assert.equal(deferredContentOf(t), undefined);
  assert.deepEqual(t.tensorContent, f.pb.subarray(f.contentOffset));
  const values = tensorFromProto(t).values as Float32Array;
  assert.equal(values[3], 1.5);
  assert.equal(values.length, (3 << 20) / 4);
  // nodes() and nodesNamed() mark their own decoded copies
  const fresh = await openSavedModel(new MemoryFileAccess(f.files));
  const [n] = fresh.metaGraphs[0].nodesNamed([f.constName]);
  assert.equal(deferredContentOf(n.attr.value.tensor)?.length, 3 << 20);
  assert.deepEqual(await fresh.metaGraphs[0].readTensorContent(n.attr.value.tensor!), f.pb.subarray(f.contentOffset));
});

test("nodesNamed finds the TF2 signature's call node like a full node decode does", async () => {
  const exp = await openSavedModel(new MemoryFileAccess(halfPlusTwo({ tf2: true }).save()));
  const mg = exp.metaGraphs[0];
  const info = await describeModel(exp);
  const byName = new Map(mg.nodes().map((n) => [n.name, n]));
  for (const s of info.metaGraphs[0].signatures) {
    const node = byName.get(nodeOfTensor(s.outputs[0].tensorName!))!;
    assert.equal(s.functionName, calledFunctions(node)[0], s.key);
    assert.ok(s.functionName);
  }
});

const binaryFixtures = () =>
  fixtureNames().filter((n) => existsSync(join(fixturePath(n), "saved_model.pb")) && !n.startsWith("corrupt"));

test(
  "every fixture: with every tensor_content over 64 bytes deferred, the resolved graph equals the file's",
  { skip: skipNoFixtures },
  async () => {
    let deferred = 0;
    for (const name of binaryFixtures()) {
      const bytes = readFileSync(join(fixturePath(name), "saved_model.pb"));
      const full = tensorflow.SavedModel.decode(bytes);
      const exp = await openSavedModel(new NodeFileAccess(fixturePath(name)), { deferTensorBytes: 64 });
      for (const [i, mg] of exp.metaGraphs.entries()) {
        const g = mg.graphDef();
        if (mg.hasDeferredContent) deferred++;
        await mg.resolveDeferredTensors();
        const want = tensorflow.GraphDef.encode(full.metaGraphs[i].graphDef ?? {}).finish();
        const got = tensorflow.GraphDef.encode(g).finish();
        assert.ok(Buffer.from(want).equals(Buffer.from(got)), `${name} meta graph ${i}`);
        assert.deepEqual(mg.tags, full.metaGraphs[i].metaInfoDef?.tags ?? [], name);
        assert.deepEqual(
          Object.keys(mg.signatureDefs).sort(),
          Object.keys(full.metaGraphs[i].signatureDef ?? {}).sort(),
        );
        if (full.metaGraphs[i].objectGraphDef)
          assert.equal(mg.objectGraph()?.nodes.length, full.metaGraphs[i].objectGraphDef!.nodes!.length, name);
      }
    }
    assert.ok(deferred >= 3, `${deferred} meta graphs had deferred tensors`);
  },
);

test("a cut-short file is reported with the offset and the missing byte count", async () => {
  const f = frozenFiles(2 << 20);
  const cut = new Map(f.files);
  cut.set("saved_model.pb", f.pb.subarray(0, f.pb.length - 1000));
  await assert.rejects(openSavedModel(new MemoryFileAccess(cut)), (e: unknown) => {
    assert.ok(e instanceof SavedModelError, String(e));
    assert.match(e.message, /truncated or corrupt: .* 1000 bytes past the end/);
    return true;
  });
});
