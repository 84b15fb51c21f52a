/**
 * Opening an export folder: find and sniff `saved_model.pb` / `saved_model.pbtxt`, run the lazy
 * first pass, and hand out meta graphs whose graph, functions and object graph decode on demand.
 * Everything else in the folder (variables, assets, fingerprint, debug info, keras metadata) is
 * listed here and read by the modules that own those formats.
 */
import $protobuf from "../../proto/runtime.js";
import { asSavedModelError, SavedModelError, type Diagnostic } from "./errors.js";
import type { DirEntry, FileAccess } from "./fileAccess.js";
import { functionIndex, lazyDecodeSavedModel, sliceRange, type LazyFunction, type LazyMetaGraph } from "./lazyPass.js";
import { tensorflow } from "./proto.js";
import { sniffFolder, sniffProto, type FolderKind } from "./sniff.js";
import { parseTextFormatBytes } from "./textFormat/index.js";

export interface ExportFile {
  path: string;
  size?: number;
}

/** What the folder holds besides the SavedModel proto itself. */
export interface ExportLayout {
  savedModelFile: string;
  savedModelSize: number;
  variablesIndex?: ExportFile;
  variablesShards: ExportFile[];
  fingerprint?: ExportFile;
  debugInfo?: ExportFile;
  kerasMetadata?: ExportFile;
  assets: ExportFile[];
  assetsExtra: ExportFile[];
  /** Other top-level files and folders, listed for completeness. */
  other: ExportFile[];
}

export class MetaGraph {
  readonly index: number;
  /** MetaGraphDef without graph_def and object_graph_def (decoded lazily, see below). */
  readonly shell: tensorflow.MetaGraphDef;
  private readonly bytes?: Uint8Array;
  private readonly lazy?: LazyMetaGraph;
  private readonly full?: tensorflow.MetaGraphDef;
  private readonly file: string;
  private graphCache?: tensorflow.GraphDef;
  private nodesCache?: tensorflow.NodeDef[];
  private objectGraphCache?: tensorflow.SavedObjectGraph | null;
  private functionCache = new Map<string, tensorflow.FunctionDef>();
  private functionIndex?: Map<string, LazyFunction>;
  private lazyFunctions?: LazyFunction[];

  /** @internal */
  constructor(
    index: number,
    file: string,
    src: { lazy: LazyMetaGraph; bytes: Uint8Array } | { full: tensorflow.MetaGraphDef },
  ) {
    this.index = index;
    this.file = file;
    if ("lazy" in src) {
      this.lazy = src.lazy;
      this.bytes = src.bytes;
      this.shell = src.lazy.shell;
    } else {
      this.full = src.full;
      const shell = tensorflow.MetaGraphDef.create({ ...src.full });
      delete (shell as { graphDef?: unknown }).graphDef;
      delete (shell as { objectGraphDef?: unknown }).objectGraphDef;
      this.shell = shell;
    }
  }

  get tags(): string[] {
    return this.shell.metaInfoDef?.tags ?? [];
  }
  get metaInfo(): tensorflow.MetaGraphDef.IMetaInfoDef | undefined {
    return this.shell.metaInfoDef ?? undefined;
  }
  get signatureDefs(): Record<string, tensorflow.ISignatureDef> {
    return this.shell.signatureDef ?? {};
  }
  get collections(): Record<string, tensorflow.ICollectionDef> {
    return this.shell.collectionDef ?? {};
  }
  get hasGraph(): boolean {
    return this.lazy ? !!this.lazy.graph : !!this.full?.graphDef;
  }
  get hasObjectGraph(): boolean {
    return this.lazy ? !!this.lazy.objectGraphRange : !!this.full?.objectGraphDef;
  }
  /** Node count of the top-level graph, known without decoding it. */
  get nodeCount(): number {
    if (this.lazy) return this.lazy.graph?.nodeCount ?? 0;
    return this.full?.graphDef?.node?.length ?? 0;
  }
  get producer(): number | undefined {
    if (this.lazy) return this.lazy.graph?.versions?.producer ?? undefined;
    return this.full?.graphDef?.versions?.producer ?? undefined;
  }
  /** Number of library functions, known without looking inside them. */
  get functionCount(): number {
    if (this.lazy) return this.lazy.graph?.functionRanges.length ?? 0;
    return this.full?.graphDef?.library?.function?.length ?? 0;
  }

  private lazyFunctionList(): LazyFunction[] {
    if (this.lazyFunctions) return this.lazyFunctions;
    if (!this.lazy?.graph || !this.bytes) return (this.lazyFunctions = []);
    try {
      return (this.lazyFunctions = functionIndex(this.bytes, this.lazy.graph));
    } catch (e) {
      throw asSavedModelError(this.file, e, this.field("graph_def.library"));
    }
  }

  /** Names and node counts of the library functions, known without decoding their bodies. */
  get functionSummaries(): { name: string; nodeCount: number }[] {
    if (this.lazy) return this.lazyFunctionList().map((f) => ({ name: f.name, nodeCount: f.nodeCount }));
    return (this.full?.graphDef?.library?.function ?? []).map((f) => ({
      name: f.signature?.name ?? "",
      nodeCount: f.nodeDef?.length ?? 0,
    }));
  }

  private field(path: string): string {
    return `meta_graphs[${this.index}].${path}`;
  }

  /** The whole GraphDef (nodes, library, versions), decoded once. */
  graphDef(): tensorflow.GraphDef {
    if (this.graphCache) return this.graphCache;
    if (this.full) {
      this.graphCache = (this.full.graphDef as tensorflow.GraphDef) ?? new tensorflow.GraphDef();
    } else if (this.lazy?.graph && this.bytes) {
      try {
        this.graphCache = tensorflow.GraphDef.decode(sliceRange(this.bytes, this.lazy.graph.range));
      } catch (e) {
        throw asSavedModelError(this.file, e, this.field("graph_def"));
      }
    } else this.graphCache = new tensorflow.GraphDef();
    return this.graphCache;
  }

  /** Only the top-level nodes (the library stays undecoded). */
  nodes(): tensorflow.NodeDef[] {
    if (this.graphCache) return this.graphCache.node as tensorflow.NodeDef[];
    if (this.nodesCache) return this.nodesCache;
    if (this.full || !this.lazy?.graph || !this.bytes)
      return (this.nodesCache = this.graphDef().node as tensorflow.NodeDef[]);
    const g = this.lazy.graph.range;
    const nodes: tensorflow.NodeDef[] = [];
    try {
      const r = $protobuf.Reader.create(sliceRange(this.bytes, g));
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag >>> 3 === 1 && (tag & 7) === 2) nodes.push(tensorflow.NodeDef.decode(r, r.uint32()));
        else r.skipType(tag & 7);
      }
    } catch (e) {
      throw asSavedModelError(this.file, e, this.field(`graph_def.node[${nodes.length}]`));
    }
    return (this.nodesCache = nodes);
  }

  /** One library function, decoded on first use; undefined when the library has no such function. */
  functionDef(name: string): tensorflow.FunctionDef | undefined {
    const cached = this.functionCache.get(name);
    if (cached) return cached;
    if (this.full || !this.lazy || !this.bytes) {
      const f = (this.graphDef().library?.function ?? []).find((x) => x.signature?.name === name);
      if (f) this.functionCache.set(name, f as tensorflow.FunctionDef);
      return f as tensorflow.FunctionDef | undefined;
    }
    if (this.graphCache) {
      const f = (this.graphCache.library?.function ?? []).find((x) => x.signature?.name === name);
      if (f) this.functionCache.set(name, f as tensorflow.FunctionDef);
      return f as tensorflow.FunctionDef | undefined;
    }
    if (!this.functionIndex) this.functionIndex = new Map(this.lazyFunctionList().map((f) => [f.name, f]));
    const lf = this.functionIndex.get(name);
    if (!lf) return undefined;
    try {
      const f = tensorflow.FunctionDef.decode(sliceRange(this.bytes, lf.range));
      this.functionCache.set(name, f);
      return f;
    } catch (e) {
      throw asSavedModelError(this.file, e, this.field(`graph_def.library.function["${name}"]`));
    }
  }

  /** Every library function (decodes all bodies). */
  functionDefs(): tensorflow.FunctionDef[] {
    return this.functionSummaries.map((s) => this.functionDef(s.name)!).filter(Boolean);
  }

  /** TF2 object graph, or undefined for TF1 exports. */
  objectGraph(): tensorflow.SavedObjectGraph | undefined {
    if (this.objectGraphCache !== undefined) return this.objectGraphCache ?? undefined;
    if (this.full) {
      this.objectGraphCache = (this.full.objectGraphDef as tensorflow.SavedObjectGraph) ?? null;
    } else if (this.lazy?.objectGraphRange && this.bytes) {
      try {
        this.objectGraphCache = tensorflow.SavedObjectGraph.decode(sliceRange(this.bytes, this.lazy.objectGraphRange));
      } catch (e) {
        throw asSavedModelError(this.file, e, this.field("object_graph_def"));
      }
    } else this.objectGraphCache = null;
    return this.objectGraphCache ?? undefined;
  }

  /** The complete MetaGraphDef (decodes everything). */
  metaGraphDef(): tensorflow.MetaGraphDef {
    if (this.full) return this.full;
    const m = tensorflow.MetaGraphDef.create({ ...this.shell });
    if (this.hasGraph) m.graphDef = this.graphDef();
    const og = this.objectGraph();
    if (og) m.objectGraphDef = og;
    return m;
  }
}

export class SavedModelExport {
  readonly fs: FileAccess;
  readonly layout: ExportLayout;
  readonly format: "binary" | "text";
  readonly schemaVersion: number;
  readonly metaGraphs: MetaGraph[];
  readonly diagnostics: Diagnostic[];
  /** Time spent reading + the lazy pass, for the curious. */
  readonly openMs: number;

  /** @internal */
  constructor(init: {
    fs: FileAccess;
    layout: ExportLayout;
    format: "binary" | "text";
    schemaVersion: number;
    metaGraphs: MetaGraph[];
    diagnostics: Diagnostic[];
    openMs: number;
  }) {
    this.fs = init.fs;
    this.layout = init.layout;
    this.format = init.format;
    this.schemaVersion = init.schemaVersion;
    this.metaGraphs = init.metaGraphs;
    this.diagnostics = init.diagnostics;
    this.openMs = init.openMs;
  }

  /** The meta graph whose tag set equals `tags` (order-insensitive), e.g. ["serve"]. */
  metaGraphByTags(tags: string[]): MetaGraph | undefined {
    const want = [...tags].sort().join(",");
    return this.metaGraphs.find((m) => [...m.tags].sort().join(",") === want);
  }

  /** The whole SavedModel message (decodes everything). */
  savedModel(): tensorflow.SavedModel {
    return tensorflow.SavedModel.create({
      savedModelSchemaVersion: this.schemaVersion,
      metaGraphs: this.metaGraphs.map((m) => m.metaGraphDef()),
    });
  }
}

const FOLDER_HINTS: Record<FolderKind, string> = {
  saved_model: "",
  training_checkpoint:
    "this folder is a training checkpoint (checkpoint / *.index / *.data-*), not a SavedModel export; export it with tf.saved_model.save(model, dir) or model.export(dir)",
  session_bundle:
    "this folder is a legacy TF1 SessionBundle export (export.meta + an 'export' checkpoint), not a SavedModel; TF Serving no longer loads SessionBundles — in TF1, import export.meta, restore the 'export' checkpoint and save it with tf.compat.v1.saved_model.Builder",
  meta_graph_file:
    "this folder holds a MetaGraph (.meta) from tf.compat.v1.train.Saver, not a SavedModel; open the .meta file to see its graph, or export with tf.compat.v1.saved_model.Builder",
  frozen_graph_candidates:
    "no saved_model.pb here; the .pb files look like frozen GraphDefs or other protos — open one of them to see what it is",
  keras_metadata_only:
    "keras_metadata.pb alone is Keras's side file of a SavedModel; the export's saved_model.pb is missing",
  tfjs_model: "this is a TensorFlow.js model (model.json + weight shards), not a SavedModel",
  tflite: "this is a TensorFlow Lite model (.tflite), not a SavedModel",
  keras_h5: "this is a Keras HDF5 model (.h5), not a SavedModel; load it in Keras and call model.export(dir)",
  keras_v3: "this is a Keras v3 archive (.keras), not a SavedModel; load it in Keras and call model.export(dir)",
  parent_of_exports: "this folder holds versioned exports; open one of its numbered subfolders",
  empty: "the folder is empty",
  unknown: "no saved_model.pb or saved_model.pbtxt in this folder",
};

async function listOrEmpty(fs: FileAccess, path: string): Promise<DirEntry[]> {
  try {
    return await fs.list(path);
  } catch {
    return [];
  }
}

async function listRecursive(fs: FileAccess, dir: string, limit = 10_000): Promise<ExportFile[]> {
  const out: ExportFile[] = [];
  const walk = async (d: string) => {
    for (const e of await listOrEmpty(fs, d)) {
      if (out.length >= limit) return;
      const p = `${d}/${e.name}`;
      if (e.kind === "directory") await walk(p);
      else out.push({ path: p, size: e.size });
    }
  };
  await walk(dir);
  return out;
}

/** Lists the folder into an ExportLayout; throws a SavedModelError naming what the folder is when it isn't an export. */
export async function readLayout(fs: FileAccess): Promise<ExportLayout> {
  let top: DirEntry[];
  try {
    top = await fs.list("");
  } catch (e) {
    throw new SavedModelError(fs.describe(""), "cannot list the folder", {
      cause: e,
      hint: String((e as Error)?.message ?? e),
    });
  }
  const sniff = sniffFolder(top);
  if (sniff.kind !== "saved_model" || !sniff.savedModelFile) {
    const evidence = sniff.evidence.length ? ` (found ${sniff.evidence.slice(0, 5).join(", ")})` : "";
    throw new SavedModelError(fs.describe(""), `not a SavedModel export folder${evidence}`, {
      hint: FOLDER_HINTS[sniff.kind],
    });
  }
  const size = (name: string) => top.find((e) => e.name === name && e.kind === "file")?.size;
  const isFile = (name: string) => top.some((e) => e.name === name && e.kind === "file");
  const vars = await listOrEmpty(fs, "variables");
  const layout: ExportLayout = {
    savedModelFile: sniff.savedModelFile,
    savedModelSize: size(sniff.savedModelFile) ?? (await fs.size(sniff.savedModelFile)) ?? 0,
    variablesShards: vars
      .filter((e) => e.kind === "file" && /^variables\.data-\d+-of-\d+$/.test(e.name))
      .map((e) => ({ path: `variables/${e.name}`, size: e.size })),
    assets: top.some((e) => e.name === "assets" && e.kind === "directory") ? await listRecursive(fs, "assets") : [],
    assetsExtra: top.some((e) => e.name === "assets.extra" && e.kind === "directory")
      ? await listRecursive(fs, "assets.extra")
      : [],
    other: [],
  };
  const idx = vars.find((e) => e.name === "variables.index" && e.kind === "file");
  if (idx) layout.variablesIndex = { path: "variables/variables.index", size: idx.size };
  if (isFile("fingerprint.pb")) layout.fingerprint = { path: "fingerprint.pb", size: size("fingerprint.pb") };
  if (isFile("keras_metadata.pb"))
    layout.kerasMetadata = { path: "keras_metadata.pb", size: size("keras_metadata.pb") };
  const debug = await listOrEmpty(fs, "debug");
  const dbg = debug.find((e) => e.name === "saved_model_debug_info.pb");
  if (dbg) layout.debugInfo = { path: "debug/saved_model_debug_info.pb", size: dbg.size };
  const known = new Set([
    "saved_model.pb",
    "saved_model.pbtxt",
    "variables",
    "assets",
    "assets.extra",
    "fingerprint.pb",
    "keras_metadata.pb",
    "debug",
  ]);
  layout.other = top
    .filter((e) => !known.has(e.name))
    .map((e) => ({ path: e.kind === "directory" ? `${e.name}/` : e.name, size: e.size }));
  return layout;
}

export interface OpenOptions {
  /** Refuse saved_model files larger than this (bytes). Default 2 GiB (protobuf's own limit). */
  maxProtoBytes?: number;
}

/** Opens an export folder: layout + lazy first pass. Graph, functions and object graph decode on demand. */
export async function openSavedModel(fs: FileAccess, opts: OpenOptions = {}): Promise<SavedModelExport> {
  const t0 = performance.now();
  const layout = await readLayout(fs);
  const file = layout.savedModelFile;
  const max = opts.maxProtoBytes ?? 2 ** 31;
  if (layout.savedModelSize > max) {
    throw new SavedModelError(
      file,
      `file is ${layout.savedModelSize} bytes, over the ${max}-byte limit for a protobuf message`,
    );
  }
  const bytes = await fs.readFile(file);
  const diagnostics: Diagnostic[] = [];
  const kind = sniffProto(bytes);
  let schemaVersion = 0;
  let metaGraphs: MetaGraph[] = [];
  let format: "binary" | "text";
  if (kind === "saved_model_text" || (kind === "unknown" && file.endsWith(".pbtxt") && isMostlyText(bytes))) {
    format = "text";
    const sm = parseTextFormatBytes<tensorflow.SavedModel>(bytes, "tensorflow.SavedModel", file);
    schemaVersion = Number(sm.savedModelSchemaVersion ?? 0);
    metaGraphs = (sm.metaGraphs ?? []).map((m, i) => new MetaGraph(i, file, { full: m as tensorflow.MetaGraphDef }));
  } else {
    format = "binary";
    if (kind === "empty") throw new SavedModelError(file, "file is empty (0 bytes)");
    if (kind === "graph_def_binary" || kind === "graph_def_text") {
      throw new SavedModelError(file, "this is a frozen GraphDef, not a SavedModel", {
        hint: "open it as a graph (its nodes can be shown), or export a SavedModel with tf.saved_model.save",
      });
    }
    if (kind === "meta_graph_binary" || kind === "meta_graph_text") {
      throw new SavedModelError(file, "this is a MetaGraphDef (.meta), not a SavedModel", {
        hint: "it is what tf.compat.v1.train.Saver writes next to a checkpoint; open it as a meta graph",
      });
    }
    if (kind === "keras_metadata") {
      throw new SavedModelError(file, "this is a keras_metadata.pb (Keras's side file), not a SavedModel");
    }
    if (file.endsWith(".pbtxt")) {
      diagnostics.push({
        severity: "warning",
        file,
        message: "named .pbtxt but the content is binary protobuf; decoding it as binary",
      });
    }
    let lazy;
    try {
      lazy = lazyDecodeSavedModel(bytes);
    } catch (e) {
      throw describeBinaryFailure(file, bytes, e);
    }
    schemaVersion = lazy.schemaVersion;
    metaGraphs = lazy.metaGraphs.map((m, i) => new MetaGraph(i, file, { lazy: m, bytes }));
  }
  if (metaGraphs.length === 0) {
    diagnostics.push({
      severity: "error",
      file,
      message: "the SavedModel has no meta graphs",
      hint: "the file may be truncated or not a SavedModel",
    });
  }
  for (const m of metaGraphs) {
    const sigs = Object.keys(m.signatureDefs).filter((k) => k !== "__saved_model_init_op");
    if (sigs.length === 0) {
      diagnostics.push({
        severity: "warning",
        file,
        field: `meta_graphs[${m.index}] (tags ${m.tags.join(",") || "<none>"})`,
        message: `no signatures: ${whyNoSignatures(m)}`,
      });
    }
  }
  return new SavedModelExport({
    fs,
    layout,
    format,
    schemaVersion,
    metaGraphs,
    diagnostics,
    openMs: performance.now() - t0,
  });
}

function whyNoSignatures(m: MetaGraph): string {
  const parts: string[] = [];
  if (m.hasObjectGraph)
    parts.push(
      "it was saved without `signatures=` (TF2 tf.Module / Keras without a serving function); its concrete functions are still listed",
    );
  else parts.push("TF1 exports only get signatures when the exporter passed signature_def_map");
  if (m.nodeCount) parts.push(`the graph has ${m.nodeCount} nodes`);
  if (m.functionCount) parts.push(`${m.functionCount} library functions`);
  return parts.join("; ");
}

function isMostlyText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c < 9 || (c > 13 && c < 32)) bad++;
  }
  return bad < n * 0.05;
}

/** Turns a failed binary decode into a message that says where and what. */
function describeBinaryFailure(file: string, bytes: Uint8Array, e: unknown): SavedModelError {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(msg);
  if (m) {
    const [start, len, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const over = start + len - total;
    return new SavedModelError(
      file,
      `truncated or corrupt: a length-delimited field at offset ${start} claims ${len} bytes, ${over} bytes past the end of its ${total}-byte container`,
      {
        offset: start,
        hint:
          bytes.length === total
            ? "the file is cut short or was altered (e.g. a text-mode transfer or git line-ending conversion)"
            : undefined,
        cause: e,
      },
    );
  }
  return asSavedModelError(file, e);
}
