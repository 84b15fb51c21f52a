/** TensorFlow DataType facts: enum names, short names, element sizes. */
import { tensorflow } from "./proto.js";

const DT = tensorflow.DataType;

/** "DT_FLOAT" for 1; "DT_FLOAT_REF" for 101; "DT_<n>" for unknown values. */
export function dtypeEnumName(dtype: number | null | undefined): string {
  const name = (DT as unknown as Record<number, string>)[dtype ?? 0];
  return name ?? `DT_UNKNOWN_${dtype}`;
}

const SHORT: Record<number, string> = {
  [DT.DT_INVALID]: "invalid",
  [DT.DT_FLOAT]: "float32",
  [DT.DT_DOUBLE]: "float64",
  [DT.DT_INT32]: "int32",
  [DT.DT_UINT8]: "uint8",
  [DT.DT_INT16]: "int16",
  [DT.DT_INT8]: "int8",
  [DT.DT_STRING]: "string",
  [DT.DT_COMPLEX64]: "complex64",
  [DT.DT_INT64]: "int64",
  [DT.DT_BOOL]: "bool",
  [DT.DT_QINT8]: "qint8",
  [DT.DT_QUINT8]: "quint8",
  [DT.DT_QINT32]: "qint32",
  [DT.DT_BFLOAT16]: "bfloat16",
  [DT.DT_QINT16]: "qint16",
  [DT.DT_QUINT16]: "quint16",
  [DT.DT_UINT16]: "uint16",
  [DT.DT_COMPLEX128]: "complex128",
  [DT.DT_HALF]: "float16",
  [DT.DT_RESOURCE]: "resource",
  [DT.DT_VARIANT]: "variant",
  [DT.DT_UINT32]: "uint32",
  [DT.DT_UINT64]: "uint64",
  [DT.DT_FLOAT8_E5M2]: "float8_e5m2",
  [DT.DT_FLOAT8_E4M3FN]: "float8_e4m3fn",
  [DT.DT_FLOAT8_E4M3FNUZ]: "float8_e4m3fnuz",
  [DT.DT_FLOAT8_E4M3B11FNUZ]: "float8_e4m3b11fnuz",
  [DT.DT_FLOAT8_E5M2FNUZ]: "float8_e5m2fnuz",
  [DT.DT_INT4]: "int4",
  [DT.DT_UINT4]: "uint4",
  [DT.DT_INT2]: "int2",
  [DT.DT_UINT2]: "uint2",
};

/** True for the *_REF forms (value + 100). */
export function isRefDtype(dtype: number): boolean {
  return dtype > 100;
}

/** The base type of a *_REF dtype. */
export function baseDtype(dtype: number): number {
  return dtype > 100 ? dtype - 100 : dtype;
}

/** numpy-style short name: "float32", "int64", "string"; "float32_ref" for ref types. */
export function dtypeShortName(dtype: number | null | undefined): string {
  const d = dtype ?? 0;
  const base = SHORT[baseDtype(d)] ?? `dtype_${d}`;
  return isRefDtype(d) ? `${base}_ref` : base;
}

/** Parses "float32", "DT_FLOAT", "float" (TF attr spelling) etc. to the enum value. */
export function parseDtype(name: string): number | undefined {
  const n = name.trim();
  const byEnum =
    (DT as unknown as Record<string, number>)[n] ?? (DT as unknown as Record<string, number>)[`DT_${n.toUpperCase()}`];
  if (typeof byEnum === "number") return byEnum;
  const aliases: Record<string, number> = {
    float: DT.DT_FLOAT,
    double: DT.DT_DOUBLE,
    half: DT.DT_HALF,
    str: DT.DT_STRING,
  };
  if (n in aliases) return aliases[n];
  for (const [k, v] of Object.entries(SHORT)) if (v === n) return Number(k);
  return undefined;
}

/** Element size in bytes for fixed-size dtypes; undefined for string/resource/variant and sub-byte types. */
export function dtypeSize(dtype: number): number | undefined {
  switch (baseDtype(dtype)) {
    case DT.DT_FLOAT:
    case DT.DT_INT32:
    case DT.DT_UINT32:
    case DT.DT_QINT32:
      return 4;
    case DT.DT_DOUBLE:
    case DT.DT_INT64:
    case DT.DT_UINT64:
    case DT.DT_COMPLEX64:
      return 8;
    case DT.DT_COMPLEX128:
      return 16;
    case DT.DT_UINT8:
    case DT.DT_INT8:
    case DT.DT_BOOL:
    case DT.DT_QINT8:
    case DT.DT_QUINT8:
    case DT.DT_FLOAT8_E5M2:
    case DT.DT_FLOAT8_E4M3FN:
    case DT.DT_FLOAT8_E4M3FNUZ:
    case DT.DT_FLOAT8_E4M3B11FNUZ:
    case DT.DT_FLOAT8_E5M2FNUZ:
      return 1;
    case DT.DT_INT16:
    case DT.DT_UINT16:
    case DT.DT_QINT16:
    case DT.DT_QUINT16:
    case DT.DT_HALF:
    case DT.DT_BFLOAT16:
      return 2;
    default:
      return undefined;
  }
}

export { DT as DataType };
