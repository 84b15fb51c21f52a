/** The WebAssembly SIMD drift kernel agrees with the plain-JS loop (NaN and infinities included). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { accumulateF32, simdKernel } from "../../src/savedmodel/diff/driftKernel.js";
import { accumulate, finishDrift, newAccumulator } from "../../src/savedmodel/diff/weights.js";
import { mulberry32 } from "../../src/savedmodel/random.js";

test(
  "SIMD drift equals the JS drift (counts exactly, sums to float32-block precision)",
  { skip: simdKernel() ? false : "no WebAssembly SIMD here" },
  () => {
    const next = mulberry32(3);
    const n = 10_000 + 3; // blocks of 4096 elements, a partial block and a 3-element tail
    const a = Float32Array.from({ length: n }, () => next() * 2 - 1);
    const b = Float32Array.from(a, (x, i) => (i % 5 === 0 ? x + (next() - 0.5) * 1e-3 : x));
    b[4100] = NaN; // one block falls back to the JS loop
    a[9000] = Infinity;
    b[9000] = Infinity;
    const js = newAccumulator();
    accumulate(js, a, b);
    const simd = newAccumulator();
    assert.equal(accumulateF32(simd, a, b, accumulate), true);
    assert.equal(simd.n, js.n);
    assert.equal(simd.changed, js.changed);
    assert.equal(simd.nanMismatch, 1);
    assert.equal(simd.maxAbs, js.maxAbs);
    const x = finishDrift(js);
    const y = finishDrift(simd);
    assert.ok(Math.abs(x.meanAbs - y.meanAbs) <= 1e-6 * x.meanAbs, `${x.meanAbs} vs ${y.meanAbs}`);
    assert.equal(x.fractionChanged, y.fractionChanged);
  },
);
