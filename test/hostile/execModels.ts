/**
 * Hostile exports for the executor and the CLI's output (issue 9): written with our builder at test time.
 * Each returns a SavedModelBuilder with one `serve` meta graph and a `serving_default` signature x (float scalar) → y.
 */
import { DataType } from "../../src/savedmodel/dtypes.js";
import {
  GraphBuilder,
  SavedModelBuilder,
  attr,
  tensorOf,
  type FunctionHandle,
  type Tensor,
} from "../../src/savedmodel/builder/index.js";

const DT = DataType;
const F = DT.DT_FLOAT;

function withSignature(g: GraphBuilder, x: Tensor, y: Tensor, mainOp?: Parameters<GraphBuilder["noOp"]>[1]) {
  return new SavedModelBuilder().addMetaGraph(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs: { x }, outputs: { y } } },
    mainOp: mainOp ? g.noOp("main_op", mainOp) : undefined,
    saver: false,
  });
}

/** cond always true, body = identity (constant-size tensors): loops forever. */
function endlessLoopFns(g: GraphBuilder): { cond: FunctionHandle; body: FunctionHandle } {
  const cond = g.function("always_true", {
    inputs: [{ name: "v", dtype: F }],
    body: (f) => [f.const_("t", tensorOf(DT.DT_BOOL, [], [1]))],
  });
  const body = g.function("add_zero", {
    inputs: [{ name: "v", dtype: F }],
    body: (f, v) => [f.op("AddV2", "next", [v, f.constF("zero", 0)]).output],
  });
  return { cond, body };
}

function whileOp(g: GraphBuilder, name: string, x: Tensor, fns: { cond: FunctionHandle; body: FunctionHandle }) {
  return g.op(
    "While",
    name,
    [x],
    {
      T: attr.listType([F]),
      cond: attr.func(fns.cond.name),
      body: attr.func(fns.body.name),
      parallel_iterations: attr.i(10),
    },
    { outputDtypes: [F], outputShapes: [[]] },
  );
}

/** An endless TF2 While inside the init op (runs while the model loads). */
export function endlessWhileInInitOp(): SavedModelBuilder {
  const g = new GraphBuilder();
  const x = g.placeholder("x", F, []);
  const loop = whileOp(g, "init_loop", g.constF("start", 1), endlessLoopFns(g));
  return withSignature(g, x, g.identity("y", x), [loop]);
}

/** An endless TF2 While with constant-size tensors in the signature itself. */
export function endlessWhileInSignature(): SavedModelBuilder {
  const g = new GraphBuilder();
  const x = g.placeholder("x", F, []);
  const loop = whileOp(g, "loop", x, endlessLoopFns(g));
  return withSignature(g, x, g.identity("y", loop.output));
}

/** f_0(v) = v + 1; f_i(v) = f_{i-1}(f_{i-1}(v)): 2^levels calls, nesting `levels` deep. */
export function exponentialCalls(levels = 40): SavedModelBuilder {
  const g = new GraphBuilder();
  const x = g.placeholder("x", F, []);
  let fn = g.function("f_0", {
    inputs: [{ name: "v", dtype: F }],
    body: (f, v) => [f.op("AddV2", "inc", [v, f.constF("one", 1)]).output],
  });
  for (let i = 1; i < levels; i++) {
    const prev = fn;
    fn = g.function(`f_${i}`, {
      inputs: [{ name: "v", dtype: F }],
      body: (f, v) => {
        const a = f.call(prev, [v], { name: "first" }).output;
        return [f.call(prev, [a], { name: "second" }).output];
      },
    });
  }
  return withSignature(g, x, g.identity("y", g.call(fn, [x]).output));
}

/** f_0 = identity; f_i calls f_{i-1}: a chain of `depth` nested calls. */
export function nestedCalls(depth = 100_000): SavedModelBuilder {
  const g = new GraphBuilder();
  const x = g.placeholder("x", F, []);
  let fn = g.function("c_0", { inputs: [{ name: "v", dtype: F }], body: (f, v) => [f.identity("id", v)] });
  for (let i = 1; i < depth; i++) {
    const prev = fn;
    fn = g.function(`c_${i}`, {
      inputs: [{ name: "v", dtype: F }],
      body: (f, v) => [f.call(prev, [v], { name: "next" }).output],
      identityOutputs: false,
    });
  }
  return withSignature(g, x, g.identity("y", g.call(fn, [x]).output));
}

/** One op whose output would be huge: `make` adds it to the graph given x and returns its output. */
function bomb(make: (g: GraphBuilder, x: Tensor) => Tensor): SavedModelBuilder {
  const g = new GraphBuilder();
  const x = g.placeholder("x", F, []);
  return withSignature(g, x, g.identity("y", make(g, x)));
}

/** Fill whose shape vector has 65 entries (2^65 elements). */
export const fillLongShape = () =>
  bomb((g, x) => g.op("Fill", "fill", [g.constI32("dims", new Array(65).fill(2)), x]).output);

/** Tile of a rank-65 tensor with 65 multiples of 3. */
export const tileLongMultiples = () =>
  bomb((g, x) => {
    const ones = new Array(65).fill(1);
    const r = g.op("Reshape", "r", [x, g.constI32("shape", ones)]).output;
    return g.op("Tile", "tile", [r, g.constI32("multiples", new Array(65).fill(3))]).output;
  });

/** AddV2 of [30000,1] + [1,30000] (9e8 elements, 3.6 GB). */
export const broadcastBomb = () =>
  bomb((g, x) => {
    const col = g.op("Fill", "col", [g.constI32("col_dims", [30000, 1]), x]).output;
    const row = g.op("Fill", "row", [g.constI32("row_dims", [1, 30000]), x]).output;
    return g.op("AddV2", "outer_sum", [col, row]).output;
  });

/** ConcatV2 of 4096 copies of a [4096, 4096] tensor (6.9e10 elements). */
export const concatBomb = () =>
  bomb((g, x) => {
    const big = g.op("Fill", "big", [g.constI32("big_dims", [4096, 4096]), x]).output;
    const n = 4096;
    return g.op("ConcatV2", "concat", [...new Array(n).fill(big), g.constI32("axis", 0)], { N: attr.i(n) }).output;
  });

/** One MatMul of two [6000, 6000] matrices: within the size limits, but minutes in a single kernel on tfjs-cpu. */
export const longSingleKernel = () =>
  bomb((g, x) => {
    const m = g.op("Fill", "m", [g.constI32("m_dims", [6000, 6000]), x]).output;
    return g.op("MatMul", "slow_matmul", [m, m]).output;
  });

/** Control characters an export could use against a terminal. */
export const ESC_TITLE = "\x1b]0;owned-title\x07";
export const ESC_CLEAR = "\x1b[2J\x1b[H";
export const FORGED = "\rFORGED: all clear\n";
/** The input key: control characters, but none of the KEY=VALUE;... syntax's own (";", "=", brackets, quotes). */
export const RUN_INPUT_KEY = "in\x07\rFAKE";

/** Tags, signature, input/output keys, node, variable and function names and PrintV2 text with escapes. */
export function terminalEscapes(): SavedModelBuilder {
  const g = new GraphBuilder();
  const v = g.variable(`weights${ESC_TITLE}`, tensorOf(F, [], [2]), { kind: "resource" });
  const x = g.placeholder(`x${ESC_CLEAR}`, F, []);
  const text = g.constStr("text", `PRINTED${ESC_TITLE}${ESC_CLEAR}${FORGED}`);
  const print = g.op("PrintV2", `print${ESC_TITLE}`, [text], { output_stream: attr.s("stderr"), end: attr.s("\n") });
  const fn = g.function(`fn${ESC_CLEAR}`, {
    inputs: [{ name: "v", dtype: F }],
    body: (f, a) => [f.op("Mul", "twice", [a, f.constF("two", 2)]).output],
  });
  const called = g.call(fn, [x]).output;
  const y = g.op("Mul", `y${FORGED}`, [called, v.read], {}, { control: [print] }).output;
  g.saver();
  return new SavedModelBuilder().addMetaGraphAndVariables(["serve", `tag${ESC_TITLE}`], {
    graph: g,
    signatureDefs: { [`sig${ESC_CLEAR}`]: { inputs: { [RUN_INPUT_KEY]: x }, outputs: { [`out${ESC_TITLE}`]: y } } },
    mainOp: g.initAllVariables(),
  });
}
