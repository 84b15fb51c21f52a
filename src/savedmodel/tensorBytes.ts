/**
 * The byte codec of tensors: raw little-endian bytes (checkpoints, tensor_content) to typed arrays and back.
 */
import { DataType, dtypeEnumName, dtypeSize } from "./dtypes.js";
import { SavedModelError } from "./errors.js";
import {
  bfloat16ToFloat,
  float8Table,
  floatToBfloat16,
  floatToHalf,
  halfToFloat,
  isFloat8,
  nearestFloat8,
} from "./halfFloat.js";
import type { DecodedTensor, TensorValues } from "./tensor.js";
import { checkTensorSize, type SizeLimits } from "./tensorSize.js";

const DT = DataType;

/** A fresh copy (Uint8Array.prototype.slice; a Node Buffer's own slice() would alias). */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}

function copyAligned(bytes: Uint8Array, _elem: number): ArrayBuffer {
  // Typed arrays need their own aligned buffer: reuse it only when the view covers a whole plain ArrayBuffer.
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return copyBytes(bytes).buffer as ArrayBuffer;
}

/** Swaps each `elem`-byte group in place (big-endian data). */
export function byteSwap(bytes: Uint8Array, elem: number): void {
  if (elem <= 1) return;
  for (let i = 0; i + elem <= bytes.length; i += elem) {
    for (let a = i, b = i + elem - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Bytes per stored element (complex counts as one element); undefined for strings and unsupported types. */
export function storedElementSize(dtype: number): number | undefined {
  if (dtype === DT.DT_INT4 || dtype === DT.DT_UINT4 || dtype === DT.DT_INT2 || dtype === DT.DT_UINT2) return 1;
  return dtypeSize(dtype);
}

/**
 * Decodes `bytes` (little-endian unless `bigEndian`) holding a tensor of `dtype`/`shape`. Strings are not raw
 * bytes; use the bundle or proto readers for them.
 */
export function decodeTensorBytes(
  dtype: number,
  shape: number[],
  bytes: Uint8Array,
  opts: SizeLimits & { file?: string; bigEndian?: boolean } = {},
): DecodedTensor {
  const file = opts.file ?? "<tensor>";
  const n = checkTensorSize(dtype, shape, opts, file);
  const elem = storedElementSize(dtype);
  if (elem === undefined)
    throw new SavedModelError(file, `cannot decode ${dtypeEnumName(dtype)} values from raw bytes`);
  if (bytes.length !== n * elem) {
    throw new SavedModelError(
      file,
      `${dtypeEnumName(dtype)} tensor of shape [${shape.join(", ")}] needs ${n * elem} bytes but ${bytes.length} were given`,
    );
  }
  let src = bytes;
  const lane = dtype === DT.DT_COMPLEX64 ? 4 : dtype === DT.DT_COMPLEX128 ? 8 : elem;
  if (opts.bigEndian && lane > 1) {
    src = copyBytes(bytes);
    byteSwap(src, lane);
  }
  const values = viewAs(dtype, src, n);
  return { dtype, shape: [...shape], values };
}

/** The typed array of `n` elements of `dtype` in little-endian `b` (copied when not aligned; narrow floats widened). */
export function viewAs(dtype: number, b: Uint8Array, n: number): TensorValues {
  switch (dtype) {
    case DT.DT_FLOAT:
      return new Float32Array(copyAligned(b, 4), 0, n);
    case DT.DT_DOUBLE:
      return new Float64Array(copyAligned(b, 8), 0, n);
    case DT.DT_COMPLEX64:
      return new Float32Array(copyAligned(b, 4), 0, n * 2);
    case DT.DT_COMPLEX128:
      return new Float64Array(copyAligned(b, 8), 0, n * 2);
    case DT.DT_INT32:
    case DT.DT_QINT32:
      return new Int32Array(copyAligned(b, 4), 0, n);
    case DT.DT_UINT32:
      return new Uint32Array(copyAligned(b, 4), 0, n);
    case DT.DT_INT16:
    case DT.DT_QINT16:
      return new Int16Array(copyAligned(b, 2), 0, n);
    case DT.DT_UINT16:
    case DT.DT_QUINT16:
      return new Uint16Array(copyAligned(b, 2), 0, n);
    case DT.DT_INT8:
    case DT.DT_QINT8:
    case DT.DT_INT4:
    case DT.DT_INT2:
      return new Int8Array(copyAligned(b, 1), 0, n);
    case DT.DT_UINT8:
    case DT.DT_QUINT8:
    case DT.DT_BOOL:
    case DT.DT_UINT4:
    case DT.DT_UINT2:
      return new Uint8Array(copyAligned(b, 1), 0, n);
    case DT.DT_INT64:
      return new BigInt64Array(copyAligned(b, 8), 0, n);
    case DT.DT_UINT64:
      return new BigUint64Array(copyAligned(b, 8), 0, n);
    case DT.DT_HALF:
    case DT.DT_BFLOAT16: {
      const out = new Float32Array(n);
      const conv = dtype === DT.DT_HALF ? halfToFloat : bfloat16ToFloat;
      for (let i = 0; i < n; i++) out[i] = conv(b[2 * i] | (b[2 * i + 1] << 8));
      return out;
    }
    default: {
      if (isFloat8(dtype)) {
        const t = float8Table(dtype);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = t[b[i]];
        return out;
      }
      throw new SavedModelError("<tensor>", `unsupported dtype ${dtypeEnumName(dtype)}`);
    }
  }
}

/** The little-endian bytes TF stores for a non-string tensor (the inverse of decodeTensorBytes). */
export function encodeTensorBytes(t: DecodedTensor): Uint8Array {
  const v = t.values;
  if (Array.isArray(v)) throw new SavedModelError("<tensor>", "string tensors have no raw byte form");
  if (t.dtype === DT.DT_HALF || t.dtype === DT.DT_BFLOAT16) {
    const conv = t.dtype === DT.DT_HALF ? floatToHalf : floatToBfloat16;
    const out = new Uint8Array(v.length * 2);
    for (let i = 0; i < v.length; i++) {
      const h = conv(Number(v[i]));
      out[2 * i] = h & 0xff;
      out[2 * i + 1] = h >>> 8;
    }
    return out;
  }
  if (isFloat8(t.dtype)) {
    const table = float8Table(t.dtype);
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = nearestFloat8(table, Number(v[i]));
    return out;
  }
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
}
