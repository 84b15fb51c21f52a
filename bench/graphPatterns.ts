/**
 * Builder-made exports reproducing the three graph-view patterns of issue 13 (made at run time, never stored):
 *  - kerasCaptured: a TF2 Keras export (MobileNetV2-shaped CNN, object graph with Keras layers) whose signature
 *    function captures 77 resource variables;
 *  - moduleConstNoSignatures: a tf.Module whose weights are graph constants, saved without signatures: the
 *    network lives in the root's `__call__` concrete function, the top-level graph is a strip of constants;
 *  - tf1Scoped: a ~2,000-node TF1 graph with input-parsing, model, head and metric name scopes plus unscoped
 *    clusters (the TFMA evaluation-graph shape).
 * Used by test/graph/*.test.ts and `npm run bench:graph -- --patterns`.
 */
import { DataType } from "../src/savedmodel/dtypes.js";
import {
  attr,
  GraphBuilder,
  ObjectGraphBuilder,
  SavedModelBuilder,
  tensorOf,
} from "../src/savedmodel/builder/index.js";
import { cnn } from "../src/savedmodel/builder/models.js";
import type { FunctionBuilder, Tensor } from "../src/savedmodel/builder/index.js";

const F = DataType.DT_FLOAT;

export type PatternName = "kerasCaptured" | "moduleConstNoSignatures" | "tf1Scoped";

/** The export's files (saved_model.pb, variables/...). */
export function patternFiles(name: PatternName): Map<string, Uint8Array> {
  switch (name) {
    case "kerasCaptured":
      return cnn({ style: "tf2", inputSize: 32 }).save();
    case "moduleConstNoSignatures":
      return moduleConstNoSignatures().save();
    case "tf1Scoped":
      return tf1Scoped().save();
  }
}

export const PATTERNS: PatternName[] = ["kerasCaptured", "moduleConstNoSignatures", "tf1Scoped"];

let seed = 11;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 0.2 - 0.1;
const weights = (shape: number[]) =>
  tensorOf(
    F,
    shape,
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd()),
  );

/** Dense block with constant weights: Const kernel, MatMul, Const bias, BiasAdd, Relu. */
function denseConst(f: GraphBuilder | FunctionBuilder, x: Tensor, i: number, w: number): Tensor {
  return f.scope(`dense_${i}`, () => {
    const k = f.const_("kernel", weights([w, w]));
    const mm = f.op("MatMul", "MatMul", [x, k], {}, { outputShapes: [[-1, w]] }).output;
    const b = f.const_("bias", weights([w]));
    const ba = f.op("BiasAdd", "BiasAdd", [mm, b], {}, { outputShapes: [[-1, w]] }).output;
    return f.op("Relu", "Relu", [ba], {}, { outputShapes: [[-1, w]] }).output;
  });
}

/** tf.Module with constant weights and no signatures; the root's __call__ computes the model. */
export function moduleConstNoSignatures(): SavedModelBuilder {
  const g = new GraphBuilder();
  const w = 8;
  // The top-level graph TF writes for such a module: constants (captured values), no computation.
  for (let i = 0; i < 104; i++) g.const_(`Const_${i}`, weights([w]));
  const call = g.function("__inference___call___104", {
    inputs: [{ name: "x", dtype: F, shape: [-1, w] }],
    body: (f, x) => {
      let h = x;
      for (let i = 0; i < 16; i++) h = denseConst(f, h, i, w);
      return { output_0: f.op("Softmax", "Softmax", [h], {}, { outputShapes: [[-1, w]] }).output };
    },
  });
  // A small helper the module also traced (not the model).
  g.function("__inference_normalize_55", {
    inputs: [{ name: "x", dtype: F, shape: [-1, w] }],
    body: (f, x) => ({ output_0: f.op("Neg", "Neg", [x], {}).output }),
  });
  const og = new ObjectGraphBuilder("_generic_user_object");
  og.function(og.root, "__call__", [call.name], { args: [{ dtype: F, shape: [-1, w], name: "x" }] });
  og.function(og.root, "normalize", ["__inference_normalize_55"], { args: [{ dtype: F, shape: [-1, w], name: "x" }] });
  return new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: g }).setObjectGraph(og);
}

/** A ~2,000-node TF1 evaluation graph: input parsing, model, head, metrics scopes and unscoped clusters. */
export function tf1Scoped(): SavedModelBuilder {
  const g = new GraphBuilder();
  const w = 8;
  const ex = g.placeholder("input_example_tensor", DataType.DT_STRING, [-1]);
  const feats: Tensor[] = [];
  g.scope("ParseExample", () => {
    for (let i = 0; i < 12; i++) {
      const d = g.const_(`default_${i}`, weights([w]));
      const c = g.op("StringToNumber", `parse_${i}`, [ex], { out_type: attr.type(F) }).output;
      const r = g.op("Reshape", `reshape_${i}`, [c, g.constI32(`shape_${i}`, [-1, 1])], {}).output;
      feats.push(g.op("AddV2", `fill_${i}`, [r, d], {}, { outputShapes: [[-1, w]] }).output);
    }
  });
  let h = g.scope("input_layer", () => g.op("AddN", "concat", feats, { N: attr.i(feats.length) }).output);
  g.scope("model", () => {
    for (let i = 0; i < 200; i++) h = denseConst(g, h, i, w);
  });
  const logits = g.scope("head", () => g.op("Identity", "logits", [h], {}).output);
  const probs = g.scope("head", () => g.op("Softmax", "predictions/probabilities", [logits], {}).output);
  const label = g.placeholder("label", F, [-1, w]);
  // metrics: many small scopes (TFMA writes one per metric, each with update/value ops)
  g.scope("metrics", () => {
    for (let m = 0; m < 60; m++)
      g.scope(`metric_${m}`, () => {
        let t = g.op("Sub", "diff", [probs, label], {}).output;
        for (let k = 0; k < 6; k++) t = g.op("Square", `sq_${k}`, [t], {}).output;
        g.op("Mean", "value", [t, g.constI32("axes", [0, 1])], {});
      });
  });
  // unscoped clusters (no name scope): weakly connected parts the view must group itself
  for (let c = 0; c < 30; c++) {
    let t = g.op("Neg", `neg_${c}`, [label], {}).output;
    for (let k = 0; k < 6; k++) t = g.op("Abs", `abs_${c}_${k}`, [t], {}).output;
  }
  return new SavedModelBuilder().addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: {
      serving_default: { inputs: { examples: ex }, outputs: { probabilities: probs } },
      eval: { inputs: { examples: ex, label }, outputs: { probabilities: probs, logits } },
    },
  });
}
