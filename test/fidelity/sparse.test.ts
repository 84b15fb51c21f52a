/**
 * COO sparse inputs (TFX/TFT signatures) fed as their three component tensors, the way TensorFlow feeds
 * a coo_sparse TensorInfo's indices/values/dense_shape tensor names: session API, CLI --input_exprs
 * objects and .npz members.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNpz } from "../../src/savedmodel/npy.js";
import { sparseFromObject } from "../../src/shared/feeds.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "../executor/helpers/bundle.js";

let X: ExecutorBundle;
const dir = mkdtempSync(join(tmpdir(), "sparse-"));
before(async () => {
  X = await loadExecutorBundle();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const FIX = "tfx-tft-tf1-transform";
const i64 = (v: number[], shape: number[]) => ({ dtype: 9, shape, values: BigInt64Array.from(v.map(BigInt)) });
const enc = (s: string) => new TextEncoder().encode(s);

/** Every input of the transform signature as one present element at [0, 0] of a [1, 1] sparse tensor. */
function components(sig: { inputs: { key: string; dtype: number }[] }) {
  const feeds: Record<string, unknown> = {};
  const dense: Record<string, unknown> = {};
  for (const i of sig.inputs) {
    const v =
      i.dtype === 7
        ? { dtype: 7, shape: [1], values: [enc("Cash")] }
        : i.dtype === 9
          ? i64([3], [1])
          : { dtype: 1, shape: [1], values: Float32Array.of(41.9) };
    feeds[`${i.key}/indices`] = i64([0, 0], [1, 2]);
    feeds[`${i.key}/values`] = v;
    feeds[`${i.key}/dense_shape`] = i64([1, 1], [2]);
    dense[i.key] = { ...v, shape: [1, 1] };
  }
  return { feeds, dense };
}

test("sparseFromObject: {indices, values, dense_shape} → the three component tensors", () => {
  const p = sparseFromObject({ indices: [[0, 1]], values: [2.5], dense_shape: [2, 3] }, 1, "x")!;
  assert.deepEqual(Object.keys(p), ["x/indices", "x/values", "x/dense_shape"]);
  assert.deepEqual(p["x/indices"].shape, [1, 2]);
  assert.deepEqual([...(p["x/values"].values as Float32Array)], [2.5]);
  assert.deepEqual(
    sparseFromObject({ indices: [], values: [], dense_shape: [4, 2] }, 1, "x")!["x/indices"].shape,
    [0, 2],
  );
  assert.equal(sparseFromObject([1, 2], 1, "x"), undefined);
  assert.throws(() => sparseFromObject({ indices: [[0]], values: [1] }, 1, "x"), /missing "dense_shape"/);
});

test(
  "session: component feeds give what the dense feed gives; bad components are refused clearly",
  { skip: skipNoFixtures },
  async () => {
    const s = await X.loadSession(new X.NodeFileAccess(fixturePath(FIX)), { backend: "wasm", tags: ["transform"] });
    try {
      const sig = s.signatures()[0];
      assert.ok(
        sig.inputs.every((i) => i.sparse),
        "every input is COO sparse",
      );
      const { feeds, dense } = components(sig);
      const a = await s.run(sig.key, feeds as never);
      const b = await s.run(sig.key, dense as never);
      for (const k of Object.keys(b.outputs)) assert.deepEqual(a.outputs[k], b.outputs[k], k);
      const key = sig.inputs[0].key;
      await assert.rejects(
        s.run(sig.key, { ...feeds, [`${key}/indices`]: i64([0, 5], [1, 2]) } as never),
        new RegExp(`${key}/indices row 0 = \\[0, 5\\] is outside dense_shape \\[1, 1\\]`),
      );
      const partial = { ...feeds };
      delete partial[`${key}/values`];
      await assert.rejects(s.run(sig.key, partial as never), /needs all of/);
    } finally {
      s.dispose();
    }
  },
);

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const code = await X.runCommand(args, { out: (t) => (out += t), err: (t) => (err += t), cwd: dir }).catch(
    (e: Error) => {
      err += e.message;
      return 1;
    },
  );
  return { code, out, err };
}

test(
  "CLI: a sparse input from --input_exprs {indices, values, dense_shape} and from .npz members",
  { skip: skipNoFixtures },
  async () => {
    const s = await X.loadSession(new X.NodeFileAccess(fixturePath(FIX)), { backend: "cpu", tags: ["transform"] });
    const sig = s.signatures()[0];
    s.dispose();
    const exprs: string[] = [];
    const files: string[] = [];
    for (const i of sig.inputs) {
      const v = i.dtype === 7 ? '"Cash"' : i.dtype === 9 ? "3" : "41.9";
      exprs.push(`${i.key}={"indices": [[0, 0]], "values": [${v}], "dense_shape": [1, 1]}`);
      const f = join(dir, `${i.key}.npz`);
      const values =
        i.dtype === 7
          ? { dtype: 7, shape: [1], values: [enc("Cash")] }
          : i.dtype === 9
            ? i64([3], [1])
            : { dtype: 1, shape: [1], values: Float32Array.of(41.9) };
      if (i.dtype === 7) {
        // .npz holds numbers only on the write side: strings go in as components from JSON instead
        exprs.length = exprs.length; // keep the expression
        continue;
      }
      writeFileSync(
        f,
        encodeNpz({ indices: i64([0, 0], [1, 2]), values: values as never, dense_shape: i64([1, 1], [2]) }),
      );
      files.push(`${i.key}=${f}`);
    }
    const base = [fixturePath(FIX), "--tag_set", "transform", "--signature_def", sig.key, "--json"];
    const a = await cli([...base, "--input_exprs", exprs.join(";")]);
    assert.equal(a.code, 0, a.err);
    const strings = sig.inputs.filter((i) => i.dtype === 7).map((i) => exprs.find((e) => e.startsWith(`${i.key}=`))!);
    const b = await cli([...base, "--inputs", files.join(";"), "--input_exprs", strings.join(";")]);
    assert.equal(b.code, 0, b.err);
    assert.deepEqual(JSON.parse(b.out).outputs, JSON.parse(a.out).outputs);
  },
);
