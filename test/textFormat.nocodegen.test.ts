import { test } from "node:test";
import assert from "node:assert/strict";
import { Root, Type, type Namespace } from "protobufjs/light";
import descriptor from "../proto/generated/tensorflow.json";
import { tensorflow } from "../src/savedmodel/proto.js";
import { parseTextFormat, printTextFormat } from "../src/savedmodel/textFormat/index.js";
import { schema } from "../src/savedmodel/textFormat/schema.js";

/** Runs fn with globalThis.Function replaced by a counting wrapper (protobufjs codegen calls Function(...)). */
function countFunctionConstructions(fn: () => void): number {
  const Original = globalThis.Function;
  let count = 0;
  const Spy = new Proxy(Original, {
    apply(target, thisArg, args) {
      count++;
      return Reflect.apply(target, thisArg, args);
    },
    construct(target, args) {
      count++;
      return Reflect.construct(target, args);
    },
  });
  globalThis.Function = Spy;
  try {
    fn();
  } finally {
    globalThis.Function = Original;
  }
  return count;
}

function allTypes(ns: Namespace, out: Type[] = []): Type[] {
  for (const o of ns.nestedArray) {
    if (o instanceof Type) out.push(o);
    if ("nestedArray" in o) allTypes(o as Namespace, out);
  }
  return out;
}

const SAMPLE = `
saved_model_schema_version: 1
meta_graphs {
  meta_info_def { tags: "serve" }
  graph_def { node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } } }
  collection_def { key: "c" value { any_list { value { [type.googleapis.com/tensorflow.VersionDef] { producer: 1 } } } } }
}`;

test("parse and print never make protobufjs generate code", () => {
  const calls = countFunctionConstructions(() => {
    const sm = parseTextFormat(SAMPLE, "tensorflow.SavedModel", "s.pbtxt");
    const text = printTextFormat(sm, "tensorflow.SavedModel");
    parseTextFormat(text, "tensorflow.SavedModel", "s.pbtxt");
    tensorflow.SavedModel.encode(sm).finish();
  });
  assert.equal(calls, 0, "Function() was called during text format parse/print");
  const types = allTypes(schema().root);
  assert.ok(types.length > 50);
  for (const t of types) {
    assert.equal((t as unknown as { _ctor: unknown })._ctor, null, `${t.fullName} got a generated constructor`);
    assert.ok(!Object.hasOwn(t, "decode") && !Object.hasOwn(t, "encode"), `${t.fullName} was set up`);
  }
});

test("control: the detector does see reflection codegen", () => {
  const other = Root.fromJSON(descriptor as Parameters<typeof Root.fromJSON>[0]);
  const t = other.lookupType("tensorflow.VersionDef");
  const calls = countFunctionConstructions(() => {
    t.decode(new Uint8Array([8, 5]));
  });
  assert.ok(calls > 0, "setting up a reflection type should construct functions");
  assert.notEqual((t as unknown as { _ctor: unknown })._ctor, null);
});
