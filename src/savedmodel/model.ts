/**
 * describeModel: the cheap, first view of an export — meta graphs, tags, signatures, init
 * mechanisms, assets, files and fingerprint — computed without decoding the graph or the
 * function library (TF2 signatures peek at the handful of top-level nodes to name the
 * function each signature calls).
 */
import type { Diagnostic } from "./errors.js";
import { dtypeEnumName, dtypeShortName } from "./dtypes.js";
import { tensorflow } from "./proto.js";
import type { MetaGraph, SavedModelExport } from "./savedModel.js";
import { shapeDims } from "./shape.js";
import type {
  AssetInfo,
  FingerprintInfo,
  InitInfo,
  MetaGraphInfo,
  ModelInfo,
  SignatureInfo,
  TensorSpecInfo,
} from "./modelTypes.js";

export * from "./modelTypes.js";
export { loadVariables, readVariable } from "./variables.js";
export { objectTree, concreteFunctions } from "./objectGraph.js";
export { listFunctions } from "./functions.js";
export { computeStats } from "./stats.js";

export const INIT_OP_SIGNATURE_KEY = "__saved_model_init_op";

const TYPE_SPEC_CLASS = tensorflow.TypeSpecProto.TypeSpecClass as unknown as Record<number, string>;

export function tensorSpecInfo(key: string, t: tensorflow.ITensorInfo): TensorSpecInfo {
  const dtype = t.dtype ?? 0;
  const info: TensorSpecInfo = {
    key,
    dtype,
    dtypeName: dtypeEnumName(dtype),
    dtypeShort: dtypeShortName(dtype),
    shape: shapeDims(t.tensorShape),
    encoding: "none",
  };
  if (t.tensorShape == null) info.shape = undefined;
  if (t.name) {
    info.encoding = "name";
    info.tensorName = t.name;
  } else if (t.cooSparse) {
    info.encoding = "coo_sparse";
    info.sparse = {
      valuesTensorName: t.cooSparse.valuesTensorName ?? "",
      indicesTensorName: t.cooSparse.indicesTensorName ?? "",
      denseShapeTensorName: t.cooSparse.denseShapeTensorName ?? "",
    };
  } else if (t.compositeTensor) {
    info.encoding = "composite";
    const spec = t.compositeTensor.typeSpec;
    info.composite = {
      typeSpecClass: TYPE_SPEC_CLASS[spec?.typeSpecClass ?? 0] ?? String(spec?.typeSpecClass),
      typeSpecClassName: spec?.typeSpecClassName || undefined,
      components: (t.compositeTensor.components ?? []).map((c, i) => tensorSpecInfo(`${key}[${i}]`, c)),
    };
  }
  return info;
}

const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The graph node name of a tensor name ("StatefulPartitionedCall:0" → "StatefulPartitionedCall"). */
export function nodeOfTensor(name: string): string {
  const n = name.startsWith("^") ? name.slice(1) : name;
  const i = n.lastIndexOf(":");
  return i > 0 && /^\d+$/.test(n.slice(i + 1)) ? n.slice(0, i) : n;
}

/** Function names a node calls: its `f` attr and control-flow branch/body attrs. */
export function calledFunctions(node: tensorflow.INodeDef, libraryNames?: Set<string>): string[] {
  const out: string[] = [];
  for (const [name, v] of Object.entries(node.attr ?? {})) {
    if (v.func?.name) out.push(v.func.name);
    for (const f of v.list?.func ?? []) if (f.name) out.push(f.name);
    void name;
  }
  if (libraryNames?.has(node.op ?? "")) out.push(node.op!);
  return out;
}

/** Graph nodes the signatures' outputs name (tensor name → node name). */
function signatureOutputNodeNames(mg: MetaGraph): Set<string> {
  const names = new Set<string>();
  for (const s of Object.values(mg.signatureDefs))
    for (const t of Object.values(s.outputs ?? {})) {
      if (t.name) names.add(nodeOfTensor(t.name));
      for (const c of t.compositeTensor?.components ?? []) if (c.name) names.add(nodeOfTensor(c.name));
    }
  return names;
}

/**
 * The nodes behind a TF2 export's signature outputs (only those are read and decoded, found by name), or
 * the error reading them; undefined when the functions behind signatures are not looked up (TF1).
 */
async function signatureOutputNodes(mg: MetaGraph): Promise<Map<string, tensorflow.NodeDef> | Error | undefined> {
  if (!mg.hasObjectGraph || !mg.hasGraph) return undefined;
  try {
    return new Map((await mg.findNodes(signatureOutputNodeNames(mg))).map((n) => [n.name, n]));
  } catch (e) {
    return e as Error;
  }
}

function signatureInfos(
  mg: MetaGraph,
  found?: Map<string, tensorflow.NodeDef> | Error,
): { visible: SignatureInfo[]; init?: SignatureInfo } {
  const defs = mg.signatureDefs;
  let nodeByName: Map<string, tensorflow.NodeDef> | undefined;
  const outputNodes = () => {
    if (found instanceof Error) throw found;
    return found ?? new Map(mg.nodesNamed(signatureOutputNodeNames(mg)).map((n) => [n.name, n]));
  };
  const functionOf = (outputs: TensorSpecInfo[]): string | undefined => {
    if (!mg.hasObjectGraph || !mg.hasGraph) return undefined;
    nodeByName ??= outputNodes();
    for (const o of outputs) {
      const names = o.tensorName ? [o.tensorName] : (o.composite?.components ?? []).map((c) => c.tensorName ?? "");
      for (const t of names) {
        const node = nodeByName.get(nodeOfTensor(t));
        const f = node && calledFunctions(node)[0];
        if (f) return f;
      }
    }
    return undefined;
  };
  const all: SignatureInfo[] = Object.entries(defs).map(([key, s]) => {
    const inputs = Object.entries(s.inputs ?? {})
      .map(([k, t]) => tensorSpecInfo(k, t))
      .sort(byKey);
    const outputs = Object.entries(s.outputs ?? {})
      .map(([k, t]) => tensorSpecInfo(k, t))
      .sort(byKey);
    return {
      key,
      methodName: s.methodName ?? "",
      inputs,
      outputs,
      defaults: Object.keys(s.defaults ?? {}).sort(),
      functionName: functionOf(outputs),
      hidden: key === INIT_OP_SIGNATURE_KEY,
    };
  });
  all.sort(byKey);
  return { visible: all.filter((s) => !s.hidden), init: all.find((s) => s.hidden) };
}

function nodeList(c: tensorflow.ICollectionDef | undefined): string[] {
  return c?.nodeList?.value ?? [];
}

function initInfo(mg: MetaGraph, init: SignatureInfo | undefined): InitInfo {
  const c = mg.collections;
  const info: InitInfo = { tableInitializers: nodeList(c["table_initializer"]), localInitOps: [] };
  const main = nodeList(c["saved_model_main_op"])[0];
  if (main) info.mainOp = main;
  const legacy = nodeList(c["legacy_init_op"])[0];
  if (legacy) info.legacyInitOp = legacy;
  const initOp = init?.outputs[0]?.tensorName;
  if (initOp) info.initSignatureOp = initOp;
  for (const k of ["local_init_op", "init_op", "ready_op"])
    info.localInitOps.push(...nodeList(c[k]).map((n) => `${k}: ${n}`));
  return info;
}

function collectionSummary(mg: MetaGraph): MetaGraphInfo["collections"] {
  return Object.entries(mg.collections)
    .map(([key, c]) => {
      const kind = c.nodeList
        ? "node_list"
        : c.bytesList
          ? "bytes_list"
          : c.int64List
            ? "int64_list"
            : c.floatList
              ? "float_list"
              : c.anyList
                ? "any_list"
                : "empty";
      const count =
        c.nodeList?.value?.length ??
        c.bytesList?.value?.length ??
        c.int64List?.value?.length ??
        c.floatList?.value?.length ??
        c.anyList?.value?.length ??
        0;
      return { key, kind, count };
    })
    .sort(byKey);
}

function assetInfos(exp: SavedModelExport, mg: MetaGraph): AssetInfo[] {
  const files = new Map(exp.layout.assets.map((f) => [f.path, f]));
  const out: AssetInfo[] = [];
  const seen = new Set<string>();
  const add = (filename: string, source: AssetInfo["source"], tensorName?: string) => {
    const path = `assets/${filename}`;
    const f = files.get(path);
    out.push({ path, filename, exists: !!f, size: f?.size, tensorName, source });
    seen.add(path);
  };
  const defs = mg.shell.assetFileDef ?? [];
  for (const a of defs) add(a.filename ?? "", "asset_file_def", a.tensorInfo?.name ?? undefined);
  // TF 1.0-1.x: the "saved_model_assets" collection holds AssetFileDef protos packed in Any
  for (const any of mg.collections["saved_model_assets"]?.anyList?.value ?? []) {
    try {
      const a = tensorflow.AssetFileDef.decode(any.value ?? new Uint8Array());
      if (!seen.has(`assets/${a.filename}`)) add(a.filename, "assets_collection", a.tensorInfo?.name ?? undefined);
    } catch {
      /* a damaged entry is reported by the folder listing below */
    }
  }
  for (const f of exp.layout.assets) {
    if (!seen.has(f.path))
      out.push({
        path: f.path,
        filename: f.path.slice("assets/".length),
        exists: true,
        size: f.size,
        source: "folder",
      });
  }
  for (const f of exp.layout.assetsExtra) {
    out.push({
      path: f.path,
      filename: f.path.slice("assets.extra/".length),
      exists: true,
      size: f.size,
      source: "assets_extra",
    });
  }
  return out;
}

function metaGraphInfo(
  exp: SavedModelExport,
  mg: MetaGraph,
  diagnostics: Diagnostic[],
  outputNodes?: Map<string, tensorflow.NodeDef> | Error,
): MetaGraphInfo {
  let sigs: { visible: SignatureInfo[]; init?: SignatureInfo };
  try {
    sigs = signatureInfos(mg, outputNodes);
  } catch (e) {
    diagnostics.push({
      severity: "error",
      file: exp.layout.savedModelFile,
      message: `cannot read the graph's nodes: ${(e as Error).message}`,
    });
    mg = mg; // keep going without function names
    sigs = { visible: [] };
  }
  const mi = mg.metaInfo;
  return {
    index: mg.index,
    tags: mg.tags,
    tfVersion: mi?.tensorflowVersion || undefined,
    tfGitVersion: mi?.tensorflowGitVersion || undefined,
    metaGraphVersion: mi?.metaGraphVersion || undefined,
    producer: mg.producer,
    strippedDefaultAttrs: !!mi?.strippedDefaultAttrs,
    isTF2: mg.hasObjectGraph,
    signatures: sigs.visible,
    initSignature: sigs.init,
    init: initInfo(mg, sigs.init),
    assets: assetInfos(exp, mg),
    nodeCount: mg.nodeCount,
    functionCount: mg.functionCount,
    collections: collectionSummary(mg),
    functionAliases: { ...(mi?.functionAliases ?? {}) },
  };
}

const u64 = (v: number | bigint | null | undefined) => (v == null ? "0" : BigInt.asUintN(64, BigInt(v)).toString());

export async function readFingerprint(
  exp: SavedModelExport,
  diagnostics: Diagnostic[],
): Promise<FingerprintInfo | undefined> {
  const f = exp.layout.fingerprint;
  if (!f) return undefined;
  try {
    const fp = tensorflow.FingerprintDef.decode(await exp.fs.readFile(f.path));
    return {
      savedModelChecksum: u64(fp.savedModelChecksum),
      graphDefProgramHash: u64(fp.graphDefProgramHash),
      signatureDefHash: u64(fp.signatureDefHash),
      savedObjectGraphHash: u64(fp.savedObjectGraphHash),
      checkpointHash: u64(fp.checkpointHash),
      uuid: fp.uuid || undefined,
      producer: fp.version?.producer ?? undefined,
    };
  } catch (e) {
    diagnostics.push({
      severity: "warning",
      file: f.path,
      message: `cannot decode the fingerprint: ${(e as Error).message}`,
    });
    return undefined;
  }
}

/** The first view of an export: no graph or function bodies are decoded. */
export async function describeModel(exp: SavedModelExport): Promise<ModelInfo> {
  const diagnostics: Diagnostic[] = [...exp.diagnostics];
  const L = exp.layout;
  const fileInfo = (f: { path: string; size?: number }) => ({ path: f.path, size: f.size });
  const all = [
    { path: L.savedModelFile, size: L.savedModelSize },
    ...(L.variablesIndex ? [L.variablesIndex] : []),
    ...L.variablesShards,
    ...(L.fingerprint ? [L.fingerprint] : []),
    ...(L.debugInfo ? [L.debugInfo] : []),
    ...(L.kerasMetadata ? [L.kerasMetadata] : []),
    ...L.assets,
    ...L.assetsExtra,
  ];
  const info: ModelInfo = {
    location: exp.fs.describe(""),
    format: exp.format,
    savedModelFile: L.savedModelFile,
    schemaVersion: exp.schemaVersion,
    files: {
      savedModel: { path: L.savedModelFile, size: L.savedModelSize },
      variablesIndex: L.variablesIndex && fileInfo(L.variablesIndex),
      variablesShards: L.variablesShards.map(fileInfo),
      fingerprint: L.fingerprint && fileInfo(L.fingerprint),
      debugInfo: L.debugInfo && fileInfo(L.debugInfo),
      kerasMetadata: L.kerasMetadata && fileInfo(L.kerasMetadata),
      assets: L.assets.map(fileInfo),
      assetsExtra: L.assetsExtra.map(fileInfo),
      other: L.other.map(fileInfo),
      totalBytes: all.reduce((s, f) => s + (f.size ?? 0), 0),
    },
    fingerprint: await readFingerprint(exp, diagnostics),
    metaGraphs: [],
    diagnostics,
  };
  for (const mg of exp.metaGraphs)
    info.metaGraphs.push(metaGraphInfo(exp, mg, diagnostics, await signatureOutputNodes(mg)));
  if (!L.variablesIndex && L.variablesShards.length === 0) {
    const needsVars = exp.metaGraphs.some((m) => m.shell.saverDef?.restoreOpName);
    diagnostics.push({
      severity: needsVars ? "warning" : "info",
      file: "variables/",
      message: needsVars
        ? "no variables/ folder, but the graph has a saver restore op: the export is incomplete and cannot be run"
        : "no variables/ folder: the model keeps its weights as constants (or has none)",
    });
  } else if (!L.variablesIndex) {
    diagnostics.push({
      severity: "error",
      file: "variables/variables.index",
      message: "variables.index is missing, so the data shards cannot be read",
    });
  }
  for (const mg of info.metaGraphs) {
    for (const a of mg.assets) {
      if (!a.exists)
        diagnostics.push({
          severity: "warning",
          file: a.path,
          message: `asset "${a.filename}" is referenced by the graph but missing from assets/`,
        });
    }
  }
  return info;
}
