/**
 * The weights comparison's helper thread on node:worker_threads (CLI, tests, benchmarks and the extension's decode
 * worker): chunks live in SharedArrayBuffers, and the thread runs float32DriftRange's own source over the part of
 * each chunk it is given. The thread reads nothing from disk and holds nothing but the shared buffers it is shown.
 */
import { Worker } from "node:worker_threads";
import { float32DriftRange, type DriftHelper } from "../diff/float32Drift.js";

/** The thread's program: the kernel's source text and a message loop (CommonJS, evaluated, no loader needed). */
const SOURCE = `"use strict";
const { parentPort } = require("node:worker_threads");
const float32DriftRange = ${float32DriftRange.toString()};
parentPort.on("message", (m) => {
  const out = new Float64Array(5);
  float32DriftRange(new Float32Array(m.a, m.ao, m.n), new Float32Array(m.b, m.bo, m.n), m.from, m.to, out);
  parentPort.postMessage({ id: m.id, out }, [out.buffer]);
});`;

interface Pending {
  resolve(out: Float64Array): void;
  reject(e: Error): void;
}

export class DriftThread implements DriftHelper {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private failed?: Error;

  constructor() {
    // no execArgv: the thread needs no TypeScript loader or inspector of its parent
    this.worker = new Worker(SOURCE, { eval: true, execArgv: [] });
    this.worker.unref();
    this.worker.on("message", (m: { id: number; out: Float64Array }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m.out);
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", () => fail(new Error("the drift helper thread stopped")));
  }

  alloc(bytes: number): Uint8Array {
    return new Uint8Array(new SharedArrayBuffer(bytes));
  }

  range(a: Uint8Array, b: Uint8Array, from: number, to: number): Promise<Float64Array> {
    if (this.failed) return Promise.reject(this.failed);
    if (!(a.buffer instanceof SharedArrayBuffer) || !(b.buffer instanceof SharedArrayBuffer))
      return Promise.reject(new Error("drift helper: buffers must come from alloc()"));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({
        id,
        a: a.buffer,
        ao: a.byteOffset,
        b: b.buffer,
        bo: b.byteOffset,
        n: a.byteLength >> 2,
        from,
        to,
      });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
