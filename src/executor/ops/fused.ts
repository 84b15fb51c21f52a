/** Kernels of the inference rewrites in fusion.ts (tfjs-core's fused conv ops do the work). */
import * as tf from "@tensorflow/tfjs-core";
import {
  FUSED_CONV_BIAS,
  FUSED_CONV_BN,
  FUSED_MATMUL_BIAS,
  type ConvBnFusion,
  type ConvFusion,
  type MatMulBiasFusion,
} from "../fusion.js";
import type { KernelTable, OpContext } from "../kernel.js";
import type { Value } from "../values.js";

interface Folded {
  ids: unknown[];
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

const dataId = (t: tf.Tensor) => (t as unknown as { dataId: unknown }).dataId;

function convBn(c: OpContext): Value[] {
  const f = c.node.cache.fusion as ConvBnFusion;
  const [x, w, scale, offset, mean, variance] = c.inputs as tf.Tensor[];
  const ids = [w, scale, offset, mean, variance].map(dataId);
  let folded = c.node.cache.folded as Folded | undefined;
  if (!folded || folded.ids.some((id, i) => id !== ids[i]) || folded.filter.isDisposed) {
    if (folded) {
      folded.filter.dispose();
      folded.bias.dispose();
    }
    // s = scale / sqrt(var + eps); filter' = filter * s (per output channel); bias = offset - mean * s
    const [filter, bias] = tf.tidy(() => {
      const s = tf.div(scale, tf.sqrt(tf.add(variance, f.epsilon)));
      const sw = f.convOp === "Conv2D" ? s : tf.reshape(s, [w.shape[2] as number, w.shape[3] as number]);
      return [tf.mul(w, sw) as tf.Tensor4D, tf.sub(offset, tf.mul(mean, s)) as tf.Tensor1D];
    });
    c.run.session.pin(filter, c.run);
    c.run.session.pin(bias, c.run);
    folded = { ids, filter, bias };
    c.node.cache.folded = folded;
  }
  const args = {
    x: x as tf.Tensor4D,
    filter: folded.filter,
    strides: f.strides as [number, number],
    pad: f.padding.toLowerCase() as "same" | "valid",
    dilations: f.dilations as [number, number],
    bias: folded.bias,
    activation: f.activation ?? ("linear" as const),
  };
  return [f.convOp === "Conv2D" ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args)];
}

function convBias(c: OpContext): Value[] {
  const f = c.node.cache.fusion as ConvFusion;
  const [x, filter, bias] = c.inputs as tf.Tensor[];
  const args = {
    x: x as tf.Tensor4D,
    filter: filter as tf.Tensor4D,
    strides: f.strides as [number, number],
    pad: f.padding.toLowerCase() as "same" | "valid",
    dilations: f.dilations as [number, number],
    bias,
    activation: f.activation ?? ("linear" as const),
  };
  return [f.convOp === "Conv2D" ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args)];
}

function matMulBias(c: OpContext): Value[] {
  const f = c.node.cache.fusion as MatMulBiasFusion;
  const [a, b, bias] = c.inputs as tf.Tensor[];
  return [
    tf.fused.matMul({
      a,
      b,
      transposeA: f.transposeA,
      transposeB: f.transposeB,
      bias,
      activation: f.activation ?? "linear",
    }),
  ];
}

export const fusedKernels: KernelTable = {
  [FUSED_CONV_BN]: { run: convBn, compute: true },
  [FUSED_CONV_BIAS]: { run: convBias, compute: true },
  [FUSED_MATMUL_BIAS]: { run: matMulBias, compute: true },
};
