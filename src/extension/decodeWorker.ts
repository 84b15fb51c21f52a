/**
 * The decode worker (node:worker_threads): opens exports, describes them, reads the checkpoint and
 * tensor values off the extension host thread. It never touches the disk itself: every read is a request
 * over the channel (src/protocol/fileAccessRpc.ts) answered by the host through vscode.workspace.fs, so remote
 * and virtual workspaces work.
 */
import { parentPort } from "node:worker_threads";
import { histogram } from "../shared/histogram.js";
import { openSavedModel, type SavedModelExport } from "../savedmodel/savedModel.js";
import {
  computeStats,
  describeModel,
  listFunctions,
  loadVariables,
  objectTree,
  readVariable,
  type ModelInfo,
  type ModelVariables,
} from "../savedmodel/model.js";
import { formatValue, tensorStats, type DecodedTensor } from "../savedmodel/tensor.js";
import { streamVariableStats } from "../savedmodel/variableStats.js";
import { DataType } from "../savedmodel/dtypes.js";
import { buildDisplayGraph } from "../graph/build.js";
import { graphSourceFromMetaGraph, readKerasMetadata } from "../graph/source.js";
import { signatureDiffPicture } from "../graph/diffPicture.js";
import type { DisplayGraph } from "../graph/model.js";
import { CaptureResolver, variableOfNode } from "./captureResolver.js";
import { exampleFeatures } from "./run/exampleFeatures.js";
import { constValue } from "./graph/constValue.js";
import {
  compareOutputs,
  deltaHistogram,
  diffExports,
  diffWeights,
  randomInputs,
  summarize,
} from "../savedmodel/diff/index.js";
import {
  serializeError,
  type DecodeMethods,
  type DecodeRequest,
  type DecodeResultMap,
  type DetailsResult,
  type OpenResult,
  type SerializedError,
  type VariablePageResult,
  type VariableResult,
} from "../protocol/decode.js";
import { RpcFileAccess, type FileMethods } from "../protocol/fileAccessRpc.js";
import { DriftThread } from "../savedmodel/node/driftThread.js";
import { RpcPeer, type RpcContext, type RpcHandlers } from "../protocol/rpc.js";

const port = parentPort;
if (!port) throw new Error("decodeWorker must run in a worker thread");

// every op goes through handle() (a missing op is a type error here)
const viaHandle = <K extends DecodeRequest["op"]>(req: Extract<DecodeRequest, { op: K }>, ctx: RpcContext) =>
  handle<K>(req, (m, data) => ctx.progress(m, data));
const handlers: RpcHandlers<DecodeMethods> = {
  open: viaHandle,
  details: viaHandle,
  variable: viaHandle,
  variablePage: viaHandle,
  displayGraph: viaHandle,
  variableOfNode: viaHandle,
  exampleFeatures: viaHandle,
  constValue: viaHandle,
  compareOpen: viaHandle,
  compareWeights: viaHandle,
  compareHistogram: viaHandle,
  compareInputs: viaHandle,
  compareBehaviour: viaHandle,
  compareGraph: viaHandle,
  close: viaHandle,
};
const host = new RpcPeer<FileMethods, DecodeMethods>((m, transfer) => port.postMessage(m, transfer), handlers);
port.on("message", (msg: unknown) => host.handle(msg));

interface OpenExport {
  exp: SavedModelExport;
  info: ModelInfo;
  variables?: ModelVariables;
  details: Map<number, DetailsResult>;
  resolvers?: Map<number, CaptureResolver>;
}

const exportsById = new Map<string, Promise<OpenExport>>();
/** Decoded tensors kept for paging, most recent last. */
const tensorCache = new Map<string, DecodedTensor>();
const TENSOR_CACHE_SIZE = 4;

function getExport(exportId: string): Promise<OpenExport> {
  const e = exportsById.get(exportId);
  if (!e) throw new Error(`export ${exportId} is not open in the decode worker`);
  // the graph and object graph stay on disk at open (first view); what comes after reads them once
  return e.then(async (o) => {
    await o.exp.load();
    return o;
  });
}

async function open(req: Extract<DecodeRequest, { op: "open" }>, progress: (m: string) => void): Promise<OpenResult> {
  for (const k of [...tensorCache.keys()]) if (k.startsWith(`${req.exportId}\n`)) tensorCache.delete(k);
  const t0 = performance.now();
  progress("reading saved_model");
  const opening = (async (): Promise<OpenExport> => {
    const exp = await openSavedModel(new RpcFileAccess(host.client, req.exportId, req.display), {
      maxProtoBytes: req.limits.maxProtoBytes,
      graphOnDemand: true,
    });
    const info = await describeModel(exp);
    return { exp, info, details: new Map() };
  })();
  exportsById.set(req.exportId, opening);
  opening.catch(() => exportsById.delete(req.exportId));
  const o = await opening;
  const t1 = performance.now();
  progress("reading variables");
  let variablesError: SerializedError | undefined;
  try {
    o.variables = await loadVariables(o.exp);
  } catch (e) {
    variablesError = serializeError(e);
  }
  const t2 = performance.now();
  return {
    info: o.info,
    variables: o.variables,
    variablesError,
    timings: { openMs: o.exp.openMs, describeMs: t1 - t0 - o.exp.openMs, variablesMs: t2 - t1 },
  };
}

async function details(req: Extract<DecodeRequest, { op: "details" }>): Promise<DetailsResult> {
  const o = await getExport(req.exportId);
  const cached = o.details.get(req.metaGraph);
  if (cached) return cached;
  const t0 = performance.now();
  const mg = o.exp.metaGraphs[req.metaGraph];
  if (!mg) throw new Error(`meta graph ${req.metaGraph} does not exist`);
  const errors: SerializedError[] = [];
  const result: DetailsResult = { metaGraph: req.metaGraph, functions: [], errors, ms: 0 };
  const sigs = o.info.metaGraphs[req.metaGraph]?.signatures ?? [];
  try {
    result.functions = listFunctions(mg, sigs);
  } catch (e) {
    errors.push(serializeError(e));
  }
  try {
    result.objectTree = await objectTree(o.exp, mg, o.variables);
  } catch (e) {
    errors.push(serializeError(e));
  }
  try {
    result.stats = computeStats(mg, o.variables);
  } catch (e) {
    errors.push(serializeError(e));
  }
  result.ms = performance.now() - t0;
  o.details.set(req.metaGraph, result);
  return result;
}

async function variable(
  req: Extract<DecodeRequest, { op: "variable" }>,
  progress: (m: string) => void = () => {},
): Promise<VariableResult> {
  const t0 = performance.now();
  const o = await getExport(req.exportId);
  const info = o.variables?.variables.find((v) => v.checkpointKey === req.checkpointKey);
  if (!info) throw new Error(`no variable with checkpoint key "${req.checkpointKey}" in this export`);
  const result: VariableResult = { info, decoded: false, first: [], pageable: false, ms: 0 };
  if (info.elements > req.limits.maxElements) {
    result.reason = `${info.elements.toLocaleString("en-US")} elements is over the preview limit of ${req.limits.maxElements.toLocaleString("en-US")} (setting savedModelExplorer.preview.maxElements)`;
    // statistics still: streamed through bounded reads (cancelling the request stops the worker)
    try {
      const mb = (b: number) => (b / 2 ** 20).toFixed(0);
      let shown = -1;
      result.stats = await streamVariableStats(o.exp, req.checkpointKey, {
        onProgress: (done, total) => {
          const pct = Math.floor((done * 100) / total);
          if (pct !== shown) progress(`statistics: ${mb(done)} of ${mb(total)} MiB (${(shown = pct)}%)`);
        },
      });
      if (result.stats) result.reason += "; statistics were streamed from disk, values are not shown";
    } catch (e) {
      result.error = serializeError(e);
      result.reason = result.error.message;
    }
  } else {
    try {
      const t = await readVariable(o.exp, req.checkpointKey, { maxElements: req.limits.maxElements });
      const n = Array.isArray(t.values) ? t.values.length : t.values.length / (isComplex(t.dtype) ? 2 : 1);
      result.decoded = true;
      result.stats = tensorStats(t);
      result.histogram = histogram(t, req.bins);
      for (let i = 0; i < Math.min(n, req.firstCount); i++) result.first.push(formatValue(t, i));
      if (n <= req.limits.tableMaxElements) {
        result.pageable = true;
        const key = `${req.exportId}\n${req.checkpointKey}`;
        tensorCache.delete(key);
        tensorCache.set(key, t);
        while (tensorCache.size > TENSOR_CACHE_SIZE) tensorCache.delete(tensorCache.keys().next().value!);
      }
    } catch (e) {
      result.error = serializeError(e);
      result.reason = result.error.message;
    }
  }
  result.ms = performance.now() - t0;
  return result;
}

function isComplex(dtype: number): boolean {
  return dtype === DataType.DT_COMPLEX64 || dtype === DataType.DT_COMPLEX128;
}

function multiIndex(i: number, shape: number[]): string {
  if (shape.length === 0) return "[]";
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d] || 1;
    idx[d] = i % s;
    i = Math.floor(i / s);
  }
  return `[${idx.join(", ")}]`;
}

async function variablePage(req: Extract<DecodeRequest, { op: "variablePage" }>): Promise<VariablePageResult> {
  const key = `${req.exportId}\n${req.checkpointKey}`;
  let t = tensorCache.get(key);
  if (!t) {
    const o = await getExport(req.exportId);
    t = await readVariable(o.exp, req.checkpointKey);
    tensorCache.set(key, t);
    while (tensorCache.size > TENSOR_CACHE_SIZE) tensorCache.delete(tensorCache.keys().next().value!);
  }
  const total = Array.isArray(t.values) ? t.values.length : t.values.length / (isComplex(t.dtype) ? 2 : 1);
  const offset = Math.max(0, Math.min(req.offset, total));
  const end = Math.min(total, offset + Math.max(0, Math.min(req.count, 10_000)));
  const rows = [];
  for (let i = offset; i < end; i++) rows.push({ i, index: multiIndex(i, t.shape), value: formatValue(t, i) });
  return { offset, total, rows };
}

async function handle<K extends DecodeRequest["op"]>(
  req: Extract<DecodeRequest, { op: K }>,
  progress: (m: string, data?: unknown) => void,
): Promise<DecodeResultMap[K]> {
  const r = req as DecodeRequest;
  switch (r.op) {
    case "open":
      return (await open(r, progress)) as DecodeResultMap[K];
    case "details":
      return (await details(r)) as DecodeResultMap[K];
    case "variable":
      return (await variable(r, progress)) as DecodeResultMap[K];
    case "variablePage":
      return (await variablePage(r)) as DecodeResultMap[K];
    case "displayGraph": {
      const o = await getExport(r.exportId);
      const mg = o.exp.metaGraphs[r.metaGraph];
      if (!mg) throw new Error(`meta graph ${r.metaGraph} does not exist`);
      progress("building the graph view");
      const src = graphSourceFromMetaGraph(mg);
      // Keras layer names and classes for the graph's boxes (TF 2.5+ keeps them in keras_metadata.pb)
      if (o.exp.layout.kerasMetadata)
        src.kerasMetadata = await readKerasMetadata(o.exp.fs, o.exp.layout.kerasMetadata.path);
      return buildDisplayGraph(src, r.target, r.opts) as DecodeResultMap[K];
    }
    case "compareGraph": {
      const [a, b] = await Promise.all([getExport(r.exportId), getExport(r.otherId)]);
      progress("drawing the graph changes");
      // the meta graph the diff is of (its tag set), in each export
      const picture = async (o: OpenExport): Promise<DisplayGraph | undefined> => {
        const mg = o.exp.metaGraphs.find((m) => m.tags.join(",") === r.diff.tagSet) ?? o.exp.metaGraphs[0];
        if (!mg || !(r.signature in mg.signatureDefs)) return undefined;
        const src = graphSourceFromMetaGraph(mg);
        if (o.exp.layout.kerasMetadata)
          src.kerasMetadata = await readKerasMetadata(o.exp.fs, o.exp.layout.kerasMetadata.path);
        return buildDisplayGraph(src, { signature: r.signature });
      };
      const [ga, gb] = await Promise.all([picture(a), picture(b)]);
      if (!gb) throw new Error(`${r.names.b} has no signature "${r.signature}"`);
      return signatureDiffPicture(r.diff, r.signature, ga, gb, r.names) as DecodeResultMap[K];
    }
    case "variableOfNode": {
      const o = await getExport(r.exportId);
      const mg = o.exp.metaGraphs[r.metaGraph];
      if (!mg) throw new Error(`meta graph ${r.metaGraph} does not exist`);
      o.resolvers ??= new Map();
      let res = o.resolvers.get(r.metaGraph);
      if (!res) o.resolvers.set(r.metaGraph, (res = new CaptureResolver(mg)));
      return (variableOfNode(mg, o.variables, r.fn, r.node, res)?.checkpointKey ?? null) as DecodeResultMap[K];
    }
    case "exampleFeatures": {
      const o = await getExport(r.exportId);
      const mg = o.exp.metaGraphs[r.metaGraph];
      return (mg ? exampleFeatures(mg.graphDef()) : null) as DecodeResultMap[K];
    }
    case "constValue": {
      const o = await getExport(r.exportId);
      const mg = o.exp.metaGraphs[r.metaGraph];
      if (!mg) throw new Error(`meta graph ${r.metaGraph} does not exist`);
      return (await constValue(mg, r.fn, r.node, {
        read: r.read,
        maxElements: r.limits.maxElements,
      })) as DecodeResultMap[K];
    }
    case "compareOpen": {
      const [a, b] = await Promise.all([getExport(r.exportId), getExport(r.otherId)]);
      const report = await diffExports(a.exp, b.exp, {
        sections: r.sections,
        locations: r.locations,
        infos: [a.info, b.info],
      });
      const keys = (o: OpenExport) =>
        new Set(Object.keys(o.exp.metaGraphs[0]?.signatureDefs ?? {}).filter((k) => k !== "__saved_model_init_op"));
      const kb = keys(b);
      return { report, signatures: [...keys(a)].filter((k) => kb.has(k)).sort() } as DecodeResultMap[K];
    }
    case "compareWeights": {
      const [a, b] = await Promise.all([getExport(r.exportId), getExport(r.otherId)]);
      // cancelling stops this worker (DecodeClient), which stops the comparison
      const w = await diffWeights(a.exp, b.exp, {
        // the float32 loop on this thread and a helper thread (closed when the comparison ends or this worker stops)
        threads: () => new DriftThread(),
        onProgress: (done, total, name) => progress(`comparing ${name}`, { done, total, name }),
      });
      const report = r.report;
      report.weights = w.weights;
      report.sections = [...report.sections, "weights"];
      report.diagnostics.push(...w.diagnostics.filter((d) => d.severity !== "info"));
      report.summary = summarize(report);
      return report as DecodeResultMap[K];
    }
    case "compareHistogram": {
      const [a, b] = await Promise.all([getExport(r.exportId), getExport(r.otherId)]);
      return (await deltaHistogram(a.exp, r.keyA, b.exp, r.keyB, { range: r.range })) as DecodeResultMap[K];
    }
    case "compareInputs":
      return randomInputs(r.specs, r.seed) as DecodeResultMap[K];
    case "compareBehaviour": {
      const report = r.report;
      report.behaviour = compareOutputs(r.signature, r.outputs[0], r.outputs[1], r.atol, {
        kind: "seeded_random",
        seed: r.seed,
      });
      report.summary = summarize(report);
      return report as DecodeResultMap[K];
    }
    case "close":
      exportsById.delete(r.exportId);
      for (const k of [...tensorCache.keys()]) if (k.startsWith(`${r.exportId}\n`)) tensorCache.delete(k);
      return null as DecodeResultMap[K];
  }
}
