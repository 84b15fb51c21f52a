/**
 * A Const node's value for the graph view's details pane (src/extension/graph/constValue.ts): small constants are
 * decoded with statistics, histogram and table values; a big one (left on disk by the range pass) is only read on
 * request, by range, and left on disk again; the preview limit holds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { MemoryFileAccess } from "../../src/savedmodel/memoryFileAccess.js";
import { deferredContentOf } from "../../src/savedmodel/deferredContent.js";
import { frozenConstFiles } from "../../src/savedmodel/builder/frozenConst.js";
import { halfPlusTwo } from "../../src/savedmodel/builder/models.js";
import { constValue } from "../../src/extension/graph/constValue.js";
import { fromWire } from "../../src/protocol/tensorWire.js";

const LIMIT = 1 << 24;

test("a small Const: preview with statistics, histogram and the values for the table", async () => {
  const exp = await openSavedModel(new MemoryFileAccess(halfPlusTwo({}).save()));
  const mg = exp.metaGraphs[0];
  const v = await constValue(mg, "", "a/initial_value", { read: false, maxElements: LIMIT });
  assert.equal(v.onDisk, undefined);
  assert.equal(v.preview?.dtype, "float32");
  assert.deepEqual(v.preview?.shape, []);
  assert.equal(v.preview?.totalElements, 1);
  assert.equal(v.preview?.stats?.min, 0.5);
  assert.deepEqual(v.preview?.histogram, [{ x0: 0.5, x1: 0.5, count: 1 }]);
  assert.ok(v.table);
  assert.deepEqual([...(fromWire(v.table).values as Float32Array)], [0.5]);
  // a string constant: values, no statistics or histogram
  const s = await constValue(mg, "", "save/SaveV2/tensor_names", { read: false, maxElements: LIMIT });
  assert.equal(s.preview?.dtype, "string");
  assert.equal(s.preview?.stats, undefined);
  assert.equal(s.preview?.histogram, undefined);
  assert.equal(s.preview?.values.length, 3);
  await assert.rejects(
    () => constValue(mg, "", "no/such/node", { read: false, maxElements: LIMIT }),
    /no node no\/such\/node/,
  );
  await assert.rejects(() => constValue(mg, "no_fn", "x", { read: false, maxElements: LIMIT }), /no function no_fn/);
});

test("a Const left on disk is read by range only on request, and stays on disk afterwards", async () => {
  const f = frozenConstFiles(2 << 20);
  let ranged = 0;
  const mem = new MemoryFileAccess(f.files);
  const fs = Object.assign(Object.create(mem) as MemoryFileAccess, {
    readRange: (p: string, o: number, n: number) => {
      if (n === 2 << 20) ranged++;
      return mem.readRange(p, o, n);
    },
  });
  const exp = await openSavedModel(fs);
  const mg = exp.metaGraphs[0];
  const lazy = await constValue(mg, "", f.constName, { read: false, maxElements: LIMIT });
  assert.deepEqual(lazy, { onDisk: 2 << 20 });
  assert.equal(ranged, 0, "nothing read before Show values");
  const v = await constValue(mg, "", f.constName, { read: true, maxElements: LIMIT });
  assert.equal(ranged, 1, "the content is read once, by range");
  const n = (2 << 20) / 4;
  const values = new Float32Array(f.pb.slice(f.contentOffset).buffer);
  assert.equal(v.preview?.totalElements, n);
  assert.equal(v.preview?.values.length, 48);
  assert.equal(v.preview?.truncated, true);
  let max = -Infinity;
  let finite = 0;
  for (const x of values)
    if (Number.isFinite(x)) {
      finite++;
      if (x > max) max = x;
    }
  assert.equal(v.preview?.stats?.max, max);
  assert.equal(
    v.preview?.histogram?.reduce((a, b) => a + b.count, 0),
    finite,
    "the histogram counts every value",
  );
  assert.equal(v.table, undefined, "too big for the table: first values only");
  // left on disk again: the worker keeps no copy
  const node = mg.graphDef().node.find((x) => x.name === f.constName)!;
  assert.deepEqual(deferredContentOf(node.attr!.value.tensor), {
    offset: f.contentOffset,
    length: 2 << 20,
  });
  // over the preview limit: not decoded, and says why
  const over = await constValue(mg, "", f.constName, { read: true, maxElements: 1000 });
  assert.match(over.reason ?? "", /over the preview limit of 1,000/);
  assert.equal(ranged, 1);
});
