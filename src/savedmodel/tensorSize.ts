/**
 * Tensor size guards: element and byte counts are checked before anything is allocated, so a hostile
 * shape cannot make us allocate gigabytes.
 */
import { DataType, dtypeSize } from "./dtypes.js";
import { SavedModelError } from "./errors.js";
import { isFloat8 } from "./halfFloat.js";

const DT = DataType;

export interface SizeLimits {
  /** Most elements a tensor may have (default 2^28). */
  maxElements?: number;
  /** Most bytes a decoded tensor may take. */
  maxBytes?: number;
}

export const DEFAULT_MAX_ELEMENTS = 2 ** 28;
/** Default cap on decoded bytes (strings count 16 bytes per element for their references). */
export const DEFAULT_MAX_BYTES = 2 ** 31;

/** Element count of a fully known shape, or a SavedModelError for negative dims. */
export function shapeElementCount(shape: readonly number[], file = "<tensor>"): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new SavedModelError(file, `invalid dimension ${d} in shape [${shape.join(", ")}]`);
    n *= d;
  }
  return n;
}

/** Throws before allocation when `shape` has more elements (or bytes) than allowed. Returns the count. */
export function checkTensorSize(
  dtype: number,
  shape: readonly number[],
  limits: SizeLimits = {},
  file = "<tensor>",
): number {
  const n = shapeElementCount(shape, file);
  const maxElements = limits.maxElements ?? DEFAULT_MAX_ELEMENTS;
  if (n > maxElements) {
    throw new SavedModelError(
      file,
      `tensor of shape [${shape.join(", ")}] has ${n} elements, more than the limit of ${maxElements}`,
      {
        hint: "raise the element limit to read it",
      },
    );
  }
  const bytes = n * (dtype === DT.DT_STRING ? 16 : (decodedElementSize(dtype) ?? 1));
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes > maxBytes) {
    throw new SavedModelError(
      file,
      `tensor of shape [${shape.join(", ")}] needs ${bytes} bytes, more than the limit of ${maxBytes}`,
    );
  }
  return n;
}

/** Bytes per element once decoded (half/bfloat16 widen to 4); undefined for strings. */
export function decodedElementSize(dtype: number): number | undefined {
  if (dtype === DT.DT_HALF || dtype === DT.DT_BFLOAT16 || isFloat8(dtype)) return 4;
  return dtypeSize(dtype);
}
