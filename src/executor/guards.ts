/**
 * Size guards: ops whose output size comes from input values (Fill's dims, Tile's multiples, Range's
 * bounds, ...) are checked before they run, so a hostile or mistaken model cannot allocate gigabytes.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { isTensor, type Value } from "./values.js";

async function ints(v: Value | undefined): Promise<number[]> {
  if (!isTensor(v) || v.dtype === "string" || v.size > 64) return [];
  return Array.from(await v.data(), Number);
}

const prod = (xs: number[]) => xs.reduce((a, b) => a * Math.max(b, 0), 1);
const shapeFrom = (i: number) => async (inputs: Value[]) => prod(await ints(inputs[i]));
const trailing = (t: Value | undefined) => (isTensor(t) ? t.size : 1);

/** op → the number of elements the op is about to create. */
export const SIZE_GUARDS: Record<string, (inputs: Value[]) => Promise<number>> = {
  Fill: shapeFrom(0),
  Empty: shapeFrom(0),
  BroadcastTo: shapeFrom(1),
  RandomUniform: shapeFrom(0),
  RandomUniformInt: shapeFrom(0),
  RandomStandardNormal: shapeFrom(0),
  TruncatedNormal: shapeFrom(0),
  StatelessRandomUniform: shapeFrom(0),
  StatelessRandomNormal: shapeFrom(0),
  StatelessTruncatedNormal: shapeFrom(0),
  ScatterNd: shapeFrom(2),
  SparseToDense: async (inputs) => prod(await ints(inputs[1])),
  Conv2DBackpropInput: shapeFrom(0),
  Tile: async (inputs) => trailing(inputs[0]) * prod(await ints(inputs[1])),
  Range: async (inputs) => {
    const [s] = await ints(inputs[0]);
    const [l] = await ints(inputs[1]);
    const [d] = await ints(inputs[2]);
    return d ? Math.max(0, Math.ceil((l - s) / d)) : Infinity;
  },
  OneHot: async (inputs) => trailing(inputs[0]) * ((await ints(inputs[1]))[0] ?? 0),
  ResizeBilinear: async (inputs) => {
    const t = inputs[0] as tf.Tensor;
    return (t.shape[0] ?? 1) * (t.shape[3] ?? 1) * prod(await ints(inputs[1]));
  },
  ResizeNearestNeighbor: async (inputs) => {
    const t = inputs[0] as tf.Tensor;
    return (t.shape[0] ?? 1) * (t.shape[3] ?? 1) * prod(await ints(inputs[1]));
  },
  Pad: async (inputs) => {
    const t = inputs[0] as tf.Tensor;
    const p = await ints(inputs[1]);
    return isTensor(t) ? prod(t.shape.map((d, i) => d + (p[2 * i] ?? 0) + (p[2 * i + 1] ?? 0))) : 0;
  },
  PadV2: async (inputs) => SIZE_GUARDS.Pad(inputs),
  MirrorPad: async (inputs) => SIZE_GUARDS.Pad(inputs),
  TensorListReserve: async (inputs) => ((await ints(inputs[1]))[0] ?? 0) * Math.max(1, prod(await ints(inputs[0]))),
  TensorArrayV3: async (inputs) => (await ints(inputs[0]))[0] ?? 0,
  UnsortedSegmentSum: async (inputs) =>
    ((await ints(inputs[2]))[0] ?? 0) * Math.max(1, trailing(inputs[0]) / Math.max(1, trailing(inputs[1]))),
};
