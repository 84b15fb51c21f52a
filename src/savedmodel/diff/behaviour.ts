/**
 * Behaviour comparison, the pure half: seeded random inputs built from a signature's specs, and per-output
 * deltas (max |Δ|, mean |Δ|, argmax changes for classifier-like outputs) between two runs on the same inputs.
 * Running the two exports is the caller's business (the executor lives elsewhere).
 */
import { DataType, dtypeShortName } from "../dtypes.js";
import type { TensorSpecInfo } from "../modelTypes.js";
import { mulberry32 } from "../random.js";
import type { DecodedTensor } from "../tensor.js";
import type { BehaviourDiff, OutputDelta } from "./types.js";
import { accumulate, finishDrift, newAccumulator } from "./weights.js";

const DT = DataType;

/** A concrete shape for a spec: unknown dims become `batch` (first) or 1; unknown rank becomes [batch]. */
export function concreteShape(shape: number[] | undefined, batch = 4): number[] {
  if (shape === undefined) return [batch];
  return shape.map((d, i) => (d >= 0 ? d : i === 0 ? batch : 1));
}

/** Reproducible random inputs for a signature: floats in [-1, 1), integers in [0, 10), bools, short strings. */
export function randomInputs(
  specs: Pick<TensorSpecInfo, "key" | "dtype" | "shape">[],
  seed = 1,
  batch = 4,
): Record<string, DecodedTensor> {
  const next = mulberry32(seed);
  const out: Record<string, DecodedTensor> = {};
  for (const s of specs) {
    const shape = concreteShape(s.shape, batch);
    const n = shape.reduce((a, b) => a * b, 1);
    const d = s.dtype > 100 ? s.dtype - 100 : s.dtype;
    let values: DecodedTensor["values"];
    switch (d) {
      case DT.DT_FLOAT:
      case DT.DT_HALF:
      case DT.DT_BFLOAT16:
        values = Float32Array.from({ length: n }, () => next() * 2 - 1);
        break;
      case DT.DT_DOUBLE:
        values = Float64Array.from({ length: n }, () => next() * 2 - 1);
        break;
      case DT.DT_INT64:
        values = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(next() * 10)));
        break;
      case DT.DT_UINT64:
        values = BigUint64Array.from({ length: n }, () => BigInt(Math.floor(next() * 10)));
        break;
      case DT.DT_INT32:
        values = Int32Array.from({ length: n }, () => Math.floor(next() * 10));
        break;
      case DT.DT_INT16:
        values = Int16Array.from({ length: n }, () => Math.floor(next() * 10));
        break;
      case DT.DT_INT8:
        values = Int8Array.from({ length: n }, () => Math.floor(next() * 10));
        break;
      case DT.DT_UINT8:
        values = Uint8Array.from({ length: n }, () => Math.floor(next() * 10));
        break;
      case DT.DT_UINT16:
        values = Uint16Array.from({ length: n }, () => Math.floor(next() * 10));
        break;
      case DT.DT_UINT32:
        values = Uint32Array.from({ length: n }, () => Math.floor(next() * 10));
        break;
      case DT.DT_BOOL:
        values = Uint8Array.from({ length: n }, () => (next() < 0.5 ? 0 : 1));
        break;
      case DT.DT_STRING:
        values = Array.from({ length: n }, () => new TextEncoder().encode(`token${Math.floor(next() * 100)}`));
        break;
      default:
        values = Float32Array.from({ length: n }, () => next() * 2 - 1);
    }
    out[s.key] = { dtype: d, shape, values };
  }
  return out;
}

function numbers(t: DecodedTensor): ArrayLike<number> {
  const v = t.values;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, (x) => Number(x));
  return v as ArrayLike<number>;
}

const sameBytes = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);

/** Fraction of rows whose argmax differs, for [N, C] (C > 1) float outputs; undefined otherwise. */
function argmaxChanged(a: DecodedTensor, b: DecodedTensor): number | undefined {
  const floaty = [DT.DT_FLOAT, DT.DT_DOUBLE, DT.DT_HALF, DT.DT_BFLOAT16].includes(a.dtype);
  if (!floaty || a.shape.length !== 2 || a.shape[1] < 2) return undefined;
  const [rows, cols] = a.shape;
  const xa = numbers(a);
  const xb = numbers(b);
  const arg = (x: ArrayLike<number>, r: number) => {
    let best = 0;
    for (let c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
    return best;
  };
  let changed = 0;
  for (let r = 0; r < rows; r++) if (arg(xa, r) !== arg(xb, r)) changed++;
  return rows ? changed / rows : 0;
}

export function compareOutput(key: string, a: DecodedTensor, b: DecodedTensor, atol: number): OutputDelta {
  const base = { key, dtype: dtypeShortName(a.dtype), shapeA: a.shape, shapeB: b.shape };
  if (a.dtype !== b.dtype)
    return {
      ...base,
      maxAbs: NaN,
      meanAbs: NaN,
      equal: false,
      detail: `dtype ${dtypeShortName(a.dtype)} → ${dtypeShortName(b.dtype)}`,
    };
  if (a.shape.join(",") !== b.shape.join(","))
    return { ...base, maxAbs: NaN, meanAbs: NaN, equal: false, detail: `shape [${a.shape}] → [${b.shape}]` };
  if (Array.isArray(a.values)) {
    const sa = a.values as Uint8Array[];
    const sb = b.values as Uint8Array[];
    const diff = sa.filter((x, i) => !sameBytes(x, sb[i])).length;
    return {
      ...base,
      maxAbs: NaN,
      meanAbs: NaN,
      equal: diff === 0,
      detail: diff ? `${diff} of ${sa.length} strings differ` : undefined,
    };
  }
  const acc = newAccumulator();
  accumulate(acc, numbers(a), numbers(b));
  const d = finishDrift(acc);
  const r: OutputDelta = {
    ...base,
    maxAbs: d.maxAbs,
    meanAbs: d.meanAbs,
    equal: d.maxAbs <= atol && d.nanMismatch === 0,
  };
  const am = argmaxChanged(a, b);
  if (am !== undefined) r.argmaxChanged = am;
  return r;
}

/** Compares the outputs of two runs of one signature. */
export function compareOutputs(
  signature: string,
  a: Record<string, DecodedTensor>,
  b: Record<string, DecodedTensor>,
  atol: number,
  inputs: { kind: BehaviourDiff["inputs"]; seed?: number },
): BehaviourDiff {
  const outputs: OutputDelta[] = [];
  for (const k of Object.keys(a).sort()) if (b[k]) outputs.push(compareOutput(k, a[k], b[k], atol));
  const onlyA = Object.keys(a)
    .filter((k) => !b[k])
    .sort();
  const onlyB = Object.keys(b)
    .filter((k) => !a[k])
    .sort();
  return {
    signature,
    atol,
    inputs: inputs.kind,
    seed: inputs.seed,
    outputs,
    onlyA,
    onlyB,
    beyondAtol: outputs.some((o) => !o.equal) || onlyA.length > 0,
  };
}
