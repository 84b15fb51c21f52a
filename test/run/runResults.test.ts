import { test } from "node:test";
import assert from "node:assert/strict";
import {
  feedDtypeNotes,
  parseLabels,
  nodeTimes,
  outputResult,
  runError,
  summarizeProfile,
  MAX_WIRE_VALUES,
} from "../../src/extension/run/runResults.js";
import { fromWire } from "../../src/protocol/tensorWire.js";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";

test("profile: per node summed over calls, per op, slowest first", () => {
  const p = summarizeProfile([
    { node: "a", op: "MatMul", fn: "", ms: 5 },
    { node: "b", op: "Add", fn: "f", ms: 1 },
    { node: "b", op: "Add", fn: "f", ms: 2 },
    { node: "b", op: "Add", fn: "", ms: 0.5 },
    { node: "call", op: "StatefulPartitionedCall", fn: "", ms: 100 },
    { node: "fcall", op: "__inference_f_12", fn: "", ms: 50, inclusive: true },
  ]);
  assert.equal(p.totalMs, 8.5);
  assert.deepEqual(
    p.nodes.map((n) => [n.fn, n.node, n.ms, n.count]),
    [
      ["", "a", 5, 1],
      ["f", "b", 3, 2],
      ["", "b", 0.5, 1],
    ],
  );
  assert.deepEqual(p.ops, [
    { op: "MatMul", ms: 5, count: 1 },
    { op: "Add", ms: 3.5, count: 3 },
  ]);
  const times = nodeTimes({
    profile: [
      { node: "b", op: "Add", fn: "f", ms: 2 },
      { node: "b", op: "Add", fn: "f", ms: 1 },
      { node: "x", op: "Neg", fn: "", ms: 1 },
      { node: "c", op: "While", fn: "", ms: 9, inclusive: true },
    ],
  })!;
  assert.deepEqual(times, [
    { fn: "f", node: "b", op: "Add", ms: 3, count: 2 },
    { fn: "", node: "x", op: "Neg", ms: 1, count: 1 },
    { fn: "", node: "c", op: "While", ms: 9, count: 1, inclusive: true },
  ]);
});

test("errors keep the failing node, op and function; missing ops are listed", () => {
  const e = Object.assign(new Error('node "r" (op Reshape, in the top-level graph) with inputs float32[3]: bad'), {
    name: "NodeError",
    node: "r",
    op: "Reshape",
    fn: "",
  });
  assert.deepEqual(runError(e), { message: e.message, name: "NodeError", node: "r", op: "Reshape", fn: "" });
  const fromText = runError(
    new Error('node "inner/conv" (op Conv2D, in function "__inference_call_12") with inputs float32[1,2]: x'),
  );
  assert.equal(fromText.node, "inner/conv");
  assert.equal(fromText.fn, "__inference_call_12");
  const missing = runError(
    Object.assign(
      new Error('signature "s" needs ops the executor does not have:\n  SentencepieceOp (custom op): a, b\n  Foo: c'),
      { name: "MissingOpsError" },
    ),
  );
  assert.deepEqual(missing.missing, [
    { op: "SentencepieceOp", nodes: ["a", "b"] },
    { op: "Foo", nodes: ["c"] },
  ]);
});

test("outputs carry stats and histogram, and are cut beyond the wire limit", () => {
  const o = outputResult("y", { dtype: DT.DT_FLOAT, shape: [3, 1], values: Float32Array.from([2.5, 3, 4.5]) });
  assert.equal(o.truncated, false);
  assert.equal(o.stats?.max, 4.5);
  assert.deepEqual([...(fromWire(o.tensor).values as Float32Array)], [2.5, 3, 4.5]);
  const big = outputResult("z", {
    dtype: DT.DT_UINT8,
    shape: [MAX_WIRE_VALUES + 5],
    values: new Uint8Array(MAX_WIRE_VALUES + 5),
  });
  assert.ok(big.truncated);
  assert.equal(big.totalElements, MAX_WIRE_VALUES + 5);
  assert.equal(fromWire(big.tensor).values.length, MAX_WIRE_VALUES);
  const s = outputResult("s", { dtype: DT.DT_STRING, shape: [1], values: [new Uint8Array([104])] });
  assert.equal(s.stats, undefined);
});

test("labels files: one class per line, CRLF and trailing blank lines tolerated", () => {
  assert.deepEqual(parseLabels(new TextEncoder().encode("cat\r\ndog \n\nbird\n\n")), ["cat", "dog", "", "bird"]);
  assert.deepEqual(parseLabels(new Uint8Array()), []);
});

test("feeding another dtype is reported, narrowing called out", () => {
  const specs = [
    { key: "x", dtype: DT.DT_FLOAT },
    { key: "n", dtype: DT.DT_INT64 },
  ];
  const notes = feedDtypeNotes(specs, {
    x: { dtype: DT.DT_DOUBLE, shape: [1], values: Float64Array.of(1) },
    n: { dtype: DT.DT_INT32, shape: [1], values: Int32Array.of(1) },
  });
  assert.deepEqual(notes, [
    'input "x": float64 values were converted to the signature\'s float32 (narrowed: precision or range may be lost)',
    'input "n": int32 values were converted to the signature\'s int64',
  ]);
  assert.deepEqual(feedDtypeNotes(specs, { x: { dtype: DT.DT_FLOAT, shape: [1], values: Float32Array.of(1) } }), []);
});
