/**
 * A tensor in memory (DecodedTensor) and its TensorProto form. The rest of what tensors need lives in files of
 * their own, re-exported here: size guards (tensorSize.ts), half/bfloat16/float8 (halfFloat.ts), the byte codec
 * (tensorBytes.ts), statistics (tensorStats.ts) and display text (tensorFormat.ts).
 */
import { deferredContentOf } from "./deferredContent.js";
import { DataType, dtypeEnumName } from "./dtypes.js";
import { SavedModelError } from "./errors.js";
import type { ITensorProto } from "./proto.js";
import { shapeDims } from "./shape.js";
import { bfloat16ToFloat, float8Table, halfToFloat, isFloat8 } from "./halfFloat.js";
import { decodeTensorBytes, encodeTensorBytes, storedElementSize, viewAs } from "./tensorBytes.js";
import { checkTensorSize, type SizeLimits } from "./tensorSize.js";

export * from "./tensorSize.js";
export { halfToFloat, floatToHalf, bfloat16ToFloat, floatToBfloat16 } from "./halfFloat.js";
export * from "./tensorBytes.js";
export * from "./tensorStats.js";
export * from "./tensorFormat.js";

export type TensorValues =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Uint8Array[];

/**
 * A tensor in memory. float/half/bfloat16 (and float8) values are Float32Array; bool is a Uint8Array of 0/1
 * (dtype says it is bool); complex64/128 are interleaved (re, im) Float32Array/Float64Array; strings are the
 * raw bytes of each element.
 */
export interface DecodedTensor {
  dtype: number;
  shape: number[];
  values: TensorValues;
}

const DT = DataType;

// ---- TensorProto ----

function typedVals(p: ITensorProto, dtype: number): ArrayLike<number | bigint | boolean> | Uint8Array[] | undefined {
  switch (dtype) {
    case DT.DT_FLOAT:
      return p.floatVal ?? [];
    case DT.DT_DOUBLE:
      return p.doubleVal ?? [];
    case DT.DT_INT32:
    case DT.DT_INT16:
    case DT.DT_INT8:
    case DT.DT_UINT8:
    case DT.DT_UINT16:
    case DT.DT_QINT8:
    case DT.DT_QUINT8:
    case DT.DT_QINT16:
    case DT.DT_QUINT16:
    case DT.DT_QINT32:
    case DT.DT_INT4:
    case DT.DT_UINT4:
    case DT.DT_INT2:
    case DT.DT_UINT2:
      return p.intVal ?? [];
    case DT.DT_HALF:
    case DT.DT_BFLOAT16:
      return p.halfVal ?? [];
    case DT.DT_INT64:
      return (p.int64Val ?? []) as ArrayLike<number | bigint>;
    case DT.DT_UINT32:
      return p.uint32Val ?? [];
    case DT.DT_UINT64:
      return (p.uint64Val ?? []) as ArrayLike<number | bigint>;
    case DT.DT_BOOL:
      return p.boolVal ?? [];
    case DT.DT_COMPLEX64:
      return p.scomplexVal ?? [];
    case DT.DT_COMPLEX128:
      return p.dcomplexVal ?? [];
    case DT.DT_STRING:
      return p.stringVal ?? [];
    default:
      if (isFloat8(dtype)) return p.float8Val ?? new Uint8Array(0);
      return undefined;
  }
}

function allocValues(dtype: number, n: number): Exclude<TensorValues, Uint8Array[]> {
  const elem = storedElementSize(dtype);
  if (elem === undefined) throw new SavedModelError("<tensor>", `unsupported dtype ${dtypeEnumName(dtype)}`);
  return viewAs(dtype, new Uint8Array(n * elem), n) as Exclude<TensorValues, Uint8Array[]>;
}

/**
 * Decodes a TensorProto: tensor_content when present, else the typed *_val field. Like TF's Const, fewer values
 * than elements repeat the last value (one value fills the whole shape); no values means zeros.
 */
export function tensorFromProto(p: ITensorProto, file = "<tensor>", limits: SizeLimits = {}): DecodedTensor {
  const dtype = p.dtype ?? DT.DT_INVALID;
  const shape = shapeDims(p.tensorShape);
  if (!shape) throw new SavedModelError(file, "tensor has unknown rank", { field: "tensor_shape" });
  const n = checkTensorSize(dtype, shape, limits, file);
  const deferred = deferredContentOf(p);
  if (deferred)
    throw new SavedModelError(
      file,
      `tensor_content (${deferred.length} bytes at offset ${deferred.offset}) was not read yet`,
      {
        field: "tensor_content",
        hint: "read it with MetaGraph.readTensorContent first",
      },
    );
  const content = p.tensorContent;
  if (dtype !== DT.DT_STRING && content && content.length > 0) {
    try {
      return decodeTensorBytes(dtype, shape, content, { ...limits, file });
    } catch (e) {
      if (e instanceof SavedModelError && e.file === "<tensor>")
        throw new SavedModelError(file, e.detail, { field: "tensor_content" });
      throw e;
    }
  }
  const vals = typedVals(p, dtype);
  if (vals === undefined)
    throw new SavedModelError(file, `cannot decode values of ${dtypeEnumName(dtype)}`, { field: "dtype" });
  if (dtype === DT.DT_STRING) {
    const sv = vals as Uint8Array[];
    if (sv.length > n)
      throw new SavedModelError(file, `${sv.length} string_val entries for ${n} elements`, { field: "string_val" });
    const out: Uint8Array[] = new Array(n);
    const fill = sv.length ? sv[sv.length - 1] : new Uint8Array(0);
    for (let i = 0; i < n; i++) out[i] = i < sv.length ? sv[i] : fill;
    return { dtype, shape, values: out };
  }
  const lanes = dtype === DT.DT_COMPLEX64 || dtype === DT.DT_COMPLEX128 ? 2 : 1;
  const src = vals as ArrayLike<number | bigint | boolean>;
  if (src.length > n * lanes) {
    throw new SavedModelError(file, `${src.length / lanes} values for a shape of ${n} elements`, { field: "*_val" });
  }
  const out = allocValues(dtype, n);
  const count = src.length / lanes;
  if (count > 0 && n > 0) {
    const put = writerFor(dtype, out);
    for (let i = 0; i < n; i++) {
      const j = i < count ? i : count - 1;
      for (let l = 0; l < lanes; l++) put(i * lanes + l, src[j * lanes + l]);
    }
  }
  return { dtype, shape, values: out };
}

function writerFor(
  dtype: number,
  out: Exclude<TensorValues, Uint8Array[]>,
): (i: number, v: number | bigint | boolean) => void {
  if (out instanceof BigInt64Array) return (i, v) => (out[i] = BigInt.asIntN(64, BigInt(v as number | bigint)));
  if (out instanceof BigUint64Array) return (i, v) => (out[i] = BigInt.asUintN(64, BigInt(v as number | bigint)));
  if (dtype === DT.DT_HALF) return (i, v) => (out[i] = halfToFloat(Number(v) & 0xffff));
  if (dtype === DT.DT_BFLOAT16) return (i, v) => (out[i] = bfloat16ToFloat(Number(v) & 0xffff));
  if (isFloat8(dtype)) {
    const t = float8Table(dtype);
    return (i, v) => (out[i] = t[Number(v) & 0xff]);
  }
  return (i, v) => ((out as Float64Array)[i] = Number(v));
}

/** A TensorProto (plain object) holding `t`: tensor_content for numbers, string_val for strings. */
export function tensorToProto(t: DecodedTensor): ITensorProto {
  const p: ITensorProto = { dtype: t.dtype, tensorShape: { dim: t.shape.map((size) => ({ size })) } };
  if (Array.isArray(t.values)) p.stringVal = t.values;
  else p.tensorContent = encodeTensorBytes(t);
  return p;
}
