/**
 * Turning an executor RunResult / error into what the run webview shows: outputs on the wire with
 * statistics and histogram, the error with its node/op/function, the per-node and per-op profile.
 * Pure (no vscode), tested in Node.
 */
import type { RunResult } from "../../executor/session.js";
import type { ExecutorError } from "../../executor/workerClient.js";
import { tensorStats, type DecodedTensor } from "../../savedmodel/tensor.js";
import { dtypeShortName } from "../../savedmodel/dtypes.js";
import type { ProfileRow, RunError, RunOutputResult, RunResultState } from "../../protocol/run.js";
import { toWire } from "../../protocol/tensorWire.js";
import { histogram } from "../../shared/histogram.js";

/** Outputs with more values than this are sent to the webview cut (the full tensor stays on the host for saving). */
export const MAX_WIRE_VALUES = 4 * 1024 * 1024;

export function outputResult(key: string, t: DecodedTensor): RunOutputResult {
  const { wire, truncated } = toWire(t, MAX_WIRE_VALUES);
  const numeric = !Array.isArray(t.values);
  return {
    key,
    tensor: wire,
    truncated,
    totalElements: t.shape.reduce((a, b) => a * b, 1),
    stats: numeric ? tensorStats(t) : undefined,
    // few values get few bins (3 values in 30 bins reads as noise)
    histogram: numeric ? histogram(t, Math.min(30, Math.max(2, Math.ceil(Math.sqrt(t.values.length) * 2)))) : undefined,
  };
}

export function runError(e: unknown): RunError {
  const err = e as ExecutorError & { missing?: { op: string; nodes: string[] }[] };
  const out: RunError = { message: err?.message ?? String(e), name: err?.name ?? "Error" };
  if (err?.node) Object.assign(out, { node: err.node, op: err.op, fn: err.fn });
  else {
    // errors thrown inside functions name the node in the message: node "x" (op Y, in function "f")
    const m = /node "([^"]+)" \(op ([^,)]+)(?:, in function "([^"]+)")?/.exec(out.message);
    if (m) Object.assign(out, { node: m[1], op: m[2], fn: m[3] ?? "" });
  }
  if (err?.name === "MissingOpsError") {
    out.missing = [...out.message.matchAll(/^ {2}(\S+?)(?: \(custom op\))?: (.+)$/gm)].map((x) => ({
      op: x[1],
      nodes: x[2].split(", "),
    }));
  }
  return out;
}

/**
 * Call and control-flow ops: their measured time includes the nodes they run, so they are not counted
 * again. The executor marks such entries `inclusive`; the op names cover profiles without the mark.
 */
export const CONTAINER_OPS =
  /^(?:(?:Stateful)?PartitionedCall|(?:Stateless)?(?:While|If)|Case|StatefulPartitionedCall|RemoteCall|For)$/;

/** Per node (summed over calls) and per op, kernels only (calls and loops excluded): the slowest nodes and the time by op type. */
export function summarizeProfile(
  entries: { node: string; op: string; fn: string; ms: number; inclusive?: boolean }[],
): NonNullable<RunResultState["profile"]> {
  const nodes = new Map<string, ProfileRow>();
  const ops = new Map<string, { op: string; ms: number; count: number }>();
  let totalMs = 0;
  for (const e of entries) {
    if (e.inclusive || CONTAINER_OPS.test(e.op)) continue;
    totalMs += e.ms;
    const k = `${e.fn}\u0000${e.node}`;
    const n = nodes.get(k) ?? { node: e.node, op: e.op, fn: e.fn, ms: 0, count: 0 };
    n.ms += e.ms;
    n.count++;
    nodes.set(k, n);
    const o = ops.get(e.op) ?? { op: e.op, ms: 0, count: 0 };
    o.ms += e.ms;
    o.count++;
    ops.set(e.op, o);
  }
  return {
    nodes: [...nodes.values()].sort((a, b) => b.ms - a.ms).slice(0, 50),
    ops: [...ops.values()].sort((a, b) => b.ms - a.ms),
    totalMs,
  };
}

/** Measured time of one node in a run, summed over its executions (loops, repeated calls). */
export interface NodeTime {
  /** Function whose body holds the node ("" = the top-level graph). */
  fn: string;
  node: string;
  op: string;
  ms: number;
  count: number;
  /** A call or functional control flow: `ms` includes the nodes it ran. */
  inclusive?: boolean;
}

/** Per-node times of a run (for colouring graph nodes by time), in first-run order. */
export function nodeTimes(r: Pick<RunResult, "profile">): NodeTime[] | undefined {
  if (!r.profile) return undefined;
  const out = new Map<string, NodeTime>();
  for (const e of r.profile) {
    const k = `${e.fn}\u0000${e.node}`;
    const t = out.get(k) ?? {
      fn: e.fn,
      node: e.node,
      op: e.op,
      ms: 0,
      count: 0,
      ...(e.inclusive ? { inclusive: true } : {}),
    };
    t.ms += e.ms;
    t.count++;
    out.set(k, t);
  }
  return [...out.values()];
}

/** Class names, one per line (trailing blank lines dropped; at most 1M lines). */
export function parseLabels(bytes: Uint8Array): string[] {
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  return lines.slice(0, 1_000_000).map((l) => l.trim());
}

const SIZE: Record<number, number> = {
  1: 4,
  2: 8,
  3: 4,
  4: 1,
  5: 2,
  6: 1,
  9: 8,
  10: 1,
  14: 2,
  17: 2,
  19: 2,
  22: 4,
  23: 8,
};

/** Inputs fed with another dtype than the signature's (e.g. a float64 .npy for a float32 input): converted, maybe narrowed. */
export function feedDtypeNotes(
  specs: { key: string; dtype: number }[],
  feeds: Record<string, DecodedTensor>,
): string[] {
  const out: string[] = [];
  for (const [key, t] of Object.entries(feeds)) {
    const spec = specs.find((s) => s.key === key);
    if (!spec || spec.dtype === t.dtype || !spec.dtype) continue;
    const narrower = (SIZE[spec.dtype] ?? 8) < (SIZE[t.dtype] ?? 0);
    out.push(
      `input "${key}": ${dtypeShortName(t.dtype)} values were converted to the signature's ${dtypeShortName(spec.dtype)}${narrower ? " (narrowed: precision or range may be lost)" : ""}`,
    );
  }
  return out;
}
