/**
 * The drift of two float32 chunks with WebAssembly SIMD (f32x4): per block of up to 4096 elements, the lane-wise
 * max |Δ|, Σ|Δ|, ΣΔ², ΣA² and the count of unequal elements; the blocks are added up in float64 here. No library
 * has this fused reduction (tfjs-core would need eight passes over the data), and it is what keeps the weights
 * comparison near the speed of reading the files. The module (a few hundred bytes) is assembled below from its
 * instructions; without WebAssembly SIMD the plain-JS loop in weights.ts does the same work.
 *
 * Kernel (WebAssembly text):
 *   (func (export "drift") (param $pa i32) (param $pb i32) (param $nvec i32) (param $out i32)
 *     (local $end i32) (local $max v128) (local $sabs v128) (local $sd2 v128) (local $sa2 v128) (local $cnt v128)
 *     (local $a v128) (local $d v128) (local $ad v128)
 *     end = pa + nvec·16
 *     loop while pa < end:
 *       a = load(pa); d = load(pb) − a; cnt −= (load(pb) ≠ a); ad = |d|
 *       max = max(ad, max); sabs += ad; sd2 += d·d; sa2 += a·a; pa += 16; pb += 16
 *     store max, sabs, sd2, sa2, cnt at out, out+16, …, out+64)
 */
import type { DriftAccumulator } from "./weights.js";

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const str = (s: string) => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// opcodes
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const simd = (op: number) => [0xfd, ...leb(op)];
const LOAD = (offset = 0) => [...simd(0x00), 2, ...leb(offset)];
const STORE = (offset: number) => [...simd(0x0b), 2, ...leb(offset)];
const F32X4_NE = simd(0x42);
const I32X4_SUB = simd(0xb1);
const F32X4_ABS = simd(0xe0);
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const F32X4_MAX = simd(0xe9);

// locals: 0 pa, 1 pb, 2 nvec, 3 out, 4 end, 5 max, 6 sabs, 7 sd2, 8 sa2, 9 cnt, 10 a, 11 d, 12 ad
function kernelBody(): number[] {
  const code = [
    ...[GET, 0, GET, 2, 0x41, 4, 0x74, 0x6a, SET, 4], // end = pa + (nvec << 4)
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...[GET, 0, GET, 4, 0x4f, 0x0d, 1], // br_if 1 (pa >= end)
    ...[GET, 0, ...LOAD(), SET, 10], // a = load(pa)
    ...[GET, 1, ...LOAD(), GET, 10, ...F32X4_SUB, SET, 11], // d = load(pb) - a
    ...[GET, 9, GET, 1, ...LOAD(), GET, 10, ...F32X4_NE, ...I32X4_SUB, SET, 9], // cnt -= (b != a)
    ...[GET, 11, ...F32X4_ABS, TEE, 12, GET, 5, ...F32X4_MAX, SET, 5], // max = max(|d|, max)
    ...[GET, 6, GET, 12, ...F32X4_ADD, SET, 6], // sabs += |d|
    ...[GET, 7, GET, 11, GET, 11, ...F32X4_MUL, ...F32X4_ADD, SET, 7], // sd2 += d*d
    ...[GET, 8, GET, 10, GET, 10, ...F32X4_MUL, ...F32X4_ADD, SET, 8], // sa2 += a*a
    ...[GET, 0, 0x41, 16, 0x6a, SET, 0, GET, 1, 0x41, 16, 0x6a, SET, 1], // pa += 16; pb += 16
    0x0c,
    0, // br 0
    0x0b, // end loop
    0x0b, // end block
    ...[GET, 3, GET, 5, ...STORE(0)],
    ...[GET, 3, GET, 6, ...STORE(16)],
    ...[GET, 3, GET, 7, ...STORE(32)],
    ...[GET, 3, GET, 8, ...STORE(48)],
    ...[GET, 3, GET, 9, ...STORE(64)],
    0x0b, // end func
  ];
  const locals = vec([
    [1, 0x7f],
    [8, 0x7b],
  ]);
  const body = [...locals, ...code];
  return [...leb(body.length), ...body];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]])), // type (i32 i32 i32 i32) -> ()
    ...section(3, vec([[0]])), // one function of type 0
    ...section(5, vec([[0x00, 1]])), // memory, min 1 page
    ...section(
      7,
      vec([
        [...str("drift"), 0x00, 0],
        [...str("mem"), 0x02, 0],
      ]),
    ),
    ...section(10, vec([kernelBody()])),
  ];
  return new Uint8Array(bytes);
}

interface Kernel {
  drift: (pa: number, pb: number, nvec: number, out: number) => void;
  mem: WebAssembly.Memory;
}

let kernel: Kernel | null | undefined;

/** The SIMD kernel, or null where WebAssembly SIMD is unavailable. */
export function simdKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = moduleBytes();
    if (typeof WebAssembly !== "object" || !WebAssembly.validate(bytes)) return (kernel = null);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    kernel = inst.exports as unknown as Kernel;
  } catch {
    kernel = null;
  }
  return kernel;
}

const BLOCK = 4096; // elements per kernel call: both blocks stay in L1/L2 between the copy and the kernel
const OUT = 0;
const A_AT = 128;
const B_AT = A_AT + BLOCK * 4;

let views: { mem: ArrayBuffer; a: Float32Array; b: Float32Array; out: Float32Array; cnt: Int32Array } | undefined;

/**
 * Adds the drift of float32 chunks `a` and `b` to `acc` with the SIMD kernel; returns false (leaving `acc`
 * untouched) when the kernel is unavailable. Blocks with NaN or infinities are redone by `fallback`.
 */
export function accumulateF32(
  acc: DriftAccumulator,
  a: Float32Array,
  b: Float32Array,
  fallback: (acc: DriftAccumulator, a: Float32Array, b: Float32Array) => void,
): boolean {
  const k = simdKernel();
  if (!k) return false;
  if (!views || views.mem !== k.mem.buffer) {
    const buf = k.mem.buffer;
    views = {
      mem: buf,
      a: new Float32Array(buf, A_AT, BLOCK),
      b: new Float32Array(buf, B_AT, BLOCK),
      out: new Float32Array(buf, OUT, 16),
      cnt: new Int32Array(buf, OUT + 64, 4),
    };
  }
  const { a: va, b: vb, out, cnt } = views;
  const n = a.length;
  const whole = n - (n & 3);
  for (let at = 0; at < whole; at += BLOCK) {
    const m = Math.min(BLOCK, whole - at);
    const pa = a.subarray(at, at + m);
    const pb = b.subarray(at, at + m);
    va.set(pa);
    vb.set(pb);
    k.drift(A_AT, B_AT, m >>> 2, OUT);
    const max = Math.max(out[0], out[1], out[2], out[3]);
    const sabs = out[4] + out[5] + out[6] + out[7];
    const sd2 = out[8] + out[9] + out[10] + out[11];
    const sa2 = out[12] + out[13] + out[14] + out[15];
    if (!Number.isFinite(max) || !Number.isFinite(sabs) || !Number.isFinite(sd2) || !Number.isFinite(sa2)) {
      fallback(acc, pa, pb);
      continue;
    }
    if (max > acc.maxAbs) acc.maxAbs = max;
    acc.sumAbs += sabs;
    acc.sumSqDelta += sd2;
    acc.sumSqA += sa2;
    acc.changed += cnt[0] + cnt[1] + cnt[2] + cnt[3];
    acc.n += m;
  }
  if (n & 3) fallback(acc, a.subarray(whole), b.subarray(whole));
  return true;
}
