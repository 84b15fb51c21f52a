/**
 * A loaded model, like a TensorFlow Session after LoadSavedModel: the meta graph imported, variables
 * restored through the saver's restore op (RestoreV2 on our bundle reader), init ops run with asset
 * paths fed; then signatures run by feeding input tensor names and fetching outputs. Variables and
 * tables persist between runs.
 */
import * as tf from "@tensorflow/tfjs-core";
import { dtypeShortName } from "../savedmodel/dtypes.js";
import type { FileAccess } from "../savedmodel/fileAccess.js";
import { tensorflow, type ISignatureDef } from "../savedmodel/proto.js";
import { openSavedModel, type MetaGraph } from "../savedmodel/savedModel.js";
import { tensorFromProto, type DecodedTensor } from "../savedmodel/tensor.js";
import { Program, neededNodes, type Body, type NodeInput } from "./graph.js";
import { executeBody } from "./interpreter.js";
import type { MissingOp, ProfileEntry, RunState } from "./kernel.js";
import { allKernels } from "./ops/index.js";
import { newConverterContext, disposeConverterContext } from "./ops/converter.js";
import { VARIABLES_PREFIX } from "./ops/io.js";
import { SessionState, type SessionOptions } from "./state.js";
import { KNOWN_CUSTOM_OP, UNSAFE_OPS } from "./unsafeOps.js";
import { NOT_SERVING_OPS } from "./refusals.js";
import { MissingOpsError } from "./missingOps.js";

export { MissingOpsError };
import { endScopeSafely, useBackend, wasmUnavailableReason, type BackendName } from "./tfjs/runtime.js";
import { RefVar, fromTfTensor, isTensor, tfjsDtype, toTfTensor, type Value } from "./values.js";

export const INIT_OP_SIGNATURE_KEY = "__saved_model_init_op";

export interface LoadOptions extends SessionOptions {
  tags?: string[];
  backend?: BackendName;
}

export interface TensorSpec {
  key: string;
  /** Graph tensor name, e.g. "x:0". */
  name: string;
  dtype: number;
  /** -1 for unknown dims; undefined for unknown rank. */
  shape?: number[];
  /** A COO sparse tensor (three graph tensors). Feed it a dense tensor (every element present). */
  sparse?: { indices: string; values: string; denseShape: string };
}

export interface SignatureInfo {
  key: string;
  method: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Inputs with a SignatureDef default value (they may be left out). */
  defaults: string[];
}

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Extra tensors to report, under their names: top-level graph tensors ("node:0") or tensors inside a
   * library function ("<function name>/<node>:0"; captured when the node runs, the last run in loops).
   */
  fetchIntermediates?: string[];
  profile?: boolean;
}

export interface RunResult {
  outputs: Record<string, DecodedTensor>;
  intermediates?: Record<string, DecodedTensor>;
  timings: { loadMs: number; restoreInitMs: number; execMs: number };
  warnings: string[];
  profile?: ProfileEntry[];
  nodesExecuted: number;
}

export interface RefusedOp {
  op: string;
  nodes: string[];
  why: string;
}

/** Checkpoint I/O inside a signature: allowed only in the load-time restore (from the export's variables/). */
export const REFUSED_IN_SIGNATURES: Record<string, string> = {
  SaveV2: "writes checkpoint files",
  Save: "writes checkpoint files",
  SaveSlices: "writes checkpoint files",
  MergeV2Checkpoints: "writes and deletes checkpoint files",
  RestoreV2: "reads checkpoint files at a path given at run time",
  Restore: "reads checkpoint files at a path given at run time",
  RestoreSlice: "reads checkpoint files at a path given at run time",
};

/** Thrown before running when the signature reaches ops refused by design (files outside the export). */
export class RefusedOpsError extends Error {
  constructor(
    readonly signature: string,
    readonly refused: RefusedOp[],
  ) {
    super(
      `signature "${signature}" is refused before running: it reaches ops the executor never runs:\n` +
        refused
          .map(
            (r) =>
              `  ${r.op} (refused: it ${r.why}): ${r.nodes.slice(0, 3).join(", ")}${r.nodes.length > 3 ? ` and ${r.nodes.length - 3} more` : ""}`,
          )
          .join("\n") +
        (refused.some((r) => REFUSED_IN_SIGNATURES[r.op])
          ? `\nTensorFlow would run it; run it there (or with saved_model_cli) to save or restore checkpoints.`
          : ""),
    );
    this.name = "RefusedOpsError";
  }
}

function tensorSpecs(m: Record<string, tensorflow.ITensorInfo>, body?: Body): TensorSpec[] {
  // Old exports (TF 1.0) leave TensorInfo.dtype unset: take the producing node's dtype attr.
  // Some (TF 1.0) signatures also state a wrong dtype: a placeholder's own dtype wins, as TF feeds it.
  const graphDtype = (name: string): number => {
    const node = body?.nodes[body.byName.get(name.replace(/:\d+$/, "")) ?? -1];
    return Number(node?.attrs["dtype"]?.type ?? node?.attrs["T"]?.type ?? 0);
  };
  const placeholderDtype = (name: string): number => {
    const node = body?.nodes[body.byName.get(name.replace(/:\d+$/, "")) ?? -1];
    return node && /^Placeholder/.test(node.op) ? Number(node.attrs["dtype"]?.type ?? 0) : 0;
  };
  return Object.entries(m)
    .map(([key, t]) => {
      const spec: TensorSpec = {
        key,
        name: t.name ?? "",
        dtype:
          placeholderDtype(t.name || (t.cooSparse?.valuesTensorName ?? "")) ||
          Number(t.dtype ?? 0) ||
          graphDtype(t.name ?? ""),
        shape:
          t.tensorShape && !t.tensorShape.unknownRank
            ? (t.tensorShape.dim ?? []).map((d) => Number(d.size ?? -1))
            : undefined,
      };
      const c = t.cooSparse;
      if (!t.name && c?.valuesTensorName && c.indicesTensorName && c.denseShapeTensorName) {
        spec.sparse = { indices: c.indicesTensorName, values: c.valuesTensorName, denseShape: c.denseShapeTensorName };
      }
      return spec;
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export class Session {
  private disposed = false;
  /** Restore or init failed (e.g. a custom op in the init function): reported by run(). */
  initError?: Error;
  private initTargets: string[] = [];
  private constructor(
    readonly state: SessionState,
    readonly metaGraph: MetaGraph,
    readonly backend: BackendName,
    readonly loadMs: number,
    readonly restoreInitMs: number,
    private readonly sigs: Record<string, ISignatureDef>,
  ) {}

  static async load(fs: FileAccess, opts: LoadOptions = {}): Promise<Session> {
    const t0 = performance.now();
    const backend = await useBackend(opts.backend ?? "wasm");
    if ((opts.backend ?? "wasm") === "wasm" && backend !== "wasm") {
      opts.onWarning?.(
        `tfjs-backend-wasm is not available (${wasmUnavailableReason()}); running on tfjs-cpu, which is much slower`,
      );
    }
    const exp = await openSavedModel(fs);
    const mg = opts.tags ? exp.metaGraphByTags(opts.tags) : (exp.metaGraphByTags(["serve"]) ?? exp.metaGraphs[0]);
    if (!mg) {
      const have = exp.metaGraphs.map((m) => `[${m.tags.join(",")}]`).join(" ");
      throw new Error(`no meta graph with tags [${(opts.tags ?? []).join(",")}]; the export has ${have || "none"}`);
    }
    const graph = mg.graphDef();
    await mg.resolveDeferredTensors(); // big frozen constants the first view left on disk
    const program = new Program(graph, mg.metaInfo?.strippedOpList?.op ?? [], opts.optimize ?? true);
    const state = new SessionState(program, fs, allKernels(), opts);
    const t1 = performance.now();
    const s = new Session(state, mg, backend, t1 - t0, 0, mg.signatureDefs);
    try {
      await s.restoreAndInit();
    } catch (e) {
      s.initError = e as Error;
      state.warn(`the model did not load completely: ${(e as Error).message}`);
    }
    (s as { restoreInitMs: number }).restoreInitMs = performance.now() - t1;
    return s;
  }

  /** Asset tensors the loader feeds with their path inside the export ("assets/vocab.txt"). */
  private assetFeeds(): Map<string, string> {
    const shell = this.metaGraph.shell;
    const out = new Map<string, string>();
    for (const a of shell.assetFileDef ?? [])
      if (a.tensorInfo?.name && a.filename) out.set(a.tensorInfo.name, `assets/${a.filename}`);
    for (const any of shell.collectionDef?.["saved_model_assets"]?.anyList?.value ?? []) {
      try {
        const a = tensorflow.AssetFileDef.decode(any.value ?? new Uint8Array());
        if (a.tensorInfo?.name && a.filename) out.set(a.tensorInfo.name, `assets/${a.filename}`);
      } catch {
        this.state.warn("an entry of the saved_model_assets collection does not decode as AssetFileDef");
      }
    }
    return out;
  }

  private initOpName(): string | undefined {
    const sig = this.sigs[INIT_OP_SIGNATURE_KEY];
    const fromSig = sig?.outputs?.[INIT_OP_SIGNATURE_KEY]?.name;
    if (fromSig) return fromSig;
    const c = this.metaGraph.collections;
    return c["saved_model_main_op"]?.nodeList?.value?.[0] ?? c["legacy_init_op"]?.nodeList?.value?.[0] ?? undefined;
  }

  private async restoreAndInit(): Promise<void> {
    const saver = this.metaGraph.shell.saverDef;
    const assets = this.assetFeeds();
    const feeds: Record<string, string> = Object.fromEntries(assets);
    const hasVars = (await this.state.fs.size(`${VARIABLES_PREFIX}.index`)) !== undefined;
    if (saver?.restoreOpName && saver.filenameTensorName && hasVars) {
      this.initTargets.push(saver.restoreOpName);
      await this.runTargets(
        [saver.restoreOpName],
        { ...feeds, [saver.filenameTensorName]: VARIABLES_PREFIX },
        "restore",
      );
    }
    const init = this.initOpName();
    if (init) {
      this.initTargets.push(init);
      await this.runTargets([init], feeds, "init");
    }
  }

  private tensorRef(body: Body, name: string): NodeInput {
    const clean = name.startsWith("^") ? name.slice(1) : name;
    const c = clean.lastIndexOf(":");
    const [node, index] =
      c > 0 && /^\d+$/.test(clean.slice(c + 1)) ? [clean.slice(0, c), Number(clean.slice(c + 1))] : [clean, 0];
    const idx = body.byName.get(node);
    if (idx === undefined) throw new Error(`tensor "${name}": no node "${node}" in the graph`);
    return { node: idx, index };
  }

  private newRun(signal?: AbortSignal, profile?: boolean): RunState {
    this.state.runWarnings = [];
    return {
      session: this.state,
      signal,
      depth: 0,
      live: new Map(),
      converterCtx: newConverterContext(),
      backend: this.backend,
      profile: profile ? [] : undefined,
      nodesExecuted: 0,
      pinnedThisRun: [],
      stack: [],
    };
  }

  /** Runs graph targets (restore/init ops) with string feeds. */
  private async runTargets(targets: string[], stringFeeds: Record<string, string>, what: string): Promise<void> {
    const body = this.state.program.mainBody();
    const run = this.newRun();
    tf.engine().startScope();
    try {
      const feeds = new Map<number, Map<number, Value>>();
      for (const [name, s] of Object.entries(stringFeeds)) {
        let ref: NodeInput;
        try {
          ref = this.tensorRef(body, name);
        } catch {
          continue;
        }
        const m = feeds.get(ref.node) ?? new Map<number, Value>();
        m.set(ref.index, tf.scalar(s, "string"));
        feeds.set(ref.node, m);
      }
      const t = targets.map((n) => this.tensorRef(body, n).node);
      try {
        await executeBody(body, run, { feeds, fetches: [], targets: t });
      } catch (e) {
        throw new Error(`${what} (${targets.join(", ")}) failed: ${(e as Error).message}`, { cause: e });
      }
    } finally {
      disposeConverterContext(run.converterCtx, new Set());
      endScopeSafely(run.pinnedThisRun);
      if (tf.getBackend() !== this.backend) await tf.setBackend(this.backend);
    }
  }

  signatures(): SignatureInfo[] {
    return Object.entries(this.sigs)
      .filter(([k]) => k !== INIT_OP_SIGNATURE_KEY)
      .map(([key, s]) => ({
        key,
        method: s.methodName ?? "",
        inputs: tensorSpecs(s.inputs ?? {}, this.state.program.mainBody()),
        outputs: tensorSpecs(s.outputs ?? {}, this.state.program.mainBody()),
        defaults: Object.keys(s.defaults ?? {}).sort(),
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private signature(key: string): ISignatureDef {
    const s = this.sigs[key];
    if (!s)
      throw new Error(
        `no signature "${key}"; the model has ${
          Object.keys(this.sigs)
            .filter((k) => k !== INIT_OP_SIGNATURE_KEY)
            .join(", ") || "none"
        }`,
      );
    return s;
  }

  /** Ops reachable from the signature (through function calls and control flow) that have no kernel. */
  missingOps(key: string): MissingOp[] {
    return [...this.signatureReach(key).entries()]
      .filter(([op]) => !this.state.kernels[op])
      .map(([op, nodes]) => ({
        op,
        nodes,
        ...(KNOWN_CUSTOM_OP.test(op) ? { custom: true } : {}),
        ...(NOT_SERVING_OPS[op] ? { why: NOT_SERVING_OPS[op] } : {}),
      }))
      .sort((a, b) => (a.op < b.op ? -1 : 1));
  }

  /**
   * Ops the signature reaches that the executor refuses by design, with why: checkpoint writes and reads
   * at a path given at run time (the on-device training `save`/`restore` signatures), files, processes.
   * run() refuses such a signature before running anything (no variable is touched).
   */
  refusedOps(key: string): RefusedOp[] {
    return [...this.signatureReach(key).entries()]
      .flatMap(([op, nodes]) => {
        const why = REFUSED_IN_SIGNATURES[op] ?? (this.state.kernels[op]?.unsafe ? UNSAFE_OPS[op] : undefined);
        return why ? [{ op, nodes, why }] : [];
      })
      .sort((a, b) => (a.op < b.op ? -1 : 1));
  }

  /**
   * Every op a run of the signature reaches: from its fetches and the init op (not the saver's restore, which
   * reads the export's own variables/ at load), through function calls and control flow.
   */
  private signatureReach(key: string): Map<string, string[]> {
    const { fetches, fed } = this.signatureRoots(key);
    const restore = this.metaGraph.shell.saverDef?.restoreOpName;
    const init = this.initTargets
      .filter((n) => n !== restore)
      .map((n) => this.tensorRef(this.state.program.mainBody(), n).node);
    return this.reachableOps([...fetches, ...init], fed);
  }

  private signatureRoots(key: string): { fetches: number[]; fed: Set<number> } {
    const sig = this.signature(key);
    const main = this.state.program.mainBody();
    const fetches = tensorSpecs(sig.outputs ?? {}, main).flatMap((o) =>
      (o.sparse ? [o.sparse.indices, o.sparse.values, o.sparse.denseShape] : [o.name]).map(
        (n) => this.tensorRef(main, n).node,
      ),
    );
    const fed = new Set<number>();
    for (const t of Object.values(sig.inputs ?? {})) {
      if (t.name) fed.add(this.tensorRef(main, t.name).node);
      const c = t.cooSparse;
      for (const n of [c?.indicesTensorName, c?.valuesTensorName, c?.denseShapeTensorName])
        if (n) fed.add(this.tensorRef(main, n).node);
    }
    return { fetches, fed };
  }

  /** Every op reachable from `roots` (not past fed nodes), through function calls and control flow, with its nodes. */
  reachableOps(roots: number[], fed: Set<number>): Map<string, string[]> {
    // missingOps and refusedOps (and the host's own missingOps call) walk the same roots: walk once.
    const cacheKey = `${roots.join(",")}|${[...fed].sort((x, y) => x - y).join(",")}`;
    const cached = this.reachCache.get(cacheKey);
    if (cached) return cached;
    const found = this.walkReachable(roots, fed);
    this.reachCache.set(cacheKey, found);
    return found;
  }

  private readonly reachCache = new Map<string, Map<string, string[]>>();

  private walkReachable(roots: number[], fed: Set<number>): Map<string, string[]> {
    const program = this.state.program;
    const main = program.mainBody();
    const found = new Map<string, string[]>();
    const seenFns = new Set<string>();
    // Iterative (a work list, not recursion): a chain of 100,000 nested function calls must not overflow the stack.
    const work: { body: Body; nodes: Iterable<number> }[] = [{ body: main, nodes: neededNodes(main, roots, fed) }];
    while (work.length) {
      const { body, nodes } = work.pop()!;
      for (const n of nodes) {
        if (fed.has(n) && !body.isFunction) continue;
        const node = body.nodes[n];
        const fnNames: string[] = [];
        for (const a of Object.values(node.attrs)) {
          if (a.func?.name) fnNames.push(a.func.name);
          for (const f of a.list?.func ?? []) if (f.name) fnNames.push(f.name);
        }
        if (program.functions.has(node.op)) fnNames.push(node.op);
        else {
          const list = found.get(node.op) ?? [];
          list.push(body.name ? `${body.name}/${node.name}` : node.name);
          found.set(node.op, list);
        }
        for (const f of fnNames) {
          const chosen = program.selectImplementation(f);
          if (seenFns.has(chosen) || !program.functions.has(chosen)) continue;
          seenFns.add(chosen);
          const fb = program.walkBody(chosen);
          work.push({
            body: fb,
            nodes: neededNodes(fb, [...fb.rets.map((r) => r.node), ...fb.controlRets], new Set()),
          });
        }
      }
    }
    return found;
  }

  async run(key: string, feeds: Record<string, DecodedTensor>, opts: RunOptions = {}): Promise<RunResult> {
    if (this.disposed) throw new Error("session is disposed");
    const sig = this.signature(key);
    const missing = this.missingOps(key);
    if (missing.length) throw new MissingOpsError(key, missing);
    const refused = this.refusedOps(key);
    if (refused.length) throw new RefusedOpsError(key, refused);
    if (this.initError)
      throw new Error(`the model did not load completely: ${this.initError.message}`, { cause: this.initError });
    for (const [k, t] of Object.entries(sig.inputs ?? {})) {
      if (!t.name && !t.cooSparse)
        throw new Error(`input "${k}" is a composite tensor; the executor feeds dense and COO sparse tensors only`);
    }
    if (this.backend !== tf.getBackend()) await useBackend(this.backend);
    const body = this.state.program.mainBody();
    const inputs = tensorSpecs(sig.inputs ?? {}, body);
    const outputs = tensorSpecs(sig.outputs ?? {}, body);
    for (const k of Object.keys(feeds)) {
      const part = SPARSE_PART.exec(k);
      if (part && inputs.some((i) => i.key === part[1] && i.sparse)) continue;
      if (!inputs.some((i) => i.key === k))
        throw new Error(
          `signature "${key}" has no input "${k}" (inputs: ${inputs.map((i) => i.key).join(", ") || "none"})`,
        );
    }
    const run = this.newRun(opts.signal, opts.profile);
    const t0 = performance.now();
    tf.engine().startScope();
    try {
      const feedMap = new Map<number, Map<number, Value>>();
      const feedAt = (name: string, t: Value) => {
        const ref = this.tensorRef(body, name);
        const m = feedMap.get(ref.node) ?? new Map<number, Value>();
        m.set(ref.index, t);
        feedMap.set(ref.node, m);
      };
      // Two signature keys may name one tensor (a TF1 export's aliased inputs): one of them feeds it.
      const fedBy = new Map<string, string>();
      for (const spec of inputs) {
        if (!spec.name || !feeds[spec.key]) continue;
        const other = fedBy.get(spec.name);
        if (other && !sameTensor(feeds[other], feeds[spec.key]))
          throw new Error(
            `inputs "${other}" and "${spec.key}" name the same tensor ${spec.name} but were given different values; give only one of them`,
          );
        if (!other) fedBy.set(spec.name, spec.key);
      }
      for (const spec of inputs) {
        if (!feeds[spec.key] && spec.name && fedBy.has(spec.name)) continue;
        // SignatureDef.defaults (TF 2.13+) stand in for inputs that are not given.
        const defProto = sig.defaults?.[spec.key];
        const d = feeds[spec.key] ?? (defProto ? tensorFromProto(defProto, "saved_model.pb") : undefined);
        if (spec.sparse) {
          const warn = (m: string) => this.state.warn(m);
          // Fed as its component tensors (key/indices, key/values, key/dense_shape), as TF feeds the
          // TensorInfo's three tensor names; or as a dense tensor, every element present.
          const parts = sparseParts(spec.key, feeds);
          if (parts) {
            checkSparseParts(spec.key, parts);
            feedAt(
              spec.sparse.indices,
              toTfTensor({ ...parts.indices, dtype: 9 }, warn, `input "${spec.key}/indices"`),
            );
            feedAt(
              spec.sparse.values,
              toTfTensor({ ...parts.values, dtype: spec.dtype }, warn, `input "${spec.key}/values"`),
            );
            feedAt(
              spec.sparse.denseShape,
              toTfTensor({ ...parts.denseShape, dtype: 9 }, warn, `input "${spec.key}/dense_shape"`),
            );
            continue;
          }
          if (!d)
            throw new Error(
              `input "${spec.key}" (sparse, ${dtypeShortName(spec.dtype)}) was not given: feed ${spec.key}/indices, ${spec.key}/values and ${spec.key}/dense_shape, or a dense tensor`,
            );
          const coo = denseToCoo(d);
          feedAt(spec.sparse.indices, toTfTensor(coo.indices, warn, `input "${spec.key}" indices`));
          feedAt(spec.sparse.values, toTfTensor({ ...coo.values, dtype: spec.dtype }, warn, `input "${spec.key}"`));
          feedAt(spec.sparse.denseShape, toTfTensor(coo.denseShape, warn, `input "${spec.key}" shape`));
          continue;
        }
        const ref = this.tensorRef(body, spec.name);
        if (!d) {
          if (body.nodes[ref.node].op === "PlaceholderWithDefault") continue;
          throw new Error(`input "${spec.key}" (${spec.name}, ${dtypeShortName(spec.dtype)}) was not given`);
        }
        checkFeed(spec, d, (m) => this.state.warn(m));
        const t = toTfTensor(
          { ...d, dtype: d.dtype === spec.dtype ? d.dtype : spec.dtype, values: d.values },
          (m) => this.state.warn(m),
          `input "${spec.key}"`,
        );
        const m = feedMap.get(ref.node) ?? new Map<number, Value>();
        m.set(ref.index, t);
        feedMap.set(ref.node, m);
      }
      const extra: string[] = [];
      const tapKeys: string[] = [];
      for (const name of opts.fetchIntermediates ?? []) {
        if (body.byName.has(name.replace(/:\d+$/, ""))) extra.push(name);
        else {
          this.addTap(run, name);
          tapKeys.push(name);
        }
      }
      // Sparse outputs are fetched as their three tensors and reported as key/indices, key/values, key/dense_shape.
      const outNames: { key: string; name: string; dtype: number }[] = outputs.flatMap((o) =>
        o.sparse
          ? [
              { key: `${o.key}/indices`, name: o.sparse.indices, dtype: 9 },
              { key: `${o.key}/values`, name: o.sparse.values, dtype: o.dtype },
              { key: `${o.key}/dense_shape`, name: o.sparse.denseShape, dtype: 9 },
            ]
          : [{ key: o.key, name: o.name, dtype: o.dtype }],
      );
      const fetches = [
        ...outNames.map((o) => this.tensorRef(body, o.name)),
        ...extra.map((n) => this.tensorRef(body, n)),
      ];
      const vals = await executeBody(body, run, { feeds: feedMap, fetches });
      const out: Record<string, DecodedTensor> = {};
      const read = async (v: Value, dtype: number, what: string): Promise<DecodedTensor> => {
        let t = v;
        if (t instanceof RefVar) {
          const slot = this.state.vars.get(t.key);
          if (!slot?.value) throw new Error(`${what}: variable ${t.creator} is uninitialized`);
          t = slot.value;
        }
        if (!isTensor(t)) throw new Error(`${what} is not a tensor (${String(t)})`);
        return fromTfTensor(t, dtype);
      };
      for (let i = 0; i < outNames.length; i++)
        out[outNames[i].key] = await read(vals[i], outNames[i].dtype, `output "${outNames[i].key}"`);
      let intermediates: Record<string, DecodedTensor> | undefined;
      if (extra.length) {
        intermediates = {};
        for (let i = 0; i < extra.length; i++) {
          const v = vals[outNames.length + i];
          intermediates[extra[i]] = await read(v, isTensor(v) ? dtypeFromTfjs(v.dtype) : 0, extra[i]);
        }
      }
      for (const k of tapKeys) {
        const v = run.tapped?.get(k);
        intermediates ??= {};
        if (v === undefined) this.state.warn(`intermediate "${k}" was not computed (its node did not run)`);
        else intermediates[k] = await read(v, isTensor(v) ? dtypeFromTfjs(v.dtype) : 0, k);
      }
      const execMs = performance.now() - t0;
      return {
        outputs: out,
        intermediates,
        timings: { loadMs: this.loadMs, restoreInitMs: this.restoreInitMs, execMs },
        warnings: [...this.state.runWarnings, ...cpuFallbackWarning(run.cpuFallback, this.backend)],
        profile: run.profile,
        nodesExecuted: run.nodesExecuted,
      };
    } finally {
      disposeConverterContext(run.converterCtx, new Set());
      endScopeSafely(run.pinnedThisRun);
      if (tf.getBackend() !== this.backend) await tf.setBackend(this.backend);
    }
  }

  /** Registers "<function>/<node>:<index>" as a tensor to capture during the run. */
  private addTap(run: RunState, name: string): void {
    const m = /^(.*?)(?::(\d+))?$/.exec(name)!;
    const path = m[1];
    const index = Number(m[2] ?? 0);
    const program = this.state.program;
    let fn: string | undefined;
    for (const f of program.functions.keys()) if (path.startsWith(f + "/") && (!fn || f.length > fn.length)) fn = f;
    if (!fn) throw new Error(`intermediate "${name}": no node "${path}" in the graph and no library function prefix`);
    const b = program.functionBody(fn);
    const n = b.byName.get(path.slice(fn.length + 1));
    if (n === undefined)
      throw new Error(`intermediate "${name}": function "${fn}" has no node "${path.slice(fn.length + 1)}"`);
    run.taps ??= new Map();
    const byNode = run.taps.get(fn) ?? new Map<number, { index: number; key: string }[]>();
    byNode.set(n, [...(byNode.get(n) ?? []), { index, key: name }]);
    run.taps.set(fn, byNode);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.state.dispose();
    // Per-node caches hold pinned tensors: decoded Consts and folded conv weights.
    for (const b of this.state.program.compiledBodies()) {
      for (const n of b.nodes) {
        const c = n.cache.const as tf.Tensor | undefined;
        if (c && !c.isDisposed) c.dispose();
        const f = n.cache.folded as { filter: tf.Tensor; bias: tf.Tensor } | undefined;
        if (f) {
          f.filter.dispose();
          f.bias.dispose();
        }
        delete n.cache.const;
        delete n.cache.folded;
      }
    }
  }
}

function sameTensor(a: DecodedTensor, b: DecodedTensor): boolean {
  if (a.shape.join() !== b.shape.join() || a.values.length !== b.values.length) return false;
  const av = a.values as ArrayLike<unknown>;
  const bv = b.values as ArrayLike<unknown>;
  for (let i = 0; i < av.length; i++) {
    const x = av[i];
    const y = bv[i];
    if (x instanceof Uint8Array && y instanceof Uint8Array) {
      if (x.length !== y.length || x.some((c, j) => c !== y[j])) return false;
    } else if (Number(x) !== Number(y)) return false;
  }
  return true;
}

const SPARSE_PART = /^(.*)\/(indices|values|dense_shape)$/;

interface SparseParts {
  indices: DecodedTensor;
  values: DecodedTensor;
  denseShape: DecodedTensor;
}

/** The three component feeds of sparse input `key`, or undefined when none is given (all or none). */
function sparseParts(key: string, feeds: Record<string, DecodedTensor>): SparseParts | undefined {
  const [indices, values, denseShape] = ["indices", "values", "dense_shape"].map((p) => feeds[`${key}/${p}`]);
  if (!indices && !values && !denseShape) return undefined;
  if (!indices || !values || !denseShape)
    throw new Error(`sparse input "${key}" needs all of ${key}/indices, ${key}/values and ${key}/dense_shape`);
  return { indices, values, denseShape };
}

/** TF's SparseTensor checks: indices [N, rank], values [N], dense_shape [rank], every index inside the shape. */
function checkSparseParts(key: string, p: SparseParts): void {
  const [n, rank] = p.indices.shape.length === 2 ? p.indices.shape : [NaN, NaN];
  if (!(n >= 0)) throw new Error(`${key}/indices must be a matrix [N, rank], got [${p.indices.shape.join(", ")}]`);
  if (p.values.shape.length !== 1 || p.values.shape[0] !== n)
    throw new Error(`${key}/values must be [${n}] (one per index row), got [${p.values.shape.join(", ")}]`);
  if (p.denseShape.shape.length !== 1 || p.denseShape.shape[0] !== rank)
    throw new Error(`${key}/dense_shape must be [${rank}], got [${p.denseShape.shape.join(", ")}]`);
  if (Array.isArray(p.indices.values) || Array.isArray(p.denseShape.values))
    throw new Error(`${key}/indices and ${key}/dense_shape must be integers`);
  const shape = Array.from(p.denseShape.values as ArrayLike<number | bigint>, Number);
  const idx = Array.from(p.indices.values as ArrayLike<number | bigint>, Number);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < rank; d++) {
      const v = idx[i * rank + d];
      if (!Number.isInteger(v) || v < 0 || v >= shape[d])
        throw new Error(
          `${key}/indices row ${i} = [${idx.slice(i * rank, i * rank + rank).join(", ")}] is outside dense_shape [${shape.join(", ")}]`,
        );
    }
}

/** A dense tensor as a COO sparse tensor with every element present (row-major indices). */
export function denseToCoo(d: DecodedTensor): {
  indices: DecodedTensor;
  values: DecodedTensor;
  denseShape: DecodedTensor;
} {
  const rank = d.shape.length;
  const n = d.shape.reduce((a, b) => a * b, 1);
  const idx = new BigInt64Array(n * rank);
  const pos = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < rank; r++) idx[i * rank + r] = BigInt(pos[r]);
    for (let r = rank - 1; r >= 0; r--) {
      if (++pos[r] < d.shape[r]) break;
      pos[r] = 0;
    }
  }
  return {
    indices: { dtype: 9, shape: [n, rank], values: idx },
    values: { dtype: d.dtype, shape: [n], values: d.values },
    denseShape: { dtype: 9, shape: [rank], values: BigInt64Array.from(d.shape, (x) => BigInt(x)) },
  };
}

function dtypeFromTfjs(d: string): number {
  return d === "float32" ? 1 : d === "int32" ? 3 : d === "bool" ? 10 : d === "string" ? 7 : d === "complex64" ? 8 : 0;
}

/**
 * Dtype must convert; the shape need not match the declared one. TensorFlow's C runtime (TF Serving,
 * tfjs-node, the C/Java/Go APIs) feeds whatever shape it is given and lets the kernels decide; only
 * Python's session.run / signatures[...] check it. We run, and warn.
 */
function checkFeed(spec: TensorSpec, d: DecodedTensor, warn: (m: string) => void): void {
  const want = tfjsDtype(spec.dtype);
  const got = tfjsDtype(d.dtype);
  if (want !== got && !(want !== "string" && got !== "string" && want && got)) {
    throw new Error(`input "${spec.key}" expects ${dtypeShortName(spec.dtype)}, got ${dtypeShortName(d.dtype)}`);
  }
  if (want === "string" && !Array.isArray(d.values)) throw new Error(`input "${spec.key}" expects strings`);
  if (spec.shape) {
    const ok = spec.shape.length === d.shape.length && spec.shape.every((s, i) => s < 0 || s === d.shape[i]);
    if (!ok)
      warn(
        `input "${spec.key}" is declared [${spec.shape.join(", ")}] but was fed [${d.shape.join(", ")}]; ` +
          `running it as TensorFlow's C runtime (TF Serving, tfjs-node) does — Python's session.run would refuse it`,
      );
  }
}

/** "ops ran on the tfjs-cpu fallback: StringSplitV2 ×2, ..." — wasm lacks them, or they take strings. */
function cpuFallbackWarning(ops: Map<string, number> | undefined, backend: string): string[] {
  if (!ops?.size || backend === "cpu") return [];
  const list = [...ops.entries()].sort((a, b) => b[1] - a[1]).map(([op, n]) => (n > 1 ? `${op} ×${n}` : op));
  return [`ops on the tfjs-cpu fallback (the ${backend} backend lacks them or they take strings): ${list.join(", ")}`];
}

export async function loadSession(fs: FileAccess, opts: LoadOptions = {}): Promise<Session> {
  return Session.load(fs, opts);
}
