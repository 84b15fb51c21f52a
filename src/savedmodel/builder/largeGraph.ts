/**
 * A large, valid graph for decode/layout benchmarks: `nodes` top-level nodes in dense blocks (Const weights,
 * MatMul, BiasAdd, Relu) grouped in name scopes, with calls into `functions` library functions that are built
 * the same way (and call each other in chains). Weight constants share a few byte buffers, so building stays
 * fast and memory-lean; the default 100k nodes / 2,000 functions make a saved_model.pb of ~50 MB+.
 */
import { DataType } from "../dtypes.js";
import type { IAttrValue } from "../proto.js";
import { attr } from "./attrs.js";
import { GraphBuilder, type FunctionBuilder, type FunctionHandle } from "./graph.js";
import type { Tensor } from "./nodeScope.js";
import { SavedModelBuilder } from "./savedModelBuilder.js";
import { rng } from "./tf2.js";

const DT = DataType;

export interface LargeGraphOptions {
  /** Top-level nodes (approximate: rounded to whole blocks; default 100,000). */
  nodes?: number;
  /** Library functions (default 2,000). */
  functions?: number;
  /** Nodes per function body (approximate, default 28). */
  functionNodes?: number;
  /** Feature width: weights are width×width float32 constants (default 16 → 1 KiB each). */
  width?: number;
  /** Blocks per name scope (default 10). */
  blocksPerScope?: number;
}

/** The large export (TF1 layout, no variables: weights are constants). */
export function largeGraph(opts: LargeGraphOptions = {}): SavedModelBuilder {
  const nodes = opts.nodes ?? 100_000;
  const nFunctions = opts.functions ?? 2_000;
  const fnNodes = opts.functionNodes ?? 28;
  const w = opts.width ?? 16;
  const perScope = opts.blocksPerScope ?? 10;
  const next = rng(3);
  // a few distinct weight/bias payloads, shared by every Const (protobuf copies them when encoding)
  const pool = Array.from({ length: 8 }, () => {
    const m = new Float32Array(w * w).map(() => next() * 0.2 - 0.1);
    const b = new Float32Array(w).map(() => next() * 0.02);
    return {
      weight: {
        dtype: DT.DT_FLOAT,
        tensorShape: { dim: [{ size: w }, { size: w }] },
        tensorContent: new Uint8Array(m.buffer),
      },
      bias: { dtype: DT.DT_FLOAT, tensorShape: { dim: [{ size: w }] }, tensorContent: new Uint8Array(b.buffer) },
    };
  });
  const F = attr.type(DT.DT_FLOAT);
  const shape2 = [-1, w];
  let k = 0;
  /** One dense block: 5 nodes. */
  const block = (ops: GraphBuilder | FunctionBuilder, x: Tensor): Tensor => {
    const p = pool[k++ % pool.length];
    const wt = ops.op("Const", "kernel", [], { value: { tensor: p.weight }, dtype: F }).output;
    const mm = ops.op("MatMul", "MatMul", [x, wt], {}, { outputShapes: [shape2] }).output;
    const bs = ops.op("Const", "bias", [], { value: { tensor: p.bias }, dtype: F }).output;
    const ba = ops.op("BiasAdd", "BiasAdd", [mm, bs], {}, { outputShapes: [shape2] }).output;
    return ops.op("Relu", "Relu", [ba], {}, { outputShapes: [shape2] }).output;
  };
  const g = new GraphBuilder();
  g.recordShapes = true;
  const fnAttrs: Record<string, IAttrValue> = { _input_shapes: attr.listShape([shape2]) };
  const fns: FunctionHandle[] = [];
  // functions in chains of 10: each calls the previous one of its chain
  for (let i = 0; i < nFunctions; i++) {
    const callee = i % 10 === 0 ? undefined : fns[i - 1];
    const blocks = Math.max(1, Math.floor((fnNodes - 2 - (callee ? 1 : 0)) / 5));
    fns.push(
      g.function(`__inference_block_fn_${i}`, {
        inputs: [{ name: "x", dtype: DT.DT_FLOAT, shape: shape2 }],
        attrs: fnAttrs,
        recordShapes: true,
        body: (f, x) => {
          let h = x;
          for (let b = 0; b < blocks; b++) h = f.scope(`dense_${b}`, () => block(f, h));
          if (callee) h = f.call(callee, [h], { name: "PartitionedCall", stateful: false }).output;
          return { output_0: h };
        },
      }),
    );
  }
  const x = g.placeholder("input", DT.DT_FLOAT, shape2);
  x.shape = shape2;
  let h = x;
  // the top-level chain calls the last function of each chain (so every function is reachable)
  const entry = fns.filter((_, i) => i % 10 === 9 || i === fns.length - 1);
  const topBlocks = Math.max(1, Math.floor((nodes - 2 - entry.length) / 5));
  const callEvery = entry.length ? Math.max(1, Math.floor(topBlocks / entry.length)) : Infinity;
  let called = 0;
  let made = 0;
  while (made < topBlocks) {
    const scopeIx = Math.floor(made / perScope);
    h = g.scope(`model/stage_${Math.floor(scopeIx / 100)}/group_${scopeIx}`, () => {
      let t = h;
      for (let b = 0; b < perScope && made < topBlocks; b++, made++) {
        t = g.scope(`block_${b}`, () => block(g, t));
        if (made % callEvery === callEvery - 1 && called < entry.length) {
          t = g.call(entry[called++], [t], { name: "PartitionedCall", stateful: false }).output;
        }
      }
      return t;
    });
  }
  while (called < entry.length) h = g.call(entry[called++], [h], { name: "PartitionedCall", stateful: false }).output;
  const y = g.op("Softmax", "output", [h], {}, { outputShapes: [shape2] }).output;
  y.shape = shape2;
  return new SavedModelBuilder().addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs: { input: x }, outputs: { output: y } } },
  });
}
