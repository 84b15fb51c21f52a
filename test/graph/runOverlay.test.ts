import { test } from "node:test";
import assert from "node:assert/strict";
import type { DisplayGraph, GraphGroup, GraphNode } from "../../src/graph/model.js";
import type { GraphNodeTime } from "../../src/protocol/graph.js";
import {
  aggregateTimes,
  binStarts,
  contrastRatio,
  formatMs,
  heatBin,
  heatPalette,
  heatScale,
  HEAT_BINS,
  parseColour,
  valueSource,
  type RGB,
} from "../../src/webview/graph/runTimes.js";
import { valuePreview } from "../../src/extension/graph/runPreview.js";
import { DataType } from "../../src/savedmodel/dtypes.js";

const node = (name: string, op: string, parent: number, fn = "", extra: Partial<GraphNode> = {}): GraphNode => ({
  name,
  label: name,
  op,
  kind: "math",
  parent,
  fn,
  attrs: [],
  outputs: [{}],
  ...extra,
});
const group = (id: string, kind: GraphGroup["kind"], parent: number, extra: Partial<GraphGroup> = {}): GraphGroup => ({
  id,
  label: id,
  kind,
  parent,
  nodes: [],
  groups: [],
  size: 0,
  visibleSize: 0,
  ...extra,
});
const call = (name: string, op: string) => ({ name, op, fn: "", attrs: [], inputs: [], outputs: [{}] });

/**
 * root: x (Placeholder), MatMul, [call: f (Relu, Add; arg)], [scope s: s/a, s/b (did not run)],
 *       [while: While op node, [body: body/Mul]], out (signature output fed by MatMul)
 */
function sample(): DisplayGraph {
  const nodes = [
    node("x", "Placeholder", 0, "", { role: "sigInput" }), // 0
    node("MatMul", "MatMul", 0), // 1
    node("a", "_Arg", 1, "f", { role: "arg" }), // 2
    node("Relu", "Relu", 1, "f"), // 3
    node("Add", "AddV2", 1, "f"), // 4
    node("s/a", "Mul", 2), // 5
    node("s/b", "Mul", 2), // 6
    node("loop", "While", 3), // 7
    node("Mul", "Mul", 4, "body"), // 8
    node("out", "Output", 0, "", { role: "sigOutput" }), // 9
  ];
  const groups = [
    group("", "root", -1, { nodes: [0, 1, 9], groups: [1, 2, 3] }),
    group("call", "call", 0, { nodes: [2, 3, 4], fn: "f", call: call("call", "StatefulPartitionedCall") }),
    group("s", "scope", 0, { nodes: [5, 6] }),
    group("loop", "call", 0, { nodes: [7], groups: [4], call: call("loop", "While") }),
    group("loop::body", "body", 3, { nodes: [8], fn: "body" }),
  ];
  return {
    title: "t",
    scope: { kind: "signature", name: "serving_default" },
    nodes,
    groups,
    edges: [
      { s: 0, t: 1, so: 0, ti: 0 },
      { s: 1, t: 9, so: 0, ti: 0 },
    ],
    warnings: [],
  };
}

const TIMES: GraphNodeTime[] = [
  { fn: "", node: "MatMul", op: "MatMul", ms: 2, count: 1 },
  { fn: "", node: "call", op: "StatefulPartitionedCall", ms: 5, count: 1, inclusive: true },
  { fn: "f", node: "Relu", op: "Relu", ms: 1, count: 1 },
  { fn: "f", node: "Add", op: "AddV2", ms: 3, count: 2 },
  { fn: "", node: "s/a", op: "Mul", ms: 0.5, count: 1 },
  { fn: "", node: "loop", op: "While", ms: 10, count: 1, inclusive: true },
  { fn: "body", node: "Mul", op: "Mul", ms: 6, count: 4 },
];

test("aggregateTimes: leaf self times, measured calls, loop op keeps what its bodies do not account for", () => {
  const t = aggregateTimes(sample(), TIMES);
  assert.ok(Number.isNaN(t.self[0]), "x did not run");
  assert.equal(t.self[1], 2);
  assert.equal(t.self[4], 3);
  assert.equal(t.count[4], 2);
  assert.ok(Number.isNaN(t.self[2]), "function args have no time");
  assert.ok(Number.isNaN(t.self[6]), "s/b did not run");
  assert.equal(t.measured[7], 10);
  assert.equal(t.inclusive[7], 1);
  assert.equal(t.self[7], 4, "While 10 ms minus its body's 6 ms");
  assert.equal(t.self[8], 6);
  assert.ok(Number.isNaN(t.self[9]), "signature outputs have no time");
  // groups
  assert.equal(t.group[1], 5, "call group: the call node's measured time");
  assert.equal(t.groupMeasured[1], 1);
  assert.equal(t.group[2], 0.5, "scope: the sum of its nodes that ran");
  assert.equal(t.groupMeasured[2], 0);
  assert.equal(t.group[4], 6);
  assert.equal(t.group[3], 10);
  assert.equal(t.group[0], 2 + 5 + 0.5 + 10);
  // kernels only: calls and loops are not counted twice
  assert.equal(t.totalMs, 2 + 1 + 3 + 0.5 + 6);
});

test("aggregateTimes: a group where nothing ran has no time; an empty run colours nothing", () => {
  const g = sample();
  const t = aggregateTimes(g, [{ fn: "", node: "MatMul", op: "MatMul", ms: 1, count: 1 }]);
  assert.ok(Number.isNaN(t.group[2]));
  assert.ok(Number.isNaN(t.group[3]));
  assert.equal(t.group[0], 1);
  const none = aggregateTimes(g, []);
  assert.ok([...none.group].every(Number.isNaN));
  assert.equal(none.totalMs, 0);
});

test("heatScale/heatBin: linear for close times, log when they spread wide; NaN ignored", () => {
  const lin = heatScale([1, 2, NaN, -1])!;
  assert.deepEqual(lin, { lo: 0, hi: 2, log: false });
  assert.equal(heatBin(0, lin), 0);
  assert.equal(heatBin(1, lin), 4);
  assert.equal(heatBin(2, lin), HEAT_BINS - 1);
  const log = heatScale([0.001, 1000, 5])!;
  assert.equal(log.log, true);
  assert.equal(log.lo, 1, "the floor is a thousandth of the slowest");
  assert.equal(heatBin(0.001, log), 0);
  assert.equal(heatBin(Math.sqrt(1000), log), 4);
  assert.equal(heatBin(1000, log), HEAT_BINS - 1);
  assert.equal(heatScale([NaN]), undefined);
  const zero = heatScale([0, 0])!;
  assert.equal(heatBin(0, zero), 0);
  const starts = binStarts(log);
  assert.equal(starts.length, HEAT_BINS);
  assert.equal(starts[0], 1);
  assert.ok(starts.every((s, i) => i === 0 || s > starts[i - 1]));
});

test("parseColour reads the forms theme variables come in", () => {
  assert.deepEqual(parseColour("#f14c4c"), [241, 76, 76, 1]);
  assert.deepEqual(parseColour(" #FFF "), [255, 255, 255, 1]);
  assert.deepEqual(parseColour("#00000080"), [0, 0, 0, 128 / 255]);
  assert.deepEqual(parseColour("rgba(10, 20, 30, 0.5)"), [10, 20, 30, 0.5]);
  assert.deepEqual(parseColour("rgb(1 2 3 / 50%)"), [1, 2, 3, 0.5]);
  assert.equal(parseColour("var(--x)"), undefined);
  assert.equal(parseColour(""), undefined);
});

test("heatPalette: steps go from the node background towards the hot colour, text readable in every theme", () => {
  const black: RGB = [0, 0, 0];
  const white: RGB = [255, 255, 255];
  const themes: Record<string, { base: RGB; hot: RGB; fg: RGB; bg: RGB }> = {
    dark: { base: [37, 37, 38], hot: [241, 76, 76], fg: [212, 212, 212], bg: [30, 30, 30] },
    light: { base: [243, 243, 243], hot: [229, 20, 0], fg: [59, 59, 59], bg: [255, 255, 255] },
    "high contrast": { base: [12, 12, 12], hot: [244, 135, 113], fg: white, bg: black },
    "high contrast light": { base: white, hot: [181, 32, 13], fg: [41, 41, 41], bg: white },
  };
  for (const [name, th] of Object.entries(themes)) {
    const steps = heatPalette(th.base, th.hot, [th.fg, th.bg, black, white]);
    assert.equal(steps.length, HEAT_BINS);
    const dist = (c: RGB) => Math.hypot(c[0] - th.hot[0], c[1] - th.hot[1], c[2] - th.hot[2]);
    for (let i = 1; i < steps.length; i++)
      assert.ok(dist(steps[i].fill) < dist(steps[i - 1].fill), `${name}: step ${i} is hotter than ${i - 1}`);
    assert.deepEqual(steps[HEAT_BINS - 1].fill, th.hot);
    assert.notDeepEqual(steps[0].fill, th.base, `${name}: the fastest step is still told apart from "did not run"`);
    for (const s of steps)
      assert.ok(
        contrastRatio(s.fill, s.text) >= 4.5,
        `${name}: text on ${s.fill} has contrast ${contrastRatio(s.fill, s.text)}`,
      );
  }
});

test("formatMs picks a readable unit", () => {
  assert.equal(formatMs(0), "0 ms");
  assert.equal(formatMs(0.085), "85.0 µs");
  assert.equal(formatMs(0.25), "250 µs");
  assert.equal(formatMs(1.234), "1.23 ms");
  assert.equal(formatMs(12.34), "12.3 ms");
  assert.equal(formatMs(2310), "2.31 s");
  assert.equal(formatMs(NaN), "–");
});

test("valueSource: a signature output's value is the tensor feeding it", () => {
  const g = sample();
  const inEdges = g.nodes.map(() => [] as number[]);
  g.edges.forEach((e, i) => inEdges[e.t].push(i));
  assert.deepEqual(valueSource(g, inEdges, 9, 0), { n: 1, output: 0 });
  assert.deepEqual(valueSource(g, inEdges, 1, 0), { n: 1, output: 0 }, "real nodes are themselves");
  assert.deepEqual(valueSource(g, inEdges, 2, 0), { n: 2, output: 0 }, "an arg with no input stays");
});

test("valuePreview: dtype, shape, stats and the first values", () => {
  const t = { dtype: DataType.DT_FLOAT, shape: [2, 3], values: Float32Array.from([0, 1, 2, 3, 4, 5]) };
  const p = valuePreview(t);
  assert.equal(p.dtype, "float32");
  assert.deepEqual(p.shape, [2, 3]);
  assert.equal(p.totalElements, 6);
  assert.deepEqual(p.values, ["0", "1", "2", "3", "4", "5"]);
  assert.equal(p.truncated, false);
  assert.equal(p.stats?.min, 0);
  assert.equal(p.stats?.max, 5);
  assert.equal(p.stats?.mean, 2.5);
  // the histogram counts every value, not only the first ones shown
  assert.equal(
    p.histogram?.reduce((a, b) => a + b.count, 0),
    6,
  );
  assert.equal(p.histogram?.[0].x0, 0);
  assert.equal(p.histogram?.at(-1)?.x1, 5);
  const cut = valuePreview(t, 4);
  assert.equal(cut.values.length, 4);
  assert.equal(cut.truncated, true);
  assert.equal(
    cut.histogram?.reduce((a, b) => a + b.count, 0),
    6,
    "bins over all values though only 4 are listed",
  );
  const s = valuePreview({ dtype: DataType.DT_STRING, shape: [1], values: [new TextEncoder().encode("hi")] });
  assert.equal(s.stats, undefined);
  assert.equal(s.histogram, undefined);
  assert.equal(s.values.length, 1);
  const empty = valuePreview({ dtype: DataType.DT_FLOAT, shape: [0, 4], values: new Float32Array(0) });
  assert.equal(empty.totalElements, 0);
  assert.deepEqual(empty.values, []);
});
