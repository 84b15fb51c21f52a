/**
 * tf.Example encoding for `--input_examples` (saved_model_cli syntax: a list of dicts of feature lists).
 * Floats are told from ints by their spelling ("1.0" is a float, "1" an int64), as in Python.
 */
import $protobuf from "../../proto/runtime.js";
import { DataType as DT } from "../savedmodel/dtypes.js";

export type FeatureValue =
  | { kind: "float"; values: number[] }
  | { kind: "int64"; values: (number | bigint)[] }
  | { kind: "bytes"; values: Uint8Array[] };

class FloatLit {
  constructor(readonly v: number) {}
}

/** Parses JSON where number literals with '.', 'e' or 'E' stay marked as floats. */
export function parseJsonKeepFloats(text: string): unknown {
  const parts = text.split(/("(?:[^"\\]|\\.)*")/);
  const marked = parts
    .map((p, i) =>
      i % 2 === 1
        ? p
        : p.replace(
            /-?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][-+]?\d+)/g,
            (m) => `{"__float__":${/^-?\./.test(m) ? m.replace(".", "0.") : m.replace(/\.(?!\d)/, ".0")}}`,
          ),
    )
    .join("");
  return JSON.parse(marked, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "__float__" in v
      ? new FloatLit(v.__float__)
      : v,
  );
}

function featureOf(name: string, raw: unknown): FeatureValue {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return { kind: "float", values: [] };
  if (list.every((x) => typeof x === "string"))
    return { kind: "bytes", values: list.map((s) => new TextEncoder().encode(s as string)) };
  if (list.some((x) => x instanceof FloatLit))
    return { kind: "float", values: list.map((x) => (x instanceof FloatLit ? x.v : Number(x))) };
  if (list.every((x) => typeof x === "number" && Number.isInteger(x)))
    return { kind: "int64", values: list as number[] };
  throw new Error(`feature "${name}": values must be all strings, all numbers`);
}

/** Encodes one tf.Example from a feature dict. */
export function encodeExample(features: Record<string, FeatureValue>): Uint8Array {
  const w = $protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork(); // features
  for (const [k, f] of Object.entries(features)) {
    w.uint32((1 << 3) | 2).fork(); // map entry
    w.uint32((1 << 3) | 2).string(k);
    w.uint32((2 << 3) | 2).fork(); // Feature
    const field = f.kind === "bytes" ? 1 : f.kind === "float" ? 2 : 3;
    w.uint32((field << 3) | 2).fork();
    if (f.kind === "bytes") for (const b of f.values) w.uint32((1 << 3) | 2).bytes(b);
    else {
      w.uint32((1 << 3) | 2).fork();
      for (const v of f.values)
        if (f.kind === "float") w.float(v as number);
        else w.int64(v as number);
      w.ldelim();
    }
    w.ldelim();
    w.ldelim();
    w.ldelim();
  }
  w.ldelim();
  return w.finish();
}

/** `[{"x":[1.0]}, ...]` → serialized Examples. */
export function examplesFromJson(text: string): Uint8Array[] {
  const v = parseJsonKeepFloats(text);
  const list = Array.isArray(v) ? v : [v];
  return list.map((ex, i) => {
    if (!ex || typeof ex !== "object" || Array.isArray(ex))
      throw new Error(`example ${i} is not a {feature: values} object`);
    const feats: Record<string, FeatureValue> = {};
    for (const [k, raw] of Object.entries(ex as Record<string, unknown>)) feats[k] = featureOf(k, raw);
    return encodeExample(feats);
  });
}

/** Whether an input is serialized tf.Examples: a string input of a classify/regress signature (or named like one). */
export function takesExamples(methodName: string, input: { key: string; dtype: number }): boolean {
  if (input.dtype !== DT.DT_STRING) return false;
  return /classify|regress/.test(methodName) || /example/i.test(input.key);
}
