/**
 * Character-level scanning for the protobuf text format: whitespace and `#` comments, identifiers,
 * number tokens and quoted string literals with C escapes. Works on UTF-16 char codes of the
 * input string; positions are string offsets.
 */

export class ScanError extends Error {
  constructor(
    readonly pos: number,
    readonly what: string,
  ) {
    super(what);
  }
}

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_HASH = 35;
const C_BACKSLASH = 92;

/** 1 for [A-Za-z0-9_]. */
const IDENT = new Uint8Array(128);
for (let c = 48; c <= 57; c++) IDENT[c] = 1;
for (let c = 65; c <= 90; c++) IDENT[c] = 1;
for (let c = 97; c <= 122; c++) IDENT[c] = 1;
IDENT[95] = 1;

export function isIdentChar(c: number): boolean {
  return c < 128 && IDENT[c] === 1;
}

/** Growable byte buffer reused across string literals. */
class ByteSink {
  buf = new Uint8Array(256);
  len = 0;
  push(b: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }
  grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  /** Appends the UTF-8 encoding of a code point. */
  pushCodePoint(cp: number): void {
    if (this.len + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    if (cp < 0x80) b[this.len++] = cp;
    else if (cp < 0x800) {
      b[this.len++] = 0xc0 | (cp >> 6);
      b[this.len++] = 0x80 | (cp & 63);
    } else if (cp < 0x10000) {
      b[this.len++] = 0xe0 | (cp >> 12);
      b[this.len++] = 0x80 | ((cp >> 6) & 63);
      b[this.len++] = 0x80 | (cp & 63);
    } else {
      b[this.len++] = 0xf0 | (cp >> 18);
      b[this.len++] = 0x80 | ((cp >> 12) & 63);
      b[this.len++] = 0x80 | ((cp >> 6) & 63);
      b[this.len++] = 0x80 | (cp & 63);
    }
  }
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Byte for each simple escape letter (\\n, \\t, ...), -1 for others. */
const SIMPLE_ESCAPES = new Int16Array(128).fill(-1);
for (const [ch, b] of [
  ["a", 7],
  ["b", 8],
  ["f", 12],
  ["n", 10],
  ["r", 13],
  ["t", 9],
  ["v", 11],
  ["\\", 92],
  ["?", 63],
  ["'", 39],
  ['"', 34],
] as const) {
  SIMPLE_ESCAPES[ch.charCodeAt(0)] = b;
}

const utf8 = new TextDecoder("utf-8");

export class Scanner {
  pos = 0;
  readonly len: number;
  private readonly sink = new ByteSink();

  constructor(readonly text: string) {
    this.len = text.length;
  }

  /** Skips whitespace and comments; returns the next char code or -1 at end. */
  peek(): number {
    const t = this.text;
    let p = this.pos;
    const n = this.len;
    while (p < n) {
      const c = t.charCodeAt(p);
      if (c === C_SPACE || c === C_LF || c === C_TAB || c === C_CR || c === 11 || c === 12) p++;
      else if (c === C_HASH) {
        const nl = t.indexOf("\n", p);
        p = nl < 0 ? n : nl + 1;
      } else {
        this.pos = p;
        return c;
      }
    }
    this.pos = p;
    return -1;
  }

  /** Reads [A-Za-z0-9_]* at pos (after peek), possibly empty. */
  ident(): string {
    const t = this.text;
    const start = this.pos;
    let p = start;
    while (p < this.len) {
      const c = t.charCodeAt(p);
      if (c < 128 && IDENT[c] === 1) p++;
      else break;
    }
    this.pos = p;
    return t.slice(start, p);
  }

  /**
   * Scans a number token at pos (a digit or "."), without sign. Returns its end; sets `isFloat`
   * when it has a fraction, an exponent or an f suffix. Throws on malformed tokens.
   */
  isFloat = false;
  number(): number {
    const t = this.text;
    const start = this.pos;
    let p = start;
    let isFloat = false;
    let c = t.charCodeAt(p);
    if (c === 48 && (t.charCodeAt(p + 1) | 32) === 120) {
      p += 2;
      const digits = p;
      while (p < this.len && hexVal(t.charCodeAt(p)) >= 0) p++;
      if (p === digits) throw new ScanError(start, "invalid hex number");
    } else {
      while (p < this.len && (c = t.charCodeAt(p)) >= 48 && c <= 57) p++;
      if (c === 46) {
        isFloat = true;
        p++;
        while (p < this.len && (c = t.charCodeAt(p)) >= 48 && c <= 57) p++;
      }
      if (p === start || (p === start + 1 && isFloat)) throw new ScanError(start, "invalid number");
      if ((c | 32) === 101 && p < this.len) {
        isFloat = true;
        p++;
        c = t.charCodeAt(p);
        if (c === 43 || c === 45) p++;
        const digits = p;
        while (p < this.len && (c = t.charCodeAt(p)) >= 48 && c <= 57) p++;
        if (p === digits) throw new ScanError(start, "invalid number: exponent has no digits");
      }
      if ((t.charCodeAt(p) | 32) === 102 && p < this.len) {
        isFloat = true;
        p++;
      }
    }
    if (p < this.len && isIdentChar(t.charCodeAt(p))) {
      throw new ScanError(p, `invalid number "${t.slice(start, Math.min(p + 1, start + 40))}"`);
    }
    this.isFloat = isFloat;
    this.pos = p;
    return p;
  }

  /**
   * Reads one or more adjacent quoted literals at pos (pos is at a quote).
   * `asBytes`: returns the raw bytes; else the UTF-8 decoded string.
   */
  strings(asBytes: true): Uint8Array;
  strings(asBytes: false): string;
  strings(asBytes: boolean): string | Uint8Array {
    const t = this.text;
    // fast path: a single literal with no escapes
    const q = t.charCodeAt(this.pos);
    let p = this.pos + 1;
    let simple = true;
    let ascii = true;
    for (;;) {
      if (p >= this.len) throw new ScanError(this.pos, "unterminated string literal");
      const c = t.charCodeAt(p);
      if (c === q) break;
      if (c === C_BACKSLASH || c === C_LF) {
        simple = false;
        break;
      }
      if (c >= 128) ascii = false;
      p++;
    }
    if (simple) {
      const start = this.pos + 1;
      const end = p;
      this.pos = p + 1;
      const next = this.peek();
      if (next !== 34 && next !== 39) {
        if (!asBytes) return t.slice(start, end);
        if (ascii) {
          const out = new Uint8Array(end - start);
          for (let i = start; i < end; i++) out[i - start] = t.charCodeAt(i);
          return out;
        }
      }
      this.pos = start - 1;
    }
    const sink = this.sink;
    sink.len = 0;
    let c = q;
    while (c === 34 || c === 39) {
      this.literal(sink);
      c = this.peek();
    }
    if (asBytes) return sink.buf.slice(0, sink.len);
    return utf8.decode(sink.buf.subarray(0, sink.len));
  }

  /** One quoted literal at pos into the sink. */
  private literal(sink: ByteSink): void {
    const t = this.text;
    const n = this.len;
    const open = this.pos;
    const q = t.charCodeAt(open);
    let p = open + 1;
    let buf = sink.buf;
    let len = sink.len;
    for (;;) {
      if (len + 4 > buf.length) {
        sink.len = len;
        sink.grow(4);
        buf = sink.buf;
      }
      if (p >= n) throw new ScanError(open, "unterminated string literal");
      let c = t.charCodeAt(p);
      if (c === q) break;
      if (c === C_LF) throw new ScanError(p, "unterminated string literal (string literals cannot span lines)");
      if (c !== C_BACKSLASH) {
        p++;
        if (c < 128) buf[len++] = c;
        else {
          if (c >= 0xd800 && c <= 0xdbff && p < n) {
            const d = t.charCodeAt(p);
            if (d >= 0xdc00 && d <= 0xdfff) {
              c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
              p++;
            }
          }
          sink.len = len;
          sink.pushCodePoint(c);
          len = sink.len;
        }
        continue;
      }
      // escape
      const escPos = p;
      p++;
      if (p >= n) throw new ScanError(open, "unterminated string literal");
      c = t.charCodeAt(p);
      if (c >= 48 && c <= 55) {
        let v = c - 48;
        p++;
        if (p < n && (c = t.charCodeAt(p)) >= 48 && c <= 55) {
          v = v * 8 + (c - 48);
          p++;
          if (p < n && (c = t.charCodeAt(p)) >= 48 && c <= 55) {
            v = v * 8 + (c - 48);
            p++;
          }
        }
        buf[len++] = v & 255;
        continue;
      }
      const simple = c < 128 ? SIMPLE_ESCAPES[c] : -1;
      if (simple >= 0) {
        buf[len++] = simple;
        p++;
      } else if (c === 120 || c === 88) {
        p++;
        let v = 0;
        let k = 0;
        let h: number;
        while (k < 2 && p < n && (h = hexVal(t.charCodeAt(p))) >= 0) {
          v = v * 16 + h;
          p++;
          k++;
        }
        if (k === 0) throw new ScanError(escPos, "invalid escape \\x without hex digits");
        buf[len++] = v;
      } else if (c === 117 || c === 85) {
        const digits = c === 117 ? 4 : 8;
        let cp = this.hexDigits(p + 1, digits, escPos);
        p += 1 + digits;
        if (cp >= 0xd800 && cp <= 0xdbff && t.charCodeAt(p) === C_BACKSLASH && t.charCodeAt(p + 1) === 117) {
          const lo = this.hexDigits(p + 2, 4, p);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
          }
        }
        if (cp > 0x10ffff) {
          throw new ScanError(escPos, `invalid unicode escape: code point 0x${cp.toString(16)} is too large`);
        }
        sink.len = len;
        sink.pushCodePoint(cp);
        len = sink.len;
      } else {
        throw new ScanError(escPos, `invalid escape sequence "\\${String.fromCharCode(c)}"`);
      }
    }
    sink.len = len;
    this.pos = p + 1;
  }

  private hexDigits(p: number, n: number, escPos: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const h = p + i < this.len ? hexVal(this.text.charCodeAt(p + i)) : -1;
      if (h < 0) throw new ScanError(escPos, `invalid unicode escape: expected ${n} hex digits`);
      v = v * 16 + h;
    }
    return v;
  }
}

/** 1-based line and column of a string offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let p = text.indexOf("\n"); p >= 0 && p < end; p = text.indexOf("\n", p + 1)) {
    line++;
    lineStart = p + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** A short printable description of what is at `pos`, for "got ..." in messages. */
export function describeAt(text: string, pos: number): string {
  if (pos >= text.length) return "end of input";
  const c = text.charCodeAt(pos);
  if (isIdentChar(c)) {
    let e = pos;
    while (e < text.length && e - pos < 40 && isIdentChar(text.charCodeAt(e))) e++;
    return `"${text.slice(pos, e)}"`;
  }
  if (c === 34 || c === 39) return "a string";
  return `"${charName(c)}"`;
}

function charName(c: number): string {
  switch (c) {
    case 8:
      return "\\b";
    case 9:
      return "\\t";
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 0:
      return "\\0";
    case 34:
      return '\\"';
    case 92:
      return "\\\\";
  }
  if (c < 32 || c === 127) return `\\x${c.toString(16).padStart(2, "0")}`;
  if (c >= 0xd800 && c <= 0xdfff) return `\\u${c.toString(16)}`;
  if (c === 0xfffd) return "\\ufffd";
  return String.fromCharCode(c);
}
