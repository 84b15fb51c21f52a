import { test } from "node:test";
import assert from "node:assert/strict";
import { Enum, MapField, Root, Type, util, type Namespace } from "protobufjs/light";
import descriptor from "../proto/generated/tensorflow.json";
import { tensorflow } from "../src/savedmodel/proto.js";
import { parseTextFormat, printTextFormat } from "../src/savedmodel/textFormat/index.js";
import { Kind, schema } from "../src/savedmodel/textFormat/schema.js";

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
  assert.ok(schema().messages.size > 50);
});

test("the field tables read from the JSON descriptor are what protobufjs's reflection of it says", () => {
  const root = new Root().addJSON((descriptor as { nested: Parameters<Root["addJSON"]>[0] }).nested) as Root;
  const types = allTypes(root);
  const { messages } = schema();
  assert.equal(messages.size, types.length);
  const strip = (n: string) => n.replace(/^\./, "");
  for (const t of types) {
    const info = messages.get(strip(t.fullName));
    assert.ok(info, t.fullName);
    const want = [...t.fieldsArray]
      .sort((a, b) => a.id - b.id)
      .map((f) => {
        const scalar = /^(double|float|u?int32|s?int32|s?fixed32|u?int64|s?int64|s?fixed64|bool|string|bytes)$/.test(
          f.type,
        );
        const isMap = f instanceof MapField;
        return {
          name: f.name,
          prop: util.camelCase(f.name),
          id: f.id,
          repeated: f.repeated || isMap,
          keyType: isMap ? (f as MapField).keyType : undefined,
          target: scalar ? f.type : strip((t.lookupTypeOrEnum(f.type) as Type | Enum).fullName),
          oneof: f.partOf ? [f.partOf.name, ...f.partOf.oneof.filter((n) => n !== f.name).map(util.camelCase)] : [],
        };
      });
    const got = info.fieldList.map((fi) => ({
      name: fi.name,
      prop: fi.prop,
      id: fi.id,
      repeated: fi.repeated,
      keyType:
        fi.keyKind !== undefined
          ? Object.keys(Kind)
              .find((k) => Kind[k as keyof typeof Kind] === fi.keyKind)!
              .toLowerCase()
          : undefined,
      target:
        fi.message?.fullName ??
        fi.enumInfo?.fullName ??
        Object.keys(Kind)
          .find((k) => Kind[k as keyof typeof Kind] === fi.kind)!
          .toLowerCase(),
      oneof: fi.oneofName ? [fi.oneofName, ...fi.oneofSiblings!] : [],
    }));
    assert.deepEqual(got, want, t.fullName);
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
