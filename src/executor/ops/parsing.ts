/**
 * tf.Example parsing (ParseExample, ParseExampleV2, ParseSingleExample), as classify/regress
 * signatures use it. The Example message is read with protobufjs's Reader (no generated class needed:
 * Example{features=1}, Features{map<string,Feature> feature=1}, Feature{bytes_list=1|float_list=2|int64_list=3}).
 */
import * as tf from "@tensorflow/tfjs-core";
import $protobuf from "../../../proto/runtime.js";
import { DataType } from "../../savedmodel/dtypes.js";
import { attrInt, attrShapeList, attrStrList, attrTypeList } from "../attrs.js";
import type { KernelTable, OpContext } from "../kernel.js";
import { isTensor, type Value } from "../values.js";

const DT = DataType;
const utf8 = new TextDecoder();

type Feature =
  { kind: "bytes"; values: Uint8Array[] } | { kind: "float"; values: number[] } | { kind: "int64"; values: number[] };

function readList(r: $protobuf.Reader, end: number, kind: Feature["kind"]): Feature {
  const values: (number | Uint8Array)[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1) {
      r.skipType(tag & 7);
      continue;
    }
    if (kind === "bytes") values.push(r.bytes());
    else if ((tag & 7) === 2) {
      const e = r.uint32() + r.pos;
      while (r.pos < e) values.push(kind === "float" ? r.float() : Number(r.int64()));
    } else values.push(kind === "float" ? r.float() : Number(r.int64()));
  }
  return { kind, values } as Feature;
}

/** Decodes a serialized tf.Example into its feature map. */
export function decodeExample(bytes: Uint8Array): Map<string, Feature> {
  const out = new Map<string, Feature>();
  const r = $protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const fEnd = r.uint32() + r.pos; // Features
    while (r.pos < fEnd) {
      const t2 = r.uint32();
      if (t2 >>> 3 !== 1 || (t2 & 7) !== 2) {
        r.skipType(t2 & 7);
        continue;
      }
      const eEnd = r.uint32() + r.pos; // map entry
      let key = "";
      let feat: Feature | undefined;
      while (r.pos < eEnd) {
        const t3 = r.uint32();
        if (t3 >>> 3 === 1) key = r.string();
        else if (t3 >>> 3 === 2) {
          const ftEnd = r.uint32() + r.pos; // Feature
          while (r.pos < ftEnd) {
            const t4 = r.uint32();
            const kind = ({ 1: "bytes", 2: "float", 3: "int64" } as const)[(t4 >>> 3) as 1 | 2 | 3];
            if (!kind || (t4 & 7) !== 2) {
              r.skipType(t4 & 7);
              continue;
            }
            const lEnd = r.uint32() + r.pos;
            feat = readList(r, lEnd, kind);
            r.pos = lEnd;
          }
          feat ??= { kind: "float", values: [] };
        } else r.skipType(t3 & 7);
      }
      if (feat) out.set(key, feat);
    }
  }
  return out;
}

function kindOf(dtype: number): Feature["kind"] {
  return dtype === DT.DT_STRING ? "bytes" : dtype === DT.DT_FLOAT ? "float" : "int64";
}

function makeTensor(dtype: number, vals: (number | Uint8Array)[], shape: number[]): tf.Tensor {
  if (dtype === DT.DT_STRING) return tf.tensor(vals as unknown as string[], shape, "string");
  return tf.tensor(vals as number[], shape, dtype === DT.DT_FLOAT ? "float32" : "int32");
}

interface ParseSpec {
  sparseKeys: string[];
  sparseTypes: number[];
  denseKeys: string[];
  denseTypes: number[];
  denseShapes: (number[] | undefined)[];
  denseDefaults: Value[];
  /** ParseExampleV2 only. */
  raggedKeys?: string[];
  raggedTypes?: number[];
}

async function parse(examples: Uint8Array[], spec: ParseSpec, single: boolean): Promise<Value[]> {
  const parsed = examples.map((b, i) => {
    try {
      return decodeExample(b);
    } catch (e) {
      throw new Error(`serialized example ${i} is not a valid tf.Example (${(e as Error).message})`);
    }
  });
  const B = examples.length;
  const sparseIdx: Value[] = [];
  const sparseVals: Value[] = [];
  const sparseShapes: Value[] = [];
  spec.sparseKeys.forEach((key, s) => {
    const kind = kindOf(spec.sparseTypes[s]);
    const idx: number[] = [];
    const vals: (number | Uint8Array)[] = [];
    let maxLen = 0;
    parsed.forEach((ex, b) => {
      const f = ex.get(key);
      if (!f) return;
      if (f.kind !== kind && f.values.length)
        throw new Error(`feature "${key}" in example ${b} is ${f.kind}, expected ${kind}`);
      f.values.forEach((v, j) => {
        if (single) idx.push(j);
        else idx.push(b, j);
        vals.push(v);
      });
      maxLen = Math.max(maxLen, f.values.length);
    });
    const rank = single ? 1 : 2;
    sparseIdx.push(tf.tensor(idx, [vals.length, rank], "int32"));
    sparseVals.push(makeTensor(spec.sparseTypes[s], vals, [vals.length]));
    sparseShapes.push(tf.tensor(single ? [maxLen] : [B, maxLen], [rank], "int32"));
  });
  const dense: Value[] = [];
  for (let d = 0; d < spec.denseKeys.length; d++) {
    const key = spec.denseKeys[d];
    const dtype = spec.denseTypes[d];
    const shape = spec.denseShapes[d] ?? [];
    // A leading -1 is a variable-length feature: rows are padded to the longest example with the default.
    const varLen = shape.length > 0 && shape[0] < 0;
    const inner = varLen ? shape.slice(1) : shape;
    const per = inner.reduce((a, b) => a * b, 1);
    const def = spec.denseDefaults[d];
    let defVals: (number | Uint8Array)[] | undefined;
    if (isTensor(def) && def.size > 0) {
      defVals = def.dtype === "string" ? ((await def.bytes()) as Uint8Array[]) : Array.from(await def.data());
      if (defVals.length === 1 && per > 1 && !varLen) defVals = new Array(per).fill(defVals[0]);
    }
    const rows: (number | Uint8Array)[][] = parsed.map((ex, b) => {
      const f = ex.get(key);
      if (!f || f.values.length === 0) {
        if (varLen) return [];
        if (!defVals) throw new Error(`example ${b} has no feature "${key}", which is required (no default value)`);
        return defVals;
      }
      if (f.kind !== kindOf(dtype))
        throw new Error(`feature "${key}" in example ${b} is ${f.kind}, expected ${kindOf(dtype)}`);
      const ok = varLen ? f.values.length % per === 0 : f.values.length === per;
      if (!ok)
        throw new Error(
          `feature "${key}" in example ${b} has ${f.values.length} values, expected ${varLen ? `a multiple of ${per}` : per} (shape [${shape}])`,
        );
      return f.values as (number | Uint8Array)[];
    });
    if (!varLen) {
      dense.push(makeTensor(dtype, rows.flat(), single ? shape : [B, ...shape]));
      continue;
    }
    const maxRows = Math.max(0, ...rows.map((r) => r.length / per));
    const pad = defVals?.[0] ?? (dtype === DT.DT_STRING ? new Uint8Array() : 0);
    const vals: (number | Uint8Array)[] = [];
    for (const r of rows) {
      vals.push(...r);
      for (let k = r.length; k < maxRows * per; k++) vals.push(pad);
    }
    dense.push(makeTensor(dtype, vals, single ? [maxRows, ...inner] : [B, maxRows, ...inner]));
  }
  // ParseExampleV2 ragged features: values of all examples, and row splits.
  const raggedVals: Value[] = [];
  const raggedSplits: Value[] = [];
  (spec.raggedKeys ?? []).forEach((key, r) => {
    const dtype = spec.raggedTypes![r];
    const vals: (number | Uint8Array)[] = [];
    const splits = [0];
    parsed.forEach((ex, b) => {
      const f = ex.get(key);
      if (f && f.values.length) {
        if (f.kind !== kindOf(dtype))
          throw new Error(`feature "${key}" in example ${b} is ${f.kind}, expected ${kindOf(dtype)}`);
        vals.push(...(f.values as (number | Uint8Array)[]));
      }
      splits.push(vals.length);
    });
    raggedVals.push(makeTensor(dtype, vals, [vals.length]));
    raggedSplits.push(tf.tensor(splits, [splits.length], "int32"));
  });
  if (spec.raggedKeys) return [...sparseIdx, ...sparseVals, ...sparseShapes, ...dense, ...raggedVals, ...raggedSplits];
  return [...sparseIdx, ...sparseVals, ...sparseShapes, ...dense];
}

async function bytesOf(v: Value, what: string): Promise<Uint8Array[]> {
  if (!isTensor(v) || v.dtype !== "string") throw new Error(`${what} is not a string tensor`);
  return (await v.bytes()) as Uint8Array[];
}

async function parseExample(c: OpContext): Promise<Value[]> {
  const ns = attrInt(c.attrs, "Nsparse", 0);
  const nd = attrInt(c.attrs, "Ndense", 0);
  const keys = async (from: number, n: number) =>
    Promise.all(c.inputs.slice(from, from + n).map(async (v) => utf8.decode((await bytesOf(v, "key"))[0])));
  const spec: ParseSpec = {
    sparseKeys: await keys(2, ns),
    sparseTypes: attrTypeList(c.attrs, "sparse_types"),
    denseKeys: await keys(2 + ns, nd),
    denseTypes: attrTypeList(c.attrs, "Tdense"),
    denseShapes: attrShapeList(c.attrs, "dense_shapes"),
    denseDefaults: c.inputs.slice(2 + ns + nd),
  };
  return parse(await bytesOf(c.inputs[0], "serialized"), spec, false);
}

async function parseExampleV2(c: OpContext): Promise<Value[]> {
  const str = async (v: Value) => (await bytesOf(v, "keys")).map((b) => utf8.decode(b));
  const spec: ParseSpec = {
    raggedKeys: await str(c.inputs[4]),
    raggedTypes: attrTypeList(c.attrs, "ragged_value_types"),
    sparseKeys: await str(c.inputs[2]),
    sparseTypes: attrTypeList(c.attrs, "sparse_types"),
    denseKeys: await str(c.inputs[3]),
    denseTypes: attrTypeList(c.attrs, "Tdense"),
    denseShapes: attrShapeList(c.attrs, "dense_shapes"),
    denseDefaults: c.inputs.slice(5),
  };
  const t = c.inputs[0] as tf.Tensor;
  if (t.rank > 1) throw new Error(`serialized must be a scalar or a vector, got rank ${t.rank}`);
  return parse(await bytesOf(t, "serialized"), spec, t.rank === 0);
}

async function parseSingleExample(c: OpContext): Promise<Value[]> {
  const spec: ParseSpec = {
    sparseKeys: attrStrList(c.attrs, "sparse_keys"),
    sparseTypes: attrTypeList(c.attrs, "sparse_types"),
    denseKeys: attrStrList(c.attrs, "dense_keys"),
    denseTypes: attrTypeList(c.attrs, "Tdense"),
    denseShapes: attrShapeList(c.attrs, "dense_shapes"),
    denseDefaults: c.inputs.slice(1),
  };
  return parse(await bytesOf(c.inputs[0], "serialized"), spec, true);
}

export const parsingKernels: KernelTable = {
  ParseExample: { run: parseExample },
  ParseExampleV2: { run: parseExampleV2 },
  ParseSingleExample: { run: parseSingleExample },
};
