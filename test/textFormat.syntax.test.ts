import { test } from "node:test";
import assert from "node:assert/strict";
import { tensorflow, google } from "../src/savedmodel/proto.js";
import { parseTextFormat, printTextFormat } from "../src/savedmodel/textFormat/index.js";

type Msg = Record<string, any>;
interface Enc {
  encode(m: any): { finish(): Uint8Array };
  create(p?: any): any;
}

const TYPES: Record<string, Enc> = {
  "tensorflow.TensorProto": tensorflow.TensorProto,
  "tensorflow.AttrValue": tensorflow.AttrValue,
  "tensorflow.NodeDef": tensorflow.NodeDef,
  "tensorflow.FingerprintDef": tensorflow.FingerprintDef,
  "tensorflow.StructuredValue": tensorflow.StructuredValue,
  "tensorflow.CollectionDef": tensorflow.CollectionDef,
  "tensorflow.FunctionDef": tensorflow.FunctionDef,
  "tensorflow.GraphDebugInfo": tensorflow.GraphDebugInfo,
  "tensorflow.SavedModel": tensorflow.SavedModel,
  "tensorflow.VersionDef": tensorflow.VersionDef,
};

const parse = (text: string, type: string): Msg => parseTextFormat<Msg>(text, type, "case.pbtxt");
const enc = (type: string, m: unknown): Buffer => Buffer.from(TYPES[type].encode(m).finish());
const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

/** [title, type, text, expected properties for create()] — compared by encoded bytes, plus a print round trip. */
const cases: [string, string, string, Msg][] = [
  [
    "decimal ints",
    "tensorflow.TensorProto",
    "int_val: 1 int_val: -2 int_val: 2147483647",
    { intVal: [1, -2, 2147483647] },
  ],
  [
    "hex and octal ints",
    "tensorflow.TensorProto",
    "int_val: 0x1F int_val: 0X10 int_val: 017 int_val: -0x10 int_val: 0",
    { intVal: [31, 16, 15, -16, 0] },
  ],
  ["int32 min", "tensorflow.TensorProto", "int_val: -2147483648", { intVal: [-2147483648] }],
  ["uint32 max", "tensorflow.TensorProto", "uint32_val: 4294967295", { uint32Val: [4294967295] }],
  [
    "int64 beyond 2^53 -> bigint",
    "tensorflow.TensorProto",
    "int64_val: 9223372036854775807 int64_val: -9223372036854775808 int64_val: 9007199254740993",
    { int64Val: [2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n] },
  ],
  [
    "uint64 max, hex",
    "tensorflow.FingerprintDef",
    "saved_model_checksum: 18446744073709551615 graph_def_program_hash: 0xFFFFFFFFFFFFFFFF signature_def_hash: 12345",
    { savedModelChecksum: 2n ** 64n - 1n, graphDefProgramHash: 2n ** 64n - 1n, signatureDefHash: 12345 },
  ],
  ["sint64 negative in oneof", "tensorflow.StructuredValue", "int64_value: -5", { int64Value: -5 }],
  [
    "floats",
    "tensorflow.TensorProto",
    "float_val: 1.5 float_val: -2 float_val: 1e-5 float_val: 1.5f float_val: .25 float_val: 3.F float_val: 1E+3 float_val: 0x10",
    { floatVal: [1.5, -2, 1e-5, 1.5, 0.25, 3, 1000, 16] },
  ],
  [
    "inf / nan",
    "tensorflow.TensorProto",
    "float_val: inf float_val: -inf float_val: nan float_val: -Infinity float_val: NaN double_val: INF",
    { floatVal: [Infinity, -Infinity, NaN, -Infinity, NaN], doubleVal: [Infinity] },
  ],
  [
    "doubles keep full precision",
    "tensorflow.TensorProto",
    "double_val: 0.1 double_val: 1.7976931348623157e308 double_val: 5e-324",
    { doubleVal: [0.1, 1.7976931348623157e308, 5e-324] },
  ],
  [
    "bools",
    "tensorflow.TensorProto",
    "bool_val: true bool_val: false bool_val: t bool_val: f bool_val: True bool_val: False bool_val: 1 bool_val: 0",
    { boolVal: [true, false, true, false, true, false, true, false] },
  ],
  ["enum by name and number", "tensorflow.TensorProto", "dtype: DT_INT64", { dtype: 9 }],
  ["enum by number", "tensorflow.AttrValue", "type: 3", { type: 3 }],
  [
    "enum in list",
    "tensorflow.AttrValue",
    "list { type: DT_FLOAT type: 2 type: [DT_HALF, 3] }",
    { list: { type: [1, 2, 19, 3] } },
  ],
  ["double-quoted string", "tensorflow.NodeDef", 'name: "a/b" op: "Const"', { name: "a/b", op: "Const" }],
  ["single-quoted string with double quote", "tensorflow.NodeDef", "name: 'say \"hi\"'", { name: 'say "hi"' }],
  ["C escapes", "tensorflow.NodeDef", String.raw`name: "\n\t\r\\\'\"\a\b\f\v\?"`, { name: "\n\t\r\\'\"\x07\b\f\v?" }],
  [
    "octal and hex escapes in a string (UTF-8 bytes)",
    "tensorflow.NodeDef",
    String.raw`name: "\303\251\x41\101\0"`,
    { name: "éAA\0" },
  ],
  ["unicode escapes", "tensorflow.NodeDef", String.raw`name: "\u00e9\U0001F600\ud83d\ude00"`, { name: "é😀😀" }],
  ["non-ASCII literal text", "tensorflow.NodeDef", 'name: "héllo 😀"', { name: "héllo 😀" }],
  ["adjacent string concatenation", "tensorflow.NodeDef", 'name: "ab" \'cd\'\n  "e\\x66"', { name: "abcdef" }],
  [
    "bytes: raw escapes",
    "tensorflow.TensorProto",
    String.raw`tensor_content: "\000\001\377\x7f\xFFa"`,
    { tensorContent: bytes(0, 1, 255, 127, 255, 97) },
  ],
  [
    "bytes: non-ASCII literal is UTF-8",
    "tensorflow.TensorProto",
    'tensor_content: "é"',
    { tensorContent: bytes(0xc3, 0xa9) },
  ],
  [
    "bytes: \\u escape is UTF-8",
    "tensorflow.TensorProto",
    String.raw`tensor_content: "\u00ff"`,
    { tensorContent: bytes(0xc3, 0xbf) },
  ],
  [
    "repeated bytes, concatenated",
    "tensorflow.TensorProto",
    'string_val: "a" "b" string_val: \'\'',
    { stringVal: [ascii("ab"), bytes()] },
  ],
  [
    "nested with {} and <>, optional colon",
    "tensorflow.TensorProto",
    "tensor_shape < dim { size: 2 } dim: { size: -1 name: 'x' } >",
    { tensorShape: { dim: [{ size: 2 }, { size: -1, name: "x" }] } },
  ],
  ["empty nested message is present", "tensorflow.TensorProto", "tensor_shape {}", { tensorShape: {} }],
  [
    "separators , and ;",
    "tensorflow.NodeDef",
    'name: "a", op: "b"; input: "c",input:"d";',
    { name: "a", op: "b", input: ["c", "d"] },
  ],
  [
    "repeated short form",
    "tensorflow.TensorProto",
    "int_val: [1, 2, 3] int_val: 4 int_val: []",
    { intVal: [1, 2, 3, 4] },
  ],
  [
    "repeated message short form",
    "tensorflow.TensorProto",
    "tensor_shape { dim [{ size: 1 }, < size: 2 >] dim: [{size: 3}] }",
    { tensorShape: { dim: [{ size: 1 }, { size: 2 }, { size: 3 }] } },
  ],
  [
    "map<string, AttrValue>",
    "tensorflow.NodeDef",
    'attr { key: "T" value { type: DT_FLOAT } } attr { value { i: 3 } key: "N" } attr { key: "empty" }',
    { attr: { T: { type: 1 }, N: { i: 3 }, empty: {} } },
  ],
  [
    "map short form",
    "tensorflow.NodeDef",
    'attr [{ key: "a" value { b: true } }, { key: "b" value { s: "x" } }]',
    { attr: { a: { b: true }, b: { s: ascii("x") } } },
  ],
  [
    "map<uint32, uint32>",
    "tensorflow.FunctionDef",
    "resource_arg_unique_id { key: 3 value: 7 } resource_arg_unique_id { key: 0 value: 0 }",
    { resourceArgUniqueId: { 3: 7, 0: 0 } },
  ],
  [
    "map<fixed64, ...>",
    "tensorflow.GraphDebugInfo",
    "frames_by_id { key: 12345678901 value { line: 3 } }",
    { framesById: { "12345678901": { line: 3 } } },
  ],
  [
    "# comments everywhere",
    "tensorflow.NodeDef",
    '# header\nname: "a" # trailing\n# between\nop: # before value\n "b"\n#end',
    { name: "a", op: "b" },
  ],
  ["oneof member with default value is kept", "tensorflow.AttrValue", "b: false", { b: false }],
  ["oneof int 0 is kept", "tensorflow.AttrValue", "i: 0", { i: 0 }],
  ["proto3 defaults are not stored", "tensorflow.NodeDef", 'name: "" op: "x" device: ""', { op: "x" }],
  ["proto3 default int dropped", "tensorflow.VersionDef", "producer: 0 min_consumer: 5", { minConsumer: 5 }],
  ["negative zero double kept", "tensorflow.TensorProto", "double_val: -0.0", { doubleVal: [-0] }],
  [
    "Any expansion",
    "tensorflow.CollectionDef",
    "any_list { value { [type.googleapis.com/tensorflow.VersionDef] { producer: 27 bad_consumers: [1, 2] } } }",
    {
      anyList: {
        value: [
          {
            typeUrl: "type.googleapis.com/tensorflow.VersionDef",
            value: tensorflow.VersionDef.encode({ producer: 27, badConsumers: [1, 2] }).finish(),
          },
        ],
      },
    },
  ],
  [
    "Any expansion with colon and <>",
    "tensorflow.CollectionDef",
    'any_list { value { [type.googleapis.com/tensorflow.NodeDef]: < name: "n" > } }',
    {
      anyList: {
        value: [
          {
            typeUrl: "type.googleapis.com/tensorflow.NodeDef",
            value: tensorflow.NodeDef.encode({ name: "n" }).finish(),
          },
        ],
      },
    },
  ],
  [
    "Any written plainly",
    "tensorflow.CollectionDef",
    'any_list { value { type_url: "x/y" value: "\\001" } }',
    { anyList: { value: [{ typeUrl: "x/y", value: bytes(1) }] } },
  ],
  [
    "minus as its own token",
    "tensorflow.TensorProto",
    "int_val: - 5 float_val: - inf double_val: -\n 2.5",
    { intVal: [-5], floatVal: [-Infinity], doubleVal: [-2.5] },
  ],
  ["whitespace variety", "tensorflow.NodeDef", '\r\n\tname\t:\t"a"\r\n\f\v', { name: "a" }],
  ["empty input", "tensorflow.NodeDef", "", {}],
];

for (const [title, type, text, expected] of cases) {
  test(`syntax: ${title}`, () => {
    const msg = parse(text, type);
    assert.ok(msg instanceof (TYPES[type] as unknown as new () => object), "instance of the generated class");
    const want = enc(type, TYPES[type].create(expected));
    const got = enc(type, msg);
    assert.deepEqual(got, want, `encoded bytes for ${JSON.stringify(text)}`);
    // print -> parse -> encode round trip
    const printed = printTextFormat(msg, type);
    assert.deepEqual(enc(type, parse(printed, type)), want, `round trip through:\n${printed}`);
  });
}

test("64-bit values: number when safe, bigint beyond 2^53", () => {
  const t = parse(
    "int64_val: 9007199254740991 int64_val: 9007199254740992 int64_val: -9007199254740991 uint64_val: 18446744073709551615",
    "tensorflow.TensorProto",
  );
  assert.deepEqual(t.int64Val, [9007199254740991, 9007199254740992n, -9007199254740991]);
  assert.deepEqual(t.uint64Val, [18446744073709551615n]);
  assert.equal(typeof t.int64Val[0], "number");
});

test("float fields store float32 values; doubles keep doubles", () => {
  const t = parse("float_val: 0.1 double_val: 0.1", "tensorflow.TensorProto");
  assert.equal(t.floatVal[0], Math.fround(0.1));
  assert.equal(t.doubleVal[0], 0.1);
});

test("field values land on camelCase properties of the generated class", () => {
  const n = parse('name: "x" experimental_debug_info { original_node_names: "a" }', "tensorflow.NodeDef");
  assert.ok(n instanceof tensorflow.NodeDef);
  assert.ok(n.experimentalDebugInfo instanceof tensorflow.NodeDef.ExperimentalDebugInfo);
  assert.deepEqual(n.experimentalDebugInfo.originalNodeNames, ["a"]);
  const any = parse(
    "any_list { value { [type.googleapis.com/tensorflow.VersionDef] { producer: 1 } } }",
    "tensorflow.CollectionDef",
  );
  assert.ok(any.anyList.value[0] instanceof google.protobuf.Any);
  assert.equal(any.kind, "anyList", "oneof virtual property");
});

test("printer: TF-like layout", () => {
  const n = tensorflow.NodeDef.create({
    name: "c",
    op: "Const",
    input: ["^x"],
    attr: { dtype: { type: 1 }, value: { tensor: { dtype: 1, tensorShape: {}, floatVal: [0.1, 2] } } },
  });
  assert.equal(
    printTextFormat(n, "tensorflow.NodeDef"),
    [
      'name: "c"',
      'op: "Const"',
      'input: "^x"',
      "attr {",
      '  key: "dtype"',
      "  value {",
      "    type: DT_FLOAT",
      "  }",
      "}",
      "attr {",
      '  key: "value"',
      "  value {",
      "    tensor {",
      "      dtype: DT_FLOAT",
      "      tensor_shape {",
      "      }",
      "      float_val: 0.1",
      "      float_val: 2",
      "    }",
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  const t = tensorflow.TensorProto.create({
    tensorContent: bytes(0, 10, 34, 39, 92, 65, 200),
    stringVal: [bytes(0xc3, 0xa9)],
    int64Val: [2n ** 63n - 1n],
  });
  assert.equal(
    printTextFormat(t, "tensorflow.TensorProto"),
    'tensor_content: "\\000\\n\\"\\\'\\\\A\\310"\nstring_val: "\\303\\251"\nint64_val: 9223372036854775807\n',
  );
  const any = tensorflow.CollectionDef.create({
    anyList: {
      value: [
        {
          typeUrl: "type.googleapis.com/tensorflow.VersionDef",
          value: tensorflow.VersionDef.encode({ producer: 5 }).finish(),
        },
      ],
    },
  });
  assert.equal(
    printTextFormat(any, "tensorflow.CollectionDef"),
    "any_list {\n  value {\n    [type.googleapis.com/tensorflow.VersionDef] {\n      producer: 5\n    }\n  }\n}\n",
  );
  assert.equal(
    printTextFormat(
      tensorflow.TensorProto.create({ floatVal: [Infinity, -Infinity, NaN, 1e-7, 16777217] }),
      "tensorflow.TensorProto",
    ),
    "float_val: inf\nfloat_val: -inf\nfloat_val: nan\nfloat_val: 1e-7\nfloat_val: 16777216\n",
  );
});
