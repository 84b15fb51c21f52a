/** Assembling a partitioned variable from its slices (each slice a tensor of the slice's own shape). */
import { DataType } from "../dtypes.js";
import { SavedModelError } from "../errors.js";
import {
  checkTensorSize,
  storedElementSize,
  type DecodedTensor,
  type SizeLimits,
  type TensorValues,
} from "../tensor.js";
import type { SliceExtent } from "./index.js";

/** Shape of a slice of `full`: each extent's length, or the whole dimension for -1. */
export function sliceShape(full: number[], extents: SliceExtent[]): number[] {
  return full.map((d, i) => (extents[i] && extents[i].length >= 0 ? extents[i].length : d));
}

function emptyLike(dtype: number, n: number, sample: TensorValues): TensorValues {
  if (Array.isArray(sample)) return Array.from({ length: n }, () => new Uint8Array(0));
  const lanes = dtype === DataType.DT_COMPLEX64 || dtype === DataType.DT_COMPLEX128 ? 2 : 1;
  const Ctor = sample.constructor as new (n: number) => Exclude<TensorValues, Uint8Array[]>;
  return new Ctor(n * lanes);
}

export function assembleSlices(
  dtype: number,
  shape: number[],
  pieces: { extents: SliceExtent[]; tensor: DecodedTensor }[],
  limits: SizeLimits = {},
): DecodedTensor {
  const n = checkTensorSize(dtype, shape, limits);
  if (dtype !== DataType.DT_STRING && storedElementSize(dtype) === undefined) {
    throw new SavedModelError("<tensor>", `cannot assemble ${dtype} slices`);
  }
  if (pieces.length === 0) throw new SavedModelError("<tensor>", "partitioned variable has no slices");
  const out = emptyLike(dtype, n, pieces[0].tensor.values);
  const lanes = dtype === DataType.DT_COMPLEX64 || dtype === DataType.DT_COMPLEX128 ? 2 : 1;
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  for (const { extents, tensor } of pieces) {
    if (extents.length !== rank)
      throw new SavedModelError("<tensor>", `slice has rank ${extents.length}, variable has ${rank}`);
    const ss = sliceShape(shape, extents);
    const starts = extents.map((e) => (e.length < 0 ? 0 : e.start));
    for (let d = 0; d < rank; d++) {
      if (starts[d] < 0 || starts[d] + ss[d] > shape[d]) {
        throw new SavedModelError(
          "<tensor>",
          `slice extent ${d} [${starts[d]}, +${ss[d]}) is outside dimension ${shape[d]}`,
        );
      }
    }
    if (tensor.shape.join(",") !== ss.join(",")) {
      throw new SavedModelError(
        "<tensor>",
        `slice data has shape [${tensor.shape.join(", ")}], expected [${ss.join(", ")}]`,
      );
    }
    const count = ss.reduce((a, b) => a * b, 1);
    if (count === 0) continue;
    const inner = rank ? ss[rank - 1] : 1;
    const idx = new Array<number>(rank).fill(0);
    for (let src = 0; src < count; src += inner) {
      let dst = 0;
      for (let d = 0; d < rank; d++) dst += (starts[d] + idx[d]) * strides[d];
      if (Array.isArray(out)) {
        const v = tensor.values as Uint8Array[];
        for (let k = 0; k < inner; k++) out[dst + k] = v[src + k];
      } else {
        const v = tensor.values as Float64Array;
        (out as Float64Array).set(v.subarray(src * lanes, (src + inner) * lanes), dst * lanes);
      }
      for (let d = rank - 2; d >= 0; d--) {
        if (++idx[d] < ss[d]) break;
        idx[d] = 0;
      }
    }
  }
  return { dtype, shape: [...shape], values: out };
}
