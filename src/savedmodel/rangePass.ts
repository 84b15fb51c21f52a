/**
 * The first pass over a binary `saved_model.pb` through FileAccess.readRange, so opening an export
 * costs the same whatever its size. It walks field tags and lengths through a bounded read window,
 * decodes the small MetaGraphDef fields (meta info, saver, collections, signatures, assets) and
 * copies the graph and the object graph into memory — except the big `tensor_content` of constants
 * (frozen weights), which stay on disk: their byte ranges are recorded as DeferredContent and read
 * when something needs the values (see MetaGraph.readTensorContent). With `graphOnDemand` the graph and
 * object graph are not copied at all: their headers are walked into a NodeIndex (node offsets and name
 * hashes), library function ranges and versions, and loadMetaGraphBody reads them when asked.
 */
import $protobuf from "../../proto/runtime.js";
import type { FileAccess } from "./fileAccess.js";
import { addShellField, walkGraphDef, type ByteRange, type LazyGraphDef, type LazyMetaGraph } from "./lazyPass.js";
import { tensorflow } from "./proto.js";

/** `tensor_content` fields at least this long are left on disk (overridable for tests). */
export const DEFAULT_DEFER_BYTES = 1 << 20;
/** Read window for walking field headers. */
const WINDOW = 4 << 20;

/** A `tensor_content` left on disk: where it is in the file. */
export interface DeferredContent {
  offset: number;
  length: number;
}

/** A deferred field and where it sits in the decoded message (protobufjs property names, repeated indexes, map keys). */
export interface DeferredRecord {
  path: (string | number)[];
  content: DeferredContent;
}

interface Child {
  name: string;
  kind: "message" | "repeated" | "map" | "defer";
  schema?: Schema;
}
type Schema = Record<number, Child>;

const TENSOR: Schema = { 4: { name: "tensorContent", kind: "defer" } };
const ATTR_VALUE: Schema = { 8: { name: "tensor", kind: "message", schema: TENSOR } };
const NODE: Schema = { 5: { name: "attr", kind: "map", schema: ATTR_VALUE } };
const FUNCTION: Schema = { 3: { name: "nodeDef", kind: "repeated", schema: NODE } };
const LIBRARY: Schema = { 1: { name: "function", kind: "repeated", schema: FUNCTION } };
const GRAPH: Schema = {
  1: { name: "node", kind: "repeated", schema: NODE },
  2: { name: "library", kind: "message", schema: LIBRARY },
};

/** The protobufjs Reader's message for a length running past its container (describeBinaryFailure parses it). */
function outOfRange(relPos: number, len: number, containerLen: number): RangeError {
  return RangeError(`index out of range: ${relPos} + ${len} > ${containerLen}`);
}

/** A bounded window over a file, refilled through readRange. */
class Cursor {
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  reads = 0;
  constructor(
    readonly fs: FileAccess,
    readonly path: string,
    readonly size: number,
    private window = 256 << 10,
  ) {}
  get end(): number {
    return this.start + this.buf.length;
  }
  /** Makes [pos, pos+n) (clipped to the file) available in the window. */
  async need(pos: number, n: number): Promise<void> {
    const want = Math.min(n, this.size - pos);
    if (pos >= this.start && pos + want <= this.end) return;
    const len = Math.min(Math.max(n, this.window), this.size - pos);
    this.window = Math.min(this.window * 2, WINDOW); // a walk that keeps going reads bigger windows
    this.buf = asBuffer(await this.fs.readRange(this.path, pos, len));
    this.reads++;
    this.start = pos;
    if (this.buf.length < want) throw new Error(`short read: ${this.buf.length} of ${want} bytes at offset ${pos}`);
  }
  /** A varint at pos (which must be in the window with 10 bytes or the rest of the file). */
  varint(pos: number, limit: number): [number, number] {
    const b = this.buf;
    let i = pos - this.start;
    const stop = Math.min(limit, this.end) - this.start;
    let value = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      if (i >= stop) throw outOfRange(i + this.start, 1, limit);
      const c = b[i++];
      value += (c & 0x7f) * mul;
      if (c < 0x80) return [value, i + this.start];
      mul *= 128;
    }
    throw Error(`invalid varint encoding at offset ${pos}`);
  }
  /**
   * [a, b): a view of the window when it holds it all (the window is at most 4 MiB, so a view pins
   * little), else a copy from the window where it overlaps plus a direct read of the rest.
   */
  async copy(a: number, b: number): Promise<Uint8Array> {
    if (a >= this.start && b <= this.end) return this.buf.subarray(a - this.start, b - this.start);
    const out = new Uint8Array(b - a);
    let at = a;
    if (a >= this.start && a < this.end) {
      out.set(this.buf.subarray(a - this.start), 0);
      at = this.end;
    }
    const rest = await this.fs.readRange(this.path, at, b - at);
    this.reads++;
    if (rest.length < b - at) throw new Error(`short read: ${rest.length} of ${b - at} bytes at offset ${at}`);
    out.set(rest, at - a);
    return out;
  }
}

interface Field {
  field: number;
  wt: number;
  /** Where the tag starts. */
  at: number;
  /** Value start (after the length for wire type 2) and end. */
  vs: number;
  ve: number;
  /** For varints: the value. */
  value?: number;
}

/** Walks the fields of the message [start, end), calling `each` per field. Offsets in errors are relative to `start`. */
async function walk(
  cur: Cursor,
  start: number,
  end: number,
  each: (f: Field) => Promise<void> | void,
  beforeRefill?: (pos: number) => void,
): Promise<void> {
  let pos = start;
  while (pos < end) {
    if (!(pos >= cur.start && Math.min(pos + 20, end) <= cur.end)) {
      beforeRefill?.(pos);
      await cur.need(pos, 20);
    }
    const at = pos;
    const [tag, p1] = cur.varint(pos, end);
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    let vs = p1;
    let ve: number;
    let value: number | undefined;
    if (field === 0) throw Error(`invalid field number 0 at offset ${at - start}`);
    switch (wt) {
      case 0: {
        const [v, p2] = cur.varint(p1, end);
        value = v;
        ve = p2;
        break;
      }
      case 1:
        ve = p1 + 8;
        if (ve > end) throw outOfRange(p1 - start, 8, end - start);
        break;
      case 5:
        ve = p1 + 4;
        if (ve > end) throw outOfRange(p1 - start, 4, end - start);
        break;
      case 2: {
        const [len, p2] = cur.varint(p1, end);
        vs = p2;
        ve = p2 + len;
        if (ve > end) throw outOfRange(p2 - start, len, end - start);
        break;
      }
      default:
        throw Error(`invalid wire type ${wt} at offset ${at - start}`);
    }
    const pending = each({ field, wt, at, vs, ve, value });
    if (pending) await pending;
    pos = ve;
  }
}

function varintBytes(v: number): Uint8Array {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

interface Sparse {
  parts: Uint8Array[];
  length: number;
  deferred: DeferredRecord[];
}

/**
 * Copies the message [start, end) into memory, leaving out the deferred fields of at least
 * `deferBytes` bytes. Sub-messages too small to hold one are copied whole.
 */
async function sparseCopy(
  cur: Cursor,
  start: number,
  end: number,
  schema: Schema,
  deferBytes: number,
): Promise<Sparse> {
  const out: Sparse = { parts: [], length: 0, deferred: [] };
  const push = (b: Uint8Array) => {
    out.parts.push(b);
    out.length += b.length;
  };
  if (end - start < deferBytes) {
    push(await cur.copy(start, end));
    return out;
  }
  let runStart = start;
  const flush = async (to: number) => {
    if (to > runStart) push(await cur.copy(runStart, to));
    runStart = to;
  };
  const counts = new Map<number, number>();
  await walk(
    cur,
    start,
    end,
    async (f) => {
      const child = schema[f.field];
      const index = counts.get(f.field) ?? 0;
      counts.set(f.field, index + 1);
      if (f.wt !== 2 || !child || f.ve - f.vs < deferBytes) return;
      await flush(f.at);
      runStart = f.ve;
      if (child.kind === "defer") {
        out.deferred.push({ path: [child.name], content: { offset: f.vs, length: f.ve - f.vs } });
        return;
      }
      let sub: Sparse;
      let prefix: (string | number)[];
      if (child.kind === "map") {
        // a map entry: key (1, string), value (2, message)
        const entry = await sparseMapEntry(cur, f.vs, f.ve, child.schema!, deferBytes);
        sub = entry.sparse;
        prefix = [child.name, entry.key];
      } else {
        sub = await sparseCopy(cur, f.vs, f.ve, child.schema!, deferBytes);
        prefix = child.kind === "repeated" ? [child.name, index] : [child.name];
      }
      push(varintBytes(f.field * 8 + 2));
      push(varintBytes(sub.length));
      for (const p of sub.parts) push(p);
      for (const d of sub.deferred) out.deferred.push({ path: [...prefix, ...d.path], content: d.content });
    },
    (pos) => {
      // the window moves on: copy what is already known of the current run out of it first
      if (runStart >= cur.start && runStart < cur.end && pos > runStart) {
        const to = Math.min(pos, cur.end);
        push(cur.buf.slice(runStart - cur.start, to - cur.start));
        runStart = to;
      }
    },
  );
  await flush(end);
  return out;
}

async function sparseMapEntry(
  cur: Cursor,
  start: number,
  end: number,
  valueSchema: Schema,
  deferBytes: number,
): Promise<{ key: string; sparse: Sparse }> {
  let key = "";
  let keyField: Uint8Array | undefined;
  let value: Sparse | undefined;
  await walk(cur, start, end, async (f) => {
    if (f.field === 1 && f.wt === 2) {
      keyField = await cur.copy(f.at, f.ve);
      key = new TextDecoder().decode(await cur.copy(f.vs, f.ve));
    } else if (f.field === 2 && f.wt === 2) {
      value = await sparseCopy(cur, f.vs, f.ve, valueSchema, deferBytes);
    }
  });
  const sparse: Sparse = { parts: [], length: 0, deferred: value?.deferred ?? [] };
  const push = (b: Uint8Array) => {
    sparse.parts.push(b);
    sparse.length += b.length;
  };
  if (keyField) push(keyField);
  if (value) {
    push(varintBytes(2 * 8 + 2));
    push(varintBytes(value.length));
    for (const p of value.parts) push(p);
  }
  return { key, sparse };
}

/**
 * The body as a Node Buffer where there is one (protobufjs then reads strings with the native UTF-8
 * decoder instead of its JavaScript one), a plain Uint8Array in browsers. No copy for one part.
 */
const NodeBuffer = (
  $protobuf.util as unknown as { Buffer?: { from(a: ArrayBufferLike, o: number, n: number): Uint8Array } }
).Buffer;
function asBuffer(u: Uint8Array): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(u.buffer, u.byteOffset, u.byteLength) : u;
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return asBuffer(parts[0]);
  const out = asBuffer(new Uint8Array(length));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One meta graph from the range pass: the lazy view over an in-memory body (graph image, then object graph). */
export interface RangeMetaGraph {
  lazy: LazyMetaGraph;
  body: Uint8Array;
  /** Deferred fields of the graph (paths from GraphDef). */
  deferred: DeferredRecord[];
  /**
   * Set when the graph and object graph were left on disk (`graphOnDemand`): `lazy` then holds file offsets
   * (graph, library functions, object graph), `body` is empty and loadMetaGraphBody reads them when asked.
   */
  nodeIndex?: NodeIndex;
}

/**
 * Where each top-level `node` entry of a GraphDef left on disk is (file offsets of its value) and a
 * hash of its name (field 1 when it comes first, as TensorFlow writes it; 0 when unknown), so nodes
 * can be found by name and read by range without reading the graph.
 */
export interface NodeIndex {
  starts: Float64Array;
  ends: Float64Array;
  nameHashes: Uint32Array;
}

export interface RangeSavedModel {
  schemaVersion: number;
  metaGraphs: RangeMetaGraph[];
  /** readRange calls made (for the bench). */
  reads: number;
}

/** Top-level fields of the file (at most `limit`), read through the window; undefined when they don't parse. */
export async function peekTopFields(
  fs: FileAccess,
  path: string,
  size: number,
  limit = 64,
): Promise<{ field: number; wt: number }[] | undefined> {
  const cur = new Cursor(fs, path, size, 64 << 10);
  const out: { field: number; wt: number }[] = [];
  try {
    await walk(cur, 0, size, (f) => {
      out.push({ field: f.field, wt: f.wt });
      if (out.length >= limit) throw STOP;
    });
  } catch (e) {
    if (e !== STOP) return undefined;
  }
  return out;
}
const STOP = Symbol("stop");

/**
 * The range pass over a binary SavedModel of `size` bytes. Throws protobufjs-style RangeErrors
 * ("index out of range: pos + len > containerLen") on corrupt input, like the in-memory lazy pass.
 * With `graphOnDemand` the graph and the object graph are not read: only their field headers are
 * walked (node entries, library functions, versions), see RangeMetaGraph.nodeIndex.
 */
export async function rangeDecodeSavedModel(
  fs: FileAccess,
  path: string,
  size: number,
  opts: { deferBytes?: number; graphOnDemand?: boolean } = {},
): Promise<RangeSavedModel> {
  const deferBytes = opts.deferBytes ?? DEFAULT_DEFER_BYTES;
  const cur = new Cursor(fs, path, size);
  const out: RangeSavedModel = { schemaVersion: 0, metaGraphs: [], reads: 0 };
  await walk(cur, 0, size, async (f) => {
    if (f.field === 1 && f.wt === 0) out.schemaVersion = f.value ?? 0;
    else if (f.field === 2 && f.wt === 2)
      out.metaGraphs.push(
        opts.graphOnDemand ? await indexMetaGraph(cur, f.vs, f.ve) : await metaGraph(cur, f.vs, f.ve, deferBytes),
      );
  });
  out.reads = cur.reads;
  return out;
}

async function metaGraph(cur: Cursor, start: number, end: number, deferBytes: number): Promise<RangeMetaGraph> {
  const shell = new tensorflow.MetaGraphDef();
  let graph: ByteRange | undefined;
  let objectGraph: ByteRange | undefined;
  await walk(cur, start, end, async (f) => {
    if (f.wt !== 2) return;
    if (f.field === 2) graph = { start: f.vs, end: f.ve };
    else if (f.field === 7) objectGraph = { start: f.vs, end: f.ve };
    else if (f.field >= 1 && f.field <= 6) addShellField(shell, f.field, await cur.copy(f.vs, f.ve));
  });
  return body(cur, { start, end }, shell, graph, objectGraph, deferBytes);
}

/** Copies the graph (big tensor_content left on disk) and the object graph into one in-memory body. */
async function body(
  cur: Cursor,
  range: ByteRange,
  shell: tensorflow.MetaGraphDef,
  graphRange: ByteRange | undefined,
  objectGraphRange: ByteRange | undefined,
  deferBytes: number,
): Promise<RangeMetaGraph> {
  const graph = graphRange ? await sparseCopy(cur, graphRange.start, graphRange.end, GRAPH, deferBytes) : undefined;
  const objectGraph = objectGraphRange ? await cur.copy(objectGraphRange.start, objectGraphRange.end) : undefined;
  const parts = [...(graph?.parts ?? []), ...(objectGraph ? [objectGraph] : [])];
  const gLen = graph?.length ?? 0;
  const bytes = concat(parts, gLen + (objectGraph?.length ?? 0));
  const lazy: LazyMetaGraph = { range, shell };
  if (graph) lazy.graph = walkGraphDef(bytes, { start: 0, end: gLen });
  if (objectGraph) lazy.objectGraphRange = { start: gLen, end: gLen + objectGraph.length };
  return { lazy, body: bytes, deferred: graph?.deferred ?? [] };
}

/**
 * Reads a meta graph that the range pass left on disk (`graphOnDemand`): its graph (big tensor_content
 * still on disk) and object graph, as the eager pass would have.
 */
export async function loadMetaGraphBody(
  fs: FileAccess,
  path: string,
  size: number,
  onDisk: LazyMetaGraph,
  deferBytes = DEFAULT_DEFER_BYTES,
): Promise<RangeMetaGraph> {
  const cur = new Cursor(fs, path, size);
  return body(cur, onDisk.range, onDisk.shell, onDisk.graph?.range, onDisk.objectGraphRange, deferBytes);
}

/** One NodeDef at [range) of the file, its big tensor_content left on disk (paths from the NodeDef). */
export async function loadNodeBody(
  fs: FileAccess,
  path: string,
  size: number,
  range: ByteRange,
  deferBytes = DEFAULT_DEFER_BYTES,
): Promise<{ bytes: Uint8Array; deferred: DeferredRecord[] }> {
  const sparse = await sparseCopy(new Cursor(fs, path, size), range.start, range.end, NODE, deferBytes);
  return { bytes: concat(sparse.parts, sparse.length), deferred: sparse.deferred };
}

/** Reads [start, end) of the file exactly (a short read is an out-of-range error, like a cut-short field). */
export async function readExactly(fs: FileAccess, path: string, range: ByteRange): Promise<Uint8Array> {
  const b = await fs.readRange(path, range.start, range.end - range.start);
  if (b.length < range.end - range.start)
    throw outOfRange(range.start, range.end - range.start, range.start + b.length);
  return asBuffer(b);
}

/** The 32-bit FNV-1a hash of bytes (never 0: 0 means "name unknown" in a NodeIndex). */
export function nameHash(b: Uint8Array, start = 0, end = b.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0 || 1;
}

/** The meta graph's small fields decoded; the graph and object graph only located (file offsets). */
async function indexMetaGraph(cur: Cursor, start: number, end: number): Promise<RangeMetaGraph> {
  const shell = new tensorflow.MetaGraphDef();
  const lazy: LazyMetaGraph = { range: { start, end }, shell };
  let nodeIndex: NodeIndex | undefined;
  await walk(cur, start, end, async (f) => {
    if (f.wt !== 2) return;
    if (f.field === 2) {
      const g = await indexGraph(cur, f.vs, f.ve);
      lazy.graph = g.graph;
      nodeIndex = g.nodes;
    } else if (f.field === 7) lazy.objectGraphRange = { start: f.vs, end: f.ve };
    else if (f.field >= 1 && f.field <= 6) addShellField(shell, f.field, await cur.copy(f.vs, f.ve));
  });
  return { lazy, body: new Uint8Array(0), deferred: [], nodeIndex: nodeIndex ?? emptyIndex() };
}

const emptyIndex = (): NodeIndex => ({
  starts: new Float64Array(0),
  ends: new Float64Array(0),
  nameHashes: new Uint32Array(0),
});

/** Walks a GraphDef's field headers: node entries (offsets, name hashes), library functions, versions. */
async function indexGraph(cur: Cursor, start: number, end: number): Promise<{ graph: LazyGraphDef; nodes: NodeIndex }> {
  const graph: LazyGraphDef = { range: { start, end }, nodeCount: 0, functionRanges: [], gradients: [] };
  const starts: number[] = [];
  const ends: number[] = [];
  const hashes: number[] = [];
  const library = async (f: Field) => {
    graph.libraryRange = { start: f.vs, end: f.ve };
    await walk(cur, f.vs, f.ve, async (lf) => {
      if (lf.wt !== 2) return;
      if (lf.field === 1) graph.functionRanges.push({ range: { start: lf.vs, end: lf.ve } });
      else if (lf.field === 2) graph.gradients.push(tensorflow.GradientDef.decode(await cur.copy(lf.vs, lf.ve)));
    });
  };
  await walk(cur, start, end, (f): Promise<void> | void => {
    if (f.field === 1 && f.wt === 2) {
      // a node entry: synchronous while its name is in the window (no promise per node)
      const i = starts.length;
      starts.push(f.vs);
      ends.push(f.ve);
      graph.nodeCount++;
      const h = nameHashInWindow(cur, f.vs, f.ve);
      hashes.push(h ?? 0);
      if (h === undefined)
        return firstNameHash(cur, f.vs, f.ve).then((x) => {
          hashes[i] = x;
        });
    } else if (f.field === 2 && f.wt === 2) return library(f);
    else if (f.field === 3 && f.wt === 0) graph.version = f.value! | 0;
    else if (f.field === 4 && f.wt === 2)
      return cur.copy(f.vs, f.ve).then((b) => {
        graph.versions = tensorflow.VersionDef.decode(b);
      });
    else if (f.field === 5 && f.wt === 2) graph.debugInfoRange = { start: f.vs, end: f.ve };
  });
  return {
    graph,
    nodes: { starts: Float64Array.from(starts), ends: Float64Array.from(ends), nameHashes: Uint32Array.from(hashes) },
  };
}

/** As firstNameHash when the name is in the window already; undefined when it is not. */
function nameHashInWindow(cur: Cursor, start: number, end: number): number | undefined {
  if (start < cur.start || start + 2 > cur.end) return undefined;
  if (end - start < 2) return 0;
  const b = cur.buf;
  let i = start - cur.start;
  if (b[i++] !== 0x0a) return 0; // field 1, wire type 2
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= b.length || shift > 28) return undefined;
    const c = b[i++];
    len += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
  }
  if (i + cur.start + len > end) return 0; // a bad length: the decode of this node reports it
  if (i + len > b.length) return undefined;
  return nameHash(b, i, i + len);
}

/** The name hash of the NodeDef at [start, end) when its first field is the name, else 0. */
async function firstNameHash(cur: Cursor, start: number, end: number): Promise<number> {
  if (end - start < 2) return 0;
  await cur.need(start, Math.min(end - start, 256));
  if (cur.buf[start - cur.start] !== 0x0a) return 0; // field 1, wire type 2
  const [len, p] = cur.varint(start + 1, end);
  if (p + len > end) return 0; // a bad length: the decode of this node reports it
  await cur.need(p, len);
  return nameHash(cur.buf, p - cur.start, p + len - cur.start);
}
