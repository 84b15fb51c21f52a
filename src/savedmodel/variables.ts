/**
 * Variables of an export: the tensor bundle's entries joined to what the model says about them.
 * TF2: the bundle's `_CHECKPOINTABLE_OBJECT_GRAPH` (a TrackableObjectGraph) has the same node ids
 * as the SavedObjectGraph, so each checkpoint key meets its variable's real name, object path and
 * trainable flag. TF1: names are the checkpoint keys; trainable comes from the collections.
 */
import { dtypeShortName } from "./dtypes.js";
import { SavedModelError, type Diagnostic } from "./errors.js";
import type { VariableInfo, ModelVariables } from "./modelTypes.js";
import { tensorflow } from "./proto.js";
import type { SavedModelExport } from "./savedModel.js";
import { TensorBundle, type BundleEntry, type ReadTensorOptions } from "./tensorBundle/index.js";
import type { DecodedTensor } from "./tensor.js";

export const OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

const bundles = new WeakMap<SavedModelExport, Promise<TensorBundle | undefined>>();

/** The export's tensor bundle (index only), opened once per export; undefined when there is no variables/ folder. */
export function openBundle(exp: SavedModelExport): Promise<TensorBundle | undefined> {
  let p = bundles.get(exp);
  if (!p) {
    p = exp.layout.variablesIndex ? TensorBundle.open(exp.fs, "variables/variables") : Promise.resolve(undefined);
    bundles.set(exp, p);
  }
  return p;
}

/** Reads one variable's value by checkpoint key (CRC verified). */
export async function readVariable(
  exp: SavedModelExport,
  checkpointKey: string,
  opts?: ReadTensorOptions,
): Promise<DecodedTensor> {
  const b = await openBundle(exp);
  if (!b) throw new SavedModelError("variables/", "this export has no variables/ folder");
  return b.readTensor(checkpointKey, opts);
}

/** Reads the TrackableObjectGraph stored in a TF2 checkpoint, if any. */
export async function readTrackableGraph(b: TensorBundle): Promise<tensorflow.TrackableObjectGraph | undefined> {
  if (!b.get(OBJECT_GRAPH_KEY)) return undefined;
  const t = await b.readTensor(OBJECT_GRAPH_KEY);
  const bytes = Array.isArray(t.values) ? (t.values as Uint8Array[])[0] : undefined;
  if (!bytes) return undefined;
  return tensorflow.TrackableObjectGraph.decode(bytes);
}

/** Object paths ("layer_with_weights-0.kernel") by node id: first path found breadth-first from the root. */
export function objectPaths(
  children: (id: number) => { nodeId?: number | null; localName?: string | null }[],
  count: number,
): string[] {
  const paths: string[] = new Array(count).fill(undefined);
  if (count === 0) return paths;
  paths[0] = "";
  const queue = [0];
  while (queue.length) {
    const id = queue.shift()!;
    for (const c of children(id)) {
      const cid = c.nodeId ?? 0;
      if (cid < 0 || cid >= count || paths[cid] !== undefined) continue;
      paths[cid] = paths[id] ? `${paths[id]}.${c.localName}` : (c.localName ?? "");
      queue.push(cid);
    }
  }
  return paths;
}

const VARIABLE_VALUE = "VARIABLE_VALUE";

function bookkeeping(key: string): boolean {
  return key === OBJECT_GRAPH_KEY || /(^|\/)save_counter\//.test(key) || key === "global_step";
}

function trainableTF1(exp: SavedModelExport): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const mg of exp.metaGraphs) {
    for (const [coll, trainable] of [
      ["variables", false],
      ["trainable_variables", true],
    ] as const) {
      for (const bytes of mg.collections[coll]?.bytesList?.value ?? []) {
        try {
          const v = tensorflow.VariableDef.decode(bytes);
          const name = v.variableName.replace(/:\d+$/, "");
          if (trainable || !out.has(name)) out.set(name, trainable || v.trainable);
        } catch {
          /* not a VariableDef: ignore */
        }
      }
    }
  }
  return out;
}

/** Lists every variable with dtype, shape, bytes and shard; never reads tensor data except TF2's small object graph. */
export async function loadVariables(exp: SavedModelExport): Promise<ModelVariables> {
  const diagnostics: Diagnostic[] = [];
  let bundle: TensorBundle | undefined;
  try {
    bundle = await openBundle(exp);
  } catch (e) {
    const err =
      e instanceof SavedModelError
        ? e
        : new SavedModelError("variables/variables.index", String((e as Error)?.message ?? e));
    diagnostics.push(err.toDiagnostic());
    return { variables: [], totalBytes: 0, parameterCount: 0, numShards: 0, diagnostics };
  }
  if (!bundle) return { variables: [], totalBytes: 0, parameterCount: 0, numShards: 0, diagnostics };
  diagnostics.push(...bundle.diagnostics);

  // TF2 join: checkpoint key -> trackable node -> saved object (same ids)
  const byKey = new Map<string, { id: number; name?: string; path?: string; trainable?: boolean; slot?: boolean }>();
  const mg = exp.metaGraphs.find((m) => m.hasObjectGraph);
  if (mg) {
    let tog: tensorflow.TrackableObjectGraph | undefined;
    try {
      tog = await readTrackableGraph(bundle);
    } catch (e) {
      diagnostics.push({
        severity: "warning",
        file: bundle.indexFile,
        field: OBJECT_GRAPH_KEY,
        message: `cannot read the checkpoint's object graph: ${(e as Error).message}`,
      });
    }
    let sog: tensorflow.SavedObjectGraph | undefined;
    try {
      sog = await mg.loadObjectGraph();
    } catch (e) {
      diagnostics.push({ severity: "warning", file: exp.layout.savedModelFile, message: (e as Error).message });
    }
    if (tog) {
      const nodes = tog.nodes ?? [];
      const paths = objectPaths((id) => nodes[id]?.children ?? [], nodes.length);
      const slotIds = new Set<number>();
      for (const n of nodes) for (const s of n.slotVariables ?? []) slotIds.add(s.slotVariableNodeId ?? -1);
      nodes.forEach((n, id) => {
        for (const a of n.attributes ?? []) {
          if (!a.checkpointKey) continue;
          const saved = sog?.nodes?.[id];
          const v = saved?.variable;
          byKey.set(a.checkpointKey, {
            id,
            name: v?.name || a.fullName || undefined,
            path:
              paths[id] !== undefined
                ? `${paths[id]}${a.name && a.name !== VARIABLE_VALUE ? `.${a.name}` : ""}`
                : undefined,
            trainable: v ? !!v.trainable : undefined,
            slot: slotIds.has(id),
          });
        }
      });
    }
  }
  const tf1Trainable = mg ? undefined : trainableTF1(exp);
  const haveShard = new Set(exp.layout.variablesShards.map((f) => f.path));

  const variables: VariableInfo[] = bundle.entries().map((e: BundleEntry) => {
    const j = byKey.get(e.key);
    const elements = e.shape.reduce((a, b) => a * b, 1);
    const problems: string[] = [];
    if (!haveShard.has(e.shardFile)) problems.push(`data shard ${e.shardFile.split("/").pop()} is missing`);
    const kind: VariableInfo["kind"] = bookkeeping(e.key)
      ? "bookkeeping"
      : j?.slot || /\/\.OPTIMIZER_SLOT\//.test(e.key) || /^optimizer\//.test(e.key)
        ? "slot"
        : "variable";
    return {
      name: j?.name || e.key.replace(/\/\.ATTRIBUTES\/VARIABLE_VALUE$/, ""),
      checkpointKey: e.key,
      dtype: e.dtype,
      dtypeShort: dtypeShortName(e.dtype),
      shape: e.shape,
      elements,
      bytes: e.size,
      shardFile: e.shardFile,
      trainable: j?.trainable ?? tf1Trainable?.get(e.key),
      objectPath: j?.path,
      objectId: j?.id,
      kind,
      sliced: e.slices ? true : undefined,
      problems,
    };
  });
  // Keras metrics (count/total) live under keras_api.metrics: not model parameters
  for (const v of variables)
    if (v.kind === "variable" && v.objectPath && /(^|\.)keras_api\.metrics\./.test(v.objectPath))
      v.kind = "bookkeeping";
  // the same variable name twice (e.g. two metrics' "count"): tell them apart by object path
  const seen = new Map<string, number>();
  for (const v of variables) seen.set(v.name, (seen.get(v.name) ?? 0) + 1);
  for (const v of variables) if ((seen.get(v.name) ?? 0) > 1 && v.objectPath) v.name = `${v.name} (${v.objectPath})`;
  const model = variables.filter((v) => v.kind === "variable");
  return {
    variables,
    totalBytes: variables.reduce((s, v) => s + v.bytes, 0),
    parameterCount: model.reduce((s, v) => s + v.elements, 0),
    numShards: bundle.numShards,
    diagnostics,
  };
}
