/**
 * Hash tables as session resources (TF1 node-named tables and TF2 tables captured by functions alike):
 * HashTable(V2), MutableHashTable(V2), initializers (keys/values, text files from assets), lookups,
 * imports/exports from checkpoints.
 */
import * as tf from "@tensorflow/tfjs-core";
import { DataType } from "../../savedmodel/dtypes.js";
import { attrBool, attrInt, attrStr, attrType } from "../attrs.js";
import type { KernelTable, OpContext } from "../kernel.js";
import type { HashTable } from "../state.js";
import { ResourceHandle, isTensor, type Value } from "../values.js";
import { readAsset, stringScalar } from "./io.js";

const DT = DataType;
const utf8 = new TextDecoder();
const latin1 = new TextDecoder("latin1");

function isStringDtype(d: number): boolean {
  return d === DT.DT_STRING;
}

function createTable(c: OpContext, mutable: boolean): Value[] {
  const container = attrStr(c.attrs, "container", "");
  const shared = attrStr(c.attrs, "shared_name", "");
  const useNode = attrBool(c.attrs, "use_node_name_sharing", false);
  const key = `${container}|${shared || (useNode ? c.node.name : `${c.body.name}/${c.node.name}`)}`;
  const s = c.run.session;
  if (!s.tables.has(key)) {
    s.tables.set(key, {
      key,
      keyDtype: attrType(c.attrs, "key_dtype"),
      valueDtype: attrType(c.attrs, "value_dtype"),
      map: new Map(),
      initialized: false,
      mutable,
    });
  }
  return [new ResourceHandle(key, "table", c.node.name)];
}

function tableOf(c: OpContext): HashTable {
  const h = c.inputs[0];
  if (!(h instanceof ResourceHandle)) throw new Error("table handle input is not a table resource");
  const t = c.run.session.tables.get(h.key);
  if (!t) throw new Error(`table "${h.key}" does not exist`);
  return t;
}

/** Table keys as JS map keys: strings (latin1 of the raw bytes, exact) or numbers. */
async function keysOf(v: Value): Promise<(string | number)[]> {
  if (!isTensor(v)) throw new Error("keys are not a tensor");
  if (v.dtype === "string") return ((await v.bytes()) as Uint8Array[]).map((b) => latin1.decode(b));
  return Array.from(await v.data()) as number[];
}

async function valuesOf(v: Value): Promise<(string | number | Uint8Array)[]> {
  if (!isTensor(v)) throw new Error("values are not a tensor");
  if (v.dtype === "string") return (await v.bytes()) as Uint8Array[];
  return Array.from(await v.data()) as number[];
}

async function insert(t: HashTable, keys: Value, values: Value): Promise<void> {
  const k = await keysOf(keys);
  const v = await valuesOf(values);
  if (k.length !== v.length) throw new Error(`${k.length} keys but ${v.length} values`);
  for (let i = 0; i < k.length; i++) t.map.set(k[i], v[i]);
}

function makeValues(t: HashTable, vals: (string | number | Uint8Array)[], shape: number[]): tf.Tensor {
  if (isStringDtype(t.valueDtype)) {
    return tf.tensor(
      vals.map((x) => (x instanceof Uint8Array ? x : new TextEncoder().encode(String(x)))) as unknown as string[],
      shape,
      "string",
    );
  }
  const dt =
    t.valueDtype === DT.DT_FLOAT || t.valueDtype === DT.DT_DOUBLE
      ? "float32"
      : t.valueDtype === DT.DT_BOOL
        ? "bool"
        : "int32";
  return tf.tensor(vals as number[], shape, dt);
}

async function find(c: OpContext): Promise<Value[]> {
  const t = tableOf(c);
  const keys = c.inputs[1] as tf.Tensor;
  const k = await keysOf(keys);
  const defT = c.inputs[2] as tf.Tensor;
  const defVals = await valuesOf(defT);
  if (defVals.length !== 1) throw new Error("only scalar default values are supported");
  const out = k.map((x) => {
    const v = t.map.get(x);
    return v === undefined ? defVals[0] : v;
  });
  return [makeValues(t, out, keys.shape)];
}

async function initFromText(c: OpContext): Promise<Value[]> {
  const t = tableOf(c);
  const file = await stringScalar(c.inputs[1], "filename");
  const keyIndex = attrInt(c.attrs, "key_index");
  const valueIndex = attrInt(c.attrs, "value_index");
  const vocabSize = attrInt(c.attrs, "vocab_size", -1);
  const delim = attrStr(c.attrs, "delimiter", "\t");
  const offset = attrInt(c.attrs, "offset", 0);
  const text = utf8.decode(await readAsset(c.run.session, file));
  let lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  lines = lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (vocabSize >= 0) {
    if (lines.length < vocabSize)
      throw new Error(`vocabulary file "${file}" has ${lines.length} lines, vocab_size is ${vocabSize}`);
    lines = lines.slice(0, vocabSize);
  }
  const enc = new TextEncoder();
  const field = (
    line: string,
    lineNo: number,
    index: number,
    dtype: number,
    what: string,
  ): string | number | Uint8Array => {
    let s: string;
    if (index === -1) return lineNo + offset;
    if (index === -2) s = line;
    else {
      const parts = line.split(delim);
      if (index >= parts.length) throw new Error(`line ${lineNo + 1} of "${file}" has no ${what} column ${index}`);
      s = parts[index];
    }
    if (isStringDtype(dtype)) return what === "key" ? latin1.decode(enc.encode(s)) : enc.encode(s);
    const n = Number(s);
    if (!Number.isFinite(n)) throw new Error(`line ${lineNo + 1} of "${file}": "${s}" is not a number`);
    return n;
  };
  lines.forEach((line, i) => {
    const k = field(line, i, keyIndex, t.keyDtype, "key") as string | number;
    const v = field(line, i, valueIndex, t.valueDtype, "value");
    if (!t.map.has(k)) t.map.set(k, v);
  });
  t.initialized = true;
  return [];
}

async function exportTable(c: OpContext): Promise<Value[]> {
  const t = tableOf(c);
  const keys = [...t.map.keys()];
  const vals = [...t.map.values()];
  const kt = isStringDtype(t.keyDtype)
    ? tf.tensor(
        keys.map((k) => Uint8Array.from(String(k), (ch) => ch.charCodeAt(0))) as unknown as string[],
        [keys.length],
        "string",
      )
    : tf.tensor(keys as number[], [keys.length], "int32");
  return [kt, makeValues(t, vals, [vals.length])];
}

export const tableKernels: KernelTable = {
  HashTableV2: { run: (c) => createTable(c, false) },
  HashTable: { run: (c) => createTable(c, false) },
  MutableHashTableV2: { run: (c) => createTable(c, true) },
  MutableHashTable: { run: (c) => createTable(c, true) },
  InitializeTableV2: {
    run: async (c) => {
      const t = tableOf(c);
      await insert(t, c.inputs[1], c.inputs[2]);
      t.initialized = true;
      return [];
    },
  },
  InitializeTable: { run: async (c) => (await insert(tableOf(c), c.inputs[1], c.inputs[2]), []) },
  InitializeTableFromTextFileV2: { run: initFromText },
  InitializeTableFromTextFile: { run: initFromText },
  LookupTableFindV2: { run: find },
  LookupTableFind: { run: find },
  LookupTableInsertV2: { run: async (c) => (await insert(tableOf(c), c.inputs[1], c.inputs[2]), []) },
  LookupTableImportV2: {
    run: async (c) => {
      const t = tableOf(c);
      t.map.clear();
      await insert(t, c.inputs[1], c.inputs[2]);
      t.initialized = true;
      return [];
    },
  },
  LookupTableRemoveV2: {
    run: async (c) => {
      const t = tableOf(c);
      for (const k of await keysOf(c.inputs[1])) t.map.delete(k);
      return [];
    },
  },
  LookupTableSizeV2: { run: (c) => [tf.scalar(tableOf(c).map.size, "int32")] },
  LookupTableSize: { run: (c) => [tf.scalar(tableOf(c).map.size, "int32")] },
  LookupTableExportV2: { run: exportTable },
};
