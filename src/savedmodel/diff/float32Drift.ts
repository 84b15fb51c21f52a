/**
 * The hot loop of the weights comparison: drift figures of a range of float32 element pairs, and the interface of
 * a helper thread that computes part of each chunk (src/savedmodel/node/driftThread.ts) while this thread computes
 * the rest, so the comparison uses both cores of a small machine.
 */

/**
 * Drift figures of float32 pairs [from, to) of `a` and `b` into `out` (max |Δ|, Σ|Δ|, ΣΔ², ΣA², count of Δ ≠ 0; sums
 * in float64 from zero). One pass without branches, two elements a step into two sets of sums so consecutive
 * additions do not wait on each other. Correct for finite values only: a NaN or an infinity makes Σ|Δ| + ΣA² NaN or
 * infinite, and the caller then redoes the range with the general loop (`accumulate`).
 *
 * Self-contained on purpose (no reference to anything outside its body, no nested functions): the helper thread
 * runs this function's own source text.
 */
export function float32DriftRange(a: Float32Array, b: Float32Array, from: number, to: number, out: Float64Array): void {
  let max0 = 0;
  let max1 = 0;
  let abs0 = 0;
  let abs1 = 0;
  let sqd0 = 0;
  let sqd1 = 0;
  let sqa0 = 0;
  let sqa1 = 0;
  let changed = 0;
  const even = to - ((to - from) % 2);
  let i = from;
  for (; i < even; i += 2) {
    const x0 = a[i];
    const x1 = a[i + 1];
    const d0 = b[i] - x0;
    const d1 = b[i + 1] - x1;
    const ad0 = Math.abs(d0);
    const ad1 = Math.abs(d1);
    max0 = Math.max(max0, ad0);
    max1 = Math.max(max1, ad1);
    abs0 += ad0;
    abs1 += ad1;
    sqd0 += d0 * d0;
    sqd1 += d1 * d1;
    sqa0 += x0 * x0;
    sqa1 += x1 * x1;
    changed += (d0 !== 0 ? 1 : 0) + (d1 !== 0 ? 1 : 0);
  }
  if (i < to) {
    const x = a[i];
    const d = b[i] - x;
    const ad = Math.abs(d);
    max1 = Math.max(max1, ad);
    abs1 += ad;
    sqd1 += d * d;
    sqa1 += x * x;
    changed += d !== 0 ? 1 : 0;
  }
  out[0] = Math.max(max0, max1);
  out[1] = abs0 + abs1;
  out[2] = sqd0 + sqd1;
  out[3] = sqa0 + sqa1;
  out[4] = changed;
}

/**
 * Runs float32DriftRange a few dozen times over two or three pairs, so every path of it (the paired loop, the odd element, the figures
 * written out) has run before its loop gets hot: optimised in the middle of its first long loop, it would otherwise
 * meet code without type feedback after the loop and be thrown away again (a deopt per call, seen with
 * --trace-deopt). The helper thread does the same with its copy.
 */
export function warmFloat32DriftRange(kernel: typeof float32DriftRange): void {
  const x = Float32Array.of(1, 2, 3);
  const y = Float32Array.of(1, 2.5, 4);
  const out = new Float64Array(5);
  // V8 keeps type feedback only once a function has run a little (lazy feedback allocation): a few dozen calls
  for (let i = 0; i < 64; i++) kernel(x, y, i % 2, 3, out);
}

warmFloat32DriftRange(float32DriftRange);

/** True when float32DriftRange's figures hold (no NaN or infinity in the range). */
export const rangeFinite = (out: Float64Array): boolean => Number.isFinite(out[1] + out[3]);

/**
 * A second thread for the float32 drift loop: chunks are read into buffers it can see (`alloc`, shared memory), and
 * `ranges` computes a chunk's figures piece by piece on this thread and the helper thread together.
 */
export interface DriftHelper {
  /** A zeroed buffer of `bytes` bytes the helper thread can read (shared memory). */
  alloc(bytes: number): Uint8Array;
  /**
   * float32DriftRange over `pieces` consecutive ranges of the float32 views of `a` and `b` (views into buffers from
   * `alloc`, 4-byte aligned, same length): range i is [floor(i·n/pieces), floor((i+1)·n/pieces)). This thread and
   * the helper each take the next range when free, so neither waits on the other for more than one range; the
   * figures of range i are at [5i, 5i + 5) of the result, whoever computed them. Valid until the next call.
   */
  ranges(a: Uint8Array, b: Uint8Array, pieces: number): Float64Array;
  /**
   * Optional (node): `ranges` over chunks the two threads read themselves, each the ranges it takes, by positional
   * reads on files already opened (through the export's contained open) — reads and compute are shared alike. The
   * figures of range p of chunk c are at [5(c·pieces + p), +5), the same as `ranges` gives for that chunk read
   * whole; a range that could not be read whole has NaN figures. At most MAX_READ_PIECES ranges a call.
   */
  readRanges?(job: DriftReadJob): Float64Array;
  /** Stops the thread. */
  close(): Promise<void>;
}

/** Most ranges (chunks × pieces) one DriftHelper.readRanges call takes. */
export const MAX_READ_PIECES = 4096;

/**
 * Float32 chunks of a tensor pair, for DriftHelper.readRanges: chunk c is the `step` bytes at posA + c·step of file
 * descriptor fdA and at posB + c·step of fdB (step a multiple of 4); its range p of `pieces` is elements
 * [floor(p·n/pieces), floor((p+1)·n/pieces)) of the chunk's n = step / 4.
 */
export interface DriftReadJob {
  fdA: number;
  posA: number;
  fdB: number;
  posB: number;
  step: number;
  chunks: number;
  pieces: number;
}
