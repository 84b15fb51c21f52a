/**
 * Building input tensors the way `saved_model_cli run` does: nested lists (`--input_exprs`), numpy
 * files (`--inputs x=f.npy`, `f.npz[name]`, `.json`), tf.Examples (`--input_examples`). Pure (no tfjs).
 */
import { DataType, dtypeShortName } from "../savedmodel/dtypes.js";
import type { DecodedTensor, TensorValues } from "../savedmodel/tensor.js";
import { parseJsonKeepFloats } from "./example.js";

const DT = DataType;

/** Splits "a=1;b=[2,3]" at top-level ';' (not inside brackets or quotes) into key → text. */
export function splitAssignments(text: string, flag: string): [string, string][] {
  const out: [string, string][] = [];
  let depth = 0;
  let quote = "";
  let cur = "";
  const push = () => {
    const s = cur.trim();
    cur = "";
    if (!s) return;
    const eq = s.indexOf("=");
    if (eq <= 0) throw new Error(`${flag}: "${s}" is not KEY=VALUE`);
    out.push([s.slice(0, eq).trim(), s.slice(eq + 1).trim()]);
  };
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[" || ch === "(" || ch === "{") depth++;
    else if (ch === "]" || ch === ")" || ch === "}") depth--;
    else if (ch === ";" && depth === 0) {
      push();
      continue;
    }
    cur += ch;
  }
  push();
  return out;
}

function shapeOf(v: unknown, what: string): number[] {
  const shape: number[] = [];
  let x = v;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  const check = (y: unknown, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(y)) throw new Error(`${what}: ragged nested list (deeper than its first element)`);
      return;
    }
    if (!Array.isArray(y) || y.length !== shape[d]) throw new Error(`${what}: ragged nested list at depth ${d}`);
    for (const z of y) check(z, d + 1);
  };
  check(v, 0);
  return shape;
}

/** A nested list / scalar (numbers, booleans, strings) as a tensor of `dtype`. */
export function tensorFromNested(v: unknown, dtype: number, what = "value"): DecodedTensor {
  const shape = shapeOf(v, what);
  const flat = (Array.isArray(v) ? (v as unknown[]).flat(Infinity) : [v]).map((x) =>
    x && typeof x === "object" && "v" in (x as object) ? (x as { v: number }).v : x,
  );
  const n = flat.length;
  let values: TensorValues;
  const num = (x: unknown, i: number): number => {
    if (typeof x === "number") return x;
    if (typeof x === "boolean") return x ? 1 : 0;
    if (x === "nan" || x === "NaN") return NaN;
    if (x === "inf" || x === "Infinity") return Infinity;
    if (x === "-inf" || x === "-Infinity") return -Infinity;
    throw new Error(`${what}: element ${i} (${JSON.stringify(x)}) is not a number`);
  };
  switch (dtype) {
    case DT.DT_STRING:
      values = flat.map((x) => new TextEncoder().encode(typeof x === "string" ? x : String(x)));
      break;
    case DT.DT_FLOAT:
    case DT.DT_HALF:
    case DT.DT_BFLOAT16:
      values = Float32Array.from(flat, num);
      break;
    case DT.DT_DOUBLE:
      values = Float64Array.from(flat, num);
      break;
    case DT.DT_INT64:
      values = BigInt64Array.from(flat, (x, i) => BigInt(Math.trunc(num(x, i))));
      break;
    case DT.DT_UINT64:
      values = BigUint64Array.from(flat, (x, i) => BigInt(Math.trunc(num(x, i))));
      break;
    case DT.DT_INT32:
      values = Int32Array.from(flat, num);
      break;
    case DT.DT_UINT32:
      values = Uint32Array.from(flat, num);
      break;
    case DT.DT_INT16:
      values = Int16Array.from(flat, num);
      break;
    case DT.DT_UINT16:
      values = Uint16Array.from(flat, num);
      break;
    case DT.DT_INT8:
      values = Int8Array.from(flat, num);
      break;
    case DT.DT_UINT8:
    case DT.DT_BOOL:
      values = Uint8Array.from(flat, num);
      break;
    default:
      throw new Error(`${what}: cannot build a ${dtypeShortName(dtype)} tensor from a list`);
  }
  if ((Array.isArray(values) ? values.length : values.length) !== n) throw new Error(`${what}: internal size mismatch`);
  return { dtype, shape, values };
}

/**
 * A Python literal (True/False, tuples, 'single-quoted' strings) as JSON text. Only what is outside
 * strings changes: "That's ok." keeps its apostrophe, 'a "b"' becomes "a \\"b\\"".
 */
export function pythonLiteralToJson(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let body = "";
      for (; j < text.length && text[j] !== ch; j++) {
        if (text[j] === "\\" && j + 1 < text.length) {
          body += text[j] + text[j + 1];
          j++;
        } else body += ch === "'" && text[j] === '"' ? '\\"' : text[j];
      }
      out += `"${ch === "'" ? body.replace(/\\'/g, "'") : body}"`;
      i = j;
      continue;
    }
    const word = /^(True|False|None)\b/.exec(text.slice(i));
    if (word && !/[\w.]/.test(text[i - 1] ?? "")) {
      out += word[1] === "True" ? "true" : word[1] === "False" ? "false" : "null";
      i += word[1].length - 1;
      continue;
    }
    out += ch === "(" ? "[" : ch === ")" ? "]" : ch;
  }
  return out;
}

/**
 * Python-ish value expressions: JSON-like nested lists with floats/ints/strings/True/False, and
 * np.zeros/np.ones/np.full(shape[, value]) — the subset of `saved_model_cli --input_exprs` that needs no Python.
 */
export function parseValueExpr(text: string, dtype: number, what: string): DecodedTensor {
  const t = text.trim();
  const np = /^(?:np|numpy)\.(zeros|ones|full)\(\s*(\(?[\d,\s]*\)?|\[[\d,\s]*\])\s*(?:,\s*([^)]*?))?\s*\)$/.exec(t);
  if (np) {
    const shape = np[2]
      .replace(/[()[\]\s]/g, "")
      .split(",")
      .filter(Boolean)
      .map(Number);
    const fill = np[1] === "zeros" ? 0 : np[1] === "ones" ? 1 : Number(np[3]);
    if (!Number.isFinite(fill)) throw new Error(`${what}: np.full needs a numeric fill value`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > 2 ** 27) throw new Error(`${what}: ${n} elements is too many`);
    const flat = new Array<number>(n).fill(fill);
    const d = tensorFromNested(flat, dtype, what);
    return { ...d, shape };
  }
  const arr = /^(?:np|numpy)\.(?:array|asarray)\(\s*([\s\S]*?)\s*(?:,\s*dtype\s*=\s*[\w.]+\s*)?\)$/.exec(t);
  if (arr) return parseValueExpr(arr[1], dtype, what);
  let v: unknown;
  try {
    v = parseJsonKeepFloats(pythonLiteralToJson(t));
  } catch (e) {
    throw new Error(`${what}: cannot parse "${t}" (${(e as Error).message}); give a nested list like [[1.0, 2.0]]`);
  }
  return tensorFromNested(v, dtype, what);
}

/** The component of a sparse (COO) input a feed key names: "k/indices", "k/values", "k/dense_shape". */
export function sparsePart(key: string): { input: string; part: "indices" | "values" | "dense_shape" } | undefined {
  const m = /^(.*)\/(indices|values|dense_shape)$/.exec(key);
  return m ? { input: m[1], part: m[2] as "indices" | "values" | "dense_shape" } : undefined;
}

/** The dtype a sparse component takes: int64 indices and dense_shape, the input's dtype for values. */
export function sparsePartDtype(part: "indices" | "values" | "dense_shape", valuesDtype: number): number {
  return part === "values" ? valuesDtype : DT.DT_INT64;
}

/**
 * A COO sparse input written as {"indices": [[0, 0], ...], "values": [...], "dense_shape": [2, 3]}:
 * its three component tensors under "key/indices", "key/values", "key/dense_shape". Undefined when
 * `v` is not such an object.
 */
export function sparseFromObject(v: unknown, dtype: number, key: string): Record<string, DecodedTensor> | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (!("indices" in o) && !("values" in o) && !("dense_shape" in o)) return undefined;
  for (const p of ["indices", "values", "dense_shape"])
    if (!(p in o))
      throw new Error(`${key}: a sparse value needs "indices", "values" and "dense_shape" (missing "${p}")`);
  const extra = Object.keys(o).filter((k) => !["indices", "values", "dense_shape"].includes(k));
  if (extra.length) throw new Error(`${key}: unexpected field "${extra[0]}" in a sparse value`);
  const indices = tensorFromNested(o.indices, DT.DT_INT64, `${key}/indices`);
  // [] for no entries: an empty [0, rank] matrix.
  const rank = Array.isArray(o.dense_shape) ? o.dense_shape.length : 0;
  const fixedIndices =
    indices.shape.length === 1 && indices.shape[0] === 0 ? { ...indices, shape: [0, rank] } : indices;
  return {
    [`${key}/indices`]: fixedIndices,
    [`${key}/values`]: tensorFromNested(o.values, dtype, `${key}/values`),
    [`${key}/dense_shape`]: tensorFromNested(o.dense_shape, DT.DT_INT64, `${key}/dense_shape`),
  };
}
