/**
 * The tf.Example builder of the run form: rows of (feature name, kind, comma-separated values) per
 * example, validated, encoded with the executor's tf.Example writer into a [N] string input, and
 * turned into the feature dicts "Copy as…" writes. Pure.
 */
import { encodeExample, type FeatureValue } from "../../shared/example.js";
import { DataType as DT } from "../../savedmodel/dtypes.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import type { ExampleFeatureRow } from "../../protocol/run.js";

export type ExamplesResult =
  | { ok: true; tensor: DecodedTensor; dicts: Record<string, unknown[]>[]; floats: string[] }
  | { ok: false; error: string; example?: number; row?: number };

/** Splits "1, 2.5, x" at commas; a value may be "quoted, with commas" (JSON string syntax). */
export function splitValues(text: string): string[] {
  if (!text.trim()) return [];
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[^,]*?)\s*(,|$)/y;
  let i = 0;
  while (i <= text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) break;
    out.push(m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1]);
    if (m[2] === "") break;
    i = re.lastIndex;
  }
  return out;
}

function featureOf(row: ExampleFeatureRow): FeatureValue {
  const parts = row.values.trim() === "" ? [] : splitValues(row.values);
  if (row.kind === "bytes") return { kind: "bytes", values: parts.map((p) => new TextEncoder().encode(p)) };
  const nums = parts.map((p) => {
    const x = Number(p);
    if (p.trim() === "" || (Number.isNaN(x) && !/^nan$/i.test(p.trim()))) throw new Error(`"${p}" is not a number`);
    return x;
  });
  if (row.kind === "int64") {
    for (const x of nums) if (!Number.isSafeInteger(x)) throw new Error(`${x} is not an int64 value`);
    return { kind: "int64", values: nums };
  }
  return { kind: "float", values: nums };
}

/** Encodes every example (rows with an empty name or no values are left out). */
export function buildExamples(examples: ExampleFeatureRow[][]): ExamplesResult {
  if (!examples.length) return { ok: false, error: "add at least one example" };
  const enc: Uint8Array[] = [];
  const dicts: Record<string, unknown[]>[] = [];
  const floats = new Set<string>();
  for (let e = 0; e < examples.length; e++) {
    const feats: Record<string, FeatureValue> = {};
    const dict: Record<string, unknown[]> = {};
    for (let r = 0; r < examples[e].length; r++) {
      const row = examples[e][r];
      const name = row.name.trim();
      // a row without values is a feature the example does not set (the builder lists every feature the model parses)
      if (!name || !row.values.trim()) continue;
      if (name in feats) return { ok: false, error: `feature "${name}" appears twice`, example: e, row: r };
      try {
        feats[name] = featureOf(row);
      } catch (err) {
        return { ok: false, error: `feature "${name}": ${(err as Error).message}`, example: e, row: r };
      }
      const f = feats[name];
      dict[name] = f.kind === "bytes" ? f.values.map((b) => new TextDecoder().decode(b)) : [...f.values];
      if (f.kind === "float") floats.add(name);
    }
    enc.push(encodeExample(feats));
    dicts.push(dict);
  }
  return { ok: true, tensor: { dtype: DT.DT_STRING, shape: [enc.length], values: enc }, dicts, floats: [...floats] };
}

export { takesExamples } from "../../shared/example.js";
