/**
 * Reductions of an EMPTY tensor give the reduction's identity, as TensorFlow does (Prod → 1, Sum → 0,
 * Max → lowest, ...). tfjs-backend-wasm returns uninitialized memory for them (a Keras Mean's gradient
 * divides by the Prod of an empty shape), so empty inputs are answered here; the rest go to the converter.
 */
import * as tf from "@tensorflow/tfjs-core";
import { attrBool } from "../attrs.js";
import type { KernelDef, KernelTable, OpContext } from "../kernel.js";
import { isTensor, type Value } from "../values.js";
import { converterKernels } from "./converter.js";

const IDENTITY: Record<string, number | boolean> = {
  Prod: 1,
  Sum: 0,
  Mean: NaN,
  Max: -Infinity,
  Min: Infinity,
  All: true,
  Any: false,
};

/** The reduced shape of `shape` over `axes` (negative counted from the end). */
export function reducedShape(shape: number[], axes: number[], keepDims: boolean): number[] {
  const set = new Set(axes.map((a) => (a < 0 ? a + shape.length : a)));
  for (const a of set)
    if (a < 0 || a >= shape.length) throw new Error(`reduction axis out of range for rank ${shape.length}`);
  return shape.flatMap((d, i) => (set.has(i) ? (keepDims ? [1] : []) : [d]));
}

function reduction(op: string): KernelDef {
  const base = converterKernels()[op];
  return {
    compute: true,
    run: (c: OpContext): Value[] | Promise<Value[]> => {
      const x = c.inputs[0];
      if (!isTensor(x) || x.size !== 0) return base.run(c);
      const axisT = c.inputs[1];
      const axes = isTensor(axisT) ? Array.from(axisT.dataSync(), Number) : [];
      const shape = reducedShape(x.shape, axes, attrBool(c.attrs, "keep_dims", false));
      const id = IDENTITY[op];
      if (typeof id === "boolean") return [tf.fill(shape, id ? 1 : 0, "bool")];
      // int32 has no infinities: Max/Min of an empty int tensor give the type's extreme, as TF does.
      const v = x.dtype === "int32" && !Number.isFinite(id) ? (id > 0 ? 2147483647 : -2147483648) : id;
      return [tf.fill(shape, v, x.dtype === "int32" ? "int32" : "float32")];
    },
  };
}

export const reductionKernels: KernelTable = Object.fromEntries(Object.keys(IDENTITY).map((op) => [op, reduction(op)]));
