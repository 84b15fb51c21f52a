/**
 * Content sniffing: what a file or folder really is, whatever its name says. A user handed a
 * frozen GraphDef, a MetaGraph `.meta`, a training checkpoint or a `keras_metadata.pb` is told
 * what it is and what to do, instead of getting a protobuf error.
 */
import $protobuf from "../../proto/runtime.js";
import type { DirEntry } from "./fileAccess.js";

export type ProtoKind =
  | "saved_model_binary"
  | "saved_model_text"
  | "graph_def_binary"
  | "graph_def_text"
  | "meta_graph_binary"
  | "meta_graph_text"
  | "keras_metadata"
  | "empty"
  | "unknown";

const TEXT_SAVED_MODEL = /^(saved_model_schema_version|meta_graphs)\s*[:{<]/;
const TEXT_META_GRAPH =
  /^(meta_info_def|graph_def|saver_def|collection_def|signature_def|asset_file_def|object_graph_def)\s*[:{<]/;
const TEXT_GRAPH_DEF = /^(node|versions|library|version)\s*[:{<]/;

/** First meaningful token of a text proto (skipping whitespace and # comments), or undefined if the bytes aren't text. */
function textHead(bytes: Uint8Array): string | undefined {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0 || (c < 9 && c !== 0) || (c > 13 && c < 32 && c !== 27)) return undefined;
  }
  let text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, n));
  text = text.replace(/^(\s*#[^\n]*\n)*\s*/, "");
  return text;
}

interface FieldPeek {
  field: number;
  wireType: number;
}

/** The top-level fields of a protobuf message, if the bytes parse as one (at most `limit` fields). */
function peekFields(bytes: Uint8Array, limit = 64): FieldPeek[] | undefined {
  try {
    const r = $protobuf.Reader.create(bytes);
    const out: FieldPeek[] = [];
    while (r.pos < r.len && out.length < limit) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 0 || wireType > 5 || wireType === 3 || wireType === 4) return undefined;
      r.skipType(wireType);
      out.push({ field, wireType });
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Decides what kind of TensorFlow protobuf a file holds, from its content only. */
export function sniffProto(bytes: Uint8Array): ProtoKind {
  if (bytes.length === 0) return "empty";
  const head = textHead(bytes);
  if (head !== undefined) {
    if (TEXT_SAVED_MODEL.test(head)) return "saved_model_text";
    if (TEXT_META_GRAPH.test(head)) return "meta_graph_text";
    if (TEXT_GRAPH_DEF.test(head)) return "graph_def_text";
  }
  const fields = peekFields(bytes);
  if (!fields || fields.length === 0) return "unknown";
  const has = (f: number, wt: number) => fields.some((x) => x.field === f && x.wireType === wt);
  const only = (allowed: [number, number][]) =>
    fields.every((x) => allowed.some(([f, wt]) => x.field === f && x.wireType === wt));
  // SavedModel: 1 = schema version (varint), 2 = meta graphs
  if (
    only([
      [1, 0],
      [2, 2],
    ]) &&
    has(2, 2)
  ) {
    if (has(1, 0) || looksLikeMetaGraph(bytes)) return "saved_model_binary";
  }
  // GraphDef: 1 = node*, 2 = library, 3 = version, 4 = versions, 5 = debug_info
  if (
    only([
      [1, 2],
      [2, 2],
      [3, 0],
      [4, 2],
      [5, 2],
    ]) &&
    (has(1, 2) || has(2, 2)) &&
    looksLikeGraphDef(bytes)
  ) {
    return "graph_def_binary";
  }
  // MetaGraphDef: 1 meta_info_def, 2 graph_def, 3 saver_def, 4 collection_def, 5 signature_def, 6 asset_file_def, 7 object_graph_def
  if (
    only([
      [1, 2],
      [2, 2],
      [3, 2],
      [4, 2],
      [5, 2],
      [6, 2],
      [7, 2],
    ]) &&
    has(2, 2)
  )
    return "meta_graph_binary";
  // keras_metadata.pb: SavedMetadata { repeated SavedObject nodes = 1 } with node_id/node_path/identifier/metadata
  if (only([[1, 2]]) && looksLikeKerasMetadata(bytes)) return "keras_metadata";
  return "unknown";
}

function firstSubmessage(bytes: Uint8Array, field: number): Uint8Array | undefined {
  try {
    const r = $protobuf.Reader.create(bytes);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === field && (tag & 7) === 2) return r.bytes();
      r.skipType(tag & 7);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function looksLikeMetaGraph(bytes: Uint8Array): boolean {
  const mg = firstSubmessage(bytes, 2);
  const f = mg && peekFields(mg, 16);
  return !!f && f.length > 0 && f.every((x) => x.wireType === 2 && x.field >= 1 && x.field <= 7);
}

function looksLikeGraphDef(bytes: Uint8Array): boolean {
  const node = firstSubmessage(bytes, 1);
  if (!node) return true; // a library-only GraphDef
  const f = peekFields(node, 16);
  // NodeDef: 1 name, 2 op, 3 input, 4 device, 5 attr (all length-delimited)
  return (
    !!f &&
    f.length > 0 &&
    f.every((x) => x.wireType === 2 && x.field >= 1 && x.field <= 7) &&
    f.some((x) => x.field === 2)
  );
}

function looksLikeKerasMetadata(bytes: Uint8Array): boolean {
  const node = firstSubmessage(bytes, 1);
  const f = node && peekFields(node, 16);
  // SavedObject: 2 node_id (omitted when 0), 3 node_path, 4 identifier, 5 metadata (JSON), 6 version
  return (
    !!f &&
    f.every((x) => (x.field === 2 && x.wireType === 0) || (x.field >= 3 && x.field <= 6 && x.wireType === 2)) &&
    f.some((x) => x.field === 3) &&
    f.some((x) => x.field === 4)
  );
}

export type FolderKind =
  | "saved_model"
  | "training_checkpoint"
  | "session_bundle"
  | "meta_graph_file"
  | "frozen_graph_candidates"
  | "keras_metadata_only"
  | "tfjs_model"
  | "tflite"
  | "keras_h5"
  | "keras_v3"
  | "parent_of_exports"
  | "empty"
  | "unknown";

export interface FolderSniff {
  kind: FolderKind;
  /** The file that holds the SavedModel, when there is one. */
  savedModelFile?: string;
  /** Files that made us decide (for the message). */
  evidence: string[];
}

/** What a folder listing looks like, before reading any file. */
export function sniffFolder(entries: DirEntry[]): FolderSniff {
  const files = entries.filter((e) => e.kind === "file").map((e) => e.name);
  const dirs = entries.filter((e) => e.kind === "directory").map((e) => e.name);
  if (files.includes("saved_model.pb"))
    return { kind: "saved_model", savedModelFile: "saved_model.pb", evidence: ["saved_model.pb"] };
  if (files.includes("saved_model.pbtxt"))
    return { kind: "saved_model", savedModelFile: "saved_model.pbtxt", evidence: ["saved_model.pbtxt"] };
  if (files.length === 0 && dirs.length === 0) return { kind: "empty", evidence: [] };
  const meta = files.filter((f) => f.endsWith(".meta"));
  const ckptIndex = files.filter((f) => f.endsWith(".index"));
  // TF1 SessionBundle (TF Serving's format before SavedModel): export.meta + an "export" checkpoint.
  const bundleCkpt = files.filter((f) => /^export(-\d{5}-of-\d{5})?(\.index|\.data-\d{5}-of-\d{5})?$/.test(f));
  if (files.includes("export.meta") && bundleCkpt.length > 0)
    return { kind: "session_bundle", evidence: ["export.meta", ...bundleCkpt] };
  if (files.includes("checkpoint") || (ckptIndex.length > 0 && files.some((f) => /\.data-\d{5}-of-\d{5}$/.test(f)))) {
    return {
      kind: "training_checkpoint",
      evidence: [...(files.includes("checkpoint") ? ["checkpoint"] : []), ...ckptIndex, ...meta],
    };
  }
  if (meta.length > 0) return { kind: "meta_graph_file", evidence: meta };
  if (files.includes("model.json") && files.some((f) => f.endsWith(".bin")))
    return { kind: "tfjs_model", evidence: ["model.json"] };
  const tflite = files.filter((f) => f.endsWith(".tflite"));
  if (tflite.length) return { kind: "tflite", evidence: tflite };
  const h5 = files.filter((f) => f.endsWith(".h5") || f.endsWith(".hdf5"));
  if (h5.length) return { kind: "keras_h5", evidence: h5 };
  const keras = files.filter((f) => f.endsWith(".keras"));
  if (keras.length) return { kind: "keras_v3", evidence: keras };
  const pbs = files.filter((f) => f.endsWith(".pb") || f.endsWith(".pbtxt") || f.endsWith(".graphdef"));
  if (files.includes("keras_metadata.pb") && pbs.length === 1)
    return { kind: "keras_metadata_only", evidence: ["keras_metadata.pb"] };
  if (pbs.length > 0) return { kind: "frozen_graph_candidates", evidence: pbs };
  const numeric = dirs.filter((d) => /^\d+$/.test(d));
  if (numeric.length > 0) return { kind: "parent_of_exports", evidence: numeric };
  return { kind: "unknown", evidence: [] };
}
