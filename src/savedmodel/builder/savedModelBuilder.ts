/**
 * SavedModelBuilder: writes SavedModel exports in memory, after TF's tf.compat.v1.saved_model.Builder —
 * meta graphs (tags, signatures, assets, init op, saver, collections, stripped_op_list, TF2 object graph),
 * the variables checkpoint (saved once, with the first meta graph; TF2 adds `_CHECKPOINTABLE_OBJECT_GRAPH`),
 * assets and an optional fingerprint. `save()` returns the files as a Map of '/'-separated relative paths.
 */
import { DataType } from "../dtypes.js";
import { SavedModelError } from "../errors.js";
import {
  tensorflow,
  type ICollectionDef,
  type IFingerprintDef,
  type IMetaGraphDef,
  type ISavedModel,
  type ISignatureDef,
  type ITensorInfo,
} from "../proto.js";
import { crc32c } from "../tensorBundle/crc.js";
import { writeTensorBundle, type BundleTensor } from "../tensorBundle/index.js";
import { tensorToProto, type DecodedTensor } from "../tensor.js";
import { printTextFormat } from "../textFormat/index.js";
import { shapeProto, type ShapeLike } from "./attrs.js";
import { canonical } from "./canonical.js";
import { encodeSavedModel } from "./encode.js";
import { tensorOf, type GraphBuilder } from "./graph.js";
import type { BuiltNode, Tensor } from "./nodeScope.js";
import type { ObjectGraphBuilder } from "./objects.js";
import { strippedOpList } from "./opDefs.js";

const DT = DataType;
const utf8 = new TextEncoder();

export const CHECKPOINT_OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";
export const INIT_OP_SIGNATURE_KEY = "__saved_model_init_op";

export const PREDICT_METHOD = "tensorflow/serving/predict";
export const CLASSIFY_METHOD = "tensorflow/serving/classify";
export const REGRESS_METHOD = "tensorflow/serving/regress";

/** A signature input/output: a tensor handle, or a tensor name with dtype/shape, or a ready TensorInfo. */
export type SpecInput = Tensor | { name: string; dtype: number; shape?: ShapeLike } | { tensorInfo: ITensorInfo };

export interface SignatureSpec {
  inputs: Record<string, SpecInput>;
  outputs: Record<string, SpecInput>;
  methodName?: string;
  /** SignatureDef.defaults (TF 2.13+): default values for inputs. */
  defaults?: Record<string, DecodedTensor>;
}

export interface AssetSpec {
  /** Path under assets/ ("vocab.txt", "sub/dir/file.bin"). */
  filename: string;
  contents: Uint8Array | string;
  /** Graph tensor receiving the asset path; default: a new string Const `asset_path_initializer[_n]`. */
  tensorName?: string;
}

export interface MetaGraphOptions {
  graph: GraphBuilder;
  signatureDefs?: Record<string, SignatureSpec>;
  assets?: AssetSpec[];
  /** Files for assets.extra/ (not referenced by the graph). */
  assetsExtra?: { filename: string; contents: Uint8Array | string }[];
  /** Main op (collection `saved_model_main_op`; TF2 also gets the `__saved_model_init_op` signature). */
  mainOp?: string | BuiltNode;
  /** TF1's legacy_init_op collection. */
  legacyInitOp?: string | BuiltNode;
  /** TF2: the object graph (its variables get TF2 checkpoint keys). */
  objectGraph?: ObjectGraphBuilder;
  /** SaverDef (default: the graph's, set by graph.saver()); false = none. */
  saver?: tensorflow.ISaverDef | false;
  collections?: Record<string, ICollectionDef>;
  /** meta_info_def.stripped_default_attrs (default true). */
  strippedDefaultAttrs?: boolean;
  /** Write meta_info_def.stripped_op_list (default true). */
  strippedOpList?: boolean;
  functionAliases?: Record<string, string>;
  /** Extra checkpoint entries (e.g. sliced/partitioned variable metadata); only with the variables. */
  extraCheckpointEntries?: BundleTensor[];
}

export interface SaveOptions {
  format?: "binary" | "text";
  numShards?: number;
  snappy?: boolean;
  blockSize?: number;
  /** Write fingerprint.pb (default false). */
  fingerprint?: boolean;
  /** Spread variables over shards: "round-robin" (default) or "size". */
  sharding?: "round-robin" | "size";
}

export interface BuilderOptions {
  /** meta_info_def.tensorflow_version (default "2.15.0"). */
  tfVersion?: string;
  tfGitVersion?: string;
  /** GraphDef versions.producer (default 1645, TF 2.15's). */
  producer?: number;
}

interface PendingMetaGraph {
  tags: string[];
  opts: MetaGraphOptions;
  assetDefs: tensorflow.IAssetFileDef[];
}

/** A 64-bit content hash (two CRC32Cs; TF uses FarmHash, which we do not ship). */
export function hash64(bytes: Uint8Array): bigint {
  const hi = crc32c(bytes);
  const lo = crc32c(bytes, 0x5bd1e995);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function nodeName(n: string | BuiltNode): string {
  return typeof n === "string" ? n : n.name;
}

function tensorName(ref: string): string {
  return /:\d+$/.test(ref) ? ref : `${ref}:0`;
}

export function tensorInfo(s: SpecInput): ITensorInfo {
  if ("tensorInfo" in s) return s.tensorInfo;
  if ("ref" in s) {
    return {
      name: tensorName(s.ref),
      dtype: s.dtype > 100 ? s.dtype - 100 : s.dtype,
      tensorShape: shapeProto(s.shape),
    };
  }
  return { name: tensorName(s.name), dtype: s.dtype, tensorShape: shapeProto(s.shape ?? null) };
}

export class SavedModelBuilder {
  private readonly metaGraphs: PendingMetaGraph[] = [];
  private readonly assetFiles = new Map<string, Uint8Array>();
  private variablesFrom?: PendingMetaGraph;
  private fingerprintOverride?: IFingerprintDef;
  readonly tfVersion: string;
  readonly tfGitVersion: string;
  readonly producer: number;

  constructor(opts: BuilderOptions = {}) {
    this.tfVersion = opts.tfVersion ?? "2.15.0";
    this.tfGitVersion = opts.tfGitVersion ?? "unknown";
    this.producer = opts.producer ?? 1645;
  }

  /** The first meta graph, whose graph's variables (and object graph) make the checkpoint. */
  addMetaGraphAndVariables(tags: string[], opts: MetaGraphOptions): this {
    if (this.variablesFrom)
      throw new SavedModelError(
        "<builder>",
        "variables were already added (addMetaGraphAndVariables may be called once)",
      );
    this.variablesFrom = this.pend(tags, opts);
    return this;
  }

  /** A further meta graph sharing the variables (its graph should name the same variables). */
  addMetaGraph(tags: string[], opts: MetaGraphOptions): this {
    if (opts.extraCheckpointEntries?.length)
      throw new SavedModelError("<builder>", "checkpoint entries belong with addMetaGraphAndVariables");
    this.pend(tags, opts);
    return this;
  }

  /** Sets the object graph of the variables' meta graph (TF2 exports). */
  setObjectGraph(og: ObjectGraphBuilder): this {
    const m = this.variablesFrom ?? this.metaGraphs[0];
    if (!m) throw new SavedModelError("<builder>", "add a meta graph before its object graph");
    m.opts = { ...m.opts, objectGraph: og };
    return this;
  }

  /** Uses these fingerprint values instead of computed ones (fields left out are computed). */
  setFingerprint(fp: IFingerprintDef): this {
    this.fingerprintOverride = fp;
    return this;
  }

  private pend(tags: string[], opts: MetaGraphOptions): PendingMetaGraph {
    const key = [...tags].sort().join(",");
    if (this.metaGraphs.some((m) => [...m.tags].sort().join(",") === key)) {
      throw new SavedModelError("<builder>", `a meta graph with tags [${tags.join(", ")}] already exists`);
    }
    const assetDefs: tensorflow.IAssetFileDef[] = [];
    for (const a of [...(opts.assets ?? []), ...(opts.assetsExtra ?? [])]) checkAssetName(a.filename);
    for (const a of opts.assets ?? []) {
      const bytes = typeof a.contents === "string" ? utf8.encode(a.contents) : a.contents;
      const prev = this.assetFiles.get(a.filename);
      if (prev && !sameBytes(prev, bytes))
        throw new SavedModelError(`assets/${a.filename}`, "two different files with the same asset name");
      this.assetFiles.set(a.filename, bytes);
      let name = a.tensorName;
      if (!name) {
        const c = opts.graph.const_("asset_path_initializer", tensorOf(DT.DT_STRING, [], [a.filename]));
        name = tensorName(c.ref);
        opts.graph.addToCollection("asset_filepaths", "nodeList", name);
      }
      assetDefs.push({ tensorInfo: { name, dtype: DT.DT_STRING, tensorShape: {} }, filename: a.filename });
    }
    for (const a of opts.assetsExtra ?? []) {
      this.assetFiles.set(
        `\0extra/${a.filename}`,
        typeof a.contents === "string" ? utf8.encode(a.contents) : a.contents,
      );
    }
    const m = { tags: [...tags], opts, assetDefs };
    this.metaGraphs.push(m);
    return m;
  }

  private metaGraphDef(m: PendingMetaGraph): IMetaGraphDef {
    const { opts } = m;
    const g = opts.graph;
    const collections: Record<string, ICollectionDef> = { ...g.collections, ...(opts.collections ?? {}) };
    const nodeColl = (key: string, n: string) => (collections[key] = { nodeList: { value: [n] } });
    if (opts.mainOp) nodeColl("saved_model_main_op", nodeName(opts.mainOp));
    if (opts.legacyInitOp) nodeColl("legacy_init_op", nodeName(opts.legacyInitOp));
    const signatureDef: Record<string, ISignatureDef> = {};
    for (const [key, s] of Object.entries(opts.signatureDefs ?? {})) {
      const sd: ISignatureDef = {
        inputs: Object.fromEntries(Object.entries(s.inputs).map(([k, v]) => [k, tensorInfo(v)])),
        outputs: Object.fromEntries(Object.entries(s.outputs).map(([k, v]) => [k, tensorInfo(v)])),
        methodName: s.methodName ?? PREDICT_METHOD,
      };
      if (s.defaults)
        sd.defaults = Object.fromEntries(Object.entries(s.defaults).map(([k, t]) => [k, tensorToProto(t)]));
      signatureDef[key] = sd;
    }
    if (opts.objectGraph && opts.mainOp && !signatureDef[INIT_OP_SIGNATURE_KEY]) {
      signatureDef[INIT_OP_SIGNATURE_KEY] = {
        outputs: { [INIT_OP_SIGNATURE_KEY]: { name: nodeName(opts.mainOp), tensorShape: { unknownRank: true } } },
      };
    }
    const metaInfoDef: tensorflow.MetaGraphDef.IMetaInfoDef = {
      tags: m.tags,
      tensorflowVersion: this.tfVersion,
      tensorflowGitVersion: this.tfGitVersion,
      strippedDefaultAttrs: opts.strippedDefaultAttrs ?? true,
    };
    if (opts.strippedOpList !== false) metaInfoDef.strippedOpList = { op: strippedOpList(g.allOpsUsed()) };
    if (opts.functionAliases) metaInfoDef.functionAliases = opts.functionAliases;
    const def: IMetaGraphDef = { metaInfoDef, graphDef: g.toGraphDef(this.producer) };
    const saver = opts.saver === false ? undefined : (opts.saver ?? g.saverDef);
    if (saver) def.saverDef = saver;
    if (Object.keys(collections).length) def.collectionDef = collections;
    if (Object.keys(signatureDef).length) def.signatureDef = signatureDef;
    if (m.assetDefs.length) def.assetFileDef = m.assetDefs;
    if (opts.objectGraph) def.objectGraphDef = opts.objectGraph.build();
    return def;
  }

  /** The SavedModel message as plain objects (for inspection or custom encoding). */
  savedModel(): ISavedModel {
    if (!this.metaGraphs.length) throw new SavedModelError("<builder>", "no meta graphs added");
    const sm = { savedModelSchemaVersion: 1, metaGraphs: this.metaGraphs.map((m) => this.metaGraphDef(m)) };
    return canonical(sm, "tensorflow.SavedModel");
  }

  /** The checkpoint entries (variables of the first meta graph, the TF2 object graph, extra entries). */
  checkpointTensors(): BundleTensor[] {
    const m = this.variablesFrom;
    if (!m) return [];
    const out: BundleTensor[] = m.opts.graph.variables.map((v) => {
      const t: BundleTensor = {
        key: v.checkpointKey,
        dtype: v.value.dtype,
        shape: v.value.shape,
        values: v.value.values,
      };
      if (v.shard !== undefined) t.shard = v.shard;
      return t;
    });
    const og = m.opts.objectGraph;
    if (og) {
      const tog = canonical(og.trackableGraph(), "tensorflow.TrackableObjectGraph");
      const bytes = tensorflow.TrackableObjectGraph.encode(tog).finish();
      out.push({ key: CHECKPOINT_OBJECT_GRAPH_KEY, dtype: DT.DT_STRING, shape: [], values: [bytes], shard: 0 });
    }
    out.push(...(m.opts.extraCheckpointEntries ?? []));
    return out;
  }

  /** Writes the export: Map of relative path → bytes. */
  save(opts: SaveOptions = {}): Map<string, Uint8Array> {
    const files = new Map<string, Uint8Array>();
    const sm = this.savedModel();
    const binary = encodeSavedModel(sm);
    if ((opts.format ?? "binary") === "text") {
      const text = printTextFormat(tensorflow.SavedModel.decode(binary), "tensorflow.SavedModel");
      files.set("saved_model.pbtxt", utf8.encode(text));
    } else files.set("saved_model.pb", binary);
    const tensors = this.checkpointTensors();
    let indexBytes: Uint8Array | undefined;
    if (tensors.length) {
      const bundle = writeTensorBundle(tensors, {
        numShards: opts.numShards,
        snappy: opts.snappy,
        blockSize: opts.blockSize,
        sharding: opts.sharding,
      });
      for (const [name, bytes] of bundle) files.set(`variables/${name}`, bytes);
      indexBytes = bundle.get("variables.index");
    }
    for (const [name, bytes] of this.assetFiles) {
      files.set(name.startsWith("\0extra/") ? `assets.extra/${name.slice(7)}` : `assets/${name}`, bytes);
    }
    if (opts.fingerprint || this.fingerprintOverride) {
      files.set(
        "fingerprint.pb",
        this.fingerprint(sm, files.get("saved_model.pb") ?? files.get("saved_model.pbtxt")!, indexBytes),
      );
    }
    return files;
  }

  private fingerprint(sm: ISavedModel, smBytes: Uint8Array, indexBytes: Uint8Array | undefined): Uint8Array {
    const mg = sm.metaGraphs![0];
    const enc = (bytes: Uint8Array | undefined) => (bytes ? hash64(bytes) : 0n);
    const sigBytes = tensorflow.MetaGraphDef.encode({ signatureDef: mg.signatureDef }).finish();
    const computed: IFingerprintDef = {
      savedModelChecksum: enc(smBytes),
      graphDefProgramHash: enc(tensorflow.GraphDef.encode(mg.graphDef ?? {}).finish()),
      signatureDefHash: enc(sigBytes),
      savedObjectGraphHash: mg.objectGraphDef
        ? enc(tensorflow.SavedObjectGraph.encode(mg.objectGraphDef).finish())
        : 0n,
      checkpointHash: enc(indexBytes),
      version: { producer: 1 },
    };
    const h = computed.savedModelChecksum as bigint;
    computed.uuid = uuidFrom(h ^ (computed.graphDefProgramHash as bigint));
    return tensorflow.FingerprintDef.encode(
      canonical({ ...computed, ...(this.fingerprintOverride ?? {}) }, "tensorflow.FingerprintDef"),
    ).finish();
  }
}

function uuidFrom(h: bigint): string {
  const a = BigInt.asUintN(64, h).toString(16).padStart(16, "0");
  const b = BigInt.asUintN(64, h * 0x9e3779b97f4a7c15n)
    .toString(16)
    .padStart(16, "0");
  const x = a + b;
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-8${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

/** Asset names are '/'-separated paths inside assets/: no empty, "." or ".." segments, no absolute paths. */
function checkAssetName(name: string): void {
  const bad =
    !name ||
    name.includes("\\") ||
    name.includes("\0") ||
    name.split("/").some((p) => p === "" || p === "." || p === "..");
  if (bad)
    throw new SavedModelError(
      `assets/${name}`,
      "asset file names must be relative paths without empty, '.' or '..' parts",
    );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
