/**
 * Built models run in our executor (the bundled tfjs session) and give the answers their weights imply:
 * half_plus_two exactly, the MLP against a plain-JS forward pass, the CNN the same in TF1 and TF2 layouts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { SavedModelBuilder, SaveOptions } from "../src/savedmodel/builder/index.js";
import {
  cnn,
  demoExportFiles,
  demoSampleImage,
  denseMlp,
  halfPlusTwo,
  DEMO_LABELS,
} from "../src/savedmodel/builder/models.js";
import { writeExportToDir } from "../src/savedmodel/node/nodeWriter.js";
import { DataType } from "../src/savedmodel/dtypes.js";
import type { DecodedTensor } from "../src/savedmodel/tensor.js";
import { loadExecutorBundle, type ExecutorBundle } from "./executor/helpers/bundle.js";

type Session = Awaited<ReturnType<ExecutorBundle["loadSession"]>>;
const DT = DataType;
let X: ExecutorBundle;
const sessions: Session[] = [];
const root = mkdtempSync(join(tmpdir(), "builder-exec-"));
let n = 0;

before(async () => {
  X = await loadExecutorBundle();
});
after(() => {
  for (const s of sessions) s.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function load(files: Map<string, Uint8Array>): Promise<Session> {
  const dir = join(root, `m${n++}`);
  await writeExportToDir(files, dir);
  const s = await X.loadSession(new X.NodeFileAccess(dir), { backend: "cpu" });
  sessions.push(s);
  return s;
}
const loadBuilt = (b: SavedModelBuilder, opts: SaveOptions = {}) => load(b.save(opts));

const f32 = (values: number[], shape: number[]): DecodedTensor => ({
  dtype: DT.DT_FLOAT,
  shape,
  values: Float32Array.from(values),
});
const nums = (t: DecodedTensor) => Array.from(t.values as ArrayLike<number | bigint>, Number);
const close = (got: number[], want: number[], eps = 1e-4) => {
  assert.equal(got.length, want.length, `got ${got} want ${want}`);
  got.forEach((g, i) =>
    assert.ok(Math.abs(g - want[i]) <= eps * Math.max(1, Math.abs(want[i])), `element ${i}: got ${g}, want ${want[i]}`),
  );
};
const example = (x: number) => X.encodeExample({ x: { kind: "float", values: [x] } });
const strings = (items: Uint8Array[]): DecodedTensor => ({ dtype: DT.DT_STRING, shape: [items.length], values: items });

describe("built models run in the executor", () => {
  for (const tf2 of [false, true]) {
    test(`halfPlusTwo (${tf2 ? "TF2" : "TF1"}): predict is exact, regress parses tf.Example`, async () => {
      const s = await loadBuilt(halfPlusTwo({ tf2 }));
      const r = await s.run("serving_default", { x: f32([1, 2, 5], [3, 1]) });
      assert.deepEqual(nums(r.outputs.y), [2.5, 3, 4.5]);
      const reg = await s.run("regress_x_to_y", { inputs: strings([example(4), example(-2)]) });
      close(nums(reg.outputs.outputs), [4, 1]);
      const y2 = await s.run("regress_x_to_y2", { inputs: strings([example(4)]) });
      close(nums(y2.outputs.outputs), [5]);
    });
  }

  test("denseMlp matches a plain-JS forward pass (TF1 and TF2 layouts agree)", async () => {
    const opts = { layers: 2, units: 6, inputSize: 3, classes: 4, seed: 11 };
    const input = [0.5, -1, 2, 1, 0, -0.25];
    const outs: number[][] = [];
    for (const tf2 of [false, true]) {
      const b = denseMlp({ ...opts, tf2 });
      const s = await loadBuilt(b);
      const r = await s.run("serving_default", { input: f32(input, [2, 3]) });
      outs.push(nums(r.outputs.probabilities));
      // reference: the same weights, read from the builder's checkpoint tensors
      const w = new Map(b.checkpointTensors().map((t) => [t.key, Array.from(t.values as Float32Array)]));
      const key = (layer: string, v: string) =>
        tf2
          ? `layer_with_weights-${layer}/${v}/.ATTRIBUTES/VARIABLE_VALUE`
          : `${layer === "0" ? "dense" : `dense_${layer}`}/${v}`;
      const want: number[] = [];
      for (let row = 0; row < 2; row++) {
        let h = input.slice(row * 3, row * 3 + 3);
        for (let l = 0; l <= opts.layers; l++) {
          const k = w.get(key(String(l), "kernel"))!;
          const bias = w.get(key(String(l), "bias"))!;
          const out = bias.map((b0, j) => h.reduce((acc, x, i) => acc + x * k[i * bias.length + j], b0));
          h = l === opts.layers ? out : out.map((v) => Math.max(0, v));
        }
        const m = Math.max(...h);
        const e = h.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, b0) => a + b0, 0);
        want.push(...e.map((v) => v / sum));
      }
      close(outs[outs.length - 1], want, 1e-5);
    }
    close(outs[0], outs[1], 1e-6);
  });

  test("small cnn: TF1 and TF2 layouts give the same probabilities", async () => {
    const img = f32(
      Array.from({ length: 32 * 32 * 3 }, (_, i) => Math.sin(i) * 0.5),
      [1, 32, 32, 3],
    );
    const a = await (await loadBuilt(cnn({ style: "tf1" }))).run("serving_default", { input: img });
    const b = await (await loadBuilt(cnn({ style: "tf2" }))).run("serving_default", { input: img });
    const pa = nums(a.outputs.probabilities);
    assert.equal(pa.length, 10);
    close([pa.reduce((x, y) => x + y, 0)], [1], 1e-5);
    close(pa, nums(b.outputs.probabilities), 1e-5);
  });

  test("demo export: all signatures run and agree", async () => {
    const s = await load(demoExportFiles());
    const image = demoSampleImage();
    const main = await s.run("serving_default", { image });
    const probs = nums(main.outputs.probabilities);
    close([probs.reduce((x, y) => x + y, 0)], [1], 1e-5);
    const best = probs.indexOf(Math.max(...probs));
    assert.deepEqual(nums(main.outputs.class_ids), [best]);
    const labels = await s.run("predict_labels", { image });
    assert.deepEqual(
      (labels.outputs.label.values as Uint8Array[]).map((b) => new TextDecoder().decode(b)),
      [DEMO_LABELS[best]],
    );
    close(nums(labels.outputs.score), [probs[best]], 1e-6);
    const emb = await s.run("embed", { image });
    assert.deepEqual(emb.outputs.embedding.shape, [1, 32]);
  });
});
