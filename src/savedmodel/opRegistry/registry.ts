/**
 * The bundled TensorFlow op registry (ops.generated.ts), decoded lazily: the table is indexed
 * by name on first use and each op's line is parsed into an OpSchema only when asked for.
 */
import { tensorflow } from "../proto.js";
import type { IAttrValue } from "../proto.js";
import { OP_COUNT, OP_TABLE, TF_OP_COUNT } from "./ops.generated.js";
import type { ArgSchema, AttrSchema, OpSchema } from "./schema.js";

let index: Map<string, number> | undefined;
const cache = new Map<string, OpSchema>();

function getIndex(): Map<string, number> {
  if (index) return index;
  const m = new Map<string, number>();
  let pos = 0;
  while (pos < OP_TABLE.length) {
    const end = OP_TABLE.indexOf(";", pos);
    m.set(OP_TABLE.slice(pos, end), pos);
    const nl = OP_TABLE.indexOf("\n", end);
    pos = nl < 0 ? OP_TABLE.length : nl + 1;
  }
  index = m;
  return m;
}

function parseArg(s: string): ArgSchema {
  let rest = s;
  const arg: ArgSchema = { name: "" };
  if (rest.endsWith("&")) {
    arg.isRef = true;
    rest = rest.slice(0, -1);
  }
  const m = /^(\w+)(?:\*(\w+))?(?:=(\d+)|:(\w+)|@(\w+))$/.exec(rest);
  if (!m) throw new Error(`op registry: malformed argument "${s}"`);
  arg.name = m[1];
  if (m[2]) arg.numberAttr = m[2];
  if (m[3]) arg.type = Number(m[3]);
  if (m[4]) arg.typeAttr = m[4];
  if (m[5]) arg.typeListAttr = m[5];
  return arg;
}

const utf8 = new TextEncoder();

function scalarValue(kind: string, s: string): Partial<Record<"s" | "i" | "f" | "b" | "type" | "shape", unknown>> {
  switch (kind) {
    case "s":
      return { s: utf8.encode(decodeURIComponent(s)) };
    case "i":
      return { i: Number(s) };
    case "f":
      return { f: Number(s) };
    case "b":
      return { b: s === "1" };
    case "t":
      return { type: Number(s) };
    case "?":
      return { shape: tensorflow.TensorShapeProto.create({ unknownRank: true }) };
    default:
      throw new Error(`op registry: unknown default kind "${kind}"`);
  }
}

const LIST_FIELD: Record<string, "s" | "i" | "f" | "b" | "type" | "shape"> = {
  s: "s",
  i: "i",
  f: "f",
  b: "b",
  t: "type",
  "?": "shape",
};

/** Registry defaults are shared by every caller, so they are frozen. */
function freeze<T extends object>(v: T): T {
  if (ArrayBuffer.isView(v)) return v; // typed arrays with elements cannot be frozen
  for (const x of Object.values(v)) if (x && typeof x === "object" && !Object.isFrozen(x)) freeze(x);
  return Object.freeze(v);
}

function parseDefault(s: string): IAttrValue {
  return freeze(makeDefault(s));
}

function makeDefault(s: string): IAttrValue {
  if (s[0] !== "l") return tensorflow.AttrValue.create(scalarValue(s[0], s.slice(1)) as IAttrValue);
  const kind = s[1];
  const colon = s.indexOf(":");
  const n = Number(s.slice(2, colon));
  const items = n === 0 ? [] : s.slice(colon + 1).split("|");
  const field = LIST_FIELD[kind];
  const values = items.map((x) => scalarValue(kind, x)[field]);
  const list = tensorflow.AttrValue.ListValue.create({ [field]: values });
  return tensorflow.AttrValue.create({ list });
}

function parseAttr(s: string): AttrSchema {
  const m = /^(\w+):([\w()]+)(?:>(-?\d+))?(?:=(.*))?$/.exec(s);
  if (!m) throw new Error(`op registry: malformed attribute "${s}"`);
  const a: AttrSchema = { name: m[1], type: m[2] };
  if (m[3] !== undefined) a.minimum = Number(m[3]);
  if (m[4] !== undefined) a.default = parseDefault(m[4]);
  return a;
}

function split(s: string): string[] {
  return s === "" ? [] : s.split(",");
}

function parseLine(line: string): OpSchema {
  const [name, ins, outs, attrs, flags] = line.split(";");
  const schema: OpSchema = {
    name,
    inputs: split(ins).map(parseArg),
    outputs: split(outs).map(parseArg),
    attrs: split(attrs ?? "").map(parseAttr),
    source: "registry",
  };
  for (const f of split(flags ?? "")) {
    if (f === "stateful") schema.isStateful = true;
    else if (f.startsWith("lib:")) schema.library = f.slice(4);
  }
  return schema;
}

/** The bundled registry's schema for `op`, or undefined when TensorFlow's registry has no such op. */
export function registryOp(op: string): OpSchema | undefined {
  const hit = cache.get(op);
  if (hit) return hit;
  const pos = getIndex().get(op);
  if (pos === undefined) return undefined;
  const nl = OP_TABLE.indexOf("\n", pos);
  const schema = parseLine(OP_TABLE.slice(pos, nl < 0 ? OP_TABLE.length : nl));
  cache.set(op, schema);
  return schema;
}

export function hasRegistryOp(op: string): boolean {
  return getIndex().has(op);
}

/** Every op name in the bundled registry, sorted. */
export function registryOpNames(): string[] {
  return [...getIndex().keys()];
}

/** Ops in the bundled registry: TensorFlow's own plus add-on library ops (TF Text). */
export const REGISTRY_OP_COUNT = OP_COUNT;
/** Ops of TensorFlow itself in the bundled registry. */
export const REGISTRY_TF_OP_COUNT = TF_OP_COUNT;
