/**
 * A skim over a text-format SavedModel (saved_model.pbtxt) that finds, without parsing, where each
 * meta graph's graph_def and object_graph_def are, how many nodes and library functions the graph
 * has, each top-level node's name, and the producer version. The first view parses only the rest
 * (tags, signatures, collections, …); the graph is parsed when something asks for it.
 */

export interface TextSpan {
  /** [start, end) in the text: from the field name to its closing brace. */
  start: number;
  end: number;
}

export interface SkimmedNode extends TextSpan {
  name?: string;
}

export interface SkimmedMetaGraph {
  graph?: TextSpan;
  objectGraph?: TextSpan;
  nodes: SkimmedNode[];
  functionCount: number;
  producer?: number;
}

interface Open {
  name: string;
  start: number;
}

const isIdent = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57) || c === 46;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 58; /* and ':' */

/** The characters the skim stops at; everything else is skipped by the regex engine. */
const SPECIAL = /["'#{}<>]/g;
// unrolled (a plain run, then escape + run): an alternation under * overflows the regex stack on a huge string
const NODE_NAME = /\s*name\s*:\s*"([^"\\\n]*(?:\\.[^"\\\n]*)*)"/y;
/** Longest `versions { … }` block read for its producer (a VersionDef is a few numbers). */
const VERSIONS_MAX = 4096;

/**
 * The producer of a `versions { … }` block's text: 0 when the block has no producer field (proto3's
 * default, what parsing it would give); undefined when the field is there in a form this does not read.
 */
function producerIn(block: string): number | undefined {
  const body = block.slice(block.indexOf("{") + 1).replace(/#[^\n]*/g, "");
  if (!/\bproducer\b/.test(body)) return 0;
  const all = [...body.matchAll(/(?:^|[\s{;,])producer\s*:?\s*(-?\d+)\s*(?=$|[\s};,#])/g)];
  // the last occurrence wins, as when parsing; anything unusual is left to the parser
  return all.length === (body.match(/\bproducer\b/g)?.length ?? 0) && all.length
    ? Number(all[all.length - 1][1])
    : undefined;
}

/** Skims `text`; throws nothing (unbalanced input just yields fewer spans — the parser reports it). */
export function skimSavedModelText(text: string): SkimmedMetaGraph[] {
  const out: SkimmedMetaGraph[] = [];
  const stack: Open[] = [];
  let cur: SkimmedMetaGraph | undefined;
  let node: SkimmedNode | undefined;
  const n = text.length;
  const re = new RegExp(SPECIAL.source, "g");
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      const nl = text.indexOf("\n", i);
      re.lastIndex = nl < 0 ? n : nl + 1;
    } else if (c === 34 || c === 39 /* quotes: jump to the closing one not escaped */) {
      const q = text[i];
      let j = i + 1;
      for (;;) {
        const k = text.indexOf(q, j);
        if (k < 0) {
          j = n;
          break;
        }
        let b = k - 1;
        while (b > i && text.charCodeAt(b) === 92) b--;
        if ((k - 1 - b) % 2 === 0) {
          j = k;
          break;
        }
        j = k + 1;
      }
      re.lastIndex = j + 1;
    } else if (c === 123 /* { */ || c === 60 /* < */) {
      // the field name is the identifier before the brace (and an optional ':')
      let e = i;
      while (e > 0 && isSpace(text.charCodeAt(e - 1))) e--;
      let b = e;
      while (b > 0 && isIdent(text.charCodeAt(b - 1))) b--;
      const name = text.slice(b, e);
      stack.push({ name, start: b });
      const d = stack.length;
      if (d === 1 && name === "meta_graphs") out.push((cur = { nodes: [], functionCount: 0 }));
      else if (cur && d >= 3 && stack[1].name === "graph_def") {
        if (d === 3 && name === "node") {
          NODE_NAME.lastIndex = i + 1;
          const nm = NODE_NAME.exec(text);
          cur.nodes.push((node = { start: b, end: -1, name: nm && !nm[1].includes("\\") ? nm[1] : undefined }));
        } else if (d === 4 && name === "function" && stack[2].name === "library") cur.functionCount++;
      }
    } else {
      const open = stack.pop();
      const d = stack.length + 1;
      if (open && cur) {
        const span = { start: open.start, end: i + 1 };
        if (d === 2 && open.name === "graph_def") cur.graph = span;
        else if (d === 2 && open.name === "object_graph_def") cur.objectGraph = span;
        else if (
          d === 3 &&
          open.name === "versions" &&
          stack[1]?.name === "graph_def" &&
          span.end - span.start <= VERSIONS_MAX
        )
          cur.producer = producerIn(text.slice(span.start, span.end));
        else if (d === 3 && open.name === "node" && node) {
          node.end = i + 1;
          node = undefined;
        }
      }
    }
  }
  return out;
}

/**
 * `text` without the spans, and a map from an offset in the result back to the original text (so a
 * parse error in what is left still names its place in the file).
 */
export function cut(text: string, spans: TextSpan[]): { text: string; original(offset: number): number } {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  const kept: { from: number; to: number; shift: number }[] = [];
  let at = 0;
  let removed = 0;
  for (const s of sorted) {
    parts.push(text.slice(at, s.start));
    kept.push({ from: at - removed, to: s.start - removed, shift: removed });
    removed += s.end - s.start;
    at = s.end;
  }
  parts.push(text.slice(at));
  kept.push({ from: at - removed, to: Infinity, shift: removed });
  return {
    text: parts.join(""),
    original: (o) => o + (kept.find((k) => o >= k.from && o < k.to)?.shift ?? removed),
  };
}

type Find = (pattern: Uint8Array, from: number) => number;

/** Native byte search where there is one (Node's Buffer.indexOf); undefined elsewhere. */
function byteFinder(bytes: Uint8Array, NodeBuffer: unknown): Find | undefined {
  const B = NodeBuffer as
    { from(a: ArrayBufferLike, o: number, n: number): { indexOf(p: Uint8Array, f: number): number } } | undefined;
  if (!B) return undefined;
  const buf = B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (p, f) => buf.indexOf(p, f);
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8");

/**
 * A skim for text indented the way TensorFlow writes it (two spaces per level, one field per line,
 * `name {` opening a message and a line of its own closing it), by byte search alone, with spans in
 * bytes, so the first view decodes only what it parses. One forward pass: a message that is not
 * entered is jumped over by searching for its closing line, and the graph's fields are walked line by
 * line only at their own level (each node is jumped over), so the text is searched about once, not once
 * per thing looked for. Needs a native byte search (`NodeBuffer`, protobufjs's util.Buffer); undefined
 * without one or when the text is not laid out like TensorFlow writes it (the caller then uses the
 * careful skim, and checks what this one found by parsing the rest).
 */
export function skimIndentedBytes(bytes: Uint8Array, NodeBuffer: unknown): SkimmedMetaGraph[] | undefined {
  const find = byteFinder(bytes, NodeBuffer);
  if (!find) return undefined;
  const n = bytes.length;
  const closers: Uint8Array[] = [];
  /** `\n` + indent spaces + `}`: the line closing a message whose fields are at indent + 2. */
  const closer = (indent: number) => (closers[indent] ??= enc.encode(`\n${" ".repeat(indent)}}`));
  const out: SkimmedMetaGraph[] = [];
  let mg: SkimmedMetaGraph | undefined;
  const is = (at: number, word: Uint8Array) => {
    for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
    return true;
  };
  /**
   * Walks the fields at `indent` from the line starting at `at`; `path` names the enclosing fields.
   * Returns where the enclosing message's closing `}` is (n at the end of the text for the top level),
   * or -1 when the layout is not TensorFlow's.
   */
  const walk = (at: number, indent: number, path: string): number => {
    for (;;) {
      if (at >= n) return indent === 0 ? n : -1;
      let j = at;
      while (j < n && bytes[j] === 32) j++;
      if (j - at === indent - 2 && bytes[j] === 125 /* } */) return j;
      if (j - at !== indent || j >= n) return -1;
      let nl = j;
      while (nl < n && bytes[nl] !== 10 && bytes[nl] !== 32 && bytes[nl] !== 58 /* : */) nl++;
      const nameEnd = nl;
      if (is(nameEnd, OPEN_LINE)) {
        // a message: `name {`
        const name = dec.decode(bytes.subarray(j, nameEnd));
        const inner = path ? `${path}.${name}` : name;
        const body = nameEnd + OPEN_LINE.length;
        let close: number;
        if (ENTER.has(inner)) {
          if (inner === "meta_graphs") out.push((mg = { nodes: [], functionCount: 0 }));
          close = walk(body, indent + 2, inner);
        } else {
          const c = find(closer(indent), body - 1);
          close = c < 0 ? -1 : c + 1 + indent;
        }
        if (close < 0 || bytes[close] !== 125 || (close + 1 < n && bytes[close + 1] !== 10)) return -1;
        const span = { start: j, end: close + 1 };
        if (mg && path === "meta_graphs") {
          if (name === "graph_def") mg.graph = span;
          else if (name === "object_graph_def") mg.objectGraph = span;
        } else if (mg && path === "meta_graphs.graph_def") {
          // only where each node starts: its end and name are found when asked for (resolveNode)
          if (name === "node") mg.nodes.push({ start: j, end: -1 });
          else if (name === "versions" && span.end - span.start <= VERSIONS_MAX)
            mg.producer = producerIn(dec.decode(bytes.subarray(span.start, span.end)));
        } else if (mg && path === "meta_graphs.graph_def.library" && name === "function") mg.functionCount++;
        at = close + 2;
      } else {
        // a scalar field: `name: value` on one line
        if (bytes[nameEnd] !== 58) return -1;
        const e = find(NEWLINE, nameEnd);
        if (e < 0) return indent === 0 ? n : -1;
        at = e + 1;
      }
    }
  };
  if (walk(0, 0, "") !== n || !out.length) return undefined;
  return out;
}

const OPEN_LINE = enc.encode(" {\n");
const NEWLINE = enc.encode("\n");
/** The fields a first view looks inside; every other message is jumped over. */
const ENTER = new Set(["meta_graphs", "meta_graphs.graph_def", "meta_graphs.graph_def.library"]);

/** The bytes without the spans, decoded, and a map from a character offset in it to a byte offset in the file. */
export function cutBytes(
  bytes: Uint8Array,
  spans: TextSpan[],
): { text: string; byteOffset(charOffset: number): number } {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const kept: { start: number; end: number }[] = [];
  let at = 0;
  for (const s of sorted) {
    kept.push({ start: at, end: s.start });
    at = s.end;
  }
  kept.push({ start: at, end: bytes.length });
  const total = kept.reduce((a, k) => a + k.end - k.start, 0);
  const joined = new Uint8Array(total);
  let o = 0;
  for (const k of kept) {
    joined.set(bytes.subarray(k.start, k.end), o);
    o += k.end - k.start;
  }
  const text = dec.decode(joined);
  return {
    text,
    byteOffset: (c) => {
      let b = enc.encode(text.slice(0, c)).length; // offset in the joined bytes
      for (const k of kept) {
        const n = k.end - k.start;
        if (b < n) return k.start + b;
        b -= n;
      }
      return bytes.length;
    },
  };
}

const NODE_CLOSE = enc.encode("\n    }");
const NAME = enc.encode('      name: "');

/** Fills in the end and name of a node found by skimIndentedBytes (false when its block does not close). */
export function resolveNode(bytes: Uint8Array, node: SkimmedNode, NodeBuffer: unknown): boolean {
  if (node.end > 0) return true;
  const find = byteFinder(bytes, NodeBuffer);
  const close = find ? find(NODE_CLOSE, node.start) : -1;
  if (close < 0) return false;
  node.end = close + 6;
  const nameAt = node.start + "node {\n".length;
  if (NAME.every((c, i) => bytes[nameAt + i] === c)) {
    let q = nameAt + NAME.length;
    while (q < close && bytes[q] !== 34 && bytes[q] !== 92 && bytes[q] !== 10) q++;
    if (bytes[q] === 34) node.name = dec.decode(bytes.subarray(nameAt + NAME.length, q));
  }
  return true;
}
