/**
 * Checkpoint restore (RestoreV2 through our tensor-bundle reader), asset reads confined to the export
 * folder, and the refusal of every op that touches files, network or processes.
 */
import * as tf from "@tensorflow/tfjs-core";
import { isPlainExportPath } from "../../savedmodel/containment.js";
import { TensorBundle } from "../../savedmodel/tensorBundle/index.js";
import { attrTypeList } from "../attrs.js";
import type { KernelDef, KernelTable, OpContext } from "../kernel.js";
import type { SessionState } from "../state.js";
import { UNSAFE_OPS } from "../unsafeOps.js";
import { isTensor, toTfTensor, type Value } from "../values.js";

const utf8 = new TextDecoder();

export async function stringScalar(v: Value, what: string): Promise<string> {
  if (!isTensor(v) || v.dtype !== "string") throw new Error(`${what} is not a string tensor`);
  return utf8.decode(((await v.bytes()) as Uint8Array[])[0]);
}

async function strings(v: Value, what: string): Promise<string[]> {
  if (!isTensor(v) || v.dtype !== "string") throw new Error(`${what} is not a string tensor`);
  return ((await v.bytes()) as Uint8Array[]).map((b) => utf8.decode(b));
}

/** The checkpoint prefix the loader feeds; any other prefix is mapped back into the export folder. */
export const VARIABLES_PREFIX = "variables/variables";

export function openBundleCached(s: SessionState, prefix: string): Promise<TensorBundle> {
  let p = s.bundles.get(prefix) as Promise<TensorBundle> | undefined;
  if (!p) {
    p = TensorBundle.open(s.fs, prefix);
    s.bundles.set(prefix, p);
  }
  return p;
}

async function restoreV2(c: OpContext): Promise<Value[]> {
  let prefix = await stringScalar(c.inputs[0], "prefix");
  if (prefix !== VARIABLES_PREFIX) {
    const m = /(?:^|\/)(variables\/variables)$/.exec(prefix);
    if (!m) throw new Error(`refused: RestoreV2 from "${prefix}", outside the export's variables/`);
    prefix = VARIABLES_PREFIX;
  }
  const names = await strings(c.inputs[1], "tensor_names");
  const slices = await strings(c.inputs[2], "shape_and_slices");
  const dtypes = attrTypeList(c.attrs, "dtypes");
  const bundle = await openBundleCached(c.run.session, prefix);
  const out: Value[] = [];
  for (let i = 0; i < names.length; i++) {
    const d = await bundle.readTensor(names[i], { maxElements: c.run.session.maxElements });
    if (dtypes[i] !== undefined && d.dtype !== dtypes[i]) {
      throw new Error(`checkpoint tensor "${names[i]}" has dtype ${d.dtype}, the graph expects ${dtypes[i]}`);
    }
    const full = toTfTensor(d, (m) => c.run.session.warn(m), `variable "${names[i]}"`);
    out.push(slices[i] ? applySliceSpec(full, slices[i], names[i]) : full);
  }
  return out;
}

/**
 * A partitioned variable's part: "<full dims> <start,length|- per dim>", e.g. "100 0,50" = elements 0..49 of a
 * [100] variable (TensorSlice spec as tf.train.Saver writes it).
 */
export function applySliceSpec(full: tf.Tensor, spec: string, name: string): tf.Tensor {
  const parts = spec.trim().split(/\s+/);
  const rank = full.rank;
  if (parts.length !== rank + 1) throw new Error(`slice spec "${spec}" of "${name}" does not match rank ${rank}`);
  const dims = parts.slice(0, rank).map(Number);
  if (dims.some((d, i) => d !== full.shape[i]))
    throw new Error(`slice spec "${spec}": full shape [${dims}] differs from the checkpoint's [${full.shape}]`);
  const ext = parts[rank].split(":");
  const begin: number[] = [];
  const size: number[] = [];
  ext.forEach((e, i) => {
    if (e === "-") {
      begin.push(0);
      size.push(-1);
    } else {
      const [b, l] = e.split(",").map(Number);
      begin.push(b);
      size.push(l);
    }
  });
  if (begin.every((b) => b === 0) && size.every((l, i) => l === -1 || l === full.shape[i])) return full;
  return tf.slice(full, begin, size);
}

/** Maps a path from the graph to a path inside the export folder, or undefined when it is outside. */
export async function assetPath(s: SessionState, path: string): Promise<string | undefined> {
  const norm = path.replace(/\\/g, "/");
  // a plain relative path under assets/ (no "..", ".", empty parts); the FileAccess then resolves it on disk and
  // refuses links that leave the export, loops and special files (src/savedmodel/containment.ts)
  const inside = (p: string) => isPlainExportPath(p) && /^(assets|assets\.extra)\/./.test(p);
  if (inside(norm) && (await s.fs.size(norm)) !== undefined) return norm;
  const k = Math.max(norm.lastIndexOf("/assets/"), norm.lastIndexOf("/assets.extra/"));
  if (k >= 0) {
    const rel = norm.slice(k + 1);
    if (inside(rel) && (await s.fs.size(rel)) !== undefined) return rel;
  }
  return undefined;
}

export async function readAsset(s: SessionState, path: string): Promise<Uint8Array> {
  const p = await assetPath(s, path);
  if (!p) throw new Error(`refused: reading "${path}", which is not an asset inside the export folder`);
  return s.fs.readFile(p);
}

function refuse(what: string): KernelDef {
  return {
    unsafe: true,
    run: (c) => {
      throw new Error(
        `refused: ${c.node.op} ${what}; the executor never touches files, network or processes outside the export's assets`,
      );
    },
  };
}

/** ReadFile is allowed for assets inside the export folder. */
async function readFile(c: OpContext): Promise<Value[]> {
  const name = await stringScalar(c.inputs[0], "filename");
  const bytes = await readAsset(c.run.session, name);
  return [tf.tensor([bytes] as unknown as string[], [], "string")];
}

export const ioKernels: KernelTable = {
  RestoreV2: { run: restoreV2 },
  ReadFile: { run: readFile },
  ...Object.fromEntries(Object.entries(UNSAFE_OPS).map(([op, what]) => [op, refuse(what)])),
};
