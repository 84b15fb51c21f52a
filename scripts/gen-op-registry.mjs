// Generates src/savedmodel/opRegistry/ops.generated.ts from ../shared/reference/tf-op-defs.json
// (TensorFlow's op registry as data). The product ships only the generated module.
//
// TensorFlow's registry lacks the custom ops of add-on libraries that real exports use (TF Text), and
// exports list only the ops of their top-level graph in stripped_op_list, not those used only inside
// functions. SUPPLEMENT adds those ops (facts transcribed from the libraries' REGISTER_OP specs).
//
// Table format: one line per op, "Name;inputs;outputs;attrs[;flags]" (sorted by name), fields "," separated.
//   arg:  name[*numberAttr](=dtype|:typeAttr|@typeListAttr)[&]       (& = ref arg)
//   attr: name:tfType[>minimum][=default]
//   flags: "stateful", "lib:<library>" (op is not in TensorFlow itself)
//   default: s<uri-encoded string> | i<int> | f<float> | b1/b0 | t<dtype> | ? (unknown-rank shape)
//            | l<kind><count>:item|item...  (kind: s i f b t ?; string items uri-encoded)
// Everything is ASCII without quotes or backslashes, so the table is one plain string literal.
// Usage: node scripts/gen-op-registry.mjs [--check]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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

// Custom ops from tensorflow/text (tensorflow_text/core/ops/*.cc), in REGISTER_OP spec syntax.
const SUPPLEMENT = {
  tensorflow_text: [
    {
      name: "ConstrainedSequence",
      inputs: ["scores: float", "sequence_lengths: Tin", "allowed_transitions: bool", "transition_weights: float"],
      outputs: ["states: int32", "states_splits: Tsplits"],
      attrs: [
        "Tin: {int32, int64}",
        "Tsplits: {int32, int64} = DT_INT64",
        "use_viterbi: bool",
        "use_log_space: bool",
        "use_start_and_end_states: bool",
      ],
    },
    {
      name: "MaxSpanningTree",
      inputs: ["num_nodes: int32", "scores: T"],
      outputs: ["max_scores: T", "argmax_sources: int32"],
      attrs: ["T: {int32, float, double}", "forest: bool = false"],
    },
    { name: "CaseFoldUTF8", inputs: ["input: string"], outputs: ["output: string"], attrs: [] },
    {
      name: "NormalizeUTF8",
      inputs: ["input: string"],
      outputs: ["output: string"],
      attrs: ["normalization_form: string"],
    },
    {
      name: "NormalizeUTF8WithOffsetsMap",
      inputs: ["input: string"],
      outputs: ["output: string", "offsets_map: variant"],
      attrs: ["normalization_form: string"],
    },
    {
      name: "FindSourceOffsets",
      inputs: ["offsets_map: variant", "input_offsets_values: int64", "input_offsets_splits: Tsplits"],
      outputs: ["output_offsets_values: int64"],
      attrs: ["Tsplits: {int32, int64} = DT_INT64"],
    },
    {
      name: "RegexSplitWithOffsets",
      inputs: ["input: string", "delim_regex_pattern: string", "keep_delim_regex_pattern: string"],
      outputs: ["tokens: string", "begin_offsets: int64", "end_offsets: int64", "row_splits: int64"],
      attrs: [],
    },
    {
      name: "RougeL",
      inputs: [
        "hyp_values: Tvalues",
        "hyp_splits: Tsplits",
        "ref_values: Tvalues",
        "ref_splits: Tsplits",
        "alpha: float",
      ],
      outputs: ["f_measure: float", "p_measure: float", "r_measure: float"],
      attrs: ["Tsplits: {int32, int64} = DT_INT64", "Tvalues: type"],
    },
    {
      name: "SentenceFragments",
      inputs: [
        "row_lengths: int64",
        "token_start: int64",
        "token_end: int64",
        "token_word: string",
        "token_properties: int64",
      ],
      outputs: [
        "fragment_start: int64",
        "fragment_end: int64",
        "fragment_properties: int64",
        "terminal_punc_token: int64",
        "output_row_lengths: int64",
      ],
      attrs: [
        "input_encoding: string",
        "errors: {'strict', 'replace', 'ignore'} = 'replace'",
        "replacement_char: int = 65533",
        "replace_control_characters: bool = false",
      ],
    },
    {
      name: "SentencepieceOp",
      inputs: [],
      outputs: ["handle: resource"],
      attrs: [
        "model: string = ''",
        "container: string = ''",
        "shared_name: string = ''",
        "use_node_name_sharing: bool = false",
      ],
      stateful: true,
    },
    {
      name: "SentencepieceTokenizeOp",
      inputs: SP_TOKENIZE_INPUTS(),
      outputs: ["output_values: out_type", "output_splits: Tsplits"],
      attrs: [
        "out_type: {int32, string} = DT_INT32",
        "Tsplits: {int32, int64} = DT_INT64",
        "return_nbest: bool = false",
      ],
    },
    {
      name: "SentencepieceTokenizeWithOffsetsOp",
      inputs: SP_TOKENIZE_INPUTS(),
      outputs: [
        "output_values: out_type",
        "output_splits: Tsplits",
        "output_offset_starts: int64",
        "output_offset_limits: int64",
      ],
      attrs: [
        "out_type: {int32, string} = DT_INT32",
        "Tsplits: {int32, int64} = DT_INT64",
        "return_nbest: bool = false",
      ],
    },
    {
      name: "SentencepieceDetokenizeOp",
      inputs: [
        "sp_handle: resource",
        "input_values: T",
        "input_splits: Tsplits",
        "add_bos: bool",
        "add_eos: bool",
        "reverse: bool",
      ],
      outputs: ["output: string"],
      attrs: ["T: {int32, string} = DT_INT32", "Tsplits: {int32, int64} = DT_INT64"],
    },
    { name: "SentencepieceVocabSizeOp", inputs: ["sp_handle: resource"], outputs: ["vocab_size: int32"], attrs: [] },
    {
      name: "SentencepieceIdToStringOp",
      inputs: ["sp_handle: resource", "input: int32"],
      outputs: ["values: string"],
      attrs: [],
    },
    {
      name: "SentencepieceStringToIdOp",
      inputs: ["sp_handle: resource", "input: string"],
      outputs: ["values: int32"],
      attrs: [],
    },
    {
      name: "SplitMergeTokenizeWithOffsets",
      inputs: ["input_values: string", "labels: int32", "row_splits: int32"],
      outputs: ["output_values: string", "output_row_splits: int64", "start_values: int64", "limit_values: int64"],
      attrs: ["force_split_at_break_character: bool = true"],
    },
    {
      name: "UnicodeScriptTokenizeWithOffsets",
      inputs: ["input_values: int32", "input_splits: Tsplits"],
      outputs: TOKENIZE_WITH_OFFSETS_OUTPUTS(),
      attrs: ["Tsplits: {int32, int64} = DT_INT64", "keep_whitespace: bool = false"],
    },
    {
      name: "WhitespaceTokenizeWithOffsets",
      inputs: ["input_values: int32", "input_splits: Tsplits"],
      outputs: TOKENIZE_WITH_OFFSETS_OUTPUTS(),
      attrs: ["Tsplits: {int32, int64} = DT_INT64"],
    },
    {
      name: "WordpieceTokenizeWithOffsets",
      inputs: ["input_values: string", "vocab_lookup_table: resource"],
      outputs: ["output_values: string", "output_row_lengths: int64", "start_values: int64", "limit_values: int64"],
      attrs: [
        "suffix_indicator: string",
        "max_bytes_per_word: int",
        "max_chars_per_token: int = 0",
        "use_unknown_token: bool",
        "unknown_token: string",
        "split_unknown_characters: bool = false",
        "output_row_partition_type: {'row_lengths', 'row_splits'} = 'row_lengths'",
      ],
    },
  ],
};
function SP_TOKENIZE_INPUTS() {
  return [
    "sp_handle: resource",
    "input: string",
    "nbest_size: int32",
    "alpha: float",
    "add_bos: bool",
    "add_eos: bool",
    "reverse: bool",
  ];
}
function TOKENIZE_WITH_OFFSETS_OUTPUTS() {
  return [
    "output_values: int32",
    "output_values_inner_splits: Tsplits",
    "output_offset_starts: int64",
    "output_offset_limits: int64",
    "output_outer_splits: Tsplits",
  ];
}

// DataType numbers (tensorflow/core/framework/types.proto) for REGISTER_OP spellings.
const DTYPES = {
  float: 1,
  double: 2,
  int32: 3,
  uint8: 4,
  int16: 5,
  int8: 6,
  string: 7,
  complex64: 8,
  int64: 9,
  bool: 10,
  qint8: 11,
  quint8: 12,
  qint32: 13,
  bfloat16: 14,
  qint16: 15,
  quint16: 16,
  uint16: 17,
  complex128: 18,
  half: 19,
  resource: 20,
  variant: 21,
  uint32: 22,
  uint64: 23,
};

/** Parses REGISTER_OP ".Input/.Output" specs ("name: type", "name: N * T", "name: Ref(float)") into our arg shape. */
function specArg(spec, attrNames, where) {
  const m = /^(\w+)\s*:\s*(?:(\w+)\s*\*\s*)?(Ref\()?\s*(\w+)\s*\)?$/.exec(spec);
  if (!m) fail(`${where}: cannot parse arg spec "${spec}"`);
  const arg = { name: m[1] };
  if (m[2]) arg.numberAttr = m[2];
  const t = m[4];
  if (DTYPES[t] !== undefined) arg.type = DTYPES[t];
  else if (attrNames.get(t) === "type") arg.typeAttr = t;
  else if (attrNames.get(t) === "type[]") arg.typeListAttr = t;
  else fail(`${where}: arg "${spec}" names no dtype or type attr`);
  if (m[3]) arg.isRef = true;
  return arg;
}

/** Parses REGISTER_OP ".Attr" specs ("T: {int32, int64} = DT_INT64", "n: int >= 1", "s: string = ''"). */
function specAttr(spec, where) {
  const m = /^(\w+)\s*:\s*(.+?)(?:\s*>=\s*(-?\d+))?(?:\s*=\s*(.+))?$/.exec(spec);
  if (!m) fail(`${where}: cannot parse attr spec "${spec}"`);
  let type = m[2].trim();
  if (/^\{\s*'/.test(type)) type = "string";
  else if (/^\{/.test(type)) type = "type";
  else if (/^list\((\w+)\)$/.test(type)) type = `${/^list\((\w+)\)$/.exec(type)[1]}[]`;
  type = type
    .replace(/^int(\[\])?$/, "int64$1")
    .replace(/^float(\[\])?$/, "float32$1")
    .replace(/^bool(\[\])?$/, "boolean$1")
    .replace(/^func(\[\])?$/, "function$1");
  const attr = { name: m[1], type };
  if (m[3] !== undefined) attr.minimum = Number(m[3]);
  if (m[4] !== undefined) {
    const d = m[4].trim();
    if (type === "type") {
      const dt = DTYPES[d.replace(/^DT_/, "").toLowerCase()];
      if (dt === undefined) fail(`${where}: unknown dtype default ${d}`);
      attr.default = { type: "type", value: dt };
    } else if (type === "string") attr.default = /^'(.*)'$/.exec(d)?.[1] ?? fail(`${where}: bad string default ${d}`);
    else if (type === "boolean") attr.default = d === "true";
    else if (type === "int64" || type === "float32") attr.default = Number(d);
    else fail(`${where}: unsupported default for ${type}`);
  }
  return attr;
}

function supplementOps() {
  const out = [];
  for (const [lib, defs] of Object.entries(SUPPLEMENT)) {
    for (const d of defs) {
      const attributes = d.attrs.map((s) => specAttr(s, d.name));
      const attrTypes = new Map(attributes.map((a) => [a.name, a.type]));
      out.push({
        name: d.name,
        inputs: d.inputs.map((s) => specArg(s, attrTypes, d.name)),
        outputs: d.outputs.map((s) => specArg(s, attrTypes, d.name)),
        attributes,
        library: lib,
        stateful: d.stateful === true,
      });
    }
  }
  return out;
}

if (!existsSync(SRC))
  fail(`${SRC} not found: TensorFlow's op defs come from ../shared/reference (the generated module is committed)`);
const tfOps = JSON.parse(readFileSync(SRC, "utf8"));
if (!Array.isArray(tfOps)) fail("expected an array of op definitions");
const tfNames = new Set(tfOps.map((o) => o.name));
const extra = supplementOps();
for (const o of extra) if (tfNames.has(o.name)) fail(`supplement op ${o.name} is already in TensorFlow's registry`);
const ops = [...tfOps, ...extra];
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
  const flags = [op.stateful ? "stateful" : "", op.library ? `lib:${op.library}` : ""].filter(Boolean).join(",");
  lines.push(`${op.name};${ins};${outs};${attrs.join(",")}${flags ? `;${flags}` : ""}`);
}
const table = lines.join("\n");
if (/["\\`]/.test(table) || /[^\x20-\x7e\n]/.test(table)) fail("table contains characters that need escaping");

const out = `// GENERATED by scripts/gen-op-registry.mjs — do not edit
// TensorFlow op registry (${tfOps.length} ops) + ${extra.length} add-on library ops: names, argument signatures, attribute types and defaults.
// Format: see scripts/gen-op-registry.mjs. Decoded lazily per op by registry.ts.
/* prettier-ignore */
export const OP_COUNT = ${lines.length};
/** Ops from TensorFlow itself (the rest come from add-on libraries such as TF Text). */
export const TF_OP_COUNT = ${tfOps.length};
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
    `gen-op-registry: ${tfOps.length} TensorFlow + ${extra.length} add-on ops, ${(Buffer.byteLength(out) / 1024).toFixed(1)} KB -> ${OUT}` +
      (skippedDefaults ? ` (${skippedDefaults} defaults not representable: tensor/func)` : ""),
  );
}
