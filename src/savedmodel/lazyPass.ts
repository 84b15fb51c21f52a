/**
 * The lazy first pass over a binary `saved_model.pb`: decodes what a user sees first (tags,
 * signatures, meta info, collections, saver, assets) and only records the byte ranges of the
 * big parts — the GraphDef's node list, each library function, the object graph — so they are
 * decoded when something asks for them. Costs a few ms however large the file is.
 */
import $protobuf from "../../proto/runtime.js";
import { tensorflow } from "./proto.js";
import { decodeWithLazyNodes } from "./lazyNodeDef.js";

const Reader = $protobuf.Reader;
type ProtoReader = InstanceType<typeof $protobuf.Reader>;

/** A byte range [start, end) inside the file. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface LazyFunction {
  name: string;
  range: ByteRange;
  /** Number of `node_def` entries, counted without decoding them. */
  nodeCount: number;
}

/** A library function known only by its byte range until something asks for names (see functionIndex). */
export interface FunctionRange {
  range: ByteRange;
}

export interface LazyGraphDef {
  range: ByteRange;
  nodeCount: number;
  versions?: tensorflow.VersionDef;
  /** Legacy `version` field (GraphDef.version), rarely set. */
  version?: number;
  /** Byte ranges of the library's functions (names and node counts: functionIndex()). */
  functionRanges: FunctionRange[];
  /** Gradient and registered-gradient entries of the library, decoded (they are tiny). */
  gradients: tensorflow.IGradientDef[];
  libraryRange?: ByteRange;
  debugInfoRange?: ByteRange;
}

export interface LazyMetaGraph {
  range: ByteRange;
  /** MetaGraphDef with graph_def and object_graph_def left out. */
  shell: tensorflow.MetaGraphDef;
  graph?: LazyGraphDef;
  objectGraphRange?: ByteRange;
}

export interface LazySavedModel {
  schemaVersion: number;
  metaGraphs: LazyMetaGraph[];
}

function lengthDelimited(r: ProtoReader): ByteRange {
  const len = r.uint32();
  const start = r.pos;
  const end = start + len;
  if (end > r.len) throw RangeError(`index out of range: ${start} + ${len} > ${r.len}`);
  r.pos = end;
  return { start, end };
}

function sub(buf: Uint8Array, range: ByteRange): Uint8Array {
  return buf.subarray(range.start, range.end);
}

/** Reads the function name from a FunctionDef without decoding its body. */
function functionName(buf: Uint8Array, range: ByteRange): { name: string; nodeCount: number } {
  const r = Reader.create(sub(buf, range));
  let name = "";
  let nodeCount = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) {
      // signature: OpDef; its field 1 is the name
      const sig = lengthDelimited(r);
      const sr = Reader.create(r.buf.subarray(sig.start, sig.end));
      while (sr.pos < sr.len) {
        const t = sr.uint32();
        if (t >>> 3 === 1 && (t & 7) === 2) {
          name = sr.string();
          break;
        }
        sr.skipType(t & 7);
      }
    } else if (field === 3 && (tag & 7) === 2) {
      lengthDelimited(r);
      nodeCount++;
    } else r.skipType(tag & 7);
  }
  return { name, nodeCount };
}

function walkLibrary(buf: Uint8Array, lib: ByteRange, out: LazyGraphDef): void {
  const r = Reader.create(sub(buf, lib));
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if ((tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const range = lengthDelimited(r);
    const abs = { start: lib.start + range.start, end: lib.start + range.end };
    if (field === 1) {
      out.functionRanges.push({ range: abs });
    } else if (field === 2) {
      out.gradients.push(tensorflow.GradientDef.decode(sub(buf, abs)));
    }
  }
}

export function walkGraphDef(buf: Uint8Array, g: ByteRange): LazyGraphDef {
  const out: LazyGraphDef = { range: g, nodeCount: 0, functionRanges: [], gradients: [] };
  const r = Reader.create(sub(buf, g));
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === 2) {
      lengthDelimited(r);
      out.nodeCount++;
    } else if (field === 2 && wt === 2) {
      const range = lengthDelimited(r);
      out.libraryRange = { start: g.start + range.start, end: g.start + range.end };
      walkLibrary(buf, out.libraryRange, out);
    } else if (field === 3 && wt === 0) {
      out.version = r.int32();
    } else if (field === 4 && wt === 2) {
      const range = lengthDelimited(r);
      out.versions = tensorflow.VersionDef.decode(sub(buf, { start: g.start + range.start, end: g.start + range.end }));
    } else if (field === 5 && wt === 2) {
      const range = lengthDelimited(r);
      out.debugInfoRange = { start: g.start + range.start, end: g.start + range.end };
    } else r.skipType(wt);
  }
  return out;
}

function walkMetaGraph(buf: Uint8Array, m: ByteRange): LazyMetaGraph {
  const shell = new tensorflow.MetaGraphDef();
  const out: LazyMetaGraph = { range: m, shell };
  const r = Reader.create(sub(buf, m));
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (wt !== 2) {
      r.skipType(wt);
      continue;
    }
    const rel = lengthDelimited(r);
    const abs = { start: m.start + rel.start, end: m.start + rel.end };
    if (field === 2) out.graph = walkGraphDef(buf, abs);
    else if (field === 7) out.objectGraphRange = abs;
    else addShellField(shell, field, sub(buf, abs));
  }
  return out;
}

/** Decodes one of the small MetaGraphDef fields (meta info, saver, collection, signature, asset) into `shell`. */
export function addShellField(shell: tensorflow.MetaGraphDef, field: number, bytes: Uint8Array): void {
  switch (field) {
    case 1:
      // stripped_op_list decodes when first read
      shell.metaInfoDef = decodeWithLazyNodes(() => tensorflow.MetaGraphDef.MetaInfoDef.decode(bytes));
      break;
    case 3:
      shell.saverDef = tensorflow.SaverDef.decode(bytes);
      break;
    case 4: {
      const { key, value } = decodeMapEntry(bytes, (b) => tensorflow.CollectionDef.decode(b));
      if (shell.collectionDef === $protobuf.util.emptyObject || !Object.hasOwn(shell, "collectionDef"))
        shell.collectionDef = {};
      shell.collectionDef[key] = value ?? new tensorflow.CollectionDef();
      break;
    }
    case 5: {
      const { key, value } = decodeMapEntry(bytes, (b) => tensorflow.SignatureDef.decode(b));
      if (shell.signatureDef === $protobuf.util.emptyObject || !Object.hasOwn(shell, "signatureDef"))
        shell.signatureDef = {};
      shell.signatureDef[key] = value ?? new tensorflow.SignatureDef();
      break;
    }
    case 6:
      if (!Object.hasOwn(shell, "assetFileDef")) shell.assetFileDef = [];
      shell.assetFileDef.push(tensorflow.AssetFileDef.decode(bytes));
      break;
    default:
      break;
  }
}

function decodeMapEntry<T>(bytes: Uint8Array, decodeValue: (b: Uint8Array) => T): { key: string; value?: T } {
  const r = Reader.create(bytes);
  let key = "";
  let value: T | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) key = r.string();
    else if (tag >>> 3 === 2 && (tag & 7) === 2) {
      const range = lengthDelimited(r);
      value = decodeValue(bytes.subarray(range.start, range.end));
    } else r.skipType(tag & 7);
  }
  return { key, value };
}

/** The lazy first pass over the bytes of a binary SavedModel. Throws protobufjs errors on corrupt input. */
export function lazyDecodeSavedModel(buf: Uint8Array): LazySavedModel {
  const out: LazySavedModel = { schemaVersion: 0, metaGraphs: [] };
  const r = Reader.create(buf);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === 0) out.schemaVersion = Number(r.int64());
    else if (field === 2 && wt === 2) out.metaGraphs.push(walkMetaGraph(buf, lengthDelimited(r)));
    else r.skipType(wt);
  }
  return out;
}

/** Names and node counts of the library functions (walks each function's header; a few ms for thousands). */
export function functionIndex(buf: Uint8Array, graph: LazyGraphDef): LazyFunction[] {
  return graph.functionRanges.map(({ range }) => {
    const { name, nodeCount } = functionName(buf, range);
    return { name, range, nodeCount };
  });
}

export function sliceRange(buf: Uint8Array, range: ByteRange): Uint8Array {
  return sub(buf, range);
}
