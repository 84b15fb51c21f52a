/**
 * Protobuf text format parser (the format of saved_model.pbtxt), driven by the reflection field
 * tables in schema.ts and producing instances of the generated static classes, so that encoding
 * the result gives the bytes TensorFlow would write for the same message.
 */
import { SavedModelError } from "../errors.js";
import { Kind as KindEnum, isDefault, messageInfo, type FieldInfo, type MessageInfo } from "./schema.js";
import { Scanner, ScanError, describeAt, isIdentChar as isIdentCharImported, lineColumn } from "./scanner.js";

const isIdentChar = isIdentCharImported;
// Local copies: imported bindings are getter calls in CommonJS builds, too slow for the hot loop.
const K_Bool = KindEnum.Bool;
const K_Bytes = KindEnum.Bytes;
const K_Double = KindEnum.Double;
const K_Enum = KindEnum.Enum;
const K_Fixed32 = KindEnum.Fixed32;
const K_Fixed64 = KindEnum.Fixed64;
const K_Float = KindEnum.Float;
const K_Int32 = KindEnum.Int32;
const K_Message = KindEnum.Message;
const K_Sfixed32 = KindEnum.Sfixed32;
const K_Sint32 = KindEnum.Sint32;
const K_String = KindEnum.String;
const K_Uint32 = KindEnum.Uint32;
const K_Uint64 = KindEnum.Uint64;

export interface ParseOptions {
  /** Deepest message nesting accepted (protobuf's binary recursion limit is 100). */
  maxDepth?: number;
}

type Msg = Record<string, unknown>;

const C_COLON = 58;
const C_LBRACE = 123;
const C_RBRACE = 125;
const C_LT = 60;
const C_GT = 62;
const C_LBRACKET = 91;
const C_RBRACKET = 93;
const C_COMMA = 44;
const C_SEMI = 59;
const C_MINUS = 45;
const C_DQUOTE = 34;
const C_SQUOTE = 39;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const MAX_SAFE = 9007199254740991;

const KIND_NAMES = [
  "double",
  "float",
  "int32",
  "uint32",
  "sint32",
  "fixed32",
  "sfixed32",
  "int64",
  "uint64",
  "sint64",
  "fixed64",
  "sfixed64",
  "bool",
  "string",
  "bytes",
  "enum",
  "message",
];

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Parser failure carrying a position; converted to SavedModelError at the API boundary. */
class ParseFailure extends Error {
  constructor(
    readonly pos: number,
    readonly what: string,
    readonly field: string | undefined,
  ) {
    super(what);
  }
}

class Parser {
  private readonly s: Scanner;
  private readonly path: string[] = [];
  private depth = 0;
  private curField: string | undefined;

  constructor(
    text: string,
    private readonly maxDepth: number,
  ) {
    this.s = new Scanner(text);
  }

  position(): number {
    return this.s.pos;
  }

  fieldPath(): string | undefined {
    const parts = this.path.slice(0, this.depth);
    if (this.curField) parts.push(this.curField);
    return parts.join(".") || undefined;
  }

  fail(pos: number, what: string): never {
    throw new ParseFailure(pos, what, this.fieldPath());
  }

  expected(what: string, pos = this.s.pos): never {
    this.fail(pos, `expected ${what}, got ${describeAt(this.s.text, pos)}`);
  }

  parseTop(info: MessageInfo): Msg {
    const msg = new info.ctor!();
    this.fields(info, msg, -1);
    return msg;
  }

  /** Parses fields into msg until `end` (a closing char code, or -1 for end of input). */
  private fields(info: MessageInfo, msg: Msg, end: number): void {
    const s = this.s;
    for (;;) {
      const c = s.peek();
      if (c === end) {
        if (c !== -1) s.pos++;
        return;
      }
      if (c === -1) this.expected(`"${String.fromCharCode(end)}" to close ${info.fullName}`);
      const start = s.pos;
      if (c === C_LBRACKET) {
        this.bracketField(info, msg);
      } else {
        const name = s.ident();
        if (name.length === 0 || isDigit(name.charCodeAt(0))) {
          if (name.length === 0)
            this.fail(start, `unexpected char ${describeAt(s.text, start)}, expected a field name`);
          this.fail(start, `expected a field name, got ${describeAt(s.text, start)}`);
        }
        const field = info.fields.get(name);
        if (!field) this.fail(start, `unknown field "${name}" in ${info.fullName}`);
        this.curField = field.name;
        this.field(info, field, msg, start);
        this.curField = undefined;
      }
      const sep = s.peek();
      if (sep === C_COMMA || sep === C_SEMI) s.pos++;
    }
  }

  private field(info: MessageInfo, field: FieldInfo, msg: Msg, start: number): void {
    const s = this.s;
    let c = s.peek();
    const isMsg = field.kind === K_Message || field.entry !== undefined;
    if (c === C_COLON) {
      s.pos++;
      c = s.peek();
    } else if (!isMsg) {
      this.expected(`":" after field "${field.name}"`);
    }
    if (!field.repeated) this.checkSingular(info, field, msg, start);
    if (c === C_LBRACKET) {
      if (!field.repeated) this.fail(s.pos, `field "${field.name}" is not repeated, "[" is not allowed`);
      s.pos++;
      if (s.peek() === C_RBRACKET) {
        s.pos++;
        return;
      }
      for (;;) {
        this.value(field, msg, isMsg);
        const d = s.peek();
        if (d === C_RBRACKET) {
          s.pos++;
          return;
        }
        if (d !== C_COMMA) this.expected(`"," or "]" in the list of "${field.name}"`);
        s.pos++;
      }
    }
    this.value(field, msg, isMsg);
  }

  private checkSingular(info: MessageInfo, field: FieldInfo, msg: Msg, start: number): void {
    if (Object.hasOwn(msg, field.prop) && msg[field.prop] != null) {
      this.fail(start, `non-repeated field "${field.name}" is specified multiple times`);
    }
    if (field.oneofSiblings) {
      for (const other of field.oneofSiblings) {
        if (Object.hasOwn(msg, other) && msg[other] != null) {
          const otherName = info.fieldList.find((f) => f.prop === other)?.name ?? other;
          this.fail(
            start,
            `field "${field.name}" is specified along with field "${otherName}", another member of oneof "${field.oneofName}"`,
          );
        }
      }
    }
  }

  /** One value (scalar or message) of field, stored into msg. */
  private value(field: FieldInfo, msg: Msg, isMsg: boolean): void {
    if (isMsg) {
      if (field.entry) return this.mapEntry(field, msg);
      const sub = this.subMessage(field.message!, field.name);
      this.store(field, msg, sub);
      return;
    }
    const v = this.scalar(field.kind, field);
    if (field.implicitPresence && isDefault(v)) return;
    this.store(field, msg, v);
  }

  private store(field: FieldInfo, msg: Msg, v: unknown): void {
    if (field.repeated) {
      let arr = msg[field.prop] as unknown[] | undefined;
      if (!Object.hasOwn(msg, field.prop) || !Array.isArray(arr)) msg[field.prop] = arr = [];
      arr.push(v);
    } else {
      msg[field.prop] = v;
    }
  }

  private mapEntry(field: FieldInfo, msg: Msg): void {
    const entryInfo = field.entry!;
    const entry = this.subMessage(entryInfo, field.name);
    const valueField = entryInfo.fieldList[1];
    let key = entry.key;
    if (key === undefined) key = field.keyKind === K_String ? "" : 0;
    let value = entry.value;
    if (value === undefined) value = defaultValue(valueField);
    let map = msg[field.prop] as Msg | undefined;
    if (!Object.hasOwn(msg, field.prop) || map == null) msg[field.prop] = map = {};
    const k = String(key);
    if (k === "__proto__")
      Object.defineProperty(map, k, { value, enumerable: true, writable: true, configurable: true });
    else map[k] = value;
  }

  private subMessage(info: MessageInfo, name: string): Msg {
    const s = this.s;
    const c = s.peek();
    let close: number;
    if (c === C_LBRACE) close = C_RBRACE;
    else if (c === C_LT) close = C_GT;
    else return this.expected(`"{" or "<" to start the message "${name}"`);
    if (this.depth >= this.maxDepth) {
      this.fail(s.pos, `messages nested more than ${this.maxDepth} levels deep`);
    }
    s.pos++;
    const msg: Msg = info.ctor ? new info.ctor() : {};
    this.depth++;
    const saveField = this.curField;
    this.path[this.depth - 1] = name;
    this.curField = undefined;
    this.fields(info, msg, close);
    this.curField = saveField;
    this.depth--;
    return msg;
  }

  /** `[type.googleapis.com/pkg.Type] { ... }` inside a google.protobuf.Any. */
  private bracketField(info: MessageInfo, msg: Msg): void {
    const s = this.s;
    const start = s.pos;
    const close = s.text.indexOf("]", start);
    const name = close < 0 ? "" : s.text.slice(start + 1, close).replace(/\s+/g, "");
    if (close < 0 || close - start > 1000 || !/^[A-Za-z0-9_.\-]+(\/[A-Za-z0-9_.\-]+)*$/.test(name)) {
      this.fail(start, `expected "[type_url]" or "[extension]", got ${describeAt(s.text, start)}`);
    }
    if (!info.isAny) this.fail(start, `extension "[${name}]" is not supported in ${info.fullName}`);
    const slash = name.lastIndexOf("/");
    if (slash < 0) this.fail(start, `Any type URL "${name}" has no "/" (expected e.g. type.googleapis.com/${name})`);
    const target = messageInfo(name.slice(slash + 1));
    if (!target?.ctor) this.fail(start, `unknown message type "${name.slice(slash + 1)}" in Any type URL "${name}"`);
    if ((Object.hasOwn(msg, "typeUrl") && msg.typeUrl) || Object.hasOwn(msg, "value")) {
      this.fail(start, "an Any may hold either an expanded [type_url] message or type_url/value, not both");
    }
    s.pos = close + 1;
    if (s.peek() === C_COLON) s.pos++;
    this.curField = `[${name}]`;
    const inner = this.subMessage(target, `[${name}]`);
    this.curField = undefined;
    msg.typeUrl = name;
    msg.value = target.ctor.encode(inner).finish();
  }

  /** A scalar value of the given kind at the current position. */
  private scalar(kind: KindEnum, field: FieldInfo): unknown {
    const s = this.s;
    let c = s.peek();
    const start = s.pos;
    switch (kind) {
      case K_String:
        if (c !== C_DQUOTE && c !== C_SQUOTE) this.expected(`a string for field "${field.name}"`);
        return s.strings(false);
      case K_Bytes:
        if (c !== C_DQUOTE && c !== C_SQUOTE) this.expected(`a string for field "${field.name}"`);
        return s.strings(true);
      case K_Float:
      case K_Double: {
        let neg = false;
        if (c === C_MINUS) {
          neg = true;
          s.pos++;
          c = s.peek(); // "-" is its own token: "- 1" and "-inf" are both fine
        }
        let v: number;
        if (isDigit(c) || c === 46) {
          const tokStart = s.pos;
          s.number();
          v = s.isFloat ? floatValue(s.text.slice(tokStart, s.pos)) : Number(this.integerToken(tokStart, s.pos));
        } else if (isIdentChar(c)) {
          const id = s.ident().toLowerCase();
          if (id === "inf" || id === "infinity") v = Infinity;
          else if (id === "nan") v = NaN;
          else this.fail(start, `expected a number for field "${field.name}", got "${id}"`);
        } else return this.expected(`a number for field "${field.name}"`);
        if (neg) v = -v;
        return kind === K_Float ? Math.fround(v) : v;
      }
      case K_Bool: {
        if (isIdentChar(c) && !isDigit(c)) {
          const id = s.ident();
          if (id === "true" || id === "True" || id === "t") return true;
          if (id === "false" || id === "False" || id === "f") return false;
          this.fail(start, `expected true or false for field "${field.name}", got "${id}"`);
        }
        if (isDigit(c)) {
          const v = this.integer(false, start, field);
          if (v === 0 || v === 0n) return false;
          if (v === 1 || v === 1n) return true;
        }
        return this.expected(`true or false for field "${field.name}"`, start);
      }
      case K_Enum: {
        const en = field.enumInfo!;
        if (isIdentChar(c) && !isDigit(c)) {
          const id = s.ident();
          const v = en.byName.get(id);
          if (v === undefined)
            this.fail(start, `unknown value "${id}" for enum ${en.fullName} (field "${field.name}")`);
          return v;
        }
        if (isDigit(c) || c === C_MINUS) {
          const v = this.integer(true, start, field);
          if (typeof v !== "number" || v < INT32_MIN || v > INT32_MAX) {
            this.fail(start, `enum value ${v} out of range for field "${field.name}"`);
          }
          return v;
        }
        return this.expected(`an enum name or number for field "${field.name}"`);
      }
      default:
        return this.intValue(kind, field, c, start);
    }
  }

  private intValue(kind: KindEnum, field: FieldInfo, c: number, start: number): number | bigint {
    if (!isDigit(c) && c !== C_MINUS) return this.expected(`an integer for field "${field.name}"`);
    const v = this.integer(true, start, field);
    let lo: number;
    let hi: number;
    switch (kind) {
      case K_Int32:
      case K_Sint32:
      case K_Sfixed32:
        lo = INT32_MIN;
        hi = INT32_MAX;
        break;
      case K_Uint32:
      case K_Fixed32:
        lo = 0;
        hi = UINT32_MAX;
        break;
      case K_Uint64:
      case K_Fixed64:
        lo = 0;
        hi = Infinity;
        break;
      default:
        lo = -Infinity;
        hi = Infinity;
    }
    if (typeof v === "number") {
      if (v < lo || v > hi) this.outOfRange(v, kind, field, start);
      return v;
    }
    const bigLo = lo === -Infinity ? INT64_MIN : BigInt(lo);
    const bigHi = hi !== Infinity ? BigInt(hi) : lo === 0 ? UINT64_MAX : INT64_MAX;
    if (v < bigLo || v > bigHi) this.outOfRange(v, kind, field, start);
    const n = Number(v);
    return n >= -MAX_SAFE && n <= MAX_SAFE ? n : v;
  }

  private outOfRange(v: number | bigint, kind: KindEnum, field: FieldInfo, start: number): never {
    this.fail(start, `integer ${v} out of range for ${KIND_NAMES[kind]} field "${field.name}"`);
  }

  /** An integer token (with optional "-"): a number when it has at most 15 decimal digits, else a bigint. */
  private integer(allowNeg: boolean, start: number, field: FieldInfo): number | bigint {
    const s = this.s;
    let neg = false;
    if (s.text.charCodeAt(s.pos) === C_MINUS) {
      if (!allowNeg) this.expected(`a non-negative integer for field "${field.name}"`);
      neg = true;
      s.pos++;
      s.peek();
    }
    const tokStart = s.pos;
    if (!isDigit(s.text.charCodeAt(tokStart))) this.expected(`an integer for field "${field.name}"`);
    s.number();
    if (s.isFloat)
      this.fail(start, `expected an integer for field "${field.name}", got "${s.text.slice(start, s.pos)}"`);
    const v = this.integerToken(tokStart, s.pos);
    if (!neg) return v;
    return typeof v === "number" ? 0 - v : -v;
  }

  /** Value of a decimal, 0x hex or 0-prefixed octal token. */
  private integerToken(start: number, end: number): number | bigint {
    const t = this.s.text;
    const len = end - start;
    if (len <= 15 && (t.charCodeAt(start) !== 48 || len === 1)) {
      let v = 0;
      for (let p = start; p < end; p++) v = v * 10 + (t.charCodeAt(p) - 48);
      return v;
    }
    if (len > 200) this.fail(start, "integer literal too long");
    const tok = t.slice(start, end);
    if (tok.length > 1 && tok.charCodeAt(0) === 48 && (tok.charCodeAt(1) | 32) !== 120) {
      if (!/^[0-7]+$/.test(tok)) this.fail(start, `invalid octal number "${tok}"`);
      return BigInt("0o" + tok.slice(1));
    }
    return BigInt(tok);
  }
}

function floatValue(tok: string): number {
  const last = tok.charCodeAt(tok.length - 1) | 32;
  return Number(last === 102 ? tok.slice(0, -1) : tok);
}

function defaultValue(field: FieldInfo): unknown {
  switch (field.kind) {
    case K_Message:
      return field.message?.ctor ? new field.message.ctor() : {};
    case K_String:
      return "";
    case K_Bytes:
      return new Uint8Array(0);
    case K_Bool:
      return false;
    default:
      return 0;
  }
}

/**
 * Parses protobuf text format into an instance of the generated class for `typeName`
 * (e.g. "tensorflow.SavedModel"). Every problem is a SavedModelError naming `file`, the offset
 * (string index), the field path and "line:column".
 */
export function parseTextFormat<T = Msg>(text: string, typeName: string, file: string, opts: ParseOptions = {}): T {
  const info = messageInfo(typeName);
  if (!info?.ctor) throw new SavedModelError(file, `unknown message type "${typeName}"`);
  const parser = new Parser(text, opts.maxDepth ?? 100);
  try {
    return parser.parseTop(info) as T;
  } catch (e) {
    let pos: number | undefined;
    let what: string;
    let field: string | undefined;
    if (e instanceof ParseFailure) ({ pos, what, field } = e);
    else if (e instanceof ScanError) {
      pos = e.pos;
      what = e.what;
      field = parser.fieldPath();
    } else if (e instanceof SavedModelError) throw e;
    else {
      // e.g. an allocation the engine refused for a gigantic literal
      what = `text format parse failed: ${e instanceof Error ? e.message : String(e)}`;
      field = parser.fieldPath();
      pos = parser.position();
    }
    const { line, column } = lineColumn(text, pos);
    throw new SavedModelError(file, `${line}:${column}: ${what}`, { offset: pos, field, cause: e });
  }
}

/** Parses UTF-8 text-format bytes; error offsets are byte offsets into `bytes`. */
export function parseTextFormatBytes<T = Msg>(
  bytes: Uint8Array,
  typeName: string,
  file: string,
  opts: ParseOptions = {},
): T {
  const text = new TextDecoder("utf-8").decode(bytes);
  try {
    return parseTextFormat<T>(text, typeName, file, opts);
  } catch (e) {
    if (e instanceof SavedModelError && e.offset !== undefined) {
      const byteOffset = new TextEncoder().encode(text.slice(0, e.offset)).length;
      throw new SavedModelError(file, e.detail, { offset: byteOffset, field: e.field, cause: e.cause });
    }
    throw e;
  }
}
