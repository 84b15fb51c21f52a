/**
 * Protobuf text format printer in TensorFlow's style: two-space indent, `name: value` for
 * scalars, `name {` ... `}` for messages, fields in field-number order, strings C-escaped
 * (non-ASCII bytes as octal), floats in the shortest form that reads back to the same value.
 * Prints what the static encoder would write, so print -> parse -> encode equals encode.
 */
import { Kind as KindEnum, isDefault, messageInfo, type FieldInfo, type MessageInfo } from "./schema.js";

// Local copies: imported bindings are getter calls in CommonJS builds, too slow for the hot loop.
const K_Bool = KindEnum.Bool;
const K_Bytes = KindEnum.Bytes;
const K_Double = KindEnum.Double;
const K_Enum = KindEnum.Enum;
const K_Float = KindEnum.Float;
const K_Message = KindEnum.Message;
const K_String = KindEnum.String;

type Msg = Record<string, unknown>;

const utf8 = new TextEncoder();

/** Escape for each byte value as it appears inside a double-quoted literal. */
const BYTE_ESCAPES: string[] = [];
for (let b = 0; b < 256; b++) {
  let e: string;
  if (b === 10) e = "\\n";
  else if (b === 13) e = "\\r";
  else if (b === 9) e = "\\t";
  else if (b === 34) e = '\\"';
  else if (b === 39) e = "\\'";
  else if (b === 92) e = "\\\\";
  else if (b < 32 || b >= 127) e = "\\" + b.toString(8).padStart(3, "0");
  else e = String.fromCharCode(b);
  BYTE_ESCAPES.push(e);
}

function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  let chunk = "";
  for (let i = 0; i < bytes.length; i++) {
    chunk += BYTE_ESCAPES[bytes[i]];
    if (chunk.length > 8192) {
      out += chunk;
      chunk = "";
    }
  }
  return out + chunk + '"';
}

function quoteString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c >= 127 || c === 34 || c === 39 || c === 92) return quoteBytes(utf8.encode(s));
  }
  return '"' + s + '"';
}

function formatDouble(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isNaN(v)) return "nan";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/** Shortest of 6 or 9 significant digits that reads back as the same float32 (like TF's SimpleFtoa). */
function formatFloat(v: number): string {
  if (!Number.isFinite(v) || Object.is(v, -0) || v === 0) return formatDouble(v);
  const f = Math.fround(v);
  const short = Number(f.toPrecision(6));
  if (Math.fround(short) === f) return String(short);
  return String(Number(f.toPrecision(9)));
}

function formatInt(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.trunc(v));
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && "low" in v && "high" in v) {
    const l = v as { low: number; high: number; unsigned?: boolean };
    const big = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
    return (l.unsigned ? big : BigInt.asIntN(64, big)).toString();
  }
  return String(v);
}

function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  if (typeof v === "string") {
    // protobufjs accepts base64 strings for bytes fields
    const bin = atob(v);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new Uint8Array(0);
}

function formatScalar(field: FieldInfo, kind: KindEnum, v: unknown): string {
  switch (kind) {
    case K_String:
      return quoteString(String(v));
    case K_Bytes:
      return quoteBytes(asBytes(v));
    case K_Bool:
      return v ? "true" : "false";
    case K_Float:
      return formatFloat(Number(v));
    case K_Double:
      return formatDouble(Number(v));
    case K_Enum: {
      const n = Number(v);
      return field.enumInfo?.byNumber.get(n) ?? String(n);
    }
    default:
      return formatInt(v);
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

class Printer {
  out = "";
  private indents = [""];

  indent(depth: number): string {
    while (this.indents.length <= depth) this.indents.push("  ".repeat(this.indents.length));
    return this.indents[depth];
  }

  message(info: MessageInfo, msg: Msg, depth: number): void {
    if (info.isAny && this.any(msg, depth)) return;
    const ind = this.indent(depth);
    for (const field of info.fieldList) {
      const v = msg[field.prop];
      if (v == null) continue;
      if (field.entry) {
        if (!hasOwn.call(msg, field.prop)) continue;
        for (const key of Object.keys(v as Msg)) this.mapEntry(field, key, (v as Msg)[key], depth);
      } else if (field.repeated) {
        const arr = v as unknown[];
        if (!arr.length) continue;
        if (field.kind === K_Message) {
          for (const item of arr) this.sub(field.name, field.message!, item as Msg, depth);
        } else {
          for (const item of arr) this.out += `${ind}${field.name}: ${formatScalar(field, field.kind, item)}\n`;
        }
      } else {
        if (!hasOwn.call(msg, field.prop)) continue;
        if (field.kind === K_Message) this.sub(field.name, field.message!, v as Msg, depth);
        else if (!(field.implicitPresence && isDefault(v))) {
          this.out += `${ind}${field.name}: ${formatScalar(field, field.kind, v)}\n`;
        }
      }
    }
  }

  private sub(name: string, info: MessageInfo, msg: Msg, depth: number): void {
    const ind = this.indent(depth);
    this.out += `${ind}${name} {\n`;
    if (msg != null) this.message(info, msg, depth + 1);
    this.out += `${ind}}\n`;
  }

  private mapEntry(field: FieldInfo, key: string, value: unknown, depth: number): void {
    const ind = this.indent(depth);
    const ind1 = this.indent(depth + 1);
    const keyText = field.keyKind === K_String ? quoteString(key) : key;
    this.out += `${ind}${field.name} {\n${ind1}key: ${keyText}\n`;
    if (value != null) {
      if (field.kind === K_Message) this.sub("value", field.message!, value as Msg, depth + 1);
      else this.out += `${ind1}value: ${formatScalar(field, field.kind, value)}\n`;
    }
    this.out += `${ind}}\n`;
  }

  /** Expands an Any whose payload is a known type and re-encodes to the same bytes. */
  private any(msg: Msg, depth: number): boolean {
    const url = msg.typeUrl;
    const value = msg.value;
    if (typeof url !== "string" || !(value instanceof Uint8Array)) return false;
    const slash = url.lastIndexOf("/");
    if (slash < 0 || !/^[A-Za-z0-9_.\-/]+$/.test(url)) return false;
    const target = messageInfo(url.slice(slash + 1));
    if (!target?.ctor) return false;
    let inner: Msg;
    try {
      inner = target.ctor.decode(value);
      const again = target.ctor.encode(inner).finish();
      if (again.length !== value.length || again.some((b, i) => b !== value[i])) return false;
    } catch {
      return false;
    }
    this.sub(`[${url}]`, target, inner, depth);
    return true;
  }
}

/**
 * Prints a message (an instance of the generated class for `typeName`, or a plain object of the
 * same shape) as protobuf text format.
 */
export function printTextFormat(message: object, typeName: string): string {
  const info = messageInfo(typeName);
  if (!info) throw new Error(`printTextFormat: unknown message type "${typeName}"`);
  const p = new Printer();
  p.message(info, message as Msg, 0);
  return p.out;
}
