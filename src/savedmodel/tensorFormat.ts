/**
 * Tensor values as display text: numbers, bytes as Python-like literals, strings as UTF-8.
 */
import { DataType, dtypeEnumName } from "./dtypes.js";
import { SavedModelError } from "./errors.js";
import type { DecodedTensor } from "./tensor.js";

const DT = DataType;

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** String elements decoded as UTF-8 (invalid bytes become U+FFFD). */
export function stringValues(t: DecodedTensor): string[] {
  if (!Array.isArray(t.values))
    throw new SavedModelError("<tensor>", `${dtypeEnumName(t.dtype)} tensor has no string values`);
  return t.values.map((b) => utf8.decode(b));
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
