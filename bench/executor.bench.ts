/**
 * Executor benchmarks: per-signature median latency of every runnable fixture on wasm and cpu, the
 * interpreter's overhead per node, a MobileNetV2-sized CNN (builder-made) with GFLOP/s against this
 * machine's measured matmul peak, and restore + init of a ~100 MB checkpoint.
 * Run: npm run bench:exec  (node --import tsx bench/executor.bench.ts [--quick])
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { cnn, denseMlp } from "../src/savedmodel/builder/models.js";
import type { DecodedTensor } from "../src/savedmodel/tensor.js";
import { tensorToProto } from "../src/savedmodel/tensor.js";
import type { IGraphDef, INodeDef } from "../src/savedmodel/proto.js";
import { FIXTURES_DIR } from "../test/helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "../test/executor/helpers/bundle.js";

const quick = process.argv.includes("--quick");
type Feeds = Record<string, DecodedTensor>;
type Session = Awaited<ReturnType<ExecutorBundle["loadSession"]>>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeRuns(f: () => Promise<unknown>, budgetMs = quick ? 300 : 1500, maxRuns = 30): Promise<number> {
  await f();
  await f();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < maxRuns)) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const enc = (s: string) => new TextEncoder().encode(s);

function feedsFor(
  X: ExecutorBundle,
  fixture: string,
  sig: { key: string; method: string; inputs: { key: string; dtype: number; shape?: number[] }[] },
): Feeds | undefined {
  const examples = (json: string): DecodedTensor => {
    const ex = X.examplesFromJson(json);
    return { dtype: 7, shape: [ex.length], values: ex };
  };
  if (fixture === "tfx-taxi-keras")
    return {
      examples: examples(
        '[{"body_mass_g":[3750.0],"culmen_length_mm":[39.1],"culmen_depth_mm":[18.7],"flipper_length_mm":[181.0]}]',
      ),
    };
  if (fixture.startsWith("tfx-taxi-estimator")) {
    const k = sig.inputs[0].key;
    return { [k]: examples('[{"trip_miles":[3.5],"fare":[12.0]}]') };
  }
  if (fixture === "mnist-softmax-tf15-classify" && sig.key === "serving_default") {
    const pixels = Array.from({ length: 784 }, (_, i) => ((i * 13) % 256) / 255).map((v) => v.toFixed(4));
    return { inputs: examples(`[{"x":[${pixels.join(",")}]}]`) };
  }
  if (fixture === "tfx-tft-tf2-transform") {
    const keys = sig.inputs
      .map((i) => i.key)
      .sort((a, b) => Number(a.split("_")[1] ?? 0) - Number(b.split("_")[1] ?? 0));
    const feeds: Feeds = {};
    for (let g = 0; g < keys.length / 3; g++) {
      const [ki, kv, ks] = keys.slice(3 * g, 3 * g + 3);
      const vs = sig.inputs.find((i) => i.key === kv)!;
      feeds[ki] = { dtype: 9, shape: [2, 2], values: BigInt64Array.of(0n, 0n, 1n, 0n) };
      feeds[kv] =
        vs.dtype === 7
          ? { dtype: 7, shape: [2], values: [enc("Cash"), enc("x")] }
          : vs.dtype === 9
            ? { dtype: 9, shape: [2], values: BigInt64Array.of(3n, 4n) }
            : { dtype: 1, shape: [2], values: Float32Array.of(1.5, 2.5) };
      feeds[ks] = { dtype: 9, shape: [2], values: BigInt64Array.of(2n, 1n) };
    }
    return feeds;
  }
  const feeds: Feeds = {};
  for (const i of sig.inputs) {
    if (
      i.dtype === 7 &&
      (/classify|regress/.test(sig.method) || /^(inputs|tf_example)$/.test(i.key)) &&
      fixture.includes("half-plus")
    ) {
      feeds[i.key] = examples('[{"x":[1.0],"x2":[2.0]}]');
      continue;
    }
    const shape = (i.shape ?? [1]).map((d) => (d < 0 ? 1 : d));
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[i.key] =
      i.dtype === 7
        ? { dtype: 7, shape, values: Array.from({ length: n }, () => enc("the quick brown fox")) }
        : i.dtype === 9
          ? { dtype: 9, shape, values: BigInt64Array.from({ length: n }, (_, k) => BigInt(k % 5)) }
          : i.dtype === 3
            ? { dtype: 3, shape, values: Int32Array.from({ length: n }, (_, k) => k % 5) }
            : i.dtype === 4
              ? { dtype: 4, shape, values: Uint8Array.from({ length: n }, (_, k) => k % 256) }
              : { dtype: 1, shape, values: Float32Array.from({ length: n }, (_, k) => (k % 13) / 13) };
  }
  return feeds;
}

async function fixtures(X: ExecutorBundle): Promise<void> {
  console.log("\n## Per-signature median latency (ms), deterministic inputs\n");
  console.log("| fixture | signature | nodes | wasm ms | cpu ms | load+restore+init ms (wasm) |");
  console.log("|---|---|---:|---:|---:|---:|");
  const names = existsSync(FIXTURES_DIR)
    ? (await import("node:fs"))
        .readdirSync(FIXTURES_DIR)
        .filter(
          (n) =>
            (!/^(corrupt|incomplete|novars)-/.test(n) && existsSync(join(FIXTURES_DIR, n, "saved_model.pb"))) ||
            existsSync(join(FIXTURES_DIR, n, "saved_model.pbtxt")),
        )
    : [];
  for (const name of names.sort()) {
    const row: Record<string, { wasm?: number; cpu?: number; nodes?: number; err?: string }> = {};
    let loadMs = 0;
    for (const backend of ["wasm", "cpu"] as const) {
      let s: Session;
      try {
        s = await X.loadSession(new X.NodeFileAccess(join(FIXTURES_DIR, name)), { backend });
      } catch (e) {
        row["*"] = { err: (e as Error).message.slice(0, 60) };
        continue;
      }
      if (backend === "wasm") loadMs = s.loadMs + s.restoreInitMs;
      for (const sig of s.signatures()) {
        const r = (row[sig.key] ??= {});
        const missing = s.missingOps(sig.key);
        if (missing.length) {
          r.err = `missing ${missing
            .map((m) => m.op)
            .slice(0, 2)
            .join(", ")}${missing.length > 2 ? "…" : ""}`;
          continue;
        }
        const feeds = feedsFor(X, name, sig);
        if (!feeds) {
          r.err = "needs real inputs";
          continue;
        }
        try {
          let nodes = 0;
          const ms = await timeRuns(async () => {
            nodes = (await s.run(sig.key, feeds)).nodesExecuted;
          });
          r[backend] = ms;
          r.nodes = nodes;
        } catch (e) {
          r.err = (e as Error).message.replace(/\s+/g, " ").slice(0, 70);
        }
      }
      s.dispose();
    }
    for (const [key, r] of Object.entries(row)) {
      const f = (x?: number) => (x === undefined ? "—" : x < 10 ? x.toFixed(2) : x.toFixed(1));
      console.log(
        `| ${name} | ${key} | ${r.nodes ?? ""} | ${r.err && r.wasm === undefined ? r.err : f(r.wasm)} | ${f(r.cpu)} | ${loadMs.toFixed(0)} |`,
      );
    }
  }
}

function chain(op: "Identity" | "AddV2", n: number): IGraphDef {
  const nodes: INodeDef[] = [
    { name: "x", op: "Placeholder", attr: { dtype: { type: 1 } } },
    {
      name: "one",
      op: "Const",
      attr: {
        dtype: { type: 1 },
        value: { tensor: tensorToProto({ dtype: 1, shape: [], values: Float32Array.of(1) }) },
      },
    },
  ];
  let prev = "x";
  for (let i = 0; i < n; i++) {
    const name = `n${i}`;
    nodes.push({ name, op, input: op === "Identity" ? [prev] : [prev, "one"], attr: { T: { type: 1 } } });
    prev = name;
  }
  return { node: nodes, versions: { producer: 1000 } };
}

async function overhead(X: ExecutorBundle): Promise<void> {
  console.log("\n## Interpretation overhead per executed node\n");
  const n = 5000;
  const x = { x: { dtype: 1, shape: [], values: Float32Array.of(0) } };
  for (const backend of ["wasm", "cpu"] as const) {
    const g = chain("Identity", n);
    const idMs = await timeRuns(() => X.evalGraph(g, x, [`n${n - 1}`], { backend }));
    const ga = chain("AddV2", n);
    const addMs = await timeRuns(() => X.evalGraph(ga, x, [`n${n - 1}`], { backend }));
    // The same tf.add chain straight on tfjs-core, for the kernel's own cost.
    const tf = X.tfjs;
    await X.useBackend(backend);
    const raw = await timeRuns(async () => {
      tf.engine().startScope();
      let t = tf.scalar(0);
      const one = tf.scalar(1);
      for (let i = 0; i < n; i++) t = tf.add(t, one);
      await t.data();
      tf.engine().endScope();
    });
    console.log(
      `- ${backend}: Identity chain ${((idMs * 1000) / n).toFixed(2)} µs/node (pure interpreter, incl. compile-cache lookups); ` +
        `AddV2 chain ${((addMs * 1000) / n).toFixed(2)} µs/node vs raw tf.add ${((raw * 1000) / n).toFixed(2)} µs/op → overhead ${(((addMs - raw) * 1000) / n).toFixed(2)} µs/node`,
    );
  }
}

async function mobilenet(X: ExecutorBundle): Promise<void> {
  console.log("\n## MobileNetV2-sized CNN (builder: 224×224×3, ~3.5M parameters, ~300M multiply-adds)\n");
  const t0 = performance.now();
  const files = cnn({ mobilenetV2Sized: true }).save();
  const buildMs = performance.now() - t0;
  const tf = X.tfjs;
  for (const backend of ["wasm", "cpu"] as const) {
    const s = await X.loadSession(new MemoryFileAccess(files), { backend });
    const img: DecodedTensor = {
      dtype: 1,
      shape: [1, 224, 224, 3],
      values: Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => (i % 255) / 255),
    };
    const key = s.signatures()[0].key;
    const ms = await timeRuns(
      () => s.run(key, { input: img }),
      quick || backend === "cpu" ? 2000 : 5000,
      backend === "cpu" ? 3 : 20,
    );
    const r = await s.run(key, { input: img }, { profile: true });
    const byOp = new Map<string, number>();
    for (const p of r.profile ?? []) if (!p.inclusive) byOp.set(p.op, (byOp.get(p.op) ?? 0) + p.ms);
    const top = [...byOp.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([op, t]) => `${op} ${t.toFixed(1)}`)
      .join(", ");
    // Machine peak as tfjs sees it: a large matmul on the same backend.
    await X.useBackend(backend);
    const N = 768;
    const a = tf.randomUniform([N, N]);
    const b = tf.randomUniform([N, N]);
    const mm = await timeRuns(
      async () => {
        const c = tf.matMul(a, b);
        await c.data();
        c.dispose();
      },
      1500,
      10,
    );
    a.dispose();
    b.dispose();
    const peak = (2 * N * N * N) / (mm / 1000) / 1e9;
    const gflops = (2 * 300e6) / (ms / 1000) / 1e9;
    console.log(
      `- ${backend}: median ${ms.toFixed(1)} ms (${r.nodesExecuted} nodes, load+restore+init ${(s.loadMs + s.restoreInitMs).toFixed(0)} ms) → ${gflops.toFixed(2)} GFLOP/s; ` +
        `${N}³ matmul peak on ${backend}: ${peak.toFixed(2)} GFLOP/s (${((100 * gflops) / peak).toFixed(0)}%). Top ops (ms): ${top}`,
    );
    s.dispose();
  }
  console.log(`- (building the export in memory: ${buildMs.toFixed(0)} ms)`);
}

async function bigRestore(X: ExecutorBundle): Promise<void> {
  console.log("\n## Restore + init of a ~100 MB checkpoint\n");
  const files = denseMlp({ layers: 3, units: 2900, inputSize: 2900, classes: 10 }).save();
  let bytes = 0;
  for (const [p, b] of files) if (p.startsWith("variables/")) bytes += b.length;
  for (const backend of ["wasm", "cpu"] as const) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await X.loadSession(new MemoryFileAccess(files), { backend });
      times.push(s.restoreInitMs);
      s.dispose();
    }
    console.log(
      `- ${backend}: ${(bytes / 1e6).toFixed(0)} MB of variables: restore + init median ${median(times).toFixed(0)} ms (from memory; disk reads add their own time)`,
    );
  }
}

async function main(): Promise<void> {
  const X = await loadExecutorBundle();
  console.log(`# Executor bench (${new Date().toISOString()}, node ${process.version}${quick ? ", quick" : ""})`);
  await overhead(X);
  await mobilenet(X);
  await bigRestore(X);
  await fixtures(X);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
