/** Ops the converter lacks but tfjs-core computes (thin mappings only; no hand-written numerics). */
import * as tf from "@tensorflow/tfjs-core";
import { attrFloatList, attrInt, attrStrList } from "../attrs.js";
import type { KernelTable, OpContext } from "../kernel.js";
import type { Value } from "../values.js";

/** TF bucketize = std::upper_bound over the boundaries = searchSorted(side "right"). */
function bucketize(values: tf.Tensor, boundaries: tf.Tensor): tf.Tensor {
  // tfjs's searchSorted cannot take zero values (a [-1, 0] reshape): an empty input has empty buckets.
  if (values.size === 0) return tf.zeros(values.shape, "int32");
  return tf.tidy(() => {
    const flat = tf.reshape(tf.cast(values, "float32"), [-1]);
    const idx = tf.searchSorted(tf.cast(boundaries, "float32"), flat, "right");
    return tf.reshape(idx, values.shape);
  });
}

async function segmentCount(c: OpContext): Promise<number> {
  return (await (c.inputs[2] as tf.Tensor).data())[0];
}

/** tfjs's raggedTensorToTensor needs a shape vector; TF also accepts a scalar (unknown shape). */
function raggedToTensor(c: OpContext): Value[] {
  const types = attrStrList(c.attrs, "row_partition_types");
  let shape = c.inputs[0] as tf.Tensor;
  const values = c.inputs[1] as tf.Tensor;
  const partitions = c.inputs.slice(3) as tf.Tensor[];
  const raggedRank = types[0] === "FIRST_DIM_SIZE" ? types.length - 1 : types.length;
  const own: tf.Tensor[] = [];
  if (shape.rank === 0) {
    shape = tf.fill([raggedRank + values.rank], -1, shape.dtype);
    own.push(shape);
  }
  try {
    return [tf.raggedTensorToTensor(shape, values, c.inputs[2] as tf.Tensor, partitions, types)];
  } finally {
    for (const t of own) t.dispose();
  }
}

/** The converter's BiasAdd ignores data_format; NCHW adds along dimension 1. */
function biasAdd(c: OpContext): Value[] {
  const x = c.inputs[0] as tf.Tensor;
  const b = c.inputs[1] as tf.Tensor;
  const fmt = c.attrs["data_format"]?.s;
  const nchw = fmt !== undefined && fmt !== null && new TextDecoder().decode(fmt as Uint8Array).startsWith("NC");
  if (!nchw || x.rank < 3) return [tf.add(x, b)];
  return [tf.tidy(() => tf.add(x, tf.reshape(b, [b.size, ...new Array<number>(x.rank - 2).fill(1)])))];
}

/** SparseToDense with TF's index check (tfjs-wasm reads out of bounds on a bad index). */
function sparseToDense(c: OpContext): Value[] {
  const [indices, shapeT, values, def] = c.inputs as tf.Tensor[];
  const shape = Array.from(shapeT.dataSync(), Number);
  const idx = indices.dataSync();
  const rank = indices.rank === 2 ? (indices.shape[1] as number) : 1;
  const n = indices.rank === 0 ? 1 : (indices.shape[0] as number);
  if (rank !== shape.length)
    throw new Error(`indices have ${rank} columns but output_shape has ${shape.length} dimensions`);
  for (let i = 0; i < n; i++) {
    const at = Array.from(idx.subarray(i * rank, i * rank + rank), Number);
    if (at.some((v, d) => v < 0 || v >= shape[d]))
      throw new Error(`indices[${i}] = [${at.join(",")}] is out of bounds: need 0 <= index < [${shape.join(",")}]`);
  }
  return [tf.sparseToDense(indices, values, shape, def as tf.Scalar)];
}

/** UniqueWithCounts: tfjs's unique (first-occurrence order, as TF) plus how often each value occurs. */
function uniqueWithCounts(c: OpContext): Value[] {
  const { values, indices } = tf.unique(c.inputs[0] as tf.Tensor1D);
  const idx = indices.dataSync();
  const counts = new Int32Array(values.shape[0]);
  for (let i = 0; i < idx.length; i++) counts[idx[i]]++;
  return [values, indices, tf.tensor1d(counts, "int32")];
}

export const miscKernels: KernelTable = markCompute({
  UniqueWithCounts: { run: uniqueWithCounts },
  SparseToDense: { run: sparseToDense },
  BiasAdd: { run: biasAdd },
  BiasAddV1: { run: biasAdd },
  RaggedTensorToTensor: { run: raggedToTensor },
  Bucketize: {
    run: (c) => {
      const b = tf.tensor1d(attrFloatList(c.attrs, "boundaries"), "float32");
      try {
        return [bucketize(c.inputs[0] as tf.Tensor, b)];
      } finally {
        b.dispose();
      }
    },
  },
  BoostedTreesBucketize: {
    run: (c) => {
      const n = attrInt(c.attrs, "num_features");
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(bucketize(c.inputs[i] as tf.Tensor, c.inputs[n + i] as tf.Tensor));
      return out;
    },
  },
  BucketizeWithInputBoundaries: {
    run: (c) => [bucketize(c.inputs[0] as tf.Tensor, c.inputs[1] as tf.Tensor)],
  },
  UnsortedSegmentSum: {
    run: async (c) => [
      tf.unsortedSegmentSum(c.inputs[0] as tf.Tensor, c.inputs[1] as tf.Tensor1D, await segmentCount(c)),
    ],
  },
});

function markCompute(t: KernelTable): KernelTable {
  for (const k of Object.values(t)) k.compute = true;
  return t;
}
