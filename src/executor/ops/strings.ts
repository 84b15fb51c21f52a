/** Core TensorFlow string ops the fixtures reach (the converter maps only four string ops). */
import * as tf from "@tensorflow/tfjs-core";
import { DataType } from "../../savedmodel/dtypes.js";
import { attrBool, attrInt, attrStr } from "../attrs.js";
import type { KernelTable, OpContext } from "../kernel.js";
import { isTensor, type Value } from "../values.js";

const utf8 = new TextDecoder();
const enc = new TextEncoder();

async function strs(v: Value, what = "input"): Promise<string[]> {
  if (!isTensor(v) || v.dtype !== "string") throw new Error(`${what} is not a string tensor`);
  return ((await v.bytes()) as Uint8Array[]).map((b) => utf8.decode(b));
}

function strTensor(values: string[], shape: number[]): tf.Tensor {
  return tf.tensor(values.map((s) => enc.encode(s)) as unknown as string[], shape, "string");
}

/** Elementwise over string tensors with scalar broadcasting (all non-scalars must share a shape). */
async function elementwise(inputs: Value[], f: (xs: string[]) => string): Promise<Value[]> {
  const vals = await Promise.all(inputs.map((v) => strs(v)));
  const shaped = inputs.filter((v) => (v as tf.Tensor).rank > 0) as tf.Tensor[];
  const shape = shaped[0]?.shape ?? [];
  for (const t of shaped)
    if (t.shape.join() !== shape.join()) throw new Error(`shapes [${t.shape}] and [${shape}] differ`);
  const n = shape.reduce((a, b) => a * b, 1);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(f(vals.map((v) => (v.length === 1 ? v[0] : v[i]))));
  return [strTensor(out, shape)];
}

function formatNumber(x: number, c: OpContext, isFloat: boolean): string {
  const precision = attrInt(c.attrs, "precision", -1);
  const scientific = attrBool(c.attrs, "scientific");
  const shortest = attrBool(c.attrs, "shortest");
  const width = attrInt(c.attrs, "width", -1);
  const fill = attrStr(c.attrs, "fill", "");
  let s: string;
  if (!isFloat) s = String(Math.trunc(x));
  else if (Number.isNaN(x)) s = "nan";
  else if (!Number.isFinite(x)) s = x > 0 ? "inf" : "-inf";
  else if (shortest) s = String(Number(x.toPrecision(precision < 0 ? 6 : Math.max(1, precision))));
  else if (scientific) s = x.toExponential(precision < 0 ? 6 : precision).replace(/e([+-])(\d)$/, "e$10$2");
  else s = x.toFixed(precision < 0 ? 6 : precision);
  if (width > 0 && s.length < width) s = (fill === "0" ? "0" : " ").repeat(width - s.length) + s;
  return s;
}

async function asString(c: OpContext): Promise<Value[]> {
  const t = c.inputs[0] as tf.Tensor;
  if (t.dtype === "string") return [t];
  const d = await t.data();
  const T = Number(c.attrs["T"]?.type ?? 0);
  const isFloat = t.dtype === "float32" && T !== DataType.DT_INT64;
  const out = Array.from(d as ArrayLike<number>, (x) =>
    t.dtype === "bool" ? (x ? "true" : "false") : formatNumber(x, c, isFloat),
  );
  return [strTensor(out, t.shape)];
}

async function splitV2(c: OpContext): Promise<Value[]> {
  const input = await strs(c.inputs[0]);
  const sep = (await strs(c.inputs[1], "sep"))[0];
  const maxsplit = attrInt(c.attrs, "maxsplit", -1);
  const indices: number[] = [];
  const values: string[] = [];
  let maxLen = 0;
  input.forEach((s, row) => {
    let parts: string[];
    if (sep === "") {
      parts = s.split(/[ \t\n\v\f\r]+/).filter((p) => p !== "");
      if (maxsplit >= 0 && parts.length > maxsplit + 1) {
        // rejoin the tail like Python's str.split(None, maxsplit)
        const head = parts.slice(0, maxsplit);
        let rest = s.trimStart();
        for (const h of head) rest = rest.slice(rest.indexOf(h) + h.length).trimStart();
        parts = [...head, rest];
      }
    } else {
      parts = s.split(sep);
      if (maxsplit >= 0 && parts.length > maxsplit + 1)
        parts = [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
      if (s === "") parts = [];
    }
    parts.forEach((p, j) => {
      indices.push(row, j);
      values.push(p);
    });
    maxLen = Math.max(maxLen, parts.length);
  });
  return [
    tf.tensor(indices, [values.length, 2], "int32"),
    strTensor(values, [values.length]),
    tf.tensor([input.length, maxLen], [2], "int32"),
  ];
}

/** TF regexes are RE2; JavaScript's RegExp agrees on the syntax these models use. */
function re(pattern: string, flags = ""): RegExp {
  return new RegExp(pattern, flags);
}

async function fullMatch(c: OpContext, pattern: string): Promise<Value[]> {
  const t = c.inputs[0] as tf.Tensor;
  const r = re(`^(?:${pattern})$`, "s");
  const out = (await strs(t)).map((s) => (r.test(s) ? 1 : 0));
  return [tf.tensor(out, t.shape, "bool")];
}

async function regexReplace(c: OpContext, pattern: string, rewrite: string, global: boolean): Promise<Value[]> {
  const t = c.inputs[0] as tf.Tensor;
  const r = re(pattern, global ? "g" : "");
  const js = rewrite.replace(/\$/g, "$$$$").replace(/\\(\d)/g, "$$$1");
  return [
    strTensor(
      (await strs(t)).map((s) => s.replace(r, js)),
      t.shape,
    ),
  ];
}

async function mapStrings(c: OpContext, f: (s: string) => string): Promise<Value[]> {
  const t = c.inputs[0] as tf.Tensor;
  return [strTensor((await strs(t)).map(f), t.shape)];
}

export const stringKernels: KernelTable = {
  StringJoin: {
    run: (c) => {
      const sep = attrStr(c.attrs, "separator", "");
      return elementwise(c.inputs, (xs) => xs.join(sep));
    },
  },
  AsString: { run: asString },
  StringLower: { run: (c) => mapStrings(c, (s) => s.toLowerCase()) },
  StringUpper: { run: (c) => mapStrings(c, (s) => s.toUpperCase()) },
  StringStrip: { run: (c) => mapStrings(c, (s) => s.trim()) },
  StaticRegexFullMatch: { run: (c) => fullMatch(c, attrStr(c.attrs, "pattern")) },
  RegexFullMatch: { run: async (c) => fullMatch(c, (await strs(c.inputs[1], "pattern"))[0]) },
  StaticRegexReplace: {
    run: (c) =>
      regexReplace(
        c,
        attrStr(c.attrs, "pattern"),
        attrStr(c.attrs, "rewrite"),
        attrBool(c.attrs, "replace_global", true),
      ),
  },
  RegexReplace: {
    run: async (c) =>
      regexReplace(
        c,
        (await strs(c.inputs[1], "pattern"))[0],
        (await strs(c.inputs[2], "rewrite"))[0],
        attrBool(c.attrs, "replace_global", true),
      ),
  },
  StringSplitV2: { run: splitV2 },
  StringLength: {
    run: async (c) => {
      const t = c.inputs[0] as tf.Tensor;
      const unit = attrStr(c.attrs, "unit", "BYTE");
      const b = (await t.bytes()) as Uint8Array[];
      const lens = b.map((x) => (unit === "UTF8_CHAR" ? [...utf8.decode(x)].length : x.length));
      return [tf.tensor(lens, t.shape, "int32")];
    },
  },
  StringToNumber: {
    run: async (c) => {
      const t = c.inputs[0] as tf.Tensor;
      const outType = Number(c.attrs["out_type"]?.type ?? DataType.DT_FLOAT);
      const vals = (await strs(t)).map((s) => {
        const n = Number(s.trim());
        if (s.trim() === "" || Number.isNaN(n)) throw new Error(`StringToNumber could not convert "${s}"`);
        return n;
      });
      return [
        tf.tensor(vals, t.shape, outType === DataType.DT_FLOAT || outType === DataType.DT_DOUBLE ? "float32" : "int32"),
      ];
    },
  },
  ReduceJoin: {
    run: async (c) => {
      const t = c.inputs[0] as tf.Tensor;
      const axes = Array.from(await (c.inputs[1] as tf.Tensor).data()).map((a) => (a < 0 ? a + t.rank : a));
      const sep = attrStr(c.attrs, "separator", "");
      const keep = attrBool(c.attrs, "keep_dims");
      if (t.rank === 0) return [t];
      if (axes.length !== 1 || axes[0] !== t.rank - 1) {
        if (!(axes.length === t.rank)) throw new Error("ReduceJoin supports reducing the last axis or all axes");
        const all = (await strs(t)).join(sep);
        return [strTensor([all], keep ? t.shape.map(() => 1) : [])];
      }
      const v = await strs(t);
      const inner = t.shape[t.rank - 1];
      const out: string[] = [];
      for (let i = 0; i < v.length; i += inner) out.push(v.slice(i, i + inner).join(sep));
      const shape = t.shape.slice(0, -1);
      return [strTensor(out, keep ? [...shape, 1] : shape)];
    },
  },
  Substr: {
    run: async (c) => {
      const t = c.inputs[0] as tf.Tensor;
      const pos = Array.from(await (c.inputs[1] as tf.Tensor).data());
      const len = Array.from(await (c.inputs[2] as tf.Tensor).data());
      const b = (await t.bytes()) as Uint8Array[];
      const out = b.map((x, i) => {
        const p = pos.length === 1 ? pos[0] : pos[i];
        const l = len.length === 1 ? len[0] : len[i];
        const start = p < 0 ? x.length + p : p;
        if (start < 0 || start > x.length)
          throw new Error(`Substr: position ${p} is out of range for a string of ${x.length} bytes`);
        return x.subarray(start, start + l);
      });
      return [tf.tensor(out as unknown as string[], t.shape, "string")];
    },
  },
  ShardedFilename: {
    run: async (c) => {
      const base = (await strs(c.inputs[0]))[0];
      const shard = (await (c.inputs[1] as tf.Tensor).data())[0];
      const num = (await (c.inputs[2] as tf.Tensor).data())[0];
      return [strTensor([`${base}-${String(shard).padStart(5, "0")}-of-${String(num).padStart(5, "0")}`], [])];
    },
  },
  ShardedFilespec: {
    run: async (c) => {
      const base = (await strs(c.inputs[0]))[0];
      const num = (await (c.inputs[1] as tf.Tensor).data())[0];
      return [strTensor([`${base}-?????-of-${String(num).padStart(5, "0")}`], [])];
    },
  },
  StringFormat: {
    run: async (c) => {
      const template = attrStr(c.attrs, "template", "%s");
      const ph = attrStr(c.attrs, "placeholder", "%s");
      const parts = template.split(ph);
      let s = parts[0];
      for (let i = 0; i < c.inputs.length; i++) {
        const t = c.inputs[i] as tf.Tensor;
        const v = t.dtype === "string" ? await strs(t) : Array.from(await t.data()).map(String);
        s += (t.rank === 0 ? v[0] : `[${v.join(" ")}]`) + (parts[i + 1] ?? "");
      }
      return [strTensor([s], [])];
    },
  },
};
