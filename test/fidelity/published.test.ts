/**
 * The outputs TensorFlow (and the models' authors) published for the fixtures, reproduced through
 * `savedmodel run` (the CLI's runCommand, in process) on both backends. Cases: test/data/published-outputs.json.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { bundleDir, loadExecutorBundle, type ExecutorBundle } from "../executor/helpers/bundle.js";
import { parseInputText } from "../../src/webview/run/inputParse.js";
import { DataType } from "../../src/savedmodel/dtypes.js";

interface TensorJson {
  dtype?: string;
  shape?: number[];
  values?: unknown[];
  linspace?: [number, number];
}
type Inputs = Record<string, TensorJson | { examples: string }>;
interface Expected {
  shape?: number[];
  values: unknown[];
}
interface Case {
  fixture: string;
  signature?: string;
  inputs?: Inputs;
  outputs?: Record<string, Expected>;
  steps?: { signature: string; inputs: Inputs; outputs: Record<string, Expected> }[];
  aggregate?: { kind: string; output: string; target: string; value: number };
  tolerance?: { abs: number; rel: number };
  expectError?: string;
  refused?: string;
  source: string;
  where: string;
}

const data = JSON.parse(readFileSync(join(__dirname, "..", "data", "published-outputs.json"), "utf8")) as {
  cases: Case[];
};
let X: ExecutorBundle;
const dir = mkdtempSync(join(tmpdir(), "published-"));
before(async () => {
  X = await loadExecutorBundle();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Flat values laid out as a nested list of `shape`. */
function nest(values: unknown[], shape: number[]): unknown {
  if (shape.length === 0) return values[0];
  const step = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(values.slice(i * step, (i + 1) * step), shape.slice(1)));
}

function valuesOf(t: TensorJson): unknown[] {
  if (t.linspace) {
    const n = t.shape!.reduce((a, b) => a * b, 1);
    const [a, b] = t.linspace;
    return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
  }
  return t.values ?? [];
}

/** CLI arguments for the inputs: every dense tensor as a JSON file (--inputs), examples inline (--input_examples). */
function inputArgs(inputs: Inputs, tag: string): string[] {
  const files: string[] = [];
  const examples: string[] = [];
  for (const [k, t] of Object.entries(inputs)) {
    if ("examples" in t) {
      examples.push(`${k}=${t.examples}`); // the published request text (2.0 stays a float)
      continue;
    }
    const file = join(dir, `${tag}-${k.replace(/\W/g, "_")}.json`);
    // JSON keeps 2.0 as 2: mark floats so float inputs stay floats (parseJsonKeepFloats reads 2.0 as a float).
    let text = JSON.stringify(nest(valuesOf(t), t.shape ?? []));
    if (t.dtype?.startsWith("float")) text = text.replace(/(^|[[,])(-?\d+)(?=[,\]]|$)/g, "$1$2.0");
    writeFileSync(file, text);
    files.push(`${k}=${file}`);
  }
  return [
    ...(files.length ? ["--inputs", files.join(";")] : []),
    ...(examples.length ? ["--input_examples", examples.join(";")] : []),
  ];
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { out: (s: string) => (out += s), err: (s: string) => (err += s), cwd: dir };
  try {
    const code = await X.runCommand(args, io);
    return { code, out, err };
  } catch (e) {
    return { code: 1, out, err: err + (e as Error).message };
  }
}

function compare(
  got: { shape: number[]; values: unknown[] },
  want: Expected,
  tol: { abs: number; rel: number },
  what: string,
) {
  if (want.shape) assert.deepEqual(got.shape, want.shape, `${what} shape`);
  assert.equal(got.values.length, want.values.length, `${what}: got ${JSON.stringify(got.values)}`);
  want.values.forEach((w, i) => {
    const g = got.values[i];
    if (typeof w === "string" || typeof w === "boolean") {
      assert.equal(typeof w === "boolean" ? Boolean(Number(g)) : g, w, `${what}[${i}]`);
      return;
    }
    const d = Math.abs(Number(g) - Number(w));
    assert.ok(d <= tol.abs + tol.rel * Math.abs(Number(w)), `${what}[${i}]: got ${String(g)}, published ${String(w)}`);
  });
}

describe("published outputs reproduced through savedmodel run", { skip: skipNoFixtures }, () => {
  data.cases.forEach((c, n) => {
    for (const backend of ["wasm", "cpu"] as const) {
      const name = `${c.fixture} ${c.signature ?? c.steps?.map((s) => s.signature).join("→") ?? ""} (${backend}) — ${c.source.split("/").pop()}`;
      test(name, { timeout: 300_000 }, async () => {
        const tol = c.tolerance ?? { abs: 0, rel: 0 };
        const base = [fixturePath(c.fixture), "--backend", backend, "--json"];
        if (c.steps) {
          // Stateful: one session for every step (each CLI call would load afresh).
          const s = await X.loadSession(new X.NodeFileAccess(fixturePath(c.fixture)), { backend });
          try {
            for (const step of c.steps) {
              const feeds = Object.fromEntries(
                Object.entries(step.inputs).map(([k, t]) => {
                  const tj = t as TensorJson;
                  return [k, { dtype: 1, shape: tj.shape ?? [], values: Float32Array.from(valuesOf(tj) as number[]) }];
                }),
              );
              const r = await s.run(step.signature, feeds);
              for (const [k, want] of Object.entries(step.outputs)) {
                const t = r.outputs[k];
                compare(
                  { shape: t.shape, values: Array.from(t.values as Float32Array) },
                  want,
                  tol,
                  `${step.signature} ${k}`,
                );
              }
            }
          } finally {
            s.dispose();
          }
          return;
        }
        const args = [
          ...base,
          ...(c.signature ? ["--signature_def", c.signature] : []),
          ...inputArgs(c.inputs ?? {}, `${n}-${backend}`),
        ];
        const r = await cli(args);
        if (c.expectError || c.refused) {
          assert.notEqual(r.code, 0, `expected a failure, got ${r.out}`);
          if (c.expectError) assert.match(r.err, new RegExp(c.expectError));
          if (c.refused) assert.match(r.err, new RegExp(`${c.refused}.*custom op|custom op[\\s\\S]*${c.refused}`));
          assert.doesNotMatch(r.err, /\n\s+at /, "a message, not a stack trace");
          return;
        }
        assert.equal(r.code, 0, r.err);
        const json = JSON.parse(r.out) as { outputs: Record<string, { shape: number[]; values: unknown[] }> };
        if (c.aggregate) {
          const x = valuesOf(c.inputs![Object.keys(c.inputs!)[0]] as TensorJson) as number[];
          const p = json.outputs[c.aggregate.output].values.map(Number);
          const mae = p.reduce((a, v, i) => a + Math.abs(v - x[i] * x[i]), 0) / p.length;
          compare({ shape: [], values: [-mae] }, { values: [c.aggregate.value] }, tol, "score");
          return;
        }
        for (const [k, want] of Object.entries(c.outputs ?? {})) {
          assert.ok(json.outputs[k], `output ${k} (have ${Object.keys(json.outputs)})`);
          compare(json.outputs[k], want, tol, k);
        }
      });
    }
  });
});

/** The VS Code run path: values typed into the run form (its JSON parser), run by the executor worker the extension uses. */
describe(
  "published outputs reproduced through the run form's parsers and the executor worker",
  { skip: skipNoFixtures },
  () => {
    const DTYPES: Record<string, number> = {
      float32: DataType.DT_FLOAT,
      float64: DataType.DT_DOUBLE,
      int64: DataType.DT_INT64,
      int32: DataType.DT_INT32,
      int16: DataType.DT_INT16,
      int8: DataType.DT_INT8,
      uint64: DataType.DT_UINT64,
      uint8: DataType.DT_UINT8,
      bool: DataType.DT_BOOL,
      string: DataType.DT_STRING,
    };
    for (const c of data.cases.filter((x) => x.signature && x.outputs && !x.expectError && !x.refused)) {
      test(`${c.fixture} ${c.signature}`, { timeout: 300_000 }, async () => {
        const w = new X.ExecutorWorker(new X.NodeFileAccess(fixturePath(c.fixture)), {
          script: join(bundleDir, "executorWorker.cjs"),
          timeoutMs: 120_000,
        });
        try {
          const loaded = await w.load({ backend: "wasm" });
          const sig = loaded.signatures.find((g) => g.key === c.signature)!;
          const feeds: Record<string, unknown> = {};
          for (const [k, t] of Object.entries(c.inputs ?? {})) {
            if ("examples" in t) {
              const ex = X.examplesFromJson(t.examples);
              feeds[k] = { dtype: 7, shape: [ex.length], values: ex };
              continue;
            }
            const spec = sig.inputs.find((i) => i.key === k)!;
            // what a user types into the JSON field (the form lays a flat list out to the declared shape)
            let text = JSON.stringify(nest(valuesOf(t), t.shape ?? []));
            if (t.dtype?.startsWith("float")) text = text.replace(/(^|[[,])(-?\d+)(?=[,\]]|$)/g, "$1$2.0");
            const r = parseInputText(text, spec.dtype ?? DTYPES[t.dtype ?? "float32"], spec.shape, k);
            assert.ok(r.ok, `${k}: ${!r.ok && r.error}`);
            if (r.ok) feeds[k] = r.tensor;
          }
          const r = await w.run(c.signature!, feeds as never, {});
          for (const [k, want] of Object.entries(c.outputs!)) {
            const t = r.outputs[k];
            assert.ok(t, `output ${k}`);
            const values = Array.isArray(t.values)
              ? (t.values as Uint8Array[]).map((b) => new TextDecoder().decode(b))
              : Array.from(t.values as ArrayLike<number | bigint>, Number);
            compare({ shape: t.shape, values }, { values: want.values }, c.tolerance ?? { abs: 0, rel: 0 }, k);
          }
        } finally {
          await w.terminate();
        }
      });
    }
  },
);
