/**
 * The inputs of `savedmodel run` and `diff --run`, as `saved_model_cli run` takes them: `--inputs`
 * (.npy, .npz[name], .json; a sparse input's .npz with indices/values/dense_shape), `--input_exprs`
 * (Python-like literals; a sparse input as {indices, values, dense_shape}) and `--input_examples`
 * (tf.Examples as JSON). Pure CLI parsing: no executor, no tfjs.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { decodeNpy, decodeNpz } from "../savedmodel/npy.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import { examplesFromJson, parseJsonKeepFloats } from "../shared/example.js";
import {
  parseValueExpr,
  sparseFromObject,
  sparsePart,
  sparsePartDtype,
  splitAssignments,
  tensorFromNested,
} from "../shared/feeds.js";
import type { SignatureInfo, TensorSpec } from "../executor/session.js";
import { UsageError } from "./io.js";

export type FeedFlags = Record<string, string | boolean | string[] | undefined>;

/** The feeds the flags give for `sig` (empty when none of the three flags is set). */
export async function feedsFromFlags(
  flags: FeedFlags,
  sig: SignatureInfo,
  cwd: string,
): Promise<Record<string, DecodedTensor>> {
  const specOf = (k: string, flag: string): TensorSpec => {
    // A sparse (COO) input's components: k/indices, k/values, k/dense_shape.
    const part = sparsePart(k);
    const whole = part ? sig.inputs.find((i) => i.key === part.input && i.sparse) : undefined;
    if (part && whole && !sig.inputs.some((i) => i.key === k))
      return { ...whole, key: k, dtype: sparsePartDtype(part.part, whole.dtype) };
    const s = sig.inputs.find((i) => i.key === k);
    if (!s)
      throw new UsageError(
        `${flag}: signature "${sig.key}" has no input "${k}" (inputs: ${sig.inputs.map((i) => i.key).join(", ")})`,
      );
    return s;
  };
  const feeds: Record<string, DecodedTensor> = {};
  const set = (k: string, t: DecodedTensor, flag: string) => {
    if (feeds[k]) throw new UsageError(`${flag}: input "${k}" is given twice`);
    feeds[k] = t;
  };
  for (const [k, v] of splitAssignments(String(flags.inputs ?? ""), "--inputs")) {
    const spec = specOf(k, "--inputs");
    // A sparse input from an .npz holding indices, values and dense_shape: all three components.
    if (spec.sparse && /\.npz$/i.test(v.trim())) {
      const arrays = await decodeNpz(await readFile(resolve(cwd, v.trim())), resolve(cwd, v.trim()));
      if (["indices", "values", "dense_shape"].every((p) => p in arrays)) {
        for (const p of ["indices", "values", "dense_shape"]) set(`${k}/${p}`, arrays[p], "--inputs");
        continue;
      }
    }
    set(k, await readInputFile(cwd, v, spec.dtype, k), "--inputs");
  }
  for (const [k, v] of splitAssignments(String(flags.input_exprs ?? ""), "--input_exprs")) {
    try {
      const spec = specOf(k, "--input_exprs");
      const parts =
        spec.sparse && v.trim().startsWith("{") ? sparseFromObject(parseJsonKeepFloats(v), spec.dtype, k) : undefined;
      if (parts) {
        for (const [pk, t] of Object.entries(parts)) set(pk, t, "--input_exprs");
        continue;
      }
      set(k, parseValueExpr(v, specOf(k, "--input_exprs").dtype, `--input_exprs ${k}`), "--input_exprs");
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError((e as Error).message);
    }
  }
  for (const [k, v] of splitAssignments(String(flags.input_examples ?? ""), "--input_examples")) {
    specOf(k, "--input_examples");
    let ex: Uint8Array[];
    try {
      ex = examplesFromJson(v);
    } catch (e) {
      throw new UsageError(`--input_examples ${k}: ${(e as Error).message}`);
    }
    set(k, { dtype: 7, shape: [ex.length], values: ex }, "--input_examples");
  }
  return feeds;
}

async function readInputFile(cwd: string, spec: string, dtype: number, key: string): Promise<DecodedTensor> {
  const m = /^(.*?)(?:\[([^\]]+)\])?$/.exec(spec.trim())!;
  const file = resolve(cwd, m[1]);
  const bytes = await readFile(file).catch((e: Error) => {
    throw new UsageError(`--inputs ${key}: cannot read ${file}: ${e.message}`);
  });
  if (file.endsWith(".npz")) {
    const arrays = await decodeNpz(bytes, file);
    const names = Object.keys(arrays);
    const name = m[2] ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined)
      throw new UsageError(`--inputs ${key}: ${file} holds ${names.join(", ")}; pick one with ${m[1]}[NAME]`);
    const t = arrays[name];
    if (!t) throw new UsageError(`--inputs ${key}: ${file} has no array "${name}" (it has ${names.join(", ")})`);
    return t;
  }
  if (file.endsWith(".json"))
    return tensorFromNested(parseJsonKeepFloats(new TextDecoder().decode(bytes)), dtype, `--inputs ${key}`);
  if (m[2]) throw new UsageError(`--inputs ${key}: [${m[2]}] applies to .npz files only`);
  return decodeNpy(bytes, file);
}
