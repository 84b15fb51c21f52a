/**
 * Field tables for the text-format parser and printer, read from the protobufjs reflection
 * descriptor (proto/generated/tensorflow.json, snake_case names) and tied to the generated
 * static classes (camelCase properties). Only metadata is read from reflection: no reflection
 * type is ever resolved or set up, so protobufjs never generates code (Function()) at runtime.
 */
import { Enum, Field, MapField, Namespace, Root, Type, util } from "protobufjs/light";
import descriptor from "../../../proto/generated/tensorflow.json";
import { google, tensorflow } from "../proto.js";

/** Scalar kinds, numbered for fast switches. */
export enum Kind {
  Double,
  Float,
  Int32,
  Uint32,
  Sint32,
  Fixed32,
  Sfixed32,
  Int64,
  Uint64,
  Sint64,
  Fixed64,
  Sfixed64,
  Bool,
  String,
  Bytes,
  Enum,
  Message,
}

const KIND_BY_NAME: Record<string, Kind> = {
  double: Kind.Double,
  float: Kind.Float,
  int32: Kind.Int32,
  uint32: Kind.Uint32,
  sint32: Kind.Sint32,
  fixed32: Kind.Fixed32,
  sfixed32: Kind.Sfixed32,
  int64: Kind.Int64,
  uint64: Kind.Uint64,
  sint64: Kind.Sint64,
  fixed64: Kind.Fixed64,
  sfixed64: Kind.Sfixed64,
  bool: Kind.Bool,
  string: Kind.String,
  bytes: Kind.Bytes,
};

export interface EnumInfo {
  fullName: string;
  byName: Map<string, number>;
  /** First name declared for each number. */
  byNumber: Map<number, string>;
}

/** A static generated class (e.g. tensorflow.SavedModel). */
export interface StaticClass {
  new (): Record<string, unknown>;
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Record<string, unknown>;
}

export interface FieldInfo {
  /** Name in the .proto (snake_case), as written in text format. */
  name: string;
  /** Property name on the generated class (camelCase). */
  prop: string;
  id: number;
  /** Kind of the value (of the map value for map fields). */
  kind: Kind;
  repeated: boolean;
  /** Map fields: kind of the key. */
  keyKind?: Kind;
  /** Synthetic entry message (fields `key`, `value`) for map fields. */
  entry?: MessageInfo;
  message?: MessageInfo;
  enumInfo?: EnumInfo;
  /** Properties of the other members of this field's oneof. */
  oneofSiblings?: string[];
  oneofName?: string;
  /** proto3 singular scalar without presence: a default value is not stored. */
  implicitPresence: boolean;
}

export interface MessageInfo {
  /** e.g. "tensorflow.SavedModel" */
  fullName: string;
  /** Static class; undefined for synthetic map-entry messages (parsed into plain objects). */
  ctor?: StaticClass;
  fields: Map<string, FieldInfo>;
  /** Fields in field-number order (the order TensorFlow prints them). */
  fieldList: FieldInfo[];
  isAny: boolean;
  isMapEntry: boolean;
}

export interface Schema {
  root: Root;
  messages: Map<string, MessageInfo>;
  enums: Map<string, EnumInfo>;
}

let cached: Schema | undefined;

/** The reflection root used for metadata (exposed for tests). */
export function schema(): Schema {
  if (!cached) cached = buildSchema();
  return cached;
}

/** Looks up a message by full name, with or without the leading dot. */
export function messageInfo(typeName: string): MessageInfo | undefined {
  const name = typeName.startsWith(".") ? typeName.slice(1) : typeName;
  return schema().messages.get(name);
}

function stripDot(name: string): string {
  return name.startsWith(".") ? name.slice(1) : name;
}

function staticClass(fullName: string): StaticClass | undefined {
  let cur: unknown = { tensorflow, google };
  for (const part of fullName.split(".")) {
    if (cur === null || (typeof cur !== "object" && typeof cur !== "function")) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === "function" ? (cur as unknown as StaticClass) : undefined;
}

function buildSchema(): Schema {
  // Not Root.fromJSON: its resolveAll() touches Type#ctor, which generates constructors with
  // Function(). Types are looked up by name below instead (Namespace#lookup is pure).
  const root = new Root().addJSON((descriptor as { nested: Parameters<Root["addJSON"]>[0] }).nested) as Root;
  const messages = new Map<string, MessageInfo>();
  const enums = new Map<string, EnumInfo>();
  const types: Type[] = [];
  const walk = (ns: Namespace): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof Type) types.push(obj);
      if (obj instanceof Enum) enums.set(stripDot(obj.fullName), enumInfo(obj));
      if (obj instanceof Namespace) walk(obj);
    }
  };
  walk(root);
  for (const t of types) {
    const fullName = stripDot(t.fullName);
    const ctor = staticClass(fullName);
    if (!ctor) throw new Error(`textFormat schema: no generated class for ${fullName}`);
    messages.set(fullName, {
      fullName,
      ctor,
      fields: new Map(),
      fieldList: [],
      isAny: fullName === "google.protobuf.Any",
      isMapEntry: false,
    });
  }
  for (const t of types) {
    const info = messages.get(stripDot(t.fullName))!;
    const proto = info.ctor!.prototype as object;
    for (const f of [...t.fieldsArray].sort((a, b) => a.id - b.id)) {
      const fi = fieldInfo(f, messages, enums);
      if (!(fi.prop in proto)) throw new Error(`textFormat schema: ${info.fullName} has no property ${fi.prop}`);
      info.fields.set(fi.name, fi);
      info.fieldList.push(fi);
    }
  }
  return { root, messages, enums };
}

function enumInfo(e: Enum): EnumInfo {
  const byName = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const [name, num] of Object.entries(e.values)) {
    byName.set(name, num);
    if (!byNumber.has(num)) byNumber.set(num, name);
  }
  return { fullName: stripDot(e.fullName), byName, byNumber };
}

function valueKind(
  f: Field,
  messages: Map<string, MessageInfo>,
  enums: Map<string, EnumInfo>,
): { kind: Kind; message?: MessageInfo; enumInfo?: EnumInfo } {
  const scalar = KIND_BY_NAME[f.type];
  if (scalar !== undefined) return { kind: scalar };
  const rt: unknown = f.parent!.lookupTypeOrEnum(f.type);
  const message = rt instanceof Type ? messages.get(stripDot(rt.fullName)) : undefined;
  if (message) return { kind: Kind.Message, message };
  const en = rt instanceof Enum ? enums.get(stripDot(rt.fullName)) : undefined;
  if (en) return { kind: Kind.Enum, enumInfo: en };
  throw new Error(`textFormat schema: cannot resolve type ${f.type} of ${f.fullName}`);
}

function fieldInfo(f: Field, messages: Map<string, MessageInfo>, enums: Map<string, EnumInfo>): FieldInfo {
  const { kind, message, enumInfo: en } = valueKind(f, messages, enums);
  const oneof = f.partOf;
  const fi: FieldInfo = {
    name: f.name,
    prop: util.camelCase(f.name),
    id: f.id,
    kind,
    repeated: f.repeated || f instanceof MapField,
    message,
    enumInfo: en,
    oneofName: oneof ? oneof.name : undefined,
    oneofSiblings: oneof ? oneof.oneof.filter((n) => n !== f.name).map((n) => util.camelCase(n)) : undefined,
    implicitPresence: !oneof && !f.repeated && !(f instanceof MapField) && kind !== Kind.Message,
  };
  if (f instanceof MapField) {
    const keyKind = KIND_BY_NAME[f.keyType];
    if (keyKind === undefined) throw new Error(`textFormat schema: bad map key type ${f.keyType}`);
    fi.keyKind = keyKind;
    const key: FieldInfo = { name: "key", prop: "key", id: 1, kind: keyKind, repeated: false, implicitPresence: false };
    const value: FieldInfo = {
      name: "value",
      prop: "value",
      id: 2,
      kind,
      repeated: false,
      message,
      enumInfo: en,
      implicitPresence: false,
    };
    fi.entry = {
      fullName: `${stripDot(f.parent!.fullName)}.${f.name}Entry`,
      fields: new Map([
        ["key", key],
        ["value", value],
      ]),
      fieldList: [key, value],
      isAny: false,
      isMapEntry: true,
    };
  }
  return fi;
}

/** A proto3 scalar at its default value (not stored, not printed); -0 counts as set. */
export function isDefault(v: unknown): boolean {
  switch (typeof v) {
    case "number":
      return v === 0 && !Object.is(v, -0);
    case "boolean":
      return v === false;
    case "string":
      return v.length === 0;
    case "bigint":
      return v === 0n;
    default:
      return v instanceof Uint8Array && v.length === 0;
  }
}
