/** Tiny deterministic inputs for any signature: unknown dims 1, unknown rank [1]; tf.Example inputs get empty Examples. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fixtureNames, fixturePath } from "../../helpers/fixtures.js";

export interface Spec {
  key: string;
  dtype: number;
  shape?: number[];
  sparse?: unknown;
}
export interface Feed {
  dtype: number;
  shape: number[];
  values: unknown;
}

export function tinyFeeds(sig: { inputs: Spec[]; method?: string }): Record<string, Feed> {
  const feeds: Record<string, Feed> = {};
  sig.inputs.forEach((i, idx) => {
    const shape = (i.shape ?? [1]).map((d) => (d < 0 ? 1 : d));
    const n = shape.reduce((a, b) => a * b, 1);
    const f = (k: number) => (((k + idx) * 7) % 13) / 13 - 0.3;
    let values: unknown;
    switch (i.dtype) {
      case 7:
        // An empty serialized tf.Example is a valid one (every feature missing); other strings are words.
        values = Array.from({ length: n }, (_, k) =>
          /example|input_example_tensor|^inputs$/i.test(i.key)
            ? new Uint8Array(0)
            : new TextEncoder().encode(["hello world", "a b"][k % 2]),
        );
        break;
      case 9:
        // TFX signatures feed COO components as separate int64 inputs: indices [-1, r] (zeros: the
        // first element) and dense_shape [r] (ones), so any such triple is a valid sparse tensor.
        values = BigInt64Array.from({ length: n }, () => (i.shape?.length === 1 && i.shape[0] > 0 ? 1n : 0n));
        break;
      case 23:
        values = BigUint64Array.from({ length: n }, (_, k) => BigInt(k % 3));
        break;
      case 3:
        values = Int32Array.from({ length: n }, (_, k) => k % 3);
        break;
      case 22:
        values = Uint32Array.from({ length: n }, (_, k) => k % 3);
        break;
      case 5:
        values = Int16Array.from({ length: n }, (_, k) => k % 3);
        break;
      case 17:
        values = Uint16Array.from({ length: n }, (_, k) => k % 3);
        break;
      case 6:
        values = Int8Array.from({ length: n }, (_, k) => k % 3);
        break;
      case 4:
      case 10:
        values = Uint8Array.from({ length: n }, (_, k) => k % 2);
        break;
      case 2:
        values = Float64Array.from({ length: n }, (_, k) => f(k));
        break;
      default:
        values = Float32Array.from({ length: n }, (_, k) => f(k));
    }
    feeds[i.key] = { dtype: i.dtype, shape, values };
  });
  return feeds;
}

/** Fixture folders holding a SavedModel (saved_model.pb or .pbtxt), sorted. */
export function savedModelFixtures(): string[] {
  return fixtureNames().filter(
    (n) => existsSync(join(fixturePath(n), "saved_model.pb")) || existsSync(join(fixturePath(n), "saved_model.pbtxt")),
  );
}

/** Largest |a - b| / (1 + |b|) over two decoded tensors (NaN on both sides counts as equal). */
export function maxRelDiff(a: { values: unknown; shape: number[] }, b: { values: unknown; shape: number[] }): number {
  if (a.shape.join() !== b.shape.join()) return Infinity;
  if (Array.isArray(a.values)) {
    const x = a.values as Uint8Array[];
    const y = b.values as Uint8Array[];
    return x.every((v, i) => Buffer.from(v).equals(Buffer.from(y[i]))) ? 0 : Infinity;
  }
  const x = Array.from(a.values as ArrayLike<number | bigint>, Number);
  const y = Array.from(b.values as ArrayLike<number | bigint>, Number);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
    if (x[i] === y[i]) continue;
    m = Math.max(m, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  }
  return m;
}
