/** A run says which ops left the wasm backend for tfjs-cpu (issue 6: "warnings (… ops on the CPU fallback)"). */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "./helpers/bundle.js";

let X: ExecutorBundle;
const sessions: { dispose(): void }[] = [];
before(async () => {
  X = await loadExecutorBundle();
});
after(() => sessions.forEach((s) => s.dispose()));

test(
  "string ops on wasm are reported as tfjs-cpu fallbacks; numeric graphs report none",
  { skip: skipNoFixtures },
  async () => {
    const text = await X.loadSession(new X.NodeFileAccess(fixturePath("textvectorization-tf241")), { backend: "wasm" });
    sessions.push(text);
    const input = { dtype: 7, shape: [1, 1], values: [new TextEncoder().encode("hello world")] };
    const r = await text.run("serving_default", { text_vectorization_input: input });
    const w = r.warnings.find((x: string) => /tfjs-cpu fallback/.test(x));
    assert.ok(w, r.warnings.join("\n"));
    assert.match(w, /RaggedTensorToTensor/);
    const half = await X.loadSession(new X.NodeFileAccess(fixturePath("serving-half-plus-two-cpu")), {
      backend: "wasm",
    });
    sessions.push(half);
    const r2 = await half.run("serving_default", { x: { dtype: 1, shape: [1, 1], values: Float32Array.from([1]) } });
    assert.ok(!r2.warnings.some((x: string) => /fallback/.test(x)), r2.warnings.join("\n"));
  },
);
