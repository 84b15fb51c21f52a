/**
 * Ready-made models for tests, benchmarks and the demo: TF Serving's half_plus_two (TF1 and TF2 layouts),
 * a dense MLP, a hostile-names model; cnn(), largeGraph() and demoExport() live in their own files and are
 * re-exported here.
 */
import { DataType } from "../dtypes.js";
import { attr } from "./attrs.js";
import { GraphBuilder, tensorOf, type FunctionBuilder, type VariableRecord } from "./graph.js";
import type { Tensor } from "./nodeScope.js";
import { ObjectGraphBuilder } from "./objects.js";
import {
  CLASSIFY_METHOD,
  PREDICT_METHOD,
  REGRESS_METHOD,
  SavedModelBuilder,
  type SignatureSpec,
} from "./savedModelBuilder.js";
import { addTf2Saver, addTf2Signatures, randomTensor, rng, filledTensor } from "./tf2.js";

export { cnn, type CnnOptions } from "./cnn.js";
export { largeGraph, type LargeGraphOptions } from "./largeGraph.js";
export {
  demoExport,
  demoExportFiles,
  demoSampleImage,
  DEMO_MARKER_FILE,
  DEMO_LABELS,
  DEMO_SAVE_OPTIONS,
} from "./demo.js";

const DT = DataType;
const scalar = (v: number) => tensorOf(DT.DT_FLOAT, [], [v]);

/** ParseExample of one dense float feature per key (shape [1]); returns the dense values ([-1, 1] each). */
export function parseExampleDense(
  g: GraphBuilder | FunctionBuilder,
  serialized: Tensor,
  keys: string[],
  defaults: (number | undefined)[],
): Tensor[] {
  return g.scope("ParseExample", () => {
    const names = g.const_("Const", tensorOf(DT.DT_STRING, [0], []));
    const dk = keys.map((k, i) => g.constStr(`dense_keys_${i}`, k));
    const dd = defaults.map((d, i) =>
      d === undefined
        ? g.const_(`Const_${i + 1}`, tensorOf(DT.DT_FLOAT, [0], []))
        : g.const_(`default_${i}`, tensorOf(DT.DT_FLOAT, [1], [d])),
    );
    const pe = g.op(
      "ParseExample",
      "ParseExample",
      [serialized, names, ...dk, ...dd],
      {
        Nsparse: attr.i(0),
        Ndense: attr.i(keys.length),
        sparse_types: attr.listType([]),
        dense_shapes: attr.listShape(keys.map(() => [1])),
      },
      { outputShapes: keys.map(() => [-1, 1]) },
    );
    return pe.outputs;
  });
}

/**
 * TF Serving's half_plus_two: y = 0.5·x + 2 (plus y2 = 0.5·x + 3 and y3 = 0.5·x2 + 3) with a predict signature
 * on a float [-1, 1] input and classify/regress signatures on serialized tf.Example strings (ParseExample),
 * an asset foo.txt and a main op. TF1 layout (VariableV2, Saver, collections) or, with tf2, the
 * tf.saved_model.save layout (object graph, signature functions, fingerprint-ready).
 */
export function halfPlusTwo(opts: { tf2?: boolean } = {}): SavedModelBuilder {
  return opts.tf2 ? halfPlusTwoTf2() : halfPlusTwoTf1();
}

function halfPlusTwoTf1(): SavedModelBuilder {
  const g = new GraphBuilder();
  const a = g.variable("a", scalar(0.5), { kind: "ref" });
  const b = g.variable("b", scalar(2), { kind: "ref" });
  const c = g.variable("c", scalar(3), { kind: "ref" });
  const ex = g.placeholder("tf_example", DT.DT_STRING, null);
  const [px, px2] = parseExampleDense(g, ex, ["x", "x2"], [undefined, 0]);
  // PlaceholderWithDefault: fed directly by the predict signature, parsed from tf.Example otherwise
  const x = g.placeholderWithDefault("x", px, [-1, 1]);
  const x2 = g.placeholderWithDefault("x2", px2, [-1, 1]);
  x.shape = x2.shape = [-1, 1];
  const affine = (name: string, xin: Tensor, slope: VariableRecord, off: VariableRecord) => {
    const m = g.op("Mul", "Mul", [slope.read, xin]).output;
    const s = g.op("Add", "Add", [m, off.read]).output;
    const y = g.identity(name, s);
    y.shape = [-1, 1];
    return y;
  };
  const y = affine("y", x, a, b);
  const y2 = affine("y2", x, a, c);
  const y3 = affine("y3", x2, a, c);
  g.initAllVariables("init");
  const main = g.noOp("group_deps");
  g.saver();
  const inputs = { inputs: ex };
  const sigs: Record<string, SignatureSpec> = {
    serving_default: { inputs: { x }, outputs: { y }, methodName: PREDICT_METHOD },
    classify_x_to_y: { inputs, outputs: { scores: y }, methodName: CLASSIFY_METHOD },
    regress_x_to_y: { inputs, outputs: { outputs: y }, methodName: REGRESS_METHOD },
    regress_x_to_y2: { inputs, outputs: { outputs: y2 }, methodName: REGRESS_METHOD },
    regress_x2_to_y3: { inputs, outputs: { outputs: y3 }, methodName: REGRESS_METHOD },
    classify_x2_to_y3: { inputs, outputs: { scores: y3 }, methodName: CLASSIFY_METHOD },
  };
  return new SavedModelBuilder({ tfVersion: "1.15.0", producer: 134 }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: sigs,
    assets: [{ filename: "foo.txt", contents: "asset-file-contents" }],
    mainOp: main,
    strippedDefaultAttrs: false,
  });
}

function halfPlusTwoTf2(): SavedModelBuilder {
  const g = new GraphBuilder();
  const og = new ObjectGraphBuilder();
  const a = g.variable("Variable", scalar(0.5), { initializer: "none" });
  const b = g.variable("Variable_1", scalar(2), { initializer: "none" });
  const c = g.variable("Variable_2", scalar(3), { initializer: "none" });
  og.variable(og.root, "a", a);
  og.variable(og.root, "b", b);
  og.variable(og.root, "c", c);
  const affine = (f: FunctionBuilder, x: Tensor, slope: Tensor, off: Tensor) =>
    f.op("AddV2", "add", [f.op("Mul", "mul", [slope, x]).output, off]).output;
  const exampleSig = (outKey: string, second: boolean) => ({
    inputs: [{ name: "inputs", dtype: DT.DT_STRING, shape: [-1] }],
    methodName: outKey === "scores" ? CLASSIFY_METHOD : REGRESS_METHOD,
    body: (f: FunctionBuilder, [ex]: Tensor[], read: (v: VariableRecord) => Tensor) => {
      const [x] = parseExampleDense(f, ex, ["x"], [undefined]);
      return { [outKey]: affine(f, x, read(a), read(second ? c : b)) };
    },
  });
  const sigs = addTf2Signatures(
    g,
    {
      serving_default: {
        inputs: [{ name: "x", dtype: DT.DT_FLOAT, shape: [-1, 1] }],
        functionName: "predict",
        body: (f, [x], read) => ({ y: affine(f, x, read(a), read(b)) }),
      },
      classify_x_to_y: { ...exampleSig("scores", false), functionName: "classify" },
      regress_x_to_y: { ...exampleSig("outputs", false), functionName: "regress" },
      regress_x_to_y2: { ...exampleSig("outputs", true), functionName: "regress_y2" },
    },
    og,
  );
  const assetIndex = 0;
  og.asset(og.root, "asset", assetIndex);
  const init = g.noOp("NoOp");
  addTf2Saver(g, og);
  return new SavedModelBuilder({ tfVersion: "2.15.0" }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: sigs.signatureDefs,
    assets: [{ filename: "foo.txt", contents: "asset-file-contents" }],
    mainOp: init,
    objectGraph: og,
  });
}

export interface DenseMlpOptions {
  layers?: number;
  units?: number;
  inputSize?: number;
  classes?: number;
  /** DT_FLOAT (default), DT_DOUBLE or DT_HALF. */
  dtype?: number;
  /** TF2 layout with an object graph (default) or TF1 (resource variables, Saver). */
  tf2?: boolean;
  seed?: number;
}

/** A dense MLP: `layers` hidden Dense+Relu layers of `units`, a logits layer and Softmax. */
export function denseMlp(opts: DenseMlpOptions = {}): SavedModelBuilder {
  const layers = opts.layers ?? 2;
  const units = opts.units ?? 16;
  const inputSize = opts.inputSize ?? 8;
  const classes = opts.classes ?? 4;
  const dtype = opts.dtype ?? DT.DT_FLOAT;
  const tf2 = opts.tf2 ?? true;
  const next = rng(opts.seed ?? 1);
  const g = new GraphBuilder();
  const og = tf2
    ? new ObjectGraphBuilder("_tf_keras_sequential", JSON.stringify({ name: "sequential", class_name: "Sequential" }))
    : undefined;
  const dense: { kernel: VariableRecord; bias: VariableRecord; name: string }[] = [];
  let fanIn = inputSize;
  for (let i = 0; i <= layers; i++) {
    const name = i === 0 ? "dense" : `dense_${i}`;
    const out = i === layers ? classes : units;
    const kernel = g.variable(`${name}/kernel`, randomTensor(dtype, [fanIn, out], Math.sqrt(6 / (fanIn + out)), next), {
      initializer: tf2 ? "none" : undefined,
    });
    const bias = g.variable(`${name}/bias`, filledTensor(dtype, [out], 0.01), {
      initializer: tf2 ? "none" : undefined,
    });
    dense.push({ kernel, bias, name });
    if (og) {
      const layer = og.kerasLayer(og.root, `layer_with_weights-${i}`, "Dense", name, {
        units: out,
        activation: i === layers ? "linear" : "relu",
      });
      og.variable(layer, "kernel", kernel);
      og.variable(layer, "bias", bias);
    }
    fanIn = out;
  }
  const forward = (ops: GraphBuilder | FunctionBuilder, x: Tensor, read: (v: VariableRecord) => Tensor) => {
    let h = x;
    for (const [i, d] of dense.entries()) {
      h = ops.scope(d.name, () => {
        const mm = ops.op("MatMul", "MatMul", [h, read(d.kernel)]).output;
        const b = ops.op("BiasAdd", "BiasAdd", [mm, read(d.bias)]).output;
        return i === dense.length - 1 ? b : ops.op("Relu", "Relu", [b]).output;
      });
    }
    const probs = ops.op("Softmax", "Softmax", [h]).output;
    h.shape = probs.shape = [-1, classes];
    return { logits: h, probabilities: probs };
  };
  const b = new SavedModelBuilder();
  if (tf2) {
    const sigs = addTf2Signatures(
      g,
      {
        serving_default: {
          inputs: [{ name: "input", dtype, shape: [-1, inputSize] }],
          functionName: "call",
          body: (f, [x], read) => forward(f, x, read),
        },
      },
      og,
    );
    addTf2Saver(g, og!);
    const init = g.noOp("NoOp");
    return b.addMetaGraphAndVariables(["serve"], {
      graph: g,
      signatureDefs: sigs.signatureDefs,
      mainOp: init,
      objectGraph: og,
    });
  }
  const x = g.placeholder("input", dtype, [-1, inputSize]);
  x.shape = [-1, inputSize];
  const out = forward(g, x, (v) => v.read);
  g.initAllVariables();
  g.saver();
  return b.addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs: { input: x }, outputs: out } },
  });
}

/** The hostile name used by xssModel() everywhere a name can go. */
export const XSS_NAME = "<img src=x onerror=alert(1)>";

/** A model whose signature key, input key, a node, a variable and an asset are all named XSS_NAME. */
export function xssModel(): SavedModelBuilder {
  const g = new GraphBuilder();
  const v = g.variable(XSS_NAME, tensorOf(DT.DT_FLOAT, [2], [1, 2]), { kind: "resource" });
  const x = g.placeholder(XSS_NAME + "_input", DT.DT_FLOAT, [-1, 2]);
  const y = g.op("Mul", XSS_NAME, [x, v.read]).output;
  y.shape = [-1, 2];
  g.saver();
  return new SavedModelBuilder().addMetaGraphAndVariables(["serve", XSS_NAME], {
    graph: g,
    signatureDefs: { [XSS_NAME]: { inputs: { [XSS_NAME]: x }, outputs: { [XSS_NAME]: y } } },
    assets: [{ filename: XSS_NAME, contents: XSS_NAME }],
    mainOp: g.initAllVariables(),
  });
}
