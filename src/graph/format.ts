/** Readable strings for attribute values, shapes and small constant tensors (display only). */
import { deferredContentOf } from "../savedmodel/deferredContent.js";
import type { IAttrValue, ITensorProto, ITensorShapeProto } from "../savedmodel/proto.js";
import { dtypeShortName } from "../savedmodel/dtypes.js";
import { formatDims, shapeDims } from "../savedmodel/shape.js";

const utf8 = new TextDecoder("utf-8", { fatal: false });
const MAX_LIST = 16;

export function formatShape(shape: ITensorShapeProto | null | undefined): string {
  return formatDims(shapeDims(shape));
}

export function bytesToString(b: Uint8Array | null | undefined, max = 200): string {
  if (!b) return "";
  const s = utf8.decode(b.length > max * 4 ? b.subarray(0, max * 4) : b);
  const printable = /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(s);
  if (!printable) {
    const hex = Array.from(b.subarray(0, 32), (x) => x.toString(16).padStart(2, "0")).join(" ");
    return `<${b.length} bytes: ${hex}${b.length > 32 ? " …" : ""}>`;
  }
  return s.length > max ? `${s.slice(0, max)}… (${b.length} bytes)` : s;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function which(v: IAttrValue): string | undefined {
  const anyV = v as { value?: string };
  if (typeof anyV.value === "string") return anyV.value;
  for (const k of ["list", "s", "i", "f", "b", "type", "shape", "tensor", "func", "placeholder"] as const)
    if (Object.prototype.hasOwnProperty.call(v, k) && v[k] !== null && v[k] !== undefined) return k;
  return undefined;
}

function listOf<T>(xs: readonly T[], f: (x: T) => string): string {
  const head = xs.slice(0, MAX_LIST).map(f).join(", ");
  return `[${head}${xs.length > MAX_LIST ? `, … ${xs.length - MAX_LIST} more` : ""}]`;
}

export function formatAttr(v: IAttrValue): string {
  switch (which(v)) {
    case "s":
      return quote(bytesToString(v.s));
    case "i":
      return String(v.i);
    case "f":
      return String(v.f);
    case "b":
      return String(v.b);
    case "type":
      return dtypeShortName(v.type);
    case "shape":
      return formatShape(v.shape);
    case "tensor":
      return v.tensor ? tensorPreview(v.tensor) : "tensor";
    case "func":
      return `ƒ ${v.func?.name ?? ""}`;
    case "placeholder":
      return `$${v.placeholder}`;
    case "list": {
      const l = v.list ?? {};
      if (l.s?.length) return listOf(l.s, (x) => quote(bytesToString(x, 60)));
      if (l.i?.length) return listOf(l.i, String);
      if (l.f?.length) return listOf(l.f, String);
      if (l.b?.length) return listOf(l.b, String);
      if (l.type?.length) return listOf(l.type, (t) => dtypeShortName(t));
      if (l.shape?.length) return listOf(l.shape, formatShape);
      if (l.tensor?.length) return listOf(l.tensor, tensorPreview);
      if (l.func?.length) return listOf(l.func, (f) => `ƒ ${f.name ?? ""}`);
      return "[]";
    }
    default:
      return "";
  }
}

/** "float32 [3, 3] = [0.1, 0.2, …]": dtype, shape and the first values of a TensorProto. */
export function tensorPreview(t: ITensorProto, maxValues = 8): string {
  const dims = t.tensorShape ? shapeDims(t.tensorShape) : [];
  const head = `${dtypeShortName(t.dtype)} ${formatDims(dims)}`;
  const vals = tensorValues(t, maxValues);
  return vals === undefined ? head : `${head} = ${vals}`;
}

function tensorValues(t: ITensorProto, max: number): string | undefined {
  const fmt = (xs: ArrayLike<unknown>, total: number, f: (x: unknown) => string = String) => {
    const n = Math.min(xs.length, max);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(f(xs[i]));
    return `[${parts.join(", ")}${total > n ? ", …" : ""}]`;
  };
  if (t.floatVal?.length) return fmt(t.floatVal, t.floatVal.length, (x) => String(Math.fround(x as number)));
  if (t.doubleVal?.length) return fmt(t.doubleVal, t.doubleVal.length);
  if (t.intVal?.length) return fmt(t.intVal, t.intVal.length);
  if (t.int64Val?.length) return fmt(t.int64Val, t.int64Val.length);
  if (t.boolVal?.length) return fmt(t.boolVal, t.boolVal.length);
  if (t.stringVal?.length)
    return fmt(t.stringVal, t.stringVal.length, (x) => quote(bytesToString(x as Uint8Array, 40)));
  const onDisk = deferredContentOf(t);
  if (onDisk) return `<${onDisk.length} bytes, not read>`;
  const c = t.tensorContent;
  if (c && c.length) {
    const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
    const name = dtypeShortName(t.dtype);
    const read: Record<string, [number, (o: number) => unknown]> = {
      float32: [4, (o) => view.getFloat32(o, true)],
      float64: [8, (o) => view.getFloat64(o, true)],
      int32: [4, (o) => view.getInt32(o, true)],
      int64: [8, (o) => view.getBigInt64(o, true)],
      uint8: [1, (o) => view.getUint8(o)],
      int8: [1, (o) => view.getInt8(o)],
      int16: [2, (o) => view.getInt16(o, true)],
      uint16: [2, (o) => view.getUint16(o, true)],
      bool: [1, (o) => view.getUint8(o) !== 0],
    };
    const r = read[name];
    if (!r) return `<${c.length} bytes>`;
    const total = Math.floor(c.length / r[0]);
    const xs: unknown[] = [];
    for (let i = 0; i < Math.min(total, max); i++) xs.push(r[1](i * r[0]));
    return fmt(xs, total);
  }
  return undefined;
}
