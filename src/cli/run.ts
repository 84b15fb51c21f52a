/**
 * `savedmodel run DIR --tag_set T --signature_def K [--inputs ...] [--input_exprs ...] [--input_examples ...]`:
 * runs a signature with the bundled executor, with `saved_model_cli run`'s syntax. Outputs are printed
 * (numpy-like), written as .npy to --outdir, or printed as JSON. Nothing is ever written inside DIR.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { dtypeShortName } from "../savedmodel/dtypes.js";
import { NodeFileAccess } from "../savedmodel/node/nodeFileAccess.js";
import { encodeNpy } from "../savedmodel/npy.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";
import { MissingOpsError } from "../executor/missingOps.js";
import type { RunResult, SignatureInfo } from "../executor/session.js";
import { ExecutorError, ExecutorWorker } from "../executor/workerClient.js";
import { parseFlags, UsageError, type CliIO } from "./io.js";
import { feedsFromFlags } from "./feedFlags.js";
import { guardOutput, writeOutputFile } from "./output.js";
import { executorWorkerScript } from "./workerScript.js";
import { escapeControl } from "./escape.js";

/** Default of --timeout_ms: the whole run (loading, restore, init ops, execution) ends within it. */
export const DEFAULT_RUN_TIMEOUT_MS = 300_000;

export const RUN_USAGE = `usage: savedmodel run DIR --signature_def KEY [--tag_set serve] [inputs...] [options]

  DIR                       the SavedModel export folder (or --dir DIR)
  --tag_set T               comma-separated tags of the meta graph (default: serve, else the only one)
  --signature_def KEY       the signature to run (default: serving_default)
  --inputs 'k=f.npy;k2=f.npz[name];k3=f.json'   input tensors from files
                            (a sparse input k: k=f.npz holding indices, values, dense_shape;
                            or k/indices=..., k/values=..., k/dense_shape=...)
  --input_exprs 'k=[[1.0, 2.0]];k2=np.ones((2,3))' input tensors from expressions
  --input_examples 'inputs=[{"x":[1.0],"y":["a"]}]' serialized tf.Examples (classify/regress signatures)
  --outdir D                write each output as D/<key>.npy
  --overwrite               replace existing files in --outdir
  --json                    print outputs, timings and warnings as JSON (schema "savedmodel.run/1")
  --backend wasm|cpu        tfjs backend (default wasm with SIMD)
  --profile                 print the slowest nodes
  --timeout_ms N            stop after N ms: loading, restore, init ops and the run itself (default 300000;
                            the executor's worker thread is terminated, even inside a long kernel)
  --memory_mb N             the executor's memory budget: JS heap + ArrayBuffers + wasm memory (default 1536);
                            an op whose output would not fit is refused before it allocates`;

function formatTensor(t: DecodedTensor): string {
  const v = t.values;
  const flat: string[] = Array.isArray(v)
    ? v.map((b) => JSON.stringify(new TextDecoder().decode(b)))
    : Array.from(v as ArrayLike<number | bigint>, (x) =>
        typeof x === "bigint" ? x.toString() : t.dtype === 10 ? (x ? "True" : "False") : String(x),
      );
  if (t.shape.length === 0) return flat[0] ?? "";
  let i = 0;
  const rec = (d: number): string => {
    const n = t.shape[d];
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(d === t.shape.length - 1 ? flat[i++] : rec(d + 1));
    return `[${parts.join(d === t.shape.length - 1 ? " " : "\n" + " ".repeat(d + 1))}]`;
  };
  return rec(0);
}

export async function runCommand(argv: string[], rawIo: CliIO): Promise<number> {
  // CliIO writes raw text: one call here is one line.
  const io = { ...rawIo, out: (s: string) => rawIo.out(s + "\n"), err: (s: string) => rawIo.err(s + "\n") };
  const { flags, positional } = parseFlags(argv, {
    values: [
      "dir",
      "tag_set",
      "signature_def",
      "inputs",
      "input_exprs",
      "input_examples",
      "outdir",
      "backend",
      "timeout_ms",
      "memory_mb",
    ],
    booleans: ["overwrite", "json", "help", "profile"],
  });
  if (flags.help) {
    io.out(RUN_USAGE);
    return 0;
  }
  const dir = (flags.dir as string | undefined) ?? positional[0];
  if (!dir) throw new UsageError(`missing DIR\n\n${RUN_USAGE}`);
  const root = resolve(io.cwd, dir);
  const backend = (flags.backend as string | undefined) ?? "wasm";
  if (backend !== "wasm" && backend !== "cpu") throw new UsageError(`--backend must be wasm or cpu`);
  const tags = flags.tag_set
    ? String(flags.tag_set)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  const key = (flags.signature_def as string | undefined) ?? "serving_default";
  const outdir = flags.outdir ? resolve(io.cwd, String(flags.outdir)) : undefined;
  if (outdir) await guardOutput(outdir, root, { kind: "directory" });
  const timeoutMs = flags.timeout_ms === undefined ? DEFAULT_RUN_TIMEOUT_MS : Number(flags.timeout_ms);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout_ms must be a positive whole number of milliseconds`);
  const memoryMb = flags.memory_mb === undefined ? undefined : Number(flags.memory_mb);
  if (memoryMb !== undefined && !(memoryMb > 0)) throw new UsageError(`--memory_mb must be a positive number of MiB`);
  const warnings: string[] = [];
  // The executor runs in a worker thread, as in the extension: one deadline covers loading, restore, init ops and
  // the run; reaching it terminates the worker, which also ends a kernel that never yields.
  const script = await executorWorkerScript();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const worker = new ExecutorWorker(new NodeFileAccess(root), {
    script,
    timeoutMs,
    loadTimeoutMs: timeoutMs,
    onWarning: (w) => warnings.push(w),
  });
  const t0 = performance.now();
  const left = () => Math.max(1, Math.round(timeoutMs - (performance.now() - t0)));
  const timedOut = (e: unknown): never => {
    if (deadline.signal.aborted || (e instanceof ExecutorError && e.name === "TimeoutError"))
      throw new ExecutorError(
        "TimeoutError",
        `the run did not finish within --timeout_ms ${timeoutMs} (loading, restore, init ops and execution); ` +
          `the executor was stopped. Raise --timeout_ms if the model is only slow.`,
      );
    throw e;
  };
  try {
    const loaded = await worker
      .load(
        {
          tags,
          backend: backend as "wasm" | "cpu",
          ...(memoryMb ? { maxMemoryBytes: memoryMb * 2 ** 20 } : {}),
        },
        deadline.signal,
      )
      .catch(timedOut);
    const signatures: SignatureInfo[] = loaded.signatures;
    const sig = signatures.find((s) => s.key === key);
    if (!sig) throw new UsageError(`no signature "${key}"; available: ${signatures.map((s) => s.key).join(", ")}`);
    const feeds = await feedsFromFlags(flags, sig, io.cwd);
    const missing = await worker.missingOps(key, deadline.signal).catch(timedOut);
    if (missing.length) throw new MissingOpsError(key, missing);
    const r: RunResult = await worker
      .run(key, feeds, { signal: deadline.signal, profile: !!flags.profile, timeoutMs: left() })
      .catch(timedOut);
    const allWarnings = [...new Set([...warnings, ...r.warnings])];
    if (outdir) {
      mkdirSync(outdir, { recursive: true });
      for (const [k, t] of Object.entries(r.outputs)) {
        const isString = Array.isArray(t.values);
        const file = join(outdir, `${k.replace(/[^\w.-]/g, "_")}.${isString ? "json" : "npy"}`);
        const target = await guardOutput(file, root, { overwrite: !!flags.overwrite });
        // .npy has no variable-length strings: string outputs go to JSON (a nested list of strings).
        await writeOutputFile(
          target,
          isString
            ? JSON.stringify({
                shape: t.shape,
                values: (t.values as Uint8Array[]).map((b) => new TextDecoder().decode(b)),
              })
            : encodeNpy(t),
        );
        if (!flags.json) io.out(`Output ${escapeControl(k)} is saved to ${escapeControl(file)}`);
      }
    }
    if (flags.json) {
      const outputs = Object.fromEntries(
        Object.entries(r.outputs).map(([k, t]) => [
          k,
          {
            dtype: dtypeShortName(t.dtype),
            shape: t.shape,
            values: Array.isArray(t.values)
              ? t.values.map((b) => new TextDecoder().decode(b))
              : Array.from(t.values as ArrayLike<number | bigint>, (x) => (typeof x === "bigint" ? x.toString() : x)),
          },
        ]),
      );
      io.out(
        JSON.stringify(
          {
            schema: "savedmodel.run/1",
            signature: key,
            backend: loaded.backend,
            outputs,
            timings: r.timings,
            nodesExecuted: r.nodesExecuted,
            warnings: allWarnings,
          },
          null,
          2,
        ),
      );
    } else if (!outdir) {
      for (const [k, t] of Object.entries(r.outputs))
        io.out(`Result for output key ${escapeControl(k)}:\n${formatTensor(t)}`);
    }
    if (!flags.json) {
      for (const w of allWarnings) io.err(`warning: ${escapeControl(w)}`);
      if (flags.profile && r.profile) {
        // Calls (function calls, If/While) include their body's nodes: list the nodes themselves.
        const leaves = r.profile.filter((p) => !p.inclusive);
        const top = [...leaves].sort((a, b) => b.ms - a.ms).slice(0, 15);
        io.err(`slowest of ${leaves.length} nodes (excluding calls):`);
        for (const p of top)
          io.err(
            escapeControl(`  ${p.ms.toFixed(3).padStart(9)} ms  ${p.op.padEnd(24)} ${p.fn ? p.fn + "/" : ""}${p.node}`),
          );
      }
      io.err(
        `(${loaded.backend}; load ${r.timings.loadMs.toFixed(1)} ms, restore+init ${r.timings.restoreInitMs.toFixed(1)} ms, run ${r.timings.execMs.toFixed(1)} ms, ${r.nodesExecuted} nodes)`,
      );
    }
    return 0;
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}
