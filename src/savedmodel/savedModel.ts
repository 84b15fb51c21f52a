/**
 * Opening an export folder: find and sniff `saved_model.pb` / `saved_model.pbtxt`, run the lazy
 * first pass, and hand out meta graphs whose graph, functions and object graph decode on demand.
 * Everything else in the folder (variables, assets, fingerprint, debug info, keras metadata) is
 * listed here and read by the modules that own those formats.
 */
import $protobuf from "../../proto/runtime.js";
import { asSavedModelError, SavedModelError, type Diagnostic } from "./errors.js";
import { currentLimits, limitExceeded, walkExportFiles, type DecodeLimits, type WalkProblem } from "./containment.js";
import type { DirEntry, FileAccess } from "./fileAccess.js";
import { functionIndex, sliceRange, type LazyFunction, type LazyMetaGraph } from "./lazyPass.js";
import { applyDeferred, clearDeferred, deferredContentOf, type DeferredRecord } from "./deferredContent.js";
import {
  DEFAULT_DEFER_BYTES,
  loadMetaGraphBody,
  loadNodeBody,
  nameHash,
  peekTopFields,
  rangeDecodeSavedModel,
  readExactly,
  type NodeIndex,
} from "./rangePass.js";
import { decodeWithLazyNodes } from "./lazyNodeDef.js";
import { tensorflow } from "./proto.js";
import { sniffFolder, sniffProto, type FolderKind } from "./sniff.js";
import { parseTextFormat } from "./textFormat/index.js";
import {
  cut,
  cutBytes,
  resolveNode,
  skimIndentedBytes,
  skimSavedModelText,
  type SkimmedMetaGraph,
  type TextSpan,
} from "./textFormat/skim.js";

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
  /** Entries not followed or not listed: links out of the export, special files, loops, walk limits. */
  problems?: WalkProblem[];
}

export class MetaGraph {
  readonly index: number;
  /** MetaGraphDef without graph_def and object_graph_def (decoded lazily, see below). */
  readonly shell: tensorflow.MetaGraphDef;
  private bytes?: Uint8Array;
  private lazy?: LazyMetaGraph;
  /** A graph left on disk at open (OpenOptions.graphOnDemand): where it is, until load() reads it. */
  private onDisk?: { index: NodeIndex; size: number; deferBytes: number; loading?: Promise<void> };
  private fullCache?: tensorflow.MetaGraphDef;
  /** A text export: the source and where its graph and object graph are (parsed when asked for). */
  private readonly text?: { source: string | Uint8Array; skim: SkimmedMetaGraph };
  private readonly file: string;
  private graphCache?: tensorflow.GraphDef;
  private nodesCache?: tensorflow.NodeDef[];
  private objectGraphCache?: tensorflow.SavedObjectGraph | null;
  private functionCache = new Map<string, tensorflow.FunctionDef>();
  private functionIndex?: Map<string, LazyFunction>;
  private lazyFunctions?: LazyFunction[];
  /** Big tensor_content fields left on disk by the range pass (paths from GraphDef). */
  private deferred: DeferredRecord[] = [];
  private readonly source?: { fs: FileAccess; path: string };
  /** Decoded tensors still marked deferred. */
  private marked: object[] = [];

  /** @internal */
  constructor(
    index: number,
    file: string,
    src:
      | {
          lazy: LazyMetaGraph;
          bytes: Uint8Array;
          deferred?: DeferredRecord[];
          source?: { fs: FileAccess; path: string };
          onDisk?: { index: NodeIndex; size: number; deferBytes: number };
        }
      | { full: tensorflow.MetaGraphDef }
      | { shell: tensorflow.MetaGraphDef; text: string | Uint8Array; skim: SkimmedMetaGraph },
  ) {
    this.index = index;
    this.file = file;
    if ("lazy" in src) {
      this.lazy = src.lazy;
      this.bytes = src.bytes;
      this.shell = src.lazy.shell;
      this.deferred = src.deferred ?? [];
      this.source = src.source;
      this.onDisk = src.onDisk;
    } else if ("text" in src) {
      this.shell = src.shell;
      this.text = { source: src.text, skim: src.skim };
    } else {
      this.fullCache = src.full;
      const shell = tensorflow.MetaGraphDef.create({ ...src.full });
      delete (shell as { graphDef?: unknown }).graphDef;
      delete (shell as { objectGraphDef?: unknown }).objectGraphDef;
      this.shell = shell;
    }
  }

  /** False while the graph and object graph are still on disk (opened with graphOnDemand; see load()). */
  get loaded(): boolean {
    return !this.onDisk;
  }

  /**
   * Reads the graph and object graph left on disk at open (big tensor_content stays on disk); after it the
   * synchronous accessors (graphDef, nodes, functionDef, functionSummaries, objectGraph) work. Does nothing
   * when they are in memory already. Damaged data is a SavedModelError naming the file.
   */
  async load(): Promise<void> {
    const od = this.onDisk;
    if (!od || !this.lazy || !this.source) return;
    od.loading ??= (async () => {
      const { fs, path } = this.source!;
      let m;
      try {
        m = await loadMetaGraphBody(fs, path, od.size, this.lazy!, od.deferBytes);
      } catch (e) {
        throw asSavedModelError(this.file, e, this.field(this.hasGraph ? "graph_def" : "object_graph_def"));
      }
      this.lazy = m.lazy;
      this.bytes = m.body;
      this.deferred = m.deferred;
      this.onDisk = undefined;
    })();
    await od.loading;
  }

  /** The object graph, read by range when it is still on disk (the graph stays there). */
  async loadObjectGraph(): Promise<tensorflow.SavedObjectGraph | undefined> {
    if (this.onDisk && this.objectGraphCache === undefined && this.lazy?.objectGraphRange && this.source) {
      try {
        const bytes = await readExactly(this.source.fs, this.source.path, this.lazy.objectGraphRange);
        this.objectGraphCache = tensorflow.SavedObjectGraph.decode(bytes);
      } catch (e) {
        throw asSavedModelError(this.file, e, this.field("object_graph_def"));
      }
    }
    return this.objectGraph();
  }

  /** A programming error: a synchronous accessor used before load() on a graph left on disk. */
  private needLoaded(what: string): void {
    if (this.onDisk)
      throw new SavedModelError(this.file, `${what} is not read yet (opened with graphOnDemand: await load() first)`, {
        field: this.field(what),
      });
  }

  /**
   * Top-level nodes with these names. On a graph left on disk only the nodes whose name hash matches are
   * read (by range) and decoded; otherwise as nodesNamed.
   */
  async findNodes(names: Iterable<string>): Promise<tensorflow.NodeDef[]> {
    const want = new Set(names);
    const od = this.onDisk;
    if (!od || !this.source || want.size === 0) return this.nodesNamed(want);
    const enc = new TextEncoder();
    const hashes = new Set([...want].map((n) => nameHash(enc.encode(n))));
    const { starts, ends, nameHashes } = od.index;
    const out: tensorflow.NodeDef[] = [];
    for (let i = 0; i < nameHashes.length; i++) {
      if (nameHashes[i] !== 0 && !hashes.has(nameHashes[i])) continue;
      const range = { start: starts[i], end: ends[i] };
      try {
        let n: tensorflow.NodeDef;
        if (range.end - range.start >= od.deferBytes) {
          // a big node (a frozen constant): its tensor_content stays on disk
          const m = await loadNodeBody(this.source.fs, this.source.path, od.size, range, od.deferBytes);
          n = decodeWithLazyNodes(() => tensorflow.NodeDef.decode(m.bytes), this.file);
          this.mark(n, m.deferred);
        } else {
          const bytes = await readExactly(this.source.fs, this.source.path, range);
          n = decodeWithLazyNodes(() => tensorflow.NodeDef.decode(bytes), this.file);
        }
        if (want.has(n.name)) out.push(n);
      } catch (e) {
        throw asSavedModelError(this.file, e, this.field(`graph_def.node[${i}]`));
      }
    }
    return out;
  }

  /** The whole MetaGraphDef of a text export (its graph and object graph parsed on first use). */
  private get full(): tensorflow.MetaGraphDef | undefined {
    if (this.fullCache || !this.text) return this.fullCache;
    const { source, skim } = this.text;
    const m = tensorflow.MetaGraphDef.create({ ...this.shell });
    // only the parsed part: the rest of a parsed MetaGraphDef is empty defaults
    if (skim.graph)
      m.graphDef = parseSpan<tensorflow.MetaGraphDef>(
        source,
        skim.graph,
        "tensorflow.MetaGraphDef",
        this.file,
      ).graphDef;
    if (skim.objectGraph)
      m.objectGraphDef = parseSpan<tensorflow.MetaGraphDef>(
        source,
        skim.objectGraph,
        "tensorflow.MetaGraphDef",
        this.file,
      ).objectGraphDef;
    return (this.fullCache = m);
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
    if (this.text && !this.fullCache) return !!this.text.skim.graph;
    return this.lazy ? !!this.lazy.graph : !!this.full?.graphDef;
  }
  get hasObjectGraph(): boolean {
    if (this.text && !this.fullCache) return !!this.text.skim.objectGraph;
    return this.lazy ? !!this.lazy.objectGraphRange : !!this.full?.objectGraphDef;
  }
  /** Node count of the top-level graph, known without decoding it. */
  get nodeCount(): number {
    if (this.lazy) return this.lazy.graph?.nodeCount ?? 0;
    if (this.text && !this.fullCache) return this.text.skim.nodes.length;
    return this.full?.graphDef?.node?.length ?? 0;
  }
  get producer(): number | undefined {
    if (this.lazy) return this.lazy.graph?.versions?.producer ?? undefined;
    if (this.text && !this.fullCache && this.text.skim.producer !== undefined) return this.text.skim.producer;
    return this.full?.graphDef?.versions?.producer ?? undefined;
  }
  /** Number of library functions, known without looking inside them. */
  get functionCount(): number {
    if (this.lazy) return this.lazy.graph?.functionRanges.length ?? 0;
    if (this.text && !this.fullCache) return this.text.skim.functionCount;
    return this.full?.graphDef?.library?.function?.length ?? 0;
  }

  private lazyFunctionList(): LazyFunction[] {
    if (this.lazyFunctions) return this.lazyFunctions;
    this.needLoaded("graph_def.library");
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
    this.needLoaded("graph_def");
    if (this.full) {
      this.graphCache = (this.full.graphDef as tensorflow.GraphDef) ?? new tensorflow.GraphDef();
    } else if (this.lazy?.graph && this.bytes) {
      try {
        const bytes = sliceRange(this.bytes, this.lazy.graph.range);
        this.graphCache = decodeWithLazyNodes(() => tensorflow.GraphDef.decode(bytes), this.file);
        this.mark(this.graphCache, this.deferred);
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
    this.needLoaded("graph_def");
    if (this.full || !this.lazy?.graph || !this.bytes)
      return (this.nodesCache = this.graphDef().node as tensorflow.NodeDef[]);
    const g = this.lazy.graph.range;
    const nodes: tensorflow.NodeDef[] = [];
    try {
      const r = $protobuf.Reader.create(sliceRange(this.bytes, g));
      decodeWithLazyNodes(() => {
        while (r.pos < r.len) {
          const tag = r.uint32();
          if (tag >>> 3 === 1 && (tag & 7) === 2) nodes.push(tensorflow.NodeDef.decode(r, r.uint32()));
          else r.skipType(tag & 7);
        }
      }, this.file);
    } catch (e) {
      throw asSavedModelError(this.file, e, this.field(`graph_def.node[${nodes.length}]`));
    }
    this.mark(
      { node: nodes },
      this.deferred.filter((d) => d.path[0] === "node"),
    );
    return (this.nodesCache = nodes);
  }

  /** One library function, decoded on first use; undefined when the library has no such function. */
  functionDef(name: string): tensorflow.FunctionDef | undefined {
    const cached = this.functionCache.get(name);
    if (cached) return cached;
    this.needLoaded("graph_def.library");
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
      const bytes = sliceRange(this.bytes, lf.range);
      const f = decodeWithLazyNodes(() => tensorflow.FunctionDef.decode(bytes), this.file);
      if (this.deferred.length) {
        const j = this.lazyFunctionList().indexOf(lf);
        this.mark(
          f,
          this.deferred.filter((d) => d.path[0] === "library" && d.path[2] === j),
          3,
        );
      }
      this.functionCache.set(name, f);
      return f;
    } catch (e) {
      throw asSavedModelError(this.file, e, this.field(`graph_def.library.function["${name}"]`));
    }
  }

  private mark(root: unknown, records: DeferredRecord[], skip = 0): void {
    if (records.length) this.marked.push(...applyDeferred(root, records, skip));
  }

  /**
   * Top-level nodes with these names, found by reading each node's name only (the rest of the
   * graph stays undecoded). Used to find the function behind a TF2 signature.
   */
  nodesNamed(names: Iterable<string>): tensorflow.NodeDef[] {
    const want = new Set(names);
    if (want.size === 0) return [];
    if (this.text && !this.fullCache) {
      // a text export: parse only the node blocks whose skimmed name matches (or could not be read)
      const { source, skim } = this.text;
      try {
        if (typeof source !== "string")
          for (const n of skim.nodes)
            if (!resolveNode(source, n, ($protobuf.util as { Buffer?: unknown }).Buffer)) throw Error("unclosed node");
        return skim.nodes
          .filter((s) => s.end > 0 && (s.name === undefined || want.has(s.name)))
          .map(
            (s) =>
              parseSpan<tensorflow.GraphDef>(source, s, "tensorflow.GraphDef", this.file).node[0] as tensorflow.NodeDef,
          )
          .filter((n) => n && want.has(n.name));
      } catch {
        // a node block the skim misjudged: the whole graph decides (and reports a real error)
      }
    }
    this.needLoaded("graph_def");
    if (this.graphCache || this.nodesCache || this.full || !this.lazy?.graph || !this.bytes)
      return this.nodes().filter((n) => want.has(n.name));
    const out: tensorflow.NodeDef[] = [];
    const records: DeferredRecord[] = [];
    const g = this.lazy.graph.range;
    let index = 0;
    try {
      const r = $protobuf.Reader.create(sliceRange(this.bytes, g));
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag >>> 3 === 1 && (tag & 7) === 2) {
          const len = r.uint32();
          const end = r.pos + len;
          const name = nodeName(r.buf, r.pos, end);
          if (name !== undefined && want.has(name)) {
            const n = decodeWithLazyNodes(() => tensorflow.NodeDef.decode(r, len), this.file);
            for (const d of this.deferred)
              if (d.path[0] === "node" && d.path[1] === index) records.push({ ...d, path: d.path.slice(2) });
            if (records.length) this.mark(n, records.splice(0));
            out.push(n);
          }
          r.pos = end;
          index++;
        } else r.skipType(tag & 7);
      }
    } catch (e) {
      throw asSavedModelError(this.file, e, this.field(`graph_def.node[${index}]`));
    }
    return out;
  }

  /** True when some decoded tensor's content is still on disk (see readTensorContent). */
  get hasDeferredContent(): boolean {
    return this.deferred.length > 0 || this.marked.length > 0;
  }

  /**
   * The content of a TensorProto the range pass left on disk (a big frozen constant), read by range;
   * also fills `t.tensorContent`. Returns the current content for tensors that were never deferred.
   */
  async readTensorContent(t: tensorflow.ITensorProto): Promise<Uint8Array> {
    const d = deferredContentOf(t);
    if (!d || !this.source) return t.tensorContent ?? new Uint8Array();
    const bytes = await this.source.fs.readRange(this.source.path, d.offset, d.length);
    if (bytes.length !== d.length)
      throw new SavedModelError(
        this.file,
        `tensor_content at offset ${d.offset} is cut short (${bytes.length} of ${d.length} bytes)`,
        {
          offset: d.offset,
        },
      );
    t.tensorContent = bytes;
    clearDeferred(t);
    return bytes;
  }

  /** Reads every deferred tensor_content of what was decoded so far (the executor needs the values). */
  async resolveDeferredTensors(): Promise<void> {
    const todo = this.marked.filter((t) => deferredContentOf(t));
    this.marked = [];
    for (const t of todo) await this.readTensorContent(t as tensorflow.ITensorProto);
  }

  /** Every library function (decodes all bodies). */
  functionDefs(): tensorflow.FunctionDef[] {
    return this.functionSummaries.map((s) => this.functionDef(s.name)!).filter(Boolean);
  }

  /** TF2 object graph, or undefined for TF1 exports. */
  objectGraph(): tensorflow.SavedObjectGraph | undefined {
    if (this.objectGraphCache !== undefined) return this.objectGraphCache ?? undefined;
    if (this.lazy && !this.lazy.objectGraphRange) return undefined; // a TF1 export: nothing to read
    this.needLoaded("object_graph_def");
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

  /** Reads every meta graph's graph and object graph left on disk (OpenOptions.graphOnDemand). */
  async load(): Promise<void> {
    for (const m of this.metaGraphs) await m.load();
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

async function listRecursive(fs: FileAccess, dir: string, problems: WalkProblem[]): Promise<ExportFile[]> {
  const { files, problems: p } = await walkExportFiles(fs, dir);
  problems.push(...p);
  return files;
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
  const problems: WalkProblem[] = [
    ...top.filter((e) => e.problem).map((e) => ({ path: e.name, message: e.problem! })),
    ...vars.filter((e) => e.problem).map((e) => ({ path: `variables/${e.name}`, message: e.problem! })),
  ];
  const layout: ExportLayout = {
    savedModelFile: sniff.savedModelFile,
    savedModelSize: size(sniff.savedModelFile) ?? (await fs.size(sniff.savedModelFile)) ?? 0,
    variablesShards: vars
      .filter((e) => e.kind === "file" && /^variables\.data-\d+-of-\d+$/.test(e.name))
      .map((e) => ({ path: `variables/${e.name}`, size: e.size })),
    assets: top.some((e) => e.name === "assets" && e.kind === "directory")
      ? await listRecursive(fs, "assets", problems)
      : [],
    assetsExtra: top.some((e) => e.name === "assets.extra" && e.kind === "directory")
      ? await listRecursive(fs, "assets.extra", problems)
      : [],
    other: [],
    problems,
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
  /**
   * `tensor_content` fields at least this long stay on disk until read (MetaGraph.readTensorContent).
   * Default 1 MiB.
   */
  deferTensorBytes?: number;
  /**
   * Leave the graph and object graph of a binary export on disk: only their field headers are walked (node
   * count, library functions, versions, where each node is). Tags, signatures (and the function behind a TF2
   * signature, via describeModel), meta info, collections, saver and assets are there at once; the rest needs
   * `await mg.load()` (or loadObjectGraph()) before the synchronous accessors. Cost independent of the size.
   */
  graphOnDemand?: boolean;
}

/** Bytes read to sniff the file (text or binary, which message). */
const HEAD_BYTES = 64 << 10;

/** Opens an export folder: layout + lazy first pass. Graph, functions and object graph decode on demand. */
export async function openSavedModel(fs: FileAccess, opts: OpenOptions = {}): Promise<SavedModelExport> {
  const t0 = performance.now();
  const limits = applyDecodeLimits();
  const layout = await readLayout(fs);
  const file = layout.savedModelFile;
  const max = opts.maxProtoBytes ?? 2 ** 31;
  if (layout.savedModelSize > max) {
    throw new SavedModelError(
      file,
      `file is ${layout.savedModelSize} bytes, over the ${max}-byte limit for a protobuf message`,
    );
  }
  const size = layout.savedModelSize || ((await fs.size(file)) ?? 0);
  const head = size > 0 ? await fs.readRange(file, 0, Math.min(size, HEAD_BYTES)) : new Uint8Array();
  const diagnostics: Diagnostic[] = [];
  let schemaVersion = 0;
  let metaGraphs: MetaGraph[] = [];
  let format: "binary" | "text";
  // A binary SavedModel is walked by ranges; anything else is read whole to be sniffed and reported.
  const top = head.length === size || looksText(head) ? undefined : await peekTopFields(fs, file, size);
  const rangeable =
    !!top &&
    top.some((f) => f.field === 2 && f.wt === 2) &&
    top.every((f) => (f.field === 1 && f.wt === 0) || (f.field === 2 && f.wt === 2));
  const bytes = rangeable ? head : head.length === size ? head : await fs.readFile(file);
  const kind = rangeable ? "saved_model_binary" : sniffProto(bytes);
  if (kind === "saved_model_text" || (kind === "unknown" && file.endsWith(".pbtxt") && isMostlyText(bytes))) {
    format = "text";
    // the graph and object graph are skimmed over (found, counted) and parsed only when asked for
    type Shell = { sm: tensorflow.SavedModel; mgs: tensorflow.MetaGraphDef[] };
    const spansOf = (skim: SkimmedMetaGraph[]) =>
      skim.flatMap((m) => [m.graph, m.objectGraph].filter((s): s is TextSpan => !!s));
    // the skim is only trusted when what is left parses and holds no graph it missed
    const checked = (sm: tensorflow.SavedModel, skim: SkimmedMetaGraph[]): Shell | undefined => {
      const mgs = (sm.metaGraphs ?? []) as tensorflow.MetaGraphDef[];
      return mgs.length === skim.length && mgs.every((m) => !m.graphDef && !m.objectGraphDef) ? { sm, mgs } : undefined;
    };
    let source: string | Uint8Array = bytes;
    let skim = skimIndentedBytes(bytes, ($protobuf.util as { Buffer?: unknown }).Buffer);
    let shell: Shell | undefined;
    if (skim) {
      // TensorFlow's indentation: found by byte search; only the rest is decoded and parsed
      try {
        const c = cutBytes(bytes, spansOf(skim));
        shell = checked(parseText<tensorflow.SavedModel>(c.text, "tensorflow.SavedModel", file, c.byteOffset), skim);
      } catch {
        shell = undefined; // the fast skim cut in the wrong place: the careful one below decides
      }
    }
    if (!shell) {
      const text = new TextDecoder("utf-8").decode(bytes);
      source = text;
      skim = skimSavedModelText(text);
      const c = cut(text, spansOf(skim));
      shell = checked(
        parseText<tensorflow.SavedModel>(c.text, "tensorflow.SavedModel", file, (o) =>
          utf8Length(text.slice(0, c.original(o))),
        ),
        skim,
      );
    }
    if (shell) {
      schemaVersion = Number(shell.sm.savedModelSchemaVersion ?? 0);
      metaGraphs = shell.mgs.map((m, i) => new MetaGraph(i, file, { shell: m, text: source, skim: skim![i] }));
    } else {
      const sm = parseText<tensorflow.SavedModel>(source as string, "tensorflow.SavedModel", file);
      schemaVersion = Number(sm.savedModelSchemaVersion ?? 0);
      metaGraphs = (sm.metaGraphs ?? []).map((m, i) => new MetaGraph(i, file, { full: m as tensorflow.MetaGraphDef }));
    }
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
    let ranged;
    try {
      ranged = await rangeDecodeSavedModel(fs, file, size, {
        deferBytes: opts.deferTensorBytes,
        graphOnDemand: opts.graphOnDemand,
      });
    } catch (e) {
      throw describeBinaryFailure(file, size, e);
    }
    schemaVersion = ranged.schemaVersion;
    metaGraphs = ranged.metaGraphs.map(
      (m, i) =>
        new MetaGraph(i, file, {
          lazy: m.lazy,
          bytes: m.body,
          deferred: m.deferred,
          source: { fs, path: file },
          onDisk: m.nodeIndex && {
            index: m.nodeIndex,
            size,
            deferBytes: opts.deferTensorBytes ?? DEFAULT_DEFER_BYTES,
          },
        }),
    );
  }
  checkStructure(file, metaGraphs, limits);
  for (const p of layout.problems ?? []) diagnostics.push({ severity: "warning", file: p.path, message: p.message });
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

/** The limits in force, with protobufjs's nesting limit set to maxProtoDepth (TF's own default is 100 too). */
function applyDecodeLimits(): DecodeLimits {
  const limits = currentLimits();
  const rt = $protobuf as unknown as { util: { recursionLimit: number }; Reader: { recursionLimit: number } };
  rt.util.recursionLimit = limits.maxProtoDepth;
  rt.Reader.recursionLimit = limits.maxProtoDepth;
  return limits;
}

/** Refuses exports whose structure alone would make decoding take minutes (counts known from the first pass). */
function checkStructure(file: string, metaGraphs: MetaGraph[], limits: DecodeLimits): void {
  for (const m of metaGraphs) {
    if (m.nodeCount > limits.maxGraphNodes)
      limitExceeded(file, `meta graph ${m.index} has ${m.nodeCount} nodes`, "maxGraphNodes", limits.maxGraphNodes);
    if (m.functionCount > limits.maxFunctions)
      limitExceeded(
        file,
        `meta graph ${m.index} has ${m.functionCount} library functions`,
        "maxFunctions",
        limits.maxFunctions,
      );
  }
}

/** Parses text format, with SavedModelError offsets in bytes (like parseTextFormatBytes). */
function parseText<T>(
  text: string,
  typeName: string,
  file: string,
  /** Where a character offset of `text` is in the file, in bytes (default: `text` is the file). */
  byteOffset: (charOffset: number) => number = (c) => utf8Length(text.slice(0, c)),
): T {
  try {
    return parseTextFormat<T>(text, typeName, file);
  } catch (e) {
    if (e instanceof SavedModelError && e.offset !== undefined) {
      throw new SavedModelError(file, e.detail, { offset: byteOffset(e.offset), field: e.field, cause: e.cause });
    }
    throw e;
  }
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** Parses one span of a text export (its bytes, or its decoded text), with errors at their byte offset in the file. */
function parseSpan<T>(source: string | Uint8Array, span: TextSpan, typeName: string, file: string): T {
  if (typeof source === "string")
    return parseText<T>(source.slice(span.start, span.end), typeName, file, (c) =>
      utf8Length(source.slice(0, span.start + c)),
    );
  const text = new TextDecoder("utf-8").decode(source.subarray(span.start, span.end));
  return parseText<T>(text, typeName, file, (c) => span.start + utf8Length(text.slice(0, c)));
}

/** The name (field 1) of the NodeDef in buf[start, end), without decoding the rest. */
function nodeName(buf: Uint8Array, start: number, end: number): string | undefined {
  const r = $protobuf.Reader.create(buf.subarray(start, end));
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) return r.string();
    r.skipType(tag & 7);
  }
  return undefined;
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

/** The head starts like text (no control bytes in its first 1 KiB): read whole and parsed as text format. */
function looksText(head: Uint8Array): boolean {
  const n = Math.min(head.length, 1024);
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c < 9 || (c > 13 && c < 32)) return false;
  }
  return n > 0;
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
function describeBinaryFailure(file: string, fileSize: number, e: unknown): SavedModelError {
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
          fileSize === total
            ? "the file is cut short or was altered (e.g. a text-mode transfer or git line-ending conversion)"
            : undefined,
        cause: e,
      },
    );
  }
  return asSavedModelError(file, e);
}
