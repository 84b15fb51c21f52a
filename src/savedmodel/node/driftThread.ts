/**
 * The weights comparison's helper thread on node:worker_threads (CLI, tests, benchmarks and the extension's decode
 * worker). Chunks live in SharedArrayBuffers; for each chunk, this thread and the helper take its ranges one at a
 * time from a shared counter (Atomics) and write each range's figures to its own slot, so the work is shared however
 * busy either thread is, and the figures do not depend on who computed what. The helper runs float32DriftRange's own
 * source text; it reads nothing from disk and sees nothing but the shared buffers it is shown.
 */
import { Worker } from "node:worker_threads";
import { readSync } from "node:fs";
import {
  float32DriftRange,
  warmFloat32DriftRange,
  MAX_READ_PIECES,
  type DriftHelper,
  type DriftReadJob,
} from "../diff/float32Drift.js";

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

/**
 * readRanges' loop, run by both threads: takes ranges of job generation `gen` until none is left, and for each reads
 * its bytes of both files (positional reads on the job's open descriptors, into this thread's own `scratch`) and
 * computes its figures at once, while they are in cache. A range that cannot be read whole (an error, end of file)
 * gets NaN figures, so the caller redoes that chunk the ordinary way (and reports the error there). Self-contained:
 * the helper gets this function's source too.
 */
function takeReadRanges(
  ctl: Int32Array,
  gen: number,
  job: DriftReadJob,
  figures: Float64Array,
  scratch: { a: Float32Array; b: Float32Array },
  readSync: (fd: number, buf: Uint8Array, off: number, len: number, pos: number) => number,
  kernel: typeof float32DriftRange,
): void {
  const n = job.step >> 2;
  const pieces = job.pieces;
  const total = job.chunks * pieces;
  const most = Math.ceil(n / pieces) + 1;
  if (scratch.a.length < most) {
    scratch.a = new Float32Array(most);
    scratch.b = new Float32Array(most);
  }
  const ua = new Uint8Array(scratch.a.buffer);
  const ub = new Uint8Array(scratch.b.buffer);
  for (;;) {
    const v = Atomics.load(ctl, 0);
    const g = v & 0x1fff;
    if (v >>> 13 !== gen || g >= total) return;
    if (Atomics.compareExchange(ctl, 0, v, v + 1) !== v) continue;
    const c = Math.floor(g / pieces);
    const p = g - c * pieces;
    const from = Math.floor((p * n) / pieces);
    const len = Math.floor(((p + 1) * n) / pieces) - from;
    const at = c * job.step + from * 4;
    const out = figures.subarray(g * 5, g * 5 + 5);
    // both sides read whole (no nested function: this source runs as written in the helper)
    let ok = true;
    for (let side = 0; side < 2 && ok; side++) {
      const fd = side ? job.fdB : job.fdA;
      const u = side ? ub : ua;
      const pos = (side ? job.posB : job.posA) + at;
      for (let got = 0; got < len * 4;) {
        let r = 0;
        try {
          r = readSync(fd, u, got, len * 4 - got, pos + got);
        } catch {
          r = 0;
        }
        if (r <= 0) {
          ok = false;
          break;
        }
        got += r;
      }
    }
    if (ok) kernel(scratch.a, scratch.b, 0, len, out);
    else out.fill(NaN);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
}

/** The helper's program (CommonJS, evaluated: no loader needed). */
const SOURCE = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const float32DriftRange = ${float32DriftRange.toString()};
const takeRanges = ${takeRanges.toString()};
const takeReadRanges = ${takeReadRanges.toString()};
const { readSync } = require("node:fs");
const scratch = { a: new Float32Array(0), b: new Float32Array(0) };
(${warmFloat32DriftRange.toString()})(float32DriftRange);
const ctl = new Int32Array(workerData.ctl);
const figures = new Float64Array(workerData.figures);
parentPort.on("message", (m) => {
  if (m.job) takeReadRanges(ctl, m.gen, m.job, figures, scratch, readSync, float32DriftRange);
  else takeRanges(ctl, m.gen, new Float32Array(m.a, m.ao, m.n), new Float32Array(m.b, m.bo, m.n), m.pieces, figures, float32DriftRange);
});`;

export class DriftThread implements DriftHelper {
  private readonly worker: Worker;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  private readonly figures = new Float64Array(new SharedArrayBuffer(MAX_PIECES * 5 * 8));
  private gen = 0;
  /** This thread's buffers for readRanges (one range of each side). */
  private readonly scratch = { a: new Float32Array(0), b: new Float32Array(0) };
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
    this.wait(pieces);
    return this.figures.subarray(0, pieces * 5);
  }

  readRanges(job: DriftReadJob): Float64Array {
    const total = job.chunks * job.pieces;
    if (job.step % 4 || job.chunks < 1 || job.pieces < 1 || total > MAX_READ_PIECES)
      throw new Error(`drift helper: whole float32 chunks, 1 to ${MAX_READ_PIECES} ranges`);
    this.gen = (this.gen + 1) & 0x3ffff;
    Atomics.store(this.ctl, DONE, 0);
    Atomics.store(this.ctl, NEXT, this.gen << 13);
    if (!this.failed) this.worker.postMessage({ gen: this.gen, job });
    takeReadRanges(this.ctl, this.gen, job, this.figures, this.scratch, readSync, float32DriftRange);
    this.wait(total);
    return this.figures.subarray(0, total * 5);
  }

  /** Until `total` ranges are done: the helper may still be finishing the range it took (one range at most). */
  private wait(total: number): void {
    for (let done = Atomics.load(this.ctl, DONE); done < total; done = Atomics.load(this.ctl, DONE)) {
      if (Atomics.wait(this.ctl, DONE, done, 1000) === "timed-out" && this.failed)
        throw new Error("the drift helper thread stopped");
    }
  }

  async close(): Promise<void> {
    this.closed = this.failed = true;
    await this.worker.terminate();
  }
}
