/**
 * Validating what a user types for one input against the signature's dtype and shape: JSON (or the
 * Python-ish literals `saved_model_cli --input_exprs` takes), text lines for string inputs, and the
 * concrete shape for `-1` / unknown dimensions. Pure.
 */
import { DataType as DT, dtypeShortName } from "../../savedmodel/dtypes.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import { parseValueExpr, pythonLiteralToJson, sparseFromObject } from "../../shared/feeds.js";

export type ParseResult =
  | {
      ok: true;
      tensor: DecodedTensor;
      /** the flat list was laid out to this shape */ reshapedFrom?: number[];
      /** the shape differs from the declared one: it runs (as TF's C runtime feeds it), with this note */
      shapeWarning?: string;
    }
  | { ok: false; error: string };

/**
 * A flat list for a shape with one unknown dimension, e.g. [1, 2, 5] for [-1, 1]: the shape it fills
 * ([3, 1]), or undefined when it does not divide evenly or the spec has more than one unknown.
 */
export function fitFlat(spec: readonly number[] | undefined, count: number): number[] | undefined {
  if (!spec || spec.length < 2) return undefined;
  const unknown = spec.filter((d) => d < 0).length;
  const known = spec.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
  if (unknown > 1 || known === 0) return undefined;
  if (unknown === 0) return count === known ? [...spec] : undefined;
  if (count % known !== 0) return undefined;
  return spec.map((d) => (d < 0 ? count / known : d));
}

const INT_RANGE: Partial<Record<number, [number, number]>> = {
  [DT.DT_INT8]: [-128, 127],
  [DT.DT_UINT8]: [0, 255],
  [DT.DT_INT16]: [-32768, 32767],
  [DT.DT_UINT16]: [0, 65535],
  [DT.DT_INT32]: [-(2 ** 31), 2 ** 31 - 1],
  [DT.DT_UINT32]: [0, 2 ** 32 - 1],
  [DT.DT_INT64]: [-(2 ** 63), 2 ** 63],
  [DT.DT_UINT64]: [0, 2 ** 64],
};

/**
 * A fed shape that differs from the declared one still runs, as TensorFlow's C runtime (TF Serving,
 * tfjs-node) feeds it; the note says so.
 */
export function shapeWarning(spec: readonly number[] | undefined, shape: readonly number[]): string | undefined {
  const bad = shapeMismatch(spec, shape);
  return (
    bad &&
    `declared [${spec!.join(", ")}], fed [${shape.join(", ")}]: runs as TF Serving would; Python's session.run would refuse it`
  );
}

/** "[-1, 3]" vs [2, 3]: the first mismatch as text, or undefined when `shape` fits `spec`. */
export function shapeMismatch(spec: readonly number[] | undefined, shape: readonly number[]): string | undefined {
  if (!spec) return undefined;
  if (spec.length !== shape.length)
    return `expects rank ${spec.length} [${spec.join(", ")}], got rank ${shape.length} [${shape.join(", ")}]`;
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] >= 0 && spec[i] !== shape[i])
      return `dimension ${i} must be ${spec[i]}, got ${shape[i]} (shape [${shape.join(", ")}] vs [${spec.join(", ")}])`;
  }
  return undefined;
}

/** The dims the user must give: indices of unknown (-1) dimensions; all of them for unknown rank. */
export function unknownDims(spec: readonly number[] | undefined): number[] {
  return spec ? spec.flatMap((d, i) => (d < 0 ? [i] : [])) : [];
}

/**
 * A concrete shape: `spec` with its -1 dims replaced, in order, by `sizes` (missing ones default to
 * `fallback`). Unknown rank: `sizes` is the whole shape.
 */
export function concreteShape(spec: readonly number[] | undefined, sizes: readonly number[], fallback = 1): number[] {
  if (!spec) return sizes.map((s) => Math.max(0, Math.trunc(s)));
  let j = 0;
  return spec.map((d) => (d >= 0 ? d : Math.max(0, Math.trunc(sizes[j++] ?? fallback))));
}

function checkElements(flat: unknown[], dtype: number): string | undefined {
  const range = INT_RANGE[dtype];
  for (let i = 0; i < flat.length; i++) {
    const x = flat[i];
    if (dtype === DT.DT_STRING) continue;
    if (dtype === DT.DT_BOOL) {
      if (typeof x !== "boolean" && x !== 0 && x !== 1)
        return `element ${i} (${JSON.stringify(x)}) is not a bool (true/false, 1/0)`;
      continue;
    }
    if (typeof x === "string" && /^[-+]?(nan|inf|infinity)$/i.test(x)) {
      if (range) return `element ${i} (${x}) is not an integer`;
      continue;
    }
    if (typeof x !== "number" && typeof x !== "boolean") return `element ${i} (${JSON.stringify(x)}) is not a number`;
    const n = Number(x);
    if (range) {
      if (!Number.isInteger(n)) return `element ${i} (${n}) is not an integer (${dtypeShortName(dtype)})`;
      if (n < range[0] || n > range[1])
        return `element ${i} (${n}) is out of range for ${dtypeShortName(dtype)} [${range[0]}, ${range[1]}]`;
    }
  }
  return undefined;
}

function flatten(v: unknown): unknown[] {
  const unwrap = (x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) && "v" in (x as object) ? (x as { v: unknown }).v : x;
  return Array.isArray(v) ? (v as unknown[]).flat(Infinity).map(unwrap) : [unwrap(v)];
}

/** Bare nan / inf / -inf / Infinity (Python and JS spellings) as strings the tensor builder understands. */
function quoteSpecials(text: string): string {
  return text.replace(/(^|[\[,\s(])(-?(?:nan|NaN|inf|Infinity))(?=[\],\s)]|$)/g, '$1"$2"');
}

/** Parses JSON (or Python-ish literals) for an input of `dtype`, checked against `spec`. */
export function parseInputText(
  text: string,
  dtype: number,
  spec: readonly number[] | undefined,
  key = "value",
): ParseResult {
  if (!text.trim()) return { ok: false, error: "empty: type a value such as [1.0, 2.0]" };
  let tensor: DecodedTensor;
  try {
    tensor = parseValueExpr(quoteSpecials(text), dtype, key);
  } catch (e) {
    return { ok: false, error: (e as Error).message.replace(`${key}: `, "") };
  }
  let reshapedFrom: number[] | undefined;
  let mismatch: string | undefined;
  const bad = shapeMismatch(spec, tensor.shape);
  if (bad) {
    const fit = tensor.shape.length === 1 ? fitFlat(spec, tensor.shape[0]) : undefined;
    if (!fit) mismatch = shapeWarning(spec, tensor.shape);
    else {
      reshapedFrom = tensor.shape;
      tensor = { ...tensor, shape: fit };
    }
  }
  if (!/^\s*(np|numpy)\./.test(text)) {
    try {
      const json = pythonLiteralToJson(text.trim());
      const err = checkElements(flatten(JSON.parse(quoteSpecials(json))), dtype);
      if (err) return { ok: false, error: err };
    } catch {
      // parseValueExpr accepted it: the float-marking parser is more lenient than JSON.parse; keep its result
    }
  }
  return {
    ok: true,
    tensor,
    ...(reshapedFrom ? { reshapedFrom } : {}),
    ...(mismatch ? { shapeWarning: mismatch } : {}),
  };
}

/** One string per line (a trailing empty line ignored) as a string tensor of a fitting shape. */
export function parseTextLines(text: string, spec: readonly number[] | undefined): ParseResult {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const enc = new TextEncoder();
  const values = lines.map((l) => enc.encode(l));
  let shape: number[];
  if (spec && spec.length === 0) shape = values.length === 1 ? [] : [values.length];
  else if (!spec || spec.length === 1) shape = [values.length];
  else if (spec.length === 2 && (spec[1] === 1 || spec[1] < 0)) shape = [values.length, 1];
  else
    return {
      ok: false,
      error: `text lines fill a [N] or [N, 1] string input; this one is [${spec.join(", ")}]: type JSON instead`,
    };
  const warning = shapeWarning(spec, shape);
  return { ok: true, tensor: { dtype: DT.DT_STRING, shape, values }, ...(warning ? { shapeWarning: warning } : {}) };
}

/** "2, 3" / "[2, 3]" / "" (a scalar) as a shape, or an error for anything else. */
export function parseShapeText(text: string): { ok: true; shape: number[] } | { ok: false; error: string } {
  const t = text
    .trim()
    .replace(/^[[(]|[\])]$/g, "")
    .trim();
  if (!t) return { ok: true, shape: [] };
  const parts = t.split(/[\s,x×]+/).filter(Boolean);
  const shape = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || !Number.isSafeInteger(shape[i]));
  if (bad !== undefined) return { ok: false, error: `"${bad}" is not a size: give the shape as sizes, e.g. 2, 3` };
  return { ok: true, shape };
}

/**
 * A sparse (COO) input typed as {"indices": [[0, 1]], "values": [2.5], "dense_shape": [2, 3]}: its
 * component tensors; undefined when the text is not such an object (a dense value is fed as is).
 */
export function parseSparseText(
  text: string,
  dtype: number,
  key: string,
): { ok: true; parts: Record<string, DecodedTensor> } | { ok: false; error: string } | undefined {
  if (!text.trim().startsWith("{")) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `cannot parse the sparse value: ${(e as Error).message}` };
  }
  try {
    const parts = sparseFromObject(v, dtype, key);
    if (!parts)
      return { ok: false, error: 'a sparse value is {"indices": [...], "values": [...], "dense_shape": [...]}' };
    return { ok: true, parts };
  } catch (e) {
    return { ok: false, error: (e as Error).message.replace(`${key}: `, "") };
  }
}
