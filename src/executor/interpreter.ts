/**
 * The graph interpreter: runs a compiled body (top-level graph or library function) for a set of
 * fetches, pruned to what they need, in topological order. Value slots are reference-counted so
 * intermediate tensors are freed as soon as their last consumer has run. Bodies with TF1 control
 * flow (Switch/Merge/Enter/Exit/NextIteration) go to the dynamic scheduler in tf1flow.ts.
 */
import * as tf from "@tensorflow/tfjs-core";
import { DataType } from "../savedmodel/dtypes.js";
import { neededNodes, type Body, type CNode, type NodeInput } from "./graph.js";
import { NodeError, type KernelDef, type OpContext, type ProfileEntry, type RunState } from "./kernel.js";
import { checkAllocation, checkMemoryBudget } from "./guards.js";
import { pruneDisposedFromScope } from "./tfjs/scope.js";
import { CPU_ROUTED, NOT_REGISTERED } from "./tfjs/runtime.js";
import { Dead, RefVar, describeValue, isTensor, type Value } from "./values.js";

export interface ExecRequest {
  /** Function arguments (for function bodies). */
  args?: Value[];
  /** Fed tensors: node index → output index → value. A fed node is not executed. */
  feeds?: Map<number, Map<number, Value>>;
  fetches: NodeInput[];
  /** Nodes run for their effects (init ops, control rets). */
  targets?: number[];
}

interface Plan {
  order: number[];
  uses: number[][];
  fed: Set<number>;
}

const plans = new WeakMap<Body, Map<string, Plan>>();

export class AbortError extends Error {
  constructor(msg = "run cancelled") {
    super(msg);
    this.name = "AbortError";
  }
}

function planKey(req: ExecRequest): string {
  const f = req.feeds ? [...req.feeds.entries()].map(([n, m]) => `${n}:${[...m.keys()].join(".")}`).join(",") : "";
  return `${req.fetches.map((x) => `${x.node}:${x.index}`).join(",")}|${(req.targets ?? []).join(",")}|${f}`;
}

function makePlan(body: Body, req: ExecRequest): Plan {
  const fed = new Set(req.feeds?.keys() ?? []);
  const roots = [...req.fetches.map((f) => f.node), ...(req.targets ?? [])];
  const needed = neededNodes(body, roots, fed);
  // Kahn's algorithm over data + control edges among needed nodes.
  const indeg = new Map<number, number>();
  const outs = new Map<number, number[]>();
  for (const n of needed) {
    indeg.set(n, 0);
  }
  for (const n of needed) {
    if (fed.has(n)) continue;
    const node = body.nodes[n];
    const preds = new Set<number>();
    for (const i of node.inputs) if (i.node >= 0) preds.add(i.node);
    for (const c of node.control) preds.add(c);
    for (const p of preds) {
      indeg.set(n, indeg.get(n)! + 1);
      let o = outs.get(p);
      if (!o) outs.set(p, (o = []));
      o.push(n);
    }
  }
  const ready: number[] = [];
  for (const [n, d] of indeg) if (d === 0) ready.push(n);
  ready.sort((a, b) => b - a);
  const order: number[] = [];
  while (ready.length) {
    const n = ready.pop()!;
    order.push(n);
    for (const m of outs.get(n) ?? []) {
      const d = indeg.get(m)! - 1;
      indeg.set(m, d);
      if (d === 0) ready.push(m);
    }
  }
  if (order.length !== needed.size) {
    const stuck = [...needed]
      .filter((n) => !order.includes(n))
      .slice(0, 5)
      .map((n) => body.nodes[n].name);
    throw new Error(
      `${body.name ? `function "${body.name}"` : "graph"} has a cycle through ${stuck.join(", ")} (TF1 loops need NextIteration/Merge)`,
    );
  }
  const uses: number[][] = [];
  const use = (i: NodeInput) => {
    if (i.node < 0) return;
    const u = (uses[i.node] ??= []);
    u[i.index] = (u[i.index] ?? 0) + 1;
  };
  for (const n of order) if (!fed.has(n)) for (const i of body.nodes[n].inputs) use(i);
  for (const f of req.fetches) use(f);
  return { order: order.filter((n) => !fed.has(n)), uses, fed };
}

/** Adds a slot holding `v`. */
export function hold(run: RunState, v: Value | undefined): void {
  if (v instanceof tf.Tensor) run.live.set(v, (run.live.get(v) ?? 0) + 1);
}

/** Releases a slot holding `v`; disposes the tensor when no slot holds it and nothing owns it. */
export function release(run: RunState, v: Value | undefined, dispose = true): void {
  if (!(v instanceof tf.Tensor)) return;
  const c = (run.live.get(v) ?? 1) - 1;
  if (c > 0) {
    run.live.set(v, c);
    return;
  }
  run.live.delete(v);
  if (dispose && !run.session.pinned.has(v) && !(v as unknown as { kept?: boolean }).kept && !v.isDisposed) v.dispose();
}

/** Calls of checkAbort between two measurements of the memory budget. */
const BUDGET_EVERY = 64;
let budgetTick = 0;

export function checkAbort(run: RunState): void {
  if (run.signal?.aborted)
    throw new AbortError(typeof run.signal.reason === "string" ? run.signal.reason : "run cancelled");
  if (++budgetTick % BUDGET_EVERY === 0) {
    pruneDisposedFromScope();
    try {
      checkMemoryBudget(run.session.maxMemoryBytes);
    } catch (e) {
      throw new AbortError((e as Error).message);
    }
  }
  const bytes = tf.memory().numBytes;
  if (bytes > run.session.maxTensorBytes) {
    throw new AbortError(
      `the run holds ${(bytes / 2 ** 20).toFixed(0)} MiB of tensors, over the limit of ${(run.session.maxTensorBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  }
}

export function lookupKernel(run: RunState, node: CNode): KernelDef | undefined {
  let k = node.cache.kernel as KernelDef | undefined;
  if (!k) {
    k = run.session.kernels[node.op];
    if (!k && run.session.program.functions.has(node.op)) k = run.session.kernels["__function_call__"];
    if (k) node.cache.kernel = k;
  }
  return k;
}

/** Resolves ref variables to their current value (TF1 reads). */
export function derefValue(run: RunState, v: Value, node: CNode): Value {
  if (!(v instanceof RefVar)) return v;
  const slot = run.session.vars.get(v.key);
  if (!slot?.value) throw new Error(`Attempting to use uninitialized value ${v.creator}`);
  return slot.value;
}

const INT64_GUARD = new Set([
  "Mul",
  "Add",
  "AddV2",
  "Sub",
  "Sum",
  "Prod",
  "MatMul",
  "BatchMatMulV2",
  "Cumsum",
  "AddN",
  "Square",
  "Pow",
  "Neg",
]);

/** tfjs computes int64 as int32 and wraps silently; recompute int64 arithmetic in float32 to detect overflow. */
async function guardInt64(c: OpContext, kernel: KernelDef, out: Value[]): Promise<void> {
  const t = c.attrs["T"]?.type;
  if (Number(t) !== DataType.DT_INT64 || !INT64_GUARD.has(c.node.op)) return;
  const asFloat = c.inputs.map((v) => (isTensor(v) && v.dtype === "int32" ? tf.cast(v, "float32") : v));
  try {
    const r = await kernel.run({ ...c, inputs: asFloat });
    for (let i = 0; i < r.length; i++) {
      const f = r[i];
      if (!isTensor(f)) continue;
      const m = (await tf.max(tf.abs(f)).data())[0];
      if (m > 2147483647) {
        const got = isTensor(out[i]) ? Array.from((await (out[i] as tf.Tensor).data()).slice(0, 4)).join(", ") : "?";
        c.run.session.warn(
          `node "${c.node.name}" (${c.node.op}, int64): a value reaches ${m.toExponential(3)}, beyond int32; tfjs computes int64 as int32 and the result wrapped (first values: ${got})`,
        );
      }
    }
    for (const f of r) if (isTensor(f) && !out.includes(f)) f.dispose();
  } finally {
    for (let i = 0; i < asFloat.length; i++)
      if (asFloat[i] !== c.inputs[i] && isTensor(asFloat[i])) (asFloat[i] as tf.Tensor).dispose();
  }
}

/** A float cast to int64 is computed as int32: warn when a value does not fit. */
async function guardCastInt64(c: OpContext): Promise<void> {
  const x = c.inputs[0];
  if (!isTensor(x) || x.dtype !== "float32" || x.size === 0) return;
  const m = tf.tidy(() => tf.max(tf.abs(x)));
  const v = (await m.data())[0];
  m.dispose();
  if (v > 2147483647) {
    c.run.session.warn(
      `node "${c.node.name}" (Cast to int64): a value reaches ${v.toExponential(3)}, beyond int32; tfjs computes int64 as int32, so the result is wrong`,
    );
  }
}

/** Runs one node: kernel lookup, input deref, error wrapping, optional profiling. */
export async function runNode(body: Body, node: CNode, inputs: Value[], run: RunState): Promise<Value[]> {
  const fail = (detail: string, cause?: unknown): NodeError =>
    new NodeError(node.name, node.op, body.name, inputs.map(describeValue), detail, { cause });
  if (node.brokenInput) throw fail(node.brokenInput);
  const kernel = lookupKernel(run, node);
  if (!kernel) throw fail(`no kernel for op ${node.op}`);
  if (!kernel.refInputs) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i] instanceof RefVar) {
        try {
          inputs[i] = derefValue(run, inputs[i], node);
        } catch (e) {
          throw fail((e as Error).message, e);
        }
      }
    }
  }
  // The one allocation check: every op family's output size, from input shapes/values/attrs, before the kernel.
  try {
    await checkAllocation(node.op, inputs, node.attrs, run.session);
  } catch (e) {
    throw fail((e as Error).message, e);
  }
  const ctx: OpContext = { node, body, attrs: node.attrs, inputs, run };
  const t0 = run.profile ? performance.now() : 0;
  let out: Value[];
  try {
    // tfjs does not fall back by itself: ops wasm lacks (and wasm's thin string support) go to
    // tfjs-cpu. Backends switch lazily, only when a compute op needs the other one.
    if (kernel.compute && run.backend !== "cpu") {
      const needCpu = CPU_ROUTED.has(node.op) || inputs.some((v) => isTensor(v) && v.dtype === "string");
      const want = needCpu ? "cpu" : run.backend;
      if (needCpu) (run.cpuFallback ??= new Map()).set(node.op, (run.cpuFallback.get(node.op) ?? 0) + 1);
      if (tf.getBackend() !== want) await tf.setBackend(want);
    }
    try {
      const r = kernel.run(ctx);
      out = r instanceof Promise ? await r : r;
    } catch (e) {
      if (tf.getBackend() === "cpu" || !NOT_REGISTERED.test(String((e as Error)?.message))) throw e;
      CPU_ROUTED.add(node.op);
      (run.cpuFallback ??= new Map()).set(node.op, (run.cpuFallback.get(node.op) ?? 0) + 1);
      await tf.setBackend("cpu");
      const r = kernel.run(ctx);
      out = r instanceof Promise ? await r : r;
    }
    if (Number(node.attrs["T"]?.type) === DataType.DT_INT64) await guardInt64(ctx, kernel, out);
    else if (node.op === "Cast" && Number(node.attrs["DstT"]?.type) === DataType.DT_INT64) await guardCastInt64(ctx);
  } catch (e) {
    if (e instanceof NodeError || e instanceof AbortError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw fail(msg, e);
  }
  if (run.profile) {
    const entry: ProfileEntry = { node: node.name, op: node.op, fn: body.name, ms: performance.now() - t0 };
    if (kernel.calls) entry.inclusive = true;
    run.profile.push(entry);
  }
  run.nodesExecuted++;
  // Kernels may return fewer outputs than the op declares (FusedBatchNorm's training-only outputs);
  // a consumer of a missing output fails with a message naming it.
  return out;
}

/** Keeps requested intermediate tensors of function bodies alive and records them. */
export function captureTaps(run: RunState, body: Body, n: number, out: Value[]): void {
  const taps = run.taps?.get(body.name)?.get(n);
  if (!taps) return;
  run.tapped ??= new Map();
  for (const t of taps) {
    const v = out[t.index];
    if (v === undefined) continue;
    const prev = run.tapped.get(t.key);
    hold(run, v);
    if (prev !== undefined) release(run, prev);
    run.tapped.set(t.key, v);
  }
}

/** Executes a body for the request; returns the fetched values (the caller takes over their slots). */
export async function executeBody(body: Body, run: RunState, req: ExecRequest): Promise<Value[]> {
  if (body.hasTf1Flow) {
    const { executeDynamic } = await import("./tf1flow.js");
    return executeDynamic(body, run, req);
  }
  let cache = plans.get(body);
  if (!cache) plans.set(body, (cache = new Map()));
  const key = planKey(req);
  let plan = cache.get(key);
  if (!plan) {
    plan = makePlan(body, req);
    cache.set(key, plan);
  }
  const args = req.args ?? [];
  const vals: (Value[] | undefined)[] = new Array(body.nodes.length);
  const rem: number[][] = plan.uses.map((u) => (u ? u.slice() : u));
  for (const [n, m] of req.feeds ?? []) {
    const arr: Value[] = [];
    for (const [i, v] of m) {
      arr[i] = v;
      hold(run, v);
    }
    vals[n] = arr;
  }
  const get = (i: NodeInput): Value | undefined => (i.node < 0 ? args[-1 - i.node] : vals[i.node]?.[i.index]);
  let k = 0;
  for (const n of plan.order) {
    if ((++k & 31) === 0) checkAbort(run);
    const node = body.nodes[n];
    const inputs: Value[] = new Array(node.inputs.length);
    for (let j = 0; j < node.inputs.length; j++) {
      const v = get(node.inputs[j]);
      if (v === undefined) {
        const src = node.inputs[j];
        const what = src.node < 0 ? `argument ${-1 - src.node}` : `"${body.nodes[src.node].name}:${src.index}"`;
        throw new NodeError(
          node.name,
          node.op,
          body.name,
          [],
          `input ${j} (${what}) was not computed (the producer has fewer outputs or was fed partially)`,
        );
      }
      inputs[j] = v;
    }
    const out = await runNode(body, node, inputs, run);
    vals[n] = out;
    if (run.taps) captureTaps(run, body, n, out);
    const u = rem[n];
    for (let i = 0; i < out.length; i++) {
      hold(run, out[i]);
      if (!u || !u[i]) release(run, out[i]);
    }
    for (const i of node.inputs) {
      if (i.node < 0) continue;
      const r = rem[i.node];
      if (--r[i.index] === 0) release(run, vals[i.node]![i.index]);
    }
  }
  const result: Value[] = req.fetches.map((f) => {
    const v = get(f);
    if (v === undefined) {
      const what = f.node < 0 ? `argument ${-1 - f.node}` : `"${body.nodes[f.node].name}:${f.index}"`;
      throw new Error(`${body.name ? `function "${body.name}"` : "graph"}: fetched tensor ${what} was not produced`);
    }
    return v;
  });
  // Hand the fetched slots over to the caller (it holds them next).
  for (const f of req.fetches) if (f.node >= 0) release(run, vals[f.node]![f.index], false);
  return result;
}

export { Dead };
