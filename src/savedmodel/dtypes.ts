/**
 * TensorFlow DataType facts: enum names, short names, element sizes. The enum is a plain table (TensorFlow's
 * types.proto values; test/dtypes.table.test.ts checks it against the generated code), so webviews that only
 * need dtype names do not bundle the generated protobuf code.
 */

const DT_VALUES = {
  DT_INVALID: 0,
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_INT16: 5,
  DT_INT8: 6,
  DT_STRING: 7,
  DT_COMPLEX64: 8,
  DT_INT64: 9,
  DT_BOOL: 10,
  DT_QINT8: 11,
  DT_QUINT8: 12,
  DT_QINT32: 13,
  DT_BFLOAT16: 14,
  DT_QINT16: 15,
  DT_QUINT16: 16,
  DT_UINT16: 17,
  DT_COMPLEX128: 18,
  DT_HALF: 19,
  DT_RESOURCE: 20,
  DT_VARIANT: 21,
  DT_UINT32: 22,
  DT_UINT64: 23,
  DT_FLOAT8_E5M2: 24,
  DT_FLOAT8_E4M3FN: 25,
  DT_FLOAT8_E4M3FNUZ: 26,
  DT_FLOAT8_E4M3B11FNUZ: 27,
  DT_FLOAT8_E5M2FNUZ: 28,
  DT_INT4: 29,
  DT_UINT4: 30,
  DT_INT2: 31,
  DT_UINT2: 32,
  DT_FLOAT_REF: 101,
  DT_DOUBLE_REF: 102,
  DT_INT32_REF: 103,
  DT_UINT8_REF: 104,
  DT_INT16_REF: 105,
  DT_INT8_REF: 106,
  DT_STRING_REF: 107,
  DT_COMPLEX64_REF: 108,
  DT_INT64_REF: 109,
  DT_BOOL_REF: 110,
  DT_QINT8_REF: 111,
  DT_QUINT8_REF: 112,
  DT_QINT32_REF: 113,
  DT_BFLOAT16_REF: 114,
  DT_QINT16_REF: 115,
  DT_QUINT16_REF: 116,
  DT_UINT16_REF: 117,
  DT_COMPLEX128_REF: 118,
  DT_HALF_REF: 119,
  DT_RESOURCE_REF: 120,
  DT_VARIANT_REF: 121,
  DT_UINT32_REF: 122,
  DT_UINT64_REF: 123,
  DT_FLOAT8_E5M2_REF: 124,
  DT_FLOAT8_E4M3FN_REF: 125,
  DT_FLOAT8_E4M3FNUZ_REF: 126,
  DT_FLOAT8_E4M3B11FNUZ_REF: 127,
  DT_FLOAT8_E5M2FNUZ_REF: 128,
  DT_INT4_REF: 129,
  DT_UINT4_REF: 130,
  DT_INT2_REF: 131,
  DT_UINT2_REF: 132,
} as const;
/** Values typed as numbers (as the generated enum's are), so `[DT.DT_FLOAT, …].includes(dtype)` type-checks. */
const DT: { readonly [K in keyof typeof DT_VALUES]: number } = DT_VALUES;

const ENUM_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DT).map(([k, v]) => [v, k]));

/** "DT_FLOAT" for 1; "DT_FLOAT_REF" for 101; "DT_<n>" for unknown values. */
export function dtypeEnumName(dtype: number | null | undefined): string {
  const name = ENUM_NAMES[dtype ?? 0];
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
  const byEnum = (DT as Record<string, number>)[n] ?? (DT as Record<string, number>)[`DT_${n.toUpperCase()}`];
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
