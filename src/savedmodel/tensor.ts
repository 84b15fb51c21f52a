/**
 * Decoded tensor values: raw little-endian bytes (checkpoints, tensor_content) or TensorProto *_val fields
 * → typed arrays; the reverse for writing; one-pass statistics and value formatting. Sizes are checked
 * before anything is allocated, so a hostile shape cannot make us allocate gigabytes.
 */
import { deferredContentOf } from "./deferredContent.js";
import { DataType, dtypeEnumName, dtypeSize } from "./dtypes.js";
import { SavedModelError } from "./errors.js";
import type { ITensorProto } from "./proto.js";
import { shapeDims } from "./shape.js";

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

export interface SizeLimits {
  /** Most elements a tensor may have (default 2^28). */
  maxElements?: number;
  /** Most bytes a decoded tensor may take. */
  maxBytes?: number;
}

export const DEFAULT_MAX_ELEMENTS = 2 ** 28;
/** Default cap on decoded bytes (strings count 16 bytes per element for their references). */
export const DEFAULT_MAX_BYTES = 2 ** 31;

const DT = DataType;

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
function decodedElementSize(dtype: number): number | undefined {
  if (dtype === DT.DT_HALF || dtype === DT.DT_BFLOAT16 || isFloat8(dtype)) return 4;
  return dtypeSize(dtype);
}

function isFloat8(dtype: number): boolean {
  return dtype >= DT.DT_FLOAT8_E5M2 && dtype <= DT.DT_FLOAT8_E5M2FNUZ;
}

// ---- half / bfloat16 / float8 conversions ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) {
    if (m === 0) return s * Infinity;
    u32[0] = ((h & 0x8000) << 16) | 0x7f800000 | (m << 13); // keep the NaN payload
    return f32[0];
  }
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** float → IEEE half bits, round to nearest even (exact for values that came from a half). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const man = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? (man >>> 13) | (man >>> 13 ? 0 : 0x200) : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = man | 0x800000;
    const shift = 14 - e;
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++;
  return sign | r;
}

export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** float → bfloat16 bits, round to nearest even like TF; NaN stays a quiet NaN. */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

function float8Table(dtype: number): Float32Array {
  const t = new Float32Array(256);
  for (let b = 0; b < 256; b++) {
    const neg = b & 0x80;
    let ebits: number, mbits: number, bias: number;
    if (dtype === DT.DT_FLOAT8_E5M2 || dtype === DT.DT_FLOAT8_E5M2FNUZ)
      [ebits, mbits, bias] = [5, 2, dtype === DT.DT_FLOAT8_E5M2 ? 15 : 16];
    else [ebits, mbits, bias] = [4, 3, dtype === DT.DT_FLOAT8_E4M3FN ? 7 : dtype === DT.DT_FLOAT8_E4M3FNUZ ? 8 : 11];
    const e = (b >> mbits) & ((1 << ebits) - 1);
    const m = b & ((1 << mbits) - 1);
    const fnuz = dtype !== DT.DT_FLOAT8_E5M2 && dtype !== DT.DT_FLOAT8_E4M3FN;
    let v: number;
    if (fnuz && b === 0x80) v = NaN;
    else if (dtype === DT.DT_FLOAT8_E5M2 && e === 31) v = m ? NaN : Infinity;
    else if (dtype === DT.DT_FLOAT8_E4M3FN && e === 15 && m === 7) v = NaN;
    else if (e === 0) v = m * 2 ** (1 - bias - mbits);
    else v = (1 + m / (1 << mbits)) * 2 ** (e - bias);
    t[b] = neg && !Number.isNaN(v) ? -v : v;
  }
  return t;
}

// ---- bytes ↔ values ----

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

function viewAs(dtype: number, b: Uint8Array, n: number): TensorValues {
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

function nearestFloat8(table: Float32Array, x: number): number {
  let best = 0;
  let bestErr = Infinity;
  for (let b = 0; b < 256; b++) {
    const y = table[b];
    if (Number.isNaN(x) ? Number.isNaN(y) : Object.is(y, x)) return b;
    const err = Math.abs(y - x);
    if (err < bestErr) [best, bestErr] = [b, err];
  }
  return best;
}

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

// ---- strings, statistics, formatting ----

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** String elements decoded as UTF-8 (invalid bytes become U+FFFD). */
export function stringValues(t: DecodedTensor): string[] {
  if (!Array.isArray(t.values))
    throw new SavedModelError("<tensor>", `${dtypeEnumName(t.dtype)} tensor has no string values`);
  return t.values.map((b) => utf8.decode(b));
}

export interface TensorStats {
  count: number;
  /** Smallest/largest non-NaN value (may be ±Infinity); NaN when there is none. */
  min: number;
  max: number;
  /** Mean and population standard deviation of the finite values; NaN when there are none. */
  mean: number;
  std: number;
  nanCount: number;
  infCount: number;
  /** Fraction of elements equal to zero. */
  zeroFraction: number;
}

/** One-pass statistics (Welford). Complex values use their magnitude; int64 via Number(); strings give counts only. */
export function tensorStats(t: DecodedTensor): TensorStats {
  const v = t.values;
  const complex = t.dtype === DT.DT_COMPLEX64 || t.dtype === DT.DT_COMPLEX128;
  const count = Array.isArray(v) ? v.length : complex ? v.length / 2 : v.length;
  let min = Infinity,
    max = -Infinity,
    mean = 0,
    m2 = 0,
    finite = 0,
    nanCount = 0,
    infCount = 0,
    zeros = 0,
    seen = 0;
  if (!Array.isArray(v)) {
    const isBig = v instanceof BigInt64Array || v instanceof BigUint64Array;
    for (let i = 0; i < count; i++) {
      let x: number;
      if (complex) {
        const re = (v as Float32Array)[2 * i];
        const im = (v as Float32Array)[2 * i + 1];
        x = Math.hypot(re, im);
      } else x = isBig ? Number((v as BigInt64Array)[i]) : (v as Float32Array)[i];
      if (x !== x) {
        nanCount++;
        continue;
      }
      seen++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
      if (x === Infinity || x === -Infinity) {
        infCount++;
        continue;
      }
      finite++;
      const d = x - mean;
      mean += d / finite;
      m2 += d * (x - mean);
    }
  }
  return {
    count,
    min: seen ? min : NaN,
    max: seen ? max : NaN,
    mean: finite ? mean : NaN,
    std: finite ? Math.sqrt(m2 / finite) : NaN,
    nanCount,
    infCount,
    zeroFraction: count && !Array.isArray(v) ? zeros / count : 0,
  };
}

function formatNumber(x: number, precision: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  if (!Number.isFinite(x)) return x !== x ? "nan" : x > 0 ? "inf" : "-inf";
  const s = x.toPrecision(precision);
  return s.includes("e") ? s.replace(/\.?0+e/, "e") : s.replace(/\.?0+$/, "");
}

/** Bytes shown as a Python-like literal: printable ASCII kept, the rest as \xNN. */
export function formatBytes(b: Uint8Array, maxLength = 200): string {
  let s = "";
  for (let i = 0; i < b.length && i < maxLength; i++) {
    const c = b[i];
    if (c === 0x5c) s += "\\\\";
    else if (c === 0x22) s += '\\"';
    else if (c === 0x0a) s += "\\n";
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return `"${s}${b.length > maxLength ? "…" : ""}"`;
}

/** Element `i` of `t` as display text: "0.5", "-3", "true", "1+2j", "\"abc\"". */
export function formatValue(t: DecodedTensor, i: number, opts: { precision?: number } = {}): string {
  const precision = opts.precision ?? 6;
  const v = t.values;
  if (Array.isArray(v)) return formatBytes(v[i]);
  if (t.dtype === DT.DT_BOOL) return v[i] ? "true" : "false";
  if (t.dtype === DT.DT_COMPLEX64 || t.dtype === DT.DT_COMPLEX128) {
    const re = (v as Float64Array)[2 * i];
    const im = (v as Float64Array)[2 * i + 1];
    return `${formatNumber(re, precision)}${im < 0 || Object.is(im, -0) ? "-" : "+"}${formatNumber(Math.abs(im), precision)}j`;
  }
  const x = v[i];
  if (typeof x === "bigint") return x.toString();
  return formatNumber(x, precision);
}
