/**
 * A MobileNetV2-shaped CNN (Conv2D / DepthwiseConv2dNative / FusedBatchNormV3 / Relu6 / AddV2 residuals /
 * Mean / MatMul / Softmax), in TF2 layout (signature function called through StatefulPartitionedCall, resource
 * variables captured as inputs, Keras-like object graph) or TF1 layout (graph ops + Saver). The full-size
 * variant has MobileNetV2's 224×224×3 input and ~3.5M parameters.
 */
import { DataType } from "../dtypes.js";
import { attr } from "./attrs.js";
import { GraphBuilder, type FunctionBuilder, type VariableRecord } from "./graph.js";
import type { Tensor } from "./nodeScope.js";
import { ObjectGraphBuilder } from "./objects.js";
import { SavedModelBuilder } from "./savedModelBuilder.js";
import { addTf2Saver, addTf2Signatures, filledTensor, randomTensor, rng } from "./tf2.js";

const DT = DataType;

export interface CnnOptions {
  /** MobileNetV2 size: 224×224×3 input, 17 inverted-residual blocks, 1000 classes (~3.5M parameters). */
  mobilenetV2Sized?: boolean;
  /** "tf2" (default) or "tf1". */
  style?: "tf2" | "tf1";
  /** Input height/width for the small variant (default 32). */
  inputSize?: number;
  seed?: number;
}

interface Block {
  expand: number;
  out: number;
  repeat: number;
  stride: number;
}

const MOBILENET_V2: Block[] = [
  { expand: 1, out: 16, repeat: 1, stride: 1 },
  { expand: 6, out: 24, repeat: 2, stride: 2 },
  { expand: 6, out: 32, repeat: 3, stride: 2 },
  { expand: 6, out: 64, repeat: 4, stride: 2 },
  { expand: 6, out: 96, repeat: 3, stride: 1 },
  { expand: 6, out: 160, repeat: 3, stride: 2 },
  { expand: 6, out: 320, repeat: 1, stride: 1 },
];

const SMALL: Block[] = [
  { expand: 1, out: 8, repeat: 1, stride: 1 },
  { expand: 4, out: 12, repeat: 2, stride: 2 },
  { expand: 4, out: 16, repeat: 2, stride: 2 },
];

type Layer =
  | { kind: "conv"; name: string; kernel: VariableRecord; stride: number; depthwise: boolean; bn: Bn; relu6: boolean }
  | { kind: "add"; name: string; from: number }
  | { kind: "dense"; name: string; kernel: VariableRecord; bias: VariableRecord };

interface Bn {
  name: string;
  gamma: VariableRecord;
  beta: VariableRecord;
  mean: VariableRecord;
  variance: VariableRecord;
}

/** The CNN export. Input key "input" (float32 [-1, H, W, 3]); outputs "probabilities" and "logits". */
export function cnn(opts: CnnOptions = {}): SavedModelBuilder {
  const big = !!opts.mobilenetV2Sized;
  const tf2 = (opts.style ?? "tf2") === "tf2";
  const size = big ? 224 : (opts.inputSize ?? 32);
  const blocks = big ? MOBILENET_V2 : SMALL;
  const first = big ? 32 : 8;
  const last = big ? 1280 : 64;
  const classes = big ? 1000 : 10;
  const next = rng(opts.seed ?? 7);
  const F = DT.DT_FLOAT;
  const g = new GraphBuilder();
  const og = tf2
    ? new ObjectGraphBuilder(
        "_tf_keras_network",
        JSON.stringify({ name: big ? "mobilenetv2_1.00_224" : "small_cnn", class_name: "Functional" }),
      )
    : undefined;
  const init = tf2 ? "none" : undefined;
  let weighted = 0;
  const layerObj = (className: string, name: string) =>
    og ? og.kerasLayer(og.root, `layer_with_weights-${weighted++}`, className, name) : -1;
  const bn = (name: string, c: number): Bn => {
    const o = layerObj("BatchNormalization", name);
    const mk = (v: string, value: number, trainable: boolean) => {
      const r = g.variable(`${name}/${v}`, filledTensor(F, [c], value), { initializer: init, trainable });
      if (og) og.variable(o, v, r);
      return r;
    };
    return {
      name,
      gamma: mk("gamma", 1, true),
      beta: mk("beta", 0, true),
      mean: mk("moving_mean", 0, false),
      variance: mk("moving_variance", 1, false),
    };
  };
  const layers: Layer[] = [];
  const conv = (
    name: string,
    k: number,
    cin: number,
    cout: number,
    stride: number,
    depthwise: boolean,
    relu6: boolean,
  ) => {
    const shape = depthwise ? [k, k, cin, 1] : [k, k, cin, cout];
    const fanIn = k * k * (depthwise ? 1 : cin);
    const kernel = g.variable(
      `${name}/${depthwise ? "depthwise_kernel" : "kernel"}`,
      randomTensor(F, shape, Math.sqrt(3 / fanIn), next),
      { initializer: init },
    );
    if (og)
      og.variable(
        layerObj(depthwise ? "DepthwiseConv2D" : "Conv2D", name),
        depthwise ? "depthwise_kernel" : "kernel",
        kernel,
      );
    layers.push({ kind: "conv", name, kernel, stride, depthwise, bn: bn(`${name}_BN`, cout), relu6 });
  };
  conv("Conv1", 3, 3, first, 2, false, true);
  let cin = first;
  let id = 0;
  for (const b of blocks) {
    for (let r = 0; r < b.repeat; r++) {
      const stride = r === 0 ? b.stride : 1;
      const prefix = id === 0 ? "expanded_conv" : `block_${id}`;
      const start = layers.length - 1;
      const hidden = cin * b.expand;
      if (b.expand !== 1) conv(`${prefix}_expand`, 1, cin, hidden, 1, false, true);
      conv(`${prefix}_depthwise`, 3, hidden, hidden, stride, true, true);
      conv(`${prefix}_project`, 1, hidden, b.out, 1, false, false);
      if (stride === 1 && cin === b.out) layers.push({ kind: "add", name: `${prefix}_add`, from: start });
      cin = b.out;
      id++;
    }
  }
  conv("Conv_1", 1, cin, last, 1, false, true);
  const dk = g.variable("predictions/kernel", randomTensor(F, [last, classes], Math.sqrt(3 / last), next), {
    initializer: init,
  });
  const db = g.variable("predictions/bias", filledTensor(F, [classes], 0), { initializer: init });
  if (og) {
    const o = layerObj("Dense", "predictions");
    og.variable(o, "kernel", dk);
    og.variable(o, "bias", db);
  }
  layers.push({ kind: "dense", name: "predictions", kernel: dk, bias: db });

  const forward = (ops: GraphBuilder | FunctionBuilder, x: Tensor, read: (v: VariableRecord) => Tensor) => {
    const outs: Tensor[] = [];
    let h = x;
    for (const l of layers) {
      if (l.kind === "conv") {
        h = ops.scope(l.name, () => {
          const strides = attr.listI([1, l.stride, l.stride, 1]);
          return ops.op(
            l.depthwise ? "DepthwiseConv2dNative" : "Conv2D",
            l.depthwise ? "depthwise" : "Conv2D",
            [h, read(l.kernel)],
            { strides, padding: attr.s("SAME") },
          ).output;
        });
        h = ops.scope(
          l.bn.name,
          () =>
            ops.op(
              "FusedBatchNormV3",
              "FusedBatchNormV3",
              [h, read(l.bn.gamma), read(l.bn.beta), read(l.bn.mean), read(l.bn.variance)],
              {
                epsilon: attr.f(0.001),
                is_training: attr.b(false),
              },
            ).output,
        );
        if (l.relu6) h = ops.op("Relu6", `${l.name}_relu`, [h]).output;
      } else if (l.kind === "add") {
        h = ops.op("AddV2", `${l.name}/add`, [outs[l.from], h]).output;
      } else {
        const pooled = ops.scope(
          "global_average_pooling2d",
          () => ops.op("Mean", "Mean", [h, ops.constI32("Mean/reduction_indices", [1, 2])]).output,
        );
        h = ops.scope(l.name, () => {
          const mm = ops.op("MatMul", "MatMul", [pooled, read(l.kernel)]).output;
          return ops.op("BiasAdd", "BiasAdd", [mm, read(l.bias)]).output;
        });
      }
      outs.push(h);
    }
    const probs = ops.op("Softmax", "predictions/Softmax", [h]).output;
    probs.shape = [-1, classes];
    h.shape = [-1, classes];
    return { logits: h, probabilities: probs };
  };

  const inShape = [-1, size, size, 3];
  const b = new SavedModelBuilder();
  if (tf2 && og) {
    const sigs = addTf2Signatures(
      g,
      {
        serving_default: {
          inputs: [{ name: "input", dtype: F, shape: inShape }],
          functionName: "model_call",
          body: (f, [x], read) => forward(f, x, read),
        },
      },
      og,
    );
    addTf2Saver(g, og);
    const noop = g.noOp("NoOp");
    return b.addMetaGraphAndVariables(["serve"], {
      graph: g,
      signatureDefs: sigs.signatureDefs,
      mainOp: noop,
      objectGraph: og,
    });
  }
  const x = g.placeholder("input", F, inShape);
  x.shape = inShape;
  const out = forward(g, x, (v) => v.read);
  g.initAllVariables();
  g.saver();
  return b.addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs: { input: x }, outputs: out } },
  });
}
