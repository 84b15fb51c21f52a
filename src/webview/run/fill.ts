/**
 * Generated inputs: random / zeros / ones / range for any numeric, bool or string dtype, with a seeded
 * generator so a remembered run reproduces the same values. Pure; refuses huge shapes before allocating.
 */
import { DataType as DT, dtypeShortName } from "../../savedmodel/dtypes.js";
import type { DecodedTensor, TensorValues } from "../../savedmodel/tensor.js";
import { mulberry32 } from "../../savedmodel/random.js";

export type FillKind = "random" | "zeros" | "ones" | "range";

/** Most elements a generated input may have (64 Mi). */
export const MAX_FILL_ELEMENTS = 2 ** 26;

/** mulberry32: a small seeded PRNG in [0, 1). */
export const seededRandom = mulberry32;

/** What "random" draws for a dtype (shown next to the button). */
export function randomRange(dtype: number): string {
  switch (dtype) {
    case DT.DT_BOOL:
      return "true/false";
    case DT.DT_UINT8:
    case DT.DT_QUINT8:
      return "integers 0..255";
    case DT.DT_INT8:
      return "integers -128..127";
    case DT.DT_STRING:
      return "random words";
    default:
      return isFloat(dtype) ? "uniform [0, 1)" : "integers 0..9";
  }
}

export function isFloat(dtype: number): boolean {
  return [DT.DT_FLOAT, DT.DT_DOUBLE, DT.DT_HALF, DT.DT_BFLOAT16].includes(dtype);
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const WORDS = [
  "alpha",
  "beta",
  "gamma",
  "delta",
  "tensor",
  "graph",
  "model",
  "input",
  "value",
  "token",
  "hello",
  "world",
];

export function fillTensor(kind: FillKind, dtype: number, shape: readonly number[], seed = 1): DecodedTensor {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`shape [${shape.join(", ")}] has a dimension that is not a size`);
  const n = elementCount(shape);
  if (n > MAX_FILL_ELEMENTS)
    throw new Error(
      `[${shape.join(", ")}] is ${n.toLocaleString("en-US")} elements; generated inputs are limited to ${MAX_FILL_ELEMENTS.toLocaleString("en-US")}`,
    );
  const rnd = seededRandom(seed);
  const num = (i: number): number => {
    if (kind === "zeros") return 0;
    if (kind === "ones") return 1;
    if (kind === "range") return i;
    if (dtype === DT.DT_BOOL) return rnd() < 0.5 ? 0 : 1;
    if (isFloat(dtype)) return rnd();
    if (dtype === DT.DT_UINT8 || dtype === DT.DT_QUINT8) return Math.floor(rnd() * 256);
    if (dtype === DT.DT_INT8) return Math.floor(rnd() * 256) - 128;
    return Math.floor(rnd() * 10);
  };
  let values: TensorValues;
  switch (dtype) {
    case DT.DT_STRING:
      values = Array.from({ length: n }, (_, i) =>
        new TextEncoder().encode(
          kind === "zeros"
            ? ""
            : kind === "ones"
              ? "a"
              : kind === "range"
                ? String(i)
                : WORDS[Math.floor(rnd() * WORDS.length)],
        ),
      );
      break;
    case DT.DT_FLOAT:
    case DT.DT_HALF:
    case DT.DT_BFLOAT16:
      values = Float32Array.from({ length: n }, (_, i) => num(i));
      break;
    case DT.DT_DOUBLE:
      values = Float64Array.from({ length: n }, (_, i) => num(i));
      break;
    case DT.DT_INT32:
      values = Int32Array.from({ length: n }, (_, i) => num(i));
      break;
    case DT.DT_INT16:
      values = Int16Array.from({ length: n }, (_, i) => num(i));
      break;
    case DT.DT_INT8:
      values = Int8Array.from({ length: n }, (_, i) => num(i));
      break;
    case DT.DT_UINT8:
    case DT.DT_QUINT8:
      values = Uint8Array.from({ length: n }, (_, i) => (kind === "range" ? i % 256 : num(i)));
      break;
    case DT.DT_BOOL:
      values = Uint8Array.from({ length: n }, (_, i) => (kind === "range" ? i % 2 : num(i)));
      break;
    case DT.DT_UINT16:
      values = Uint16Array.from({ length: n }, (_, i) => num(i));
      break;
    case DT.DT_UINT32:
      values = Uint32Array.from({ length: n }, (_, i) => num(i));
      break;
    case DT.DT_INT64:
      values = BigInt64Array.from({ length: n }, (_, i) => BigInt(num(i)));
      break;
    case DT.DT_UINT64:
      values = BigUint64Array.from({ length: n }, (_, i) => BigInt(num(i)));
      break;
    default:
      throw new Error(`cannot generate ${dtypeShortName(dtype)} values`);
  }
  return { dtype, shape: [...shape], values };
}

/**
 * The seed a Random input really uses: the form's seed mixed with the input's key (FNV-1a), so four
 * same-shaped inputs with seed 1 get four different tensors, and the same key and seed always the same one.
 */
export function inputSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
