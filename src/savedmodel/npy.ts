/**
 * NumPy .npy / .npz reading and writing for DecodedTensor. Writes format 1.0 (2.0 when the header needs it),
 * 64-byte aligned like numpy; reads 1.0/2.0/3.0, little- and big-endian, C and Fortran order. String/object arrays
 * are read as DT_STRING (UTF-32 `<U`, bytes `|S`); object arrays are refused (they need pickle). .npz is a zip of .npy files: written stored (CRC-32 via crc-32), read stored or
 * deflated (DecompressionStream "deflate-raw").
 */
import * as CRC32 from "crc-32";
import { DataType, dtypeEnumName } from "./dtypes.js";
import { SavedModelError } from "./errors.js";
import {
  byteSwap,
  checkTensorSize,
  copyBytes,
  decodeTensorBytes,
  encodeTensorBytes,
  type DecodedTensor,
  type SizeLimits,
} from "./tensor.js";

const DT = DataType;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy descr for each dtype we write (bfloat16 has no numpy type: written as float32). */
function descrFor(dtype: number): string {
  switch (dtype) {
    case DT.DT_FLOAT:
    case DT.DT_BFLOAT16:
      return "<f4";
    case DT.DT_HALF:
      return "<f2";
    case DT.DT_DOUBLE:
      return "<f8";
    case DT.DT_INT8:
    case DT.DT_QINT8:
      return "|i1";
    case DT.DT_UINT8:
    case DT.DT_QUINT8:
      return "|u1";
    case DT.DT_INT16:
    case DT.DT_QINT16:
      return "<i2";
    case DT.DT_UINT16:
    case DT.DT_QUINT16:
      return "<u2";
    case DT.DT_INT32:
    case DT.DT_QINT32:
      return "<i4";
    case DT.DT_UINT32:
      return "<u4";
    case DT.DT_INT64:
      return "<i8";
    case DT.DT_UINT64:
      return "<u8";
    case DT.DT_BOOL:
      return "|b1";
    case DT.DT_COMPLEX64:
      return "<c8";
    case DT.DT_COMPLEX128:
      return "<c16";
    default:
      throw new SavedModelError("<npy>", `cannot write ${dtypeEnumName(dtype)} tensors as .npy`);
  }
}

const KIND: Record<string, Record<number, number>> = {
  f: { 2: DT.DT_HALF, 4: DT.DT_FLOAT, 8: DT.DT_DOUBLE },
  i: { 1: DT.DT_INT8, 2: DT.DT_INT16, 4: DT.DT_INT32, 8: DT.DT_INT64 },
  u: { 1: DT.DT_UINT8, 2: DT.DT_UINT16, 4: DT.DT_UINT32, 8: DT.DT_UINT64 },
  b: { 1: DT.DT_BOOL },
  c: { 8: DT.DT_COMPLEX64, 16: DT.DT_COMPLEX128 },
};

export function encodeNpy(t: DecodedTensor): Uint8Array {
  if (Array.isArray(t.values)) {
    throw new SavedModelError(
      "<npy>",
      "string tensors cannot be written as .npy (numpy would need an object or fixed-width array)",
      {
        hint: "export strings as text instead",
      },
    );
  }
  const descr = descrFor(t.dtype);
  const data = t.dtype === DT.DT_BFLOAT16 ? encodeTensorBytes({ ...t, dtype: DT.DT_FLOAT }) : encodeTensorBytes(t);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let version = 1;
  let pre = 10;
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  if (total - pre > 0xffff) {
    version = 2;
    pre = 12;
    total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  }
  const headerLen = total - pre;
  const out = new Uint8Array(total + data.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  const text = dict + " ".repeat(headerLen - dict.length - 1) + "\n";
  for (let i = 0; i < text.length; i++) out[pre + i] = text.charCodeAt(i);
  out.set(data, total);
  return out;
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, file: string): NpyHeader {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr) {
    if (/'descr'\s*:\s*\[/.test(text))
      throw new SavedModelError(file, "structured (record) arrays are not supported", { field: "descr" });
    throw new SavedModelError(file, `npy header has no 'descr': ${text.slice(0, 120)}`, { field: "descr" });
  }
  if (!fortran || !shape) throw new SavedModelError(file, `malformed npy header: ${text.slice(0, 120)}`);
  const dims = shape[1]
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const n = Number(s.replace(/L$/, ""));
      if (!Number.isSafeInteger(n) || n < 0)
        throw new SavedModelError(file, `bad dimension "${s}" in npy shape`, { field: "shape" });
      return n;
    });
  return { descr: descr[1], fortranOrder: fortran[1] === "True", shape: dims };
}

export function decodeNpy(bytes: Uint8Array, file = "<npy>", limits: SizeLimits = {}): DecodedTensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new SavedModelError(file, "not a .npy file (missing \\x93NUMPY magic)", { offset: 0 });
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pre: number, headerLen: number;
  if (major === 1) [pre, headerLen] = [10, dv.getUint16(8, true)];
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new SavedModelError(file, "truncated npy header", { offset: 8 });
    [pre, headerLen] = [12, dv.getUint32(8, true)];
  } else throw new SavedModelError(file, `unsupported npy format version ${major}.${bytes[7]}`, { offset: 6 });
  if (pre + headerLen > bytes.length)
    throw new SavedModelError(file, `npy header of ${headerLen} bytes runs past the file`, { offset: 8 });
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(pre, pre + headerLen));
  const h = parseHeader(text, file);
  const m = /^([<>|=])([a-zA-Z])(\d*)$/.exec(h.descr);
  if (!m) throw new SavedModelError(file, `unsupported npy dtype '${h.descr}'`, { field: "descr" });
  const [, order, kind, sizeText] = m;
  if (kind === "O")
    throw new SavedModelError(
      file,
      `object arrays ('${h.descr}') are pickled Python objects, which cannot be read without Python`,
      {
        field: "descr",
        hint: "save strings as a fixed-width array instead: np.save(f, np.array(x, dtype='S')) for bytes or np.save(f, x.astype(str)) for text",
      },
    );
  if (kind === "V")
    throw new SavedModelError(file, `void/raw arrays ('${h.descr}') are not supported`, { field: "descr" });
  if (kind === "U" || kind === "S" || kind === "a")
    return decodeStringNpy(bytes, pre + headerLen, h, kind === "U", order === ">", Number(sizeText), file, limits);
  const size = Number(sizeText);
  const dtype = KIND[kind]?.[size];
  if (dtype === undefined) throw new SavedModelError(file, `unsupported npy dtype '${h.descr}'`, { field: "descr" });
  const n = checkTensorSize(dtype, h.shape, limits, file);
  const start = pre + headerLen;
  if (bytes.length - start < n * size) {
    throw new SavedModelError(
      file,
      `npy data is ${bytes.length - start} bytes but shape [${h.shape.join(", ")}] of '${h.descr}' needs ${n * size}`,
      {
        offset: start,
      },
    );
  }
  let data = copyBytes(bytes, start, start + n * size);
  if (order === ">" && size > 1) byteSwap(data, kind === "c" ? size / 2 : size);
  if (h.fortranOrder && h.shape.length > 1) data = fortranToC(data, h.shape, size);
  return decodeTensorBytes(dtype, h.shape, data, { ...limits, file });
}

/**
 * numpy fixed-width strings as a DT_STRING tensor of UTF-8 bytes: `<U n` is n UTF-32 code points
 * (trailing NULs are padding, as numpy reads them), `|S n` is n bytes (trailing NULs stripped).
 */
function decodeStringNpy(
  bytes: Uint8Array,
  start: number,
  h: NpyHeader,
  unicode: boolean,
  bigEndian: boolean,
  width: number,
  file: string,
  limits: SizeLimits,
): DecodedTensor {
  const n = checkTensorSize(DT.DT_STRING, h.shape, limits, file);
  const size = unicode ? 4 * width : width;
  if (!Number.isSafeInteger(size) || bytes.length - start < n * size)
    throw new SavedModelError(
      file,
      `npy data is ${bytes.length - start} bytes but shape [${h.shape.join(", ")}] of '${h.descr}' needs ${n * size}`,
      { offset: start },
    );
  let data = bytes.subarray(start, start + n * size);
  if (h.fortranOrder && h.shape.length > 1 && size > 0) data = fortranToC(data, h.shape, size);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const values: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * size;
    if (unicode) {
      let len = width;
      while (len > 0 && dv.getUint32(off + 4 * (len - 1), !bigEndian) === 0) len--;
      let text = "";
      for (let k = 0; k < len; k++) {
        const cp = dv.getUint32(off + 4 * k, !bigEndian);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
          throw new SavedModelError(file, `element ${i} holds ${cp.toString(16)}, not a Unicode code point`, {
            offset: start + off + 4 * k,
          });
        text += String.fromCodePoint(cp);
      }
      values[i] = enc.encode(text);
    } else {
      let len = width;
      while (len > 0 && data[off + len - 1] === 0) len--;
      values[i] = data.slice(off, off + len);
    }
  }
  return { dtype: DT.DT_STRING, shape: h.shape, values };
}

/** Reorders column-major element bytes into row-major order. */
function fortranToC(src: Uint8Array, shape: number[], elem: number): Uint8Array {
  const n = src.length / elem;
  const out = new Uint8Array(src.length);
  const rank = shape.length;
  const idx = new Array(rank).fill(0);
  // Fortran strides (in elements) for each dim.
  const fstride = new Array(rank);
  let s = 1;
  for (let d = 0; d < rank; d++) {
    fstride[d] = s;
    s *= shape[d];
  }
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += idx[d] * fstride[d];
    out.set(src.subarray(f * elem, f * elem + elem), i * elem);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// ---- .npz ----

const enc = new TextEncoder();

// the zip side of .npz lives in npz.ts (fflate); re-exported here for the existing imports
export { decodeNpz, encodeNpz } from "./npz.js";
