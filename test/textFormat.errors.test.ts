import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { parseTextFormat } from "../src/savedmodel/textFormat/index.js";
import { fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

/** [title, type, text, expected detail (regexp), offset, field] */
const cases: [string, string, string, RegExp, number, string | undefined][] = [
  ["unterminated string", "tensorflow.NodeDef", 'name: "abc', /^1:7: unterminated string literal$/, 6, "name"],
  [
    "string across lines",
    "tensorflow.NodeDef",
    'name: "ab\nc"',
    /^1:10: unterminated string literal \(string literals cannot span lines\)/,
    9,
    "name",
  ],
  [
    "unknown field",
    "tensorflow.NodeDef",
    'name: "a"\n  bogus: 1',
    /^2:3: unknown field "bogus" in tensorflow\.NodeDef$/,
    12,
    undefined,
  ],
  [
    "unknown nested field has a path",
    "tensorflow.SavedModel",
    "meta_graphs { graph_def { node { nme: 'x' } } }",
    /^1:34: unknown field "nme" in tensorflow\.NodeDef$/,
    33,
    "meta_graphs.graph_def.node",
  ],
  [
    "bad enum",
    "tensorflow.TensorProto",
    "dtype: DT_BOGUS",
    /^1:8: unknown value "DT_BOGUS" for enum tensorflow\.DataType \(field "dtype"\)$/,
    7,
    "dtype",
  ],
  [
    "truncated input",
    "tensorflow.SavedModel",
    "meta_graphs { meta_info_def { tags: 'serve'",
    /^1:44: expected "}" to close tensorflow\.MetaGraphDef\.MetaInfoDef, got end of input$/,
    43,
    "meta_graphs.meta_info_def",
  ],
  [
    "truncated after colon",
    "tensorflow.NodeDef",
    "name:",
    /^1:6: expected a string for field "name", got end of input$/,
    5,
    "name",
  ],
  [
    "wrong type: string for int",
    "tensorflow.VersionDef",
    'producer: "1"',
    /^1:11: expected an integer for field "producer", got a string$/,
    10,
    "producer",
  ],
  [
    "wrong type: int for string",
    "tensorflow.NodeDef",
    "name: 5",
    /^1:7: expected a string for field "name", got "5"$/,
    6,
    "name",
  ],
  [
    "wrong type: float for int",
    "tensorflow.VersionDef",
    "producer: 1.5",
    /^1:11: expected an integer for field "producer", got "1\.5"$/,
    10,
    "producer",
  ],
  [
    "wrong type: scalar for message",
    "tensorflow.TensorProto",
    "tensor_shape: 3",
    /^1:15: expected "\{" or "<" to start the message "tensor_shape", got "3"$/,
    14,
    "tensor_shape",
  ],
  [
    "missing colon",
    "tensorflow.NodeDef",
    'name "a"',
    /^1:6: expected ":" after field "name", got a string$/,
    5,
    "name",
  ],
  [
    "int32 out of range",
    "tensorflow.VersionDef",
    "producer: 2147483648",
    /out of range for int32 field "producer"/,
    10,
    "producer",
  ],
  [
    "uint32 negative",
    "tensorflow.TensorProto",
    "uint32_val: -1",
    /out of range for uint32 field "uint32_val"/,
    12,
    "uint32_val",
  ],
  [
    "int64 overflow",
    "tensorflow.TensorProto",
    "int64_val: 9223372036854775808",
    /out of range for int64 field/,
    11,
    "int64_val",
  ],
  [
    "uint64 overflow",
    "tensorflow.TensorProto",
    "uint64_val: 18446744073709551616",
    /out of range for uint64 field/,
    12,
    "uint64_val",
  ],
  [
    "bad bool",
    "tensorflow.TensorProto",
    "bool_val: yes",
    /expected true or false for field "bool_val", got "yes"/,
    10,
    "bool_val",
  ],
  ["bool 2", "tensorflow.TensorProto", "bool_val: 2", /expected true or false for field "bool_val"/, 10, "bool_val"],
  ["bad octal", "tensorflow.TensorProto", "int_val: 09", /invalid octal number "09"/, 9, "int_val"],
  ["number glued to identifier", "tensorflow.TensorProto", "int_val: 12abc", /invalid number "12a"/, 11, "int_val"],
  ["bad escape", "tensorflow.NodeDef", 'name: "\\q"', /invalid escape sequence "\\q"/, 7, "name"],
  ["bad \\u escape", "tensorflow.NodeDef", 'name: "\\u12"', /invalid unicode escape/, 7, "name"],
  [
    "duplicate singular field",
    "tensorflow.NodeDef",
    'name: "a" name: "b"',
    /non-repeated field "name" is specified multiple times/,
    10,
    "name",
  ],
  [
    "two oneof members",
    "tensorflow.AttrValue",
    "i: 1 b: true",
    /field "b" is specified along with field "i", another member of oneof "value"/,
    5,
    "b",
  ],
  ["list on a singular field", "tensorflow.NodeDef", "name: ['a']", /field "name" is not repeated/, 6, "name"],
  [
    "bad list separator",
    "tensorflow.TensorProto",
    "int_val: [1 2]",
    /expected "," or "]" in the list of "int_val", got "2"/,
    12,
    "int_val",
  ],
  ["stray closing brace", "tensorflow.NodeDef", "}", /^1:1: unexpected char "}", expected a field name$/, 0, undefined],
  [
    "mismatched close",
    "tensorflow.TensorProto",
    "tensor_shape { dim { size: 1 > }",
    /expected "}" to close|unexpected char ">"/,
    29,
    "tensor_shape.dim",
  ],
  [
    "field name starting with digit",
    "tensorflow.NodeDef",
    "1name: 2",
    /expected a field name, got "1name"/,
    0,
    undefined,
  ],
  [
    "unknown Any type",
    "tensorflow.CollectionDef",
    "any_list { value { [type.googleapis.com/foo.Bar] { } } }",
    /unknown message type "foo\.Bar"/,
    19,
    "any_list.value",
  ],
  [
    "extension outside Any",
    "tensorflow.NodeDef",
    "[foo.bar] { }",
    /extension "\[foo\.bar\]" is not supported in tensorflow\.NodeDef/,
    0,
    undefined,
  ],
  [
    "Any both forms",
    "tensorflow.CollectionDef",
    "any_list { value { type_url: 'a/b' [type.googleapis.com/tensorflow.NodeDef] { } } }",
    /either an expanded/,
    35,
    "any_list.value",
  ],
  [
    "binary garbage",
    "tensorflow.SavedModel",
    "\u0008\u0001\u0012",
    /^1:1: unexpected char "\\b", expected a field name$/,
    0,
    undefined,
  ],
];

for (const [title, type, text, detail, offset, field] of cases) {
  test(`error: ${title}`, () => {
    assert.throws(
      () => parseTextFormat(text, type, "dir/saved_model.pbtxt"),
      (e: unknown) => {
        assert.ok(e instanceof SavedModelError, `SavedModelError, got ${e}`);
        assert.equal(e.file, "dir/saved_model.pbtxt");
        assert.match(e.detail, detail);
        assert.equal(e.offset, offset, `offset in ${e.message}`);
        assert.equal(e.field, field, `field in ${e.message}`);
        assert.ok(e.message.startsWith("dir/saved_model.pbtxt ("), e.message);
        return true;
      },
    );
  });
}

test("error: unknown message type", () => {
  assert.throws(() => parseTextFormat("", "tensorflow.Nope", "f"), SavedModelError);
});

test("hostile: 10^5 nesting levels end with a clean error", () => {
  const n = 100_000;
  const text = "list_value { values { ".repeat(n) + "} }".repeat(n);
  assert.throws(
    () => parseTextFormat(text, "tensorflow.StructuredValue", "deep.pbtxt"),
    (e: unknown) => e instanceof SavedModelError && /nested more than 100 levels deep/.test(e.detail) && e.offset! > 0,
  );
  const angle = "tensor_shape < ".repeat(n);
  assert.throws(() => parseTextFormat(angle, "tensorflow.TensorProto", "deep.pbtxt"), SavedModelError);
  // 100 levels are fine
  const ok = "list_value { values { ".repeat(50) + "} }".repeat(50);
  assert.doesNotThrow(() => parseTextFormat(ok, "tensorflow.StructuredValue", "ok.pbtxt"));
});

test("hostile: 100 MB strings end cleanly", () => {
  const big = "a".repeat(100 * 1024 * 1024);
  assert.throws(
    () => parseTextFormat('name: "' + big, "tensorflow.NodeDef", "big.pbtxt"),
    (e: unknown) => e instanceof SavedModelError && /unterminated string literal/.test(e.detail) && e.offset === 6,
  );
  const n = parseTextFormat<{ name: string }>('name: "' + big + '"', "tensorflow.NodeDef", "big.pbtxt");
  assert.equal(n.name.length, big.length);
  assert.throws(() => parseTextFormat(big, "tensorflow.NodeDef", "big.pbtxt"), /unknown field "a{40}/);
  assert.throws(
    () => parseTextFormat("int_val: " + "9".repeat(1000), "tensorflow.TensorProto", "big.pbtxt"),
    SavedModelError,
  );
});

test("corrupt-binary-named-pbtxt fixture: unexpected char at offset 0", { skip: skipNoFixtures }, () => {
  const text = readFileSync(join(fixturePath("corrupt-binary-named-pbtxt"), "saved_model.pbtxt"), "latin1");
  assert.throws(
    () => parseTextFormat(text, "tensorflow.SavedModel", "saved_model.pbtxt"),
    (e: unknown) => e instanceof SavedModelError && e.offset === 0 && /unexpected char "\\b"/.test(e.message),
  );
});
