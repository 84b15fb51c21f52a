/**
 * The run as "Copy as…" sees it: each input's source (typed JSON, a file, generated values, an image,
 * tf.Examples) turned into a RunRecipe for src/webview/run/copyAs.ts. Small generated/typed inputs are
 * written out as literals; big ones (an image, a random [1,224,224,3]) point at an .npz of the inputs.
 */
import { DataType as DT, dtypeShortName } from "../../savedmodel/dtypes.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import type { InputSource, RunFormState } from "../../protocol/run.js";
import type { RunInputSpec, RunRecipe } from "./copyAs.js";

/** Inputs with more elements than this are referenced as `inputs.npz[key]` instead of written out. */
export const MAX_LITERAL_ELEMENTS = 4096;
export const INPUTS_NPZ = "inputs.npz";

/** A tensor as nested arrays (numbers, bigints, booleans, strings). */
export function toNested(t: DecodedTensor): unknown {
  const v = t.values;
  const at = (i: number): unknown =>
    Array.isArray(v)
      ? new TextDecoder().decode(v[i])
      : t.dtype === DT.DT_BOOL
        ? v[i] !== 0
        : (v as ArrayLike<number | bigint>)[i];
  if (t.shape.length === 0) return at(0);
  const rec = (dim: number, off: number): unknown[] => {
    const n = t.shape[dim];
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) =>
      dim === t.shape.length - 1 ? at(off + i) : rec(dim + 1, off + i * stride),
    );
  };
  return rec(0, 0);
}

export interface RecipeInput {
  source: InputSource;
  tensor?: DecodedTensor;
  /** For tf.Example inputs: the feature dicts and which features are floats. */
  examples?: { dicts: Record<string, unknown[]>[]; floats: string[] };
  /** A sparse input's components (key/indices, key/values, key/dense_shape). */
  components?: Record<string, DecodedTensor>;
}

export function buildRecipe(
  state: Pick<RunFormState, "dir" | "tags" | "signature" | "methodName" | "inputs">,
  inputs: Record<string, RecipeInput>,
): { recipe: RunRecipe; needsNpz: string[] } {
  const out: RunInputSpec[] = [];
  const needsNpz: string[] = [];
  for (const spec of state.inputs) {
    const i = inputs[spec.key];
    if (!i || i.source.kind === "default") continue;
    const dtype = dtypeShortName(spec.dtype);
    if (i.components) {
      // `savedmodel run` takes a sparse input's components as key/indices, key/values, key/dense_shape.
      for (const [k, t] of Object.entries(i.components))
        out.push({ key: k, kind: "expr", dtype: dtypeShortName(t.dtype), shape: t.shape, value: toNested(t) });
      continue;
    }
    if (i.source.kind === "examples" && i.examples) {
      out.push({ key: spec.key, kind: "examples", examples: i.examples.dicts, floats: i.examples.floats });
      continue;
    }
    if (i.source.kind === "file" && !/\.json$/i.test(i.source.path)) {
      const file = i.source.member ? `${i.source.path}[${i.source.member}]` : i.source.path;
      const small = i.tensor && i.tensor.values.length <= MAX_LITERAL_ELEMENTS;
      out.push({
        key: spec.key,
        kind: "file",
        dtype,
        shape: i.tensor?.shape ?? [],
        file,
        ...(small ? { value: toNested(i.tensor!) } : {}),
      });
      continue;
    }
    if (!i.tensor) continue;
    if (i.tensor.values.length > MAX_LITERAL_ELEMENTS) {
      needsNpz.push(spec.key);
      out.push({ key: spec.key, kind: "file", dtype, shape: i.tensor.shape, file: `${INPUTS_NPZ}[${spec.key}]` });
      // (too big to write out: the TF Serving body names the file instead of its values)
      continue;
    }
    out.push({ key: spec.key, kind: "expr", dtype, shape: i.tensor.shape, value: toNested(i.tensor) });
  }
  return {
    recipe: { dir: state.dir, tags: state.tags, signature: state.signature, methodName: state.methodName, inputs: out },
    needsNpz,
  };
}
