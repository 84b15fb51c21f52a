/**
 * Serialized tf.Examples that satisfy a model's own parsing: every ParseExample / ParseExampleV2 /
 * ParseSingleExample node in the graph and its functions, with its feature keys (Const inputs or
 * attrs), gets a feature of the declared type and shape (floats 0.5, ints 1, strings "a").
 */
import { tensorFromProto } from "../../../src/savedmodel/tensor.js";
import type { IAttrValue } from "../../../src/savedmodel/proto.js";

type FeatureValue =
  { kind: "float"; values: number[] } | { kind: "int64"; values: number[] } | { kind: "bytes"; values: Uint8Array[] };

interface CNodeLike {
  op: string;
  attrs: Record<string, IAttrValue>;
  inputs: { node: number; index: number }[];
}
interface BodyLike {
  nodes: CNodeLike[];
}
export interface ProgramLike {
  mainBody(): BodyLike;
  functions: Map<string, unknown>;
  functionBody(name: string): BodyLike;
}

function constStrings(body: BodyLike, input: { node: number } | undefined): string[] {
  const n = input && input.node >= 0 ? body.nodes[input.node] : undefined;
  if (!n || n.op !== "Const" || !n.attrs.value?.tensor) return [];
  const t = tensorFromProto(n.attrs.value.tensor, "graph");
  return Array.isArray(t.values) ? t.values.map((b) => new TextDecoder().decode(b)) : [];
}

function feature(dtype: number, count: number): FeatureValue {
  const n = Math.max(1, count);
  if (dtype === 7) return { kind: "bytes", values: Array.from({ length: n }, () => new TextEncoder().encode("a")) };
  if (dtype === 9) return { kind: "int64", values: new Array<number>(n).fill(1) };
  return { kind: "float", values: new Array<number>(n).fill(0.5) };
}

const dims = (a: IAttrValue | undefined) =>
  (a?.list?.shape ?? []).map((s) => (s.dim ?? []).reduce((p, d) => p * Math.max(1, Number(d.size ?? 1)), 1));
const types = (a: IAttrValue | undefined) => (a?.list?.type ?? []).map(Number);
const strs = (a: IAttrValue | undefined) =>
  (a?.list?.s ?? []).map((b) => (typeof b === "string" ? b : new TextDecoder().decode(b)));

/** Features every parse node of the program reads; undefined when the graph parses no tf.Example. */
export function exampleFeatures(program: ProgramLike): Record<string, FeatureValue> | undefined {
  const bodies = [program.mainBody(), ...[...program.functions.keys()].map((f) => program.functionBody(f))];
  const out: Record<string, FeatureValue> = {};
  let found = false;
  for (const body of bodies) {
    for (const n of body.nodes) {
      if (n.op === "ParseExample") {
        found = true;
        const ns = Number(n.attrs.Nsparse?.i ?? 0);
        const nd = Number(n.attrs.Ndense?.i ?? 0);
        const sparseT = types(n.attrs.sparse_types);
        const denseT = types(n.attrs.Tdense);
        const shapes = dims(n.attrs.dense_shapes);
        for (let i = 0; i < ns; i++)
          for (const k of constStrings(body, n.inputs[2 + i])) out[k] ??= feature(sparseT[i], 1);
        for (let i = 0; i < nd; i++)
          for (const k of constStrings(body, n.inputs[2 + ns + i])) out[k] ??= feature(denseT[i], shapes[i]);
      } else if (n.op === "ParseExampleV2") {
        found = true;
        const sparseT = types(n.attrs.sparse_types);
        const denseT = types(n.attrs.Tdense);
        const raggedT = types(n.attrs.ragged_value_types);
        const shapes = dims(n.attrs.dense_shapes);
        constStrings(body, n.inputs[2]).forEach((k, i) => (out[k] ??= feature(sparseT[i], 1)));
        constStrings(body, n.inputs[3]).forEach((k, i) => (out[k] ??= feature(denseT[i], shapes[i])));
        constStrings(body, n.inputs[4]).forEach((k, i) => (out[k] ??= feature(raggedT[i], 1)));
      } else if (n.op === "ParseSingleExample") {
        found = true;
        const sparseT = types(n.attrs.sparse_types);
        const denseT = types(n.attrs.Tdense);
        const shapes = dims(n.attrs.dense_shapes);
        strs(n.attrs.sparse_keys).forEach((k, i) => (out[k] ??= feature(sparseT[i], 1)));
        strs(n.attrs.dense_keys).forEach((k, i) => (out[k] ??= feature(denseT[i], shapes[i])));
      }
    }
  }
  return found ? out : undefined;
}
