// Generates src/savedmodel/opRegistry/ops.generated.ts from ../shared/reference/tf-op-defs.json
// (TensorFlow's op registry as data). The product ships only the generated module.
//
// Table format: one line per op, "Name;inputs;outputs;attrs" (sorted by name), fields "," separated.
//   arg:  name[*numberAttr](=dtype|:typeAttr|@typeListAttr)[&]       (& = ref arg)
//   attr: name:tfType[>minimum][=default]
//   default: s<uri-encoded string> | i<int> | f<float> | b1/b0 | t<dtype> | ? (unknown-rank shape)
//            | l<kind><count>:item|item...  (kind: s i f b t ?; string items uri-encoded)
// Everything is ASCII without quotes or backslashes, so the table is one plain string literal.
// Usage: node scripts/gen-op-registry.mjs [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const SRC = join(root, "..", "shared", "reference", "tf-op-defs.json");
const OUT = join(root, "src", "savedmodel", "opRegistry", "ops.generated.ts");

const TYPE_NAMES = {
  type: "type",
  int64: "int",
  float32: "float",
  boolean: "bool",
  string: "string",
  shape: "shape",
  tensor: "tensor",
  function: "func",
};
const KIND = { type: "t", int: "i", float: "f", bool: "b", string: "s", shape: "?", func: "n", tensor: "x" };
const NAME_RE = /^[A-Za-z0-9_>.]+$/;

function fail(msg) {
  console.error(`gen-op-registry: ${msg}`);
  process.exit(1);
}

function tfType(src, where) {
  const list = src.endsWith("[]");
  const base = TYPE_NAMES[list ? src.slice(0, -2) : src];
  if (!base) fail(`${where}: unknown attribute type "${src}"`);
  return list ? `list(${base})` : base;
}

function scalar(kind, v, where) {
  switch (kind) {
    case "s":
      if (typeof v !== "string") fail(`${where}: string default expected`);
      return encodeURIComponent(v);
    case "i":
      if (!Number.isInteger(v)) fail(`${where}: integer default expected, got ${JSON.stringify(v)}`);
      return String(v);
    case "f":
      if (typeof v === "number") return String(v);
      if (v === "NaN" || v === "-NaN") return "NaN";
      if (v === "Infinity" || v === "-Infinity" || v === "inf" || v === "-inf") return v.replace("inf", "Infinity");
      return fail(`${where}: float default expected, got ${JSON.stringify(v)}`);
    case "b":
      if (typeof v !== "boolean") fail(`${where}: bool default expected`);
      return v ? "1" : "0";
    case "t":
      if (!v || v.type !== "type" || !Number.isInteger(v.value)) fail(`${where}: type default expected`);
      return String(v.value);
    case "?":
      if (!v || v.type !== "shape" || v.value !== "?") fail(`${where}: only unknown-rank shape defaults are supported`);
      return "";
    default:
      return undefined;
  }
}

function encodeDefault(type, v, where) {
  const m = /^list\((\w+)\)$/.exec(type);
  if (m) {
    const kind = KIND[m[1]];
    if (!Array.isArray(v)) fail(`${where}: list default expected`);
    const items = v.map((x) => scalar(kind, x, where));
    if (items.some((x) => x === undefined)) return undefined;
    return `l${kind}${items.length}:${items.join("|")}`;
  }
  const kind = KIND[type];
  const s = scalar(kind, v, where);
  return s === undefined ? undefined : kind + s;
}

function encodeArg(a, where) {
  for (const k of ["name", "typeAttr", "typeListAttr", "numberAttr"]) {
    if (a[k] !== undefined && !/^\w+$/.test(a[k])) fail(`${where}: bad ${k} ${JSON.stringify(a[k])}`);
  }
  let s = a.name;
  if (a.numberAttr) s += `*${a.numberAttr}`;
  if (a.typeListAttr) s += `@${a.typeListAttr}`;
  else if (a.typeAttr) s += `:${a.typeAttr}`;
  else if (typeof a.type === "number") s += `=${a.type}`;
  else fail(`${where}: arg ${a.name} has no type`);
  if (a.isRef) s += "&";
  return s;
}

const ops = JSON.parse(readFileSync(SRC, "utf8"));
if (!Array.isArray(ops)) fail("expected an array of op definitions");
ops.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
const lines = [];
const seen = new Set();
let skippedDefaults = 0;
for (const op of ops) {
  if (!NAME_RE.test(op.name)) fail(`bad op name ${JSON.stringify(op.name)}`);
  if (seen.has(op.name)) fail(`duplicate op ${op.name}`);
  seen.add(op.name);
  const ins = (op.inputs ?? []).map((a) => encodeArg(a, op.name)).join(",");
  const outs = (op.outputs ?? []).map((a) => encodeArg(a, op.name)).join(",");
  const attrs = (op.attributes ?? []).map((a) => {
    const where = `${op.name}.${a.name}`;
    if (!/^\w+$/.test(a.name)) fail(`${where}: bad attribute name`);
    const type = tfType(a.type, where);
    let s = `${a.name}:${type}`;
    if (a.minimum !== undefined) s += `>${a.minimum}`;
    if ("default" in a) {
      const d = encodeDefault(type, a.default, where);
      if (d === undefined) skippedDefaults++;
      else s += `=${d}`;
    }
    return s;
  });
  lines.push(`${op.name};${ins};${outs};${attrs.join(",")}`);
}
const table = lines.join("\n");
if (/["\\`]/.test(table) || /[^\x20-\x7e\n]/.test(table)) fail("table contains characters that need escaping");

const out = `// GENERATED by scripts/gen-op-registry.mjs — do not edit
// TensorFlow op registry (${lines.length} ops): names, argument signatures, attribute types and defaults.
// Format: see scripts/gen-op-registry.mjs. Decoded lazily per op by registry.ts.
/* prettier-ignore */
export const OP_COUNT = ${lines.length};
/* prettier-ignore */
export const OP_TABLE =
${JSON.stringify(table).replace(/\\n/g, "\\n\\\n")};
`;
if (process.argv.includes("--check")) {
  const cur = readFileSync(OUT, "utf8");
  if (cur !== out) fail(`${OUT} is out of date; run node scripts/gen-op-registry.mjs`);
  console.log("gen-op-registry: up to date");
} else {
  writeFileSync(OUT, out);
  console.log(
    `gen-op-registry: ${lines.length} ops, ${(Buffer.byteLength(out) / 1024).toFixed(1)} KB -> ${OUT}` +
      (skippedDefaults ? ` (${skippedDefaults} defaults not representable: tensor/func)` : ""),
  );
}
