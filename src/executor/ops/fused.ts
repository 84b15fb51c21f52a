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

/**
 * The shape the backend stored for a tensor's data. tfjs-wasm's fused kernels read the bias rank from
 * there, not from the tensor: a rank-1 view (reshape/slice sharing data) of a rank-2 buffer is refused.
 */
function storedRank(t: tf.Tensor): number {
  const b = tf.backend() as unknown as { dataIdMap?: { get(id: unknown): { shape?: number[] } | undefined } };
  return b.dataIdMap?.get(dataId(t))?.shape?.length ?? t.rank;
}

/**
 * The fused kernels' preconditions (tfjs-core's and every backend's): float32 operands, a rank-1 bias
 * of the output's channel count, stored as rank 1. When one fails, the unfused ops run instead, as the
 * graph wrote them, so fusion never fails or changes a result where the unfused graph runs.
 */
function biasFits(bias: tf.Tensor, channels: number | undefined, ...xs: tf.Tensor[]): boolean {
  return (
    xs.every((x) => x.dtype === "float32") &&
    bias.dtype === "float32" &&
    bias.rank === 1 &&
    bias.shape[0] === channels &&
    storedRank(bias) === 1
  );
}

function activate(x: tf.Tensor, activation: "relu" | "relu6" | undefined): tf.Tensor {
  if (!activation) return x;
  return tf.tidy(() => (activation === "relu" ? tf.relu(x) : tf.relu6(x)));
}

function conv(f: ConvFusion, x: tf.Tensor, filter: tf.Tensor): tf.Tensor4D {
  const pad = f.padding.toLowerCase() as "same" | "valid";
  const strides = f.strides as [number, number];
  const dilations = f.dilations as [number, number];
  return f.convOp === "Conv2D"
    ? tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad, "NHWC", dilations)
    : tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad, "NHWC", dilations);
}

/** Output channels of a conv: Conv2D filter [h, w, in, out], depthwise [h, w, in, multiplier]. */
function convChannels(f: ConvFusion, filter: tf.Tensor): number | undefined {
  if (filter.rank !== 4) return undefined;
  return f.convOp === "Conv2D" ? filter.shape[3] : (filter.shape[2] as number) * (filter.shape[3] as number);
}

function convBn(c: OpContext): Value[] {
  const f = c.node.cache.fusion as ConvBnFusion;
  const [x, w, scale, offset, mean, variance] = c.inputs as tf.Tensor[];
  const channels = convChannels(f, w);
  const fits =
    x.rank === 4 &&
    [x, w, scale, offset, mean, variance].every((t) => t.dtype === "float32") &&
    [scale, offset, mean, variance].every((t) => t.rank === 1 && t.shape[0] === channels);
  // Folding reorders the arithmetic (about 1e-6 relative); it pays only on wasm, whose batch norm costs
  // more than the conv. On tfjs-cpu the ops run as the graph wrote them (an NMS after a deep conv net
  // can turn that rounding into different boxes).
  if (!fits || c.run.backend === "cpu") {
    // FusedBatchNorm (inference) after the conv, unfused: (y - mean) * scale / sqrt(var + eps) + offset.
    return [
      tf.tidy(() =>
        activate(
          tf.batchNorm(
            conv(f, x, w),
            mean as tf.Tensor1D,
            variance as tf.Tensor1D,
            offset as tf.Tensor1D,
            scale as tf.Tensor1D,
            f.epsilon,
          ),
          f.activation,
        ),
      ),
    ];
  }
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
  if (x.rank !== 4 || !biasFits(bias, convChannels(f, filter), x, filter))
    return [tf.tidy(() => activate(tf.add(conv(f, x, filter), bias), f.activation))];
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
  const columns = b.rank === 2 ? b.shape[f.transposeB ? 0 : 1] : undefined;
  if (a.rank !== 2 || !biasFits(bias, columns, a, b))
    return [tf.tidy(() => activate(tf.add(tf.matMul(a, b, f.transposeA, f.transposeB), bias), f.activation))];
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
