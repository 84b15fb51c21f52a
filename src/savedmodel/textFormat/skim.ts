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

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdent = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

function unescape(s: string): string | undefined {
  return s.includes("\\") ? undefined : s;
}

/** Skims `text`; throws nothing (unbalanced input just yields fewer spans — the parser reports it). */
export function skimSavedModelText(text: string): SkimmedMetaGraph[] {
  const out: SkimmedMetaGraph[] = [];
  const stack: Open[] = [];
  let ident = "";
  let identStart = -1;
  let cur: SkimmedMetaGraph | undefined;
  let node: SkimmedNode | undefined;
  const n = text.length;
  let i = 0;
  // the path of open blocks, as a string, for the few places that matter
  const path = () => stack.map((s) => s.name).join("/");
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === 34 || c === 39 /* quotes */) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) j += 2;
        else if (d === c || d === 10) break;
        else j++;
      }
      i = j + 1;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdent(text.charCodeAt(j))) j++;
      ident = text.slice(i, j);
      identStart = i;
      // scalar fields the skim wants: a node's name, the graph's producer
      if (stack.length === 3 && (ident === "name" || ident === "producer")) {
        const p = path();
        const m = /^\s*:\s*("((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|(-?\d+))/.exec(text.slice(j, j + 4096));
        if (m && ident === "name" && p === "meta_graphs/graph_def/node" && node && node.name === undefined)
          node.name = unescape(m[2] ?? m[3] ?? "");
        if (m && ident === "producer" && p === "meta_graphs/graph_def/versions" && cur && m[4] !== undefined)
          cur.producer = Number(m[4]);
      }
      i = j;
      continue;
    }
    if (c === 123 /* { */ || c === 60 /* < */) {
      stack.push({ name: ident, start: identStart });
      const d = stack.length;
      if (d === 1 && ident === "meta_graphs") out.push((cur = { nodes: [], functionCount: 0 }));
      else if (d === 3 && cur && ident === "node" && stack[1].name === "graph_def")
        cur.nodes.push((node = { start: identStart, end: -1 }));
      else if (d === 4 && cur && ident === "function" && stack[1].name === "graph_def" && stack[2].name === "library")
        cur.functionCount++;
      ident = "";
      i++;
      continue;
    }
    if (c === 125 /* } */ || c === 62 /* > */) {
      const open = stack.pop();
      const d = stack.length + 1;
      if (open && cur) {
        const span = { start: open.start, end: i + 1 };
        if (d === 2 && open.name === "graph_def") cur.graph = span;
        else if (d === 2 && open.name === "object_graph_def") cur.objectGraph = span;
        else if (d === 3 && open.name === "node" && node) {
          node.end = i + 1;
          node = undefined;
        }
      }
      ident = "";
      i++;
      continue;
    }
    i++;
  }
  return out;
}

/** `text` with [start, end) blanked (every character but newlines becomes a space): positions elsewhere are kept. */
export function blank(text: string, spans: TextSpan[]): string {
  if (!spans.length) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const s of sorted) {
    parts.push(text.slice(at, s.start), spaces(text.slice(s.start, s.end)));
    at = s.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}

/** Only [start, end) of `text`, at its original offset (the rest blanked), for parsing a part with right positions. */
export function isolate(text: string, span: TextSpan): string {
  return spaces(text.slice(0, span.start)) + text.slice(span.start, span.end);
}

function spaces(s: string): string {
  return s
    .split("\n")
    .map((l) => " ".repeat(l.length))
    .join("\n");
}
