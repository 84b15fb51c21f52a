/** Feeds follow TensorFlow's C runtime: a shape other than the declared one runs, with a warning. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "../executor/helpers/bundle.js";

type Session = Awaited<ReturnType<ExecutorBundle["loadSession"]>>;
let X: ExecutorBundle;
const sessions: Session[] = [];
before(async () => {
  X = await loadExecutorBundle();
});
after(() => {
  for (const s of sessions) s.dispose();
});
async function open(name: string): Promise<Session> {
  const s = await X.loadSession(new X.NodeFileAccess(fixturePath(name)), { backend: "wasm" });
  sessions.push(s);
  return s;
}
const f32 = (values: number[], shape: number[]) => ({ dtype: 1, shape, values: Float32Array.from(values) });

test(
  "half_plus_two: x declared [-1, 1] fed [3] gives [2.5, 3, 4.5] (as TF Serving answers)",
  { skip: skipNoFixtures },
  async () => {
    const s = await open("serving-half-plus-two-cpu");
    assert.deepEqual(s.signatures().find((g) => g.key === "serving_default")!.inputs[0].shape, [-1, 1]);
    const r = await s.run("serving_default", { x: f32([1, 2, 5], [3]) });
    assert.deepEqual(r.outputs.y.shape, [3]);
    assert.deepEqual([...(r.outputs.y.values as Float32Array)], [2.5, 3, 4.5]);
    const w = r.warnings.find((m) => /declared \[-1, 1\] but was fed \[3\]/.test(m));
    assert.ok(w, `warnings: ${r.warnings.join(" | ")}`);
    assert.match(w!, /Python.*refuse/);
  },
);

test("a scalar-declared input fed [3] gives three values (as tfjs-node does)", { skip: skipNoFixtures }, async () => {
  const s = await open("tfjs-times-three-float");
  assert.deepEqual(s.signatures()[0].inputs[0].shape, []);
  const r = await s.run("serving_default", { x: f32([1, 2, 3], [3]) });
  assert.deepEqual([...(r.outputs.output_0.values as Float32Array)], [3, 6, 9]);
  assert.ok(r.warnings.some((m) => /declared \[\] but was fed \[3\]/.test(m)));
});

test("dtype rules are unchanged: strings into a float input are still refused", { skip: skipNoFixtures }, async () => {
  const s = await open("tfjs-times-three-float");
  await assert.rejects(
    s.run("serving_default", { x: { dtype: 7, shape: [1], values: [new TextEncoder().encode("a")] } }),
    /expects float32, got string/,
  );
});
