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

/** A stored (uncompressed) zip of `<name>.npy` members. Names may contain '/'. */
export function encodeNpz(entries: Record<string, DecodedTensor>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const names = Object.keys(entries);
  for (const name of names) {
    const data = encodeNpy(entries[name]);
    const fname = enc.encode(`${name}.npy`);
    const crc = CRC32.buf(data) >>> 0;
    if (data.length >= 0xffffffff || offset >= 0xffffffff)
      throw new SavedModelError("<npz>", "npz over 4 GiB needs zip64, which is not supported");
    const local = new Uint8Array(30 + fname.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, fname.length, true);
    local.set(fname, 30);
    const cd = new Uint8Array(46 + fname.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, fname.length, true);
    cv.setUint32(42, offset, true);
    cd.set(fname, 46);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, names.length, true);
  ev.setUint16(10, names.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...parts, ...central, eocd]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

async function inflateRaw(data: Uint8Array, expected: number, file: string, name: string): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const out = new Uint8Array(expected);
  let got = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > expected)
        throw new SavedModelError(file, `member "${name}" inflates to more than its declared ${expected} bytes`, {
          field: name,
        });
      out.set(value, got);
      got += value.length;
    }
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    throw new SavedModelError(
      file,
      `member "${name}": deflate data is corrupt (${e instanceof Error ? e.message : String(e)})`,
      { field: name },
    );
  }
  if (got !== expected)
    throw new SavedModelError(file, `member "${name}" inflated to ${got} bytes, expected ${expected}`, { field: name });
  return out;
}

/** Reads every `.npy` member of an .npz (stored or deflated); keys drop the ".npy" suffix. */
export async function decodeNpz(
  bytes: Uint8Array,
  file = "<npz>",
  limits: SizeLimits = {},
): Promise<Record<string, DecodedTensor>> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 0xffff; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new SavedModelError(file, "not a zip/npz file (no end-of-central-directory record)");
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  let p = dv.getUint32(eocd + 16, true);
  if (p === 0xffffffff || count === 0xffff)
    throw new SavedModelError(file, "zip64 archives are not supported", { offset: eocd });
  if (p + cdSize > eocd)
    throw new SavedModelError(file, "central directory runs past its end record", { offset: eocd });
  const out: Record<string, DecodedTensor> = {};
  const dec = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || dv.getUint32(p, true) !== 0x02014b50)
      throw new SavedModelError(file, `bad central directory entry ${i}`, { offset: p });
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const usize = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const xlen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    const lho = dv.getUint32(p + 42, true);
    if (p + 46 + nlen > eocd)
      throw new SavedModelError(file, `central directory entry ${i} name runs past the directory`, { offset: p });
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nlen));
    p += 46 + nlen + xlen + clen;
    if (name.endsWith("/")) continue;
    if (csize === 0xffffffff || usize === 0xffffffff || lho === 0xffffffff)
      throw new SavedModelError(file, `member "${name}" uses zip64, which is not supported`, { field: name });
    if (lho + 30 > bytes.length || dv.getUint32(lho, true) !== 0x04034b50)
      throw new SavedModelError(file, `member "${name}": bad local header`, { offset: lho, field: name });
    const start = lho + 30 + dv.getUint16(lho + 26, true) + dv.getUint16(lho + 28, true);
    if (start + csize > bytes.length)
      throw new SavedModelError(file, `member "${name}" data runs past the end of the file`, {
        offset: start,
        field: name,
      });
    const raw = bytes.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      if (usize > csize * 1032 + 1024)
        throw new SavedModelError(
          file,
          `member "${name}" claims ${usize} bytes from ${csize} compressed (impossible for deflate)`,
          { field: name },
        );
      if (limits.maxBytes !== undefined && usize > limits.maxBytes + 1024 * 1024)
        throw new SavedModelError(file, `member "${name}" is ${usize} bytes, over the limit`, { field: name });
      data = await inflateRaw(raw, usize, file, name);
    } else
      throw new SavedModelError(
        file,
        `member "${name}" uses zip compression method ${method}; only stored and deflate are supported`,
        { field: name },
      );
    if (CRC32.buf(data) >>> 0 !== dv.getUint32(p - (46 + nlen + xlen + clen) + 16, true)) {
      throw new SavedModelError(file, `member "${name}" CRC-32 mismatch`, { field: name });
    }
    const key = name.endsWith(".npy") ? name.slice(0, -4) : name;
    out[key] = decodeNpy(data, `${file}:${name}`, limits);
  }
  return out;
}
