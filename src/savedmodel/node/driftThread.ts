/**
 * The weights comparison's helper thread on node:worker_threads (CLI, tests, benchmarks and the extension's decode
 * worker). Chunks live in SharedArrayBuffers; for each chunk, this thread and the helper take its ranges one at a
 * time from a shared counter (Atomics) and write each range's figures to its own slot, so the work is shared however
 * busy either thread is, and the figures do not depend on who computed what. The helper runs float32DriftRange's own
 * source text; it reads nothing from disk and sees nothing but the shared buffers it is shown.
 */
import { Worker } from "node:worker_threads";
import { float32DriftRange, warmFloat32DriftRange, type DriftHelper } from "../diff/float32Drift.js";

/** Control words (Int32Array over a SharedArrayBuffer). */
const NEXT = 0; // (chunk generation << 13) | next range to take
const DONE = 1; // ranges of this generation finished
const MAX_PIECES = 1 << 12; // the range index (up to MAX_PIECES) fits in 13 bits, the generation in the other 18

/**
 * Takes ranges of chunk generation `gen` until none is left: the claim (compare-exchange on NEXT, which carries the
 * generation) fails for a stale generation, so a late thread never computes over another chunk's buffers. Shared by
 * both threads: the helper gets this function's source too.
 */
function takeRanges(
  ctl: Int32Array,
  gen: number,
  a: Float32Array,
  b: Float32Array,
  pieces: number,
  figures: Float64Array,
  kernel: typeof float32DriftRange,
): void {
  const n = a.length;
  for (;;) {
    const v = Atomics.load(ctl, 0);
    const p = v & 0x1fff;
    if (v >>> 13 !== gen || p >= pieces) return;
    if (Atomics.compareExchange(ctl, 0, v, v + 1) !== v) continue;
    kernel(a, b, Math.floor((p * n) / pieces), Math.floor(((p + 1) * n) / pieces), figures.subarray(p * 5, p * 5 + 5));
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
}

/** The helper's program (CommonJS, evaluated: no loader needed). */
const SOURCE = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const float32DriftRange = ${float32DriftRange.toString()};
const takeRanges = ${takeRanges.toString()};
(${warmFloat32DriftRange.toString()})(float32DriftRange);
const ctl = new Int32Array(workerData.ctl);
const figures = new Float64Array(workerData.figures);
parentPort.on("message", (m) => {
  takeRanges(ctl, m.gen, new Float32Array(m.a, m.ao, m.n), new Float32Array(m.b, m.bo, m.n), m.pieces, figures, float32DriftRange);
});`;

export class DriftThread implements DriftHelper {
  private readonly worker: Worker;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  private readonly figures = new Float64Array(new SharedArrayBuffer(MAX_PIECES * 5 * 8));
  private gen = 0;
  private failed = false;
  /** True once close() was called. */
  closed = false;

  constructor() {
    // no execArgv: the thread needs no TypeScript loader or inspector of its parent
    this.worker = new Worker(SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { ctl: this.ctl.buffer, figures: this.figures.buffer },
    });
    this.worker.unref();
    const fail = () => {
      this.failed = true;
    };
    this.worker.on("error", fail);
    this.worker.on("exit", fail);
  }

  alloc(bytes: number): Uint8Array {
    return new Uint8Array(new SharedArrayBuffer(bytes));
  }

  ranges(a: Uint8Array, b: Uint8Array, pieces: number): Float64Array {
    if (!(a.buffer instanceof SharedArrayBuffer) || !(b.buffer instanceof SharedArrayBuffer) || a.length !== b.length)
      throw new Error("drift helper: two buffers of the same length from alloc()");
    if (pieces < 1 || pieces > MAX_PIECES) throw new Error(`drift helper: 1 to ${MAX_PIECES} ranges`);
    const n = a.byteLength >> 2;
    const xa = new Float32Array(a.buffer, a.byteOffset, n);
    const xb = new Float32Array(b.buffer, b.byteOffset, n);
    this.gen = (this.gen + 1) & 0x3ffff;
    Atomics.store(this.ctl, DONE, 0);
    Atomics.store(this.ctl, NEXT, this.gen << 13);
    if (!this.failed)
      this.worker.postMessage({
        gen: this.gen,
        a: a.buffer,
        ao: a.byteOffset,
        b: b.buffer,
        bo: b.byteOffset,
        n,
        pieces,
      });
    takeRanges(this.ctl, this.gen, xa, xb, pieces, this.figures, float32DriftRange);
    // the helper may still be finishing the range it took (one range at most)
    for (let done = Atomics.load(this.ctl, DONE); done < pieces; done = Atomics.load(this.ctl, DONE)) {
      if (Atomics.wait(this.ctl, DONE, done, 1000) === "timed-out" && this.failed)
        throw new Error("the drift helper thread stopped");
    }
    return this.figures.subarray(0, pieces * 5);
  }

  async close(): Promise<void> {
    this.closed = this.failed = true;
    await this.worker.terminate();
  }
}
