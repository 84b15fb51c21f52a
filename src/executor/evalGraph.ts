/**
 * Evaluates tensors of a bare GraphDef (no SavedModel around it): for per-op tests and for running
 * a fragment of a graph. Uses the same compiler, interpreter and kernels as sessions.
 */
import * as tf from "@tensorflow/tfjs-core";
import { MemoryFileAccess } from "../savedmodel/memoryFileAccess.js";
import type { IGraphDef, IOpDef } from "../savedmodel/proto.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import { Program, type NodeInput } from "./graph.js";
import { executeBody } from "./interpreter.js";
import type { RunState } from "./kernel.js";
import { disposeConverterContext, newConverterContext } from "./ops/converter.js";
import { allKernels } from "./ops/index.js";
import { SessionState } from "./state.js";
import { endScopeSafely, useBackend, type BackendName } from "./tfjs/runtime.js";
import { fromTfTensor, isTensor, toTfTensor, type Value } from "./values.js";

export interface EvalOptions {
  backend?: BackendName;
  strippedOpList?: IOpDef[];
  warnings?: string[];
  /** Apply the inference rewrites (conv + batch-norm folding), as sessions do by default. */
  optimize?: boolean;
  maxTensorBytes?: number;
  /** The memory budget (JS heap + ArrayBuffers + wasm memory), see SessionOptions. */
  maxMemoryBytes?: number;
}

function ref(name: string): [string, number] {
  const c = name.lastIndexOf(":");
  return c > 0 && /^\d+$/.test(name.slice(c + 1)) ? [name.slice(0, c), Number(name.slice(c + 1))] : [name, 0];
}

/** Feeds `feeds` (tensor name → value) and returns the fetched tensors, as TF dtypes where known. */
export async function evalGraph(
  graph: IGraphDef,
  feeds: Record<string, DecodedTensor>,
  fetches: string[],
  opts: EvalOptions = {},
): Promise<Record<string, DecodedTensor>> {
  const backend = await useBackend(opts.backend ?? "wasm");
  const program = new Program(graph, opts.strippedOpList ?? [], opts.optimize ?? false);
  const state = new SessionState(program, new MemoryFileAccess(new Map()), allKernels(), {
    onWarning: (m) => opts.warnings?.push(m),
    maxTensorBytes: opts.maxTensorBytes,
    maxMemoryBytes: opts.maxMemoryBytes,
  });
  const body = program.mainBody();
  const at = (name: string): NodeInput => {
    const [n, i] = ref(name);
    const idx = body.byName.get(n);
    if (idx === undefined) throw new Error(`no node "${n}"`);
    return { node: idx, index: i };
  };
  const run: RunState = {
    session: state,
    depth: 0,
    live: new Map(),
    converterCtx: newConverterContext(),
    backend,
    nodesExecuted: 0,
    pinnedThisRun: [],
    stack: [],
  };
  tf.engine().startScope();
  try {
    const feedMap = new Map<number, Map<number, Value>>();
    for (const [name, d] of Object.entries(feeds)) {
      const r = at(name);
      const m = feedMap.get(r.node) ?? new Map<number, Value>();
      m.set(
        r.index,
        toTfTensor(d, (w) => state.warn(w), name),
      );
      feedMap.set(r.node, m);
    }
    const vals = await executeBody(body, run, { feeds: feedMap, fetches: fetches.map(at) });
    const out: Record<string, DecodedTensor> = {};
    for (let i = 0; i < fetches.length; i++) {
      const v = vals[i];
      if (!isTensor(v)) throw new Error(`${fetches[i]} is not a tensor`);
      const r = at(fetches[i]);
      const dt = body.nodes[r.node].outputDtypes[r.index] ?? 0;
      out[fetches[i]] = await fromTfTensor(v, dt);
    }
    return out;
  } finally {
    disposeConverterContext(run.converterCtx, new Set());
    endScopeSafely();
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    state.dispose();
  }
}
