/**
 * Field tables for the text-format parser and printer, read from the protobufjs reflection
 * descriptor (proto/generated/tensorflow.json, snake_case names) and tied to the generated
 * static classes (camelCase properties). The descriptor is read as plain JSON — no protobufjs
 * reflection objects are built (that was most of a small text export's first view, and loading
 * protobufjs's reflection part slowed every CLI start) and nothing is generated with Function().
 */
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

/** The descriptor's JSON shapes (protobufjs's INamespace / IType / IField / IEnum). */
interface JsonField {
  type: string;
  id: number;
  rule?: string;
  keyType?: string;
}
interface JsonNode {
  nested?: Record<string, JsonNode>;
  fields?: Record<string, JsonField>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
}

/** protobufjs's util.camelCase (the generated classes' property names): `_x` becomes `X` for a lowercase x. */
const camelCase = (s: string) => s.slice(0, 1) + s.slice(1).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function buildSchema(): Schema {
  const messages = new Map<string, MessageInfo>();
  const enums = new Map<string, EnumInfo>();
  const types: { fullName: string; json: JsonNode }[] = [];
  const walk = (ns: JsonNode, prefix: string): void => {
    for (const [name, obj] of Object.entries(ns.nested ?? {})) {
      const fullName = prefix ? `${prefix}.${name}` : name;
      if (obj.fields) types.push({ fullName, json: obj });
      else if (obj.values) enums.set(fullName, enumInfo(fullName, obj.values));
      walk(obj, fullName);
    }
  };
  walk(descriptor as JsonNode, "");
  for (const { fullName } of types) {
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
  for (const { fullName, json } of types) {
    const info = messages.get(fullName)!;
    const proto = info.ctor!.prototype as object;
    const oneofOf = new Map<string, { name: string; members: string[] }>();
    for (const [name, o] of Object.entries(json.oneofs ?? {}))
      for (const m of o.oneof) oneofOf.set(m, { name, members: o.oneof });
    const fields = Object.entries(json.fields!).sort((a, b) => a[1].id - b[1].id);
    for (const [name, f] of fields) {
      const fi = fieldInfo(fullName, name, f, oneofOf.get(name), messages, enums);
      if (!(fi.prop in proto)) throw new Error(`textFormat schema: ${info.fullName} has no property ${fi.prop}`);
      info.fields.set(fi.name, fi);
      info.fieldList.push(fi);
    }
  }
  return { messages, enums };
}

function enumInfo(fullName: string, values: Record<string, number>): EnumInfo {
  const byName = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const [name, num] of Object.entries(values)) {
    byName.set(name, num);
    if (!byNumber.has(num)) byNumber.set(num, name);
  }
  return { fullName, byName, byNumber };
}

/** A type name as written in the message `scope` (protobuf scoping: innermost scope first; a leading dot is absolute). */
function resolveTypeName(scope: string, type: string, known: (fullName: string) => boolean): string | undefined {
  if (type.startsWith(".")) return known(type.slice(1)) ? type.slice(1) : undefined;
  for (let s = scope; ;) {
    const candidate = s ? `${s}.${type}` : type;
    if (known(candidate)) return candidate;
    if (!s) return undefined;
    const dot = s.lastIndexOf(".");
    s = dot < 0 ? "" : s.slice(0, dot);
  }
}

function valueKind(
  scope: string,
  f: JsonField,
  messages: Map<string, MessageInfo>,
  enums: Map<string, EnumInfo>,
): { kind: Kind; message?: MessageInfo; enumInfo?: EnumInfo } {
  const scalar = KIND_BY_NAME[f.type];
  if (scalar !== undefined) return { kind: scalar };
  const full = resolveTypeName(scope, f.type, (n) => messages.has(n) || enums.has(n));
  const message = full !== undefined ? messages.get(full) : undefined;
  if (message) return { kind: Kind.Message, message };
  const en = full !== undefined ? enums.get(full) : undefined;
  if (en) return { kind: Kind.Enum, enumInfo: en };
  throw new Error(`textFormat schema: cannot resolve type ${f.type} of ${scope}`);
}

function fieldInfo(
  parent: string,
  name: string,
  f: JsonField,
  oneof: { name: string; members: string[] } | undefined,
  messages: Map<string, MessageInfo>,
  enums: Map<string, EnumInfo>,
): FieldInfo {
  const { kind, message, enumInfo: en } = valueKind(parent, f, messages, enums);
  const isMap = f.keyType !== undefined;
  const repeated = f.rule === "repeated";
  const fi: FieldInfo = {
    name,
    prop: camelCase(name),
    id: f.id,
    kind,
    repeated: repeated || isMap,
    message,
    enumInfo: en,
    oneofName: oneof ? oneof.name : undefined,
    oneofSiblings: oneof ? oneof.members.filter((n) => n !== name).map((n) => camelCase(n)) : undefined,
    implicitPresence: !oneof && !repeated && !isMap && kind !== Kind.Message,
  };
  if (isMap) {
    const keyKind = KIND_BY_NAME[f.keyType!];
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
      fullName: `${parent}.${name}Entry`,
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
