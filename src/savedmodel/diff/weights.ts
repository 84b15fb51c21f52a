/**
 * Weights diff: variables matched by checkpoint key, then by object path (TF2 variable names differ between
 * exports of the same model), the rest added/removed; dtype and shape changes; and for matched tensors the value
 * drift (max |Δ|, mean |Δ|, ‖Δ‖₂/‖A‖₂, fraction changed), streamed through bounded chunked reads of both shards
 * so two 1 GB checkpoints are compared in a few tens of MB.
 */
import { DataType, dtypeShortName } from "../dtypes.js";
import { SavedModelError, type Diagnostic } from "../errors.js";
import type { ModelVariables, VariableInfo } from "../modelTypes.js";
import type { SavedModelExport } from "../savedModel.js";
import { decodeTensorBytes, storedElementSize, type DecodedTensor } from "../tensor.js";
import type { BundleEntry, TensorBundle } from "../tensorBundle/index.js";
import { loadVariables, openBundle, readVariable } from "../variables.js";
import type { VariableChange, VariableDrift, WeightsDiff } from "./types.js";
import { exactly, readChunkInto, type FileAccess, type RangeReader } from "../fileAccess.js";
import { float32DriftRange, rangeFinite, MAX_READ_PIECES, type DriftHelper } from "./float32Drift.js";

export interface WeightsOptions {
  /** Bytes read per side per step (default 4 MiB); memory stays within ~4× this (two buffers per side). */
  chunkBytes?: number;
  /** Include optimizer slots and bookkeeping entries (default: model variables only). */
  all?: boolean;
  signal?: AbortSignal;
  /** Called after each chunk with bytes compared so far (both sides) and the total to compare. */
  onProgress?: (done: number, total: number, variable: string) => void;
  /**
   * Makes a helper thread for the float32 loop (node: `() => new DriftThread()`, src/savedmodel/node/driftThread.ts),
   * called once, when the first float32 chunk big enough to split is met; the thread is closed at the end. Without
   * it every chunk is compared on this thread. The figures are the same either way but for the last bits of the sums
   * (the halves of a chunk are summed apart, then added).
   */
  threads?: () => DriftHelper;
  /** Largest string or partitioned variable read whole for comparison (default 64 MiB). */
  maxWholeBytes?: number;
}

/** Accumulated drift of one tensor pair. */
export interface DriftAccumulator {
  n: number;
  maxAbs: number;
  sumAbs: number;
  sumSqDelta: number;
  sumSqA: number;
  changed: number;
  nanMismatch: number;
}

export const newAccumulator = (): DriftAccumulator => ({
  n: 0,
  maxAbs: 0,
  sumAbs: 0,
  sumSqDelta: 0,
  sumSqA: 0,
  changed: 0,
  nanMismatch: 0,
});

/** Adds element pairs to the accumulator (numbers; NaN equals NaN, one-sided NaN counts as changed). */
export function accumulate(acc: DriftAccumulator, a: ArrayLike<number>, b: ArrayLike<number>, count = a.length): void {
  let maxAbs = acc.maxAbs;
  let sumAbs = acc.sumAbs;
  let sumSqDelta = acc.sumSqDelta;
  let sumSqA = acc.sumSqA;
  let changed = acc.changed;
  let nanMismatch = acc.nanMismatch;
  for (let i = 0; i < count; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) {
      sumSqA += x * x;
      continue;
    }
    if (x !== x || y !== y) {
      if (x !== x && y !== y) continue;
      nanMismatch++;
      changed++;
      continue;
    }
    const d = y - x;
    const ad = d < 0 ? -d : d;
    changed++;
    if (ad > maxAbs || ad !== ad) maxAbs = ad;
    sumAbs += ad;
    sumSqDelta += d * d;
    sumSqA += x * x;
  }
  acc.n += count;
  acc.maxAbs = maxAbs;
  acc.sumAbs = sumAbs;
  acc.sumSqDelta = sumSqDelta;
  acc.sumSqA = sumSqA;
  acc.changed = changed;
  acc.nanMismatch = nanMismatch;
}

/**
 * `accumulate` for two float32 chunks, the hot loop of the weights comparison (float32DriftRange: one pass without
 * branches for the common case, every element finite; its sums, from zero, are added to the accumulator's, so they
 * may differ from `accumulate`'s in the last bits). When a sum comes out NaN or infinite (a NaN or an infinity in
 * the chunk) the chunk is redone by `accumulate`, which treats NaN = NaN and counts one-sided NaNs.
 */
export function accumulateF32(acc: DriftAccumulator, a: Float32Array, b: Float32Array): void {
  const out = new Float64Array(5);
  float32DriftRange(a, b, 0, a.length, out);
  if (!rangeFinite(out)) return accumulate(acc, a, b);
  addRange(acc, out, a.length);
}

/** Adds float32DriftRange's figures of `count` elements to the accumulator. */
function addRange(acc: DriftAccumulator, out: Float64Array, count: number): void {
  acc.n += count;
  acc.maxAbs = Math.max(acc.maxAbs, out[0]);
  acc.sumAbs += out[1];
  acc.sumSqDelta += out[2];
  acc.sumSqA += out[3];
  acc.changed += out[4];
}

export function finishDrift(
  acc: DriftAccumulator,
): Pick<VariableDrift, "maxAbs" | "meanAbs" | "relL2" | "fractionChanged" | "nanMismatch"> {
  const relL2 =
    acc.sumSqDelta === 0 ? 0 : acc.sumSqA === 0 ? Infinity : Math.sqrt(acc.sumSqDelta) / Math.sqrt(acc.sumSqA);
  return {
    maxAbs: acc.maxAbs,
    meanAbs: acc.n ? acc.sumAbs / acc.n : 0,
    relL2,
    fractionChanged: acc.n ? acc.changed / acc.n : 0,
    nanMismatch: acc.nanMismatch,
  };
}

const TYPED: Partial<Record<number, { new (b: ArrayBuffer, o: number, n: number): ArrayLike<number> }>> = {
  [DataType.DT_FLOAT]: Float32Array,
  [DataType.DT_COMPLEX64]: Float32Array,
  [DataType.DT_DOUBLE]: Float64Array,
  [DataType.DT_COMPLEX128]: Float64Array,
  [DataType.DT_INT32]: Int32Array,
  [DataType.DT_QINT32]: Int32Array,
  [DataType.DT_UINT32]: Uint32Array,
  [DataType.DT_INT16]: Int16Array,
  [DataType.DT_QINT16]: Int16Array,
  [DataType.DT_UINT16]: Uint16Array,
  [DataType.DT_QUINT16]: Uint16Array,
  [DataType.DT_INT8]: Int8Array,
  [DataType.DT_QINT8]: Int8Array,
  [DataType.DT_UINT8]: Uint8Array,
  [DataType.DT_QUINT8]: Uint8Array,
  [DataType.DT_BOOL]: Uint8Array,
};

/** Element values of raw little-endian bytes as numbers, viewing the bytes in place when aligned. */
export function numbersOf(dtype: number, bytes: Uint8Array, bigEndian = false): ArrayLike<number> {
  const T = TYPED[dtype];
  const lane = dtype === DataType.DT_COMPLEX64 ? 4 : dtype === DataType.DT_COMPLEX128 ? 8 : storedElementSize(dtype)!;
  if (T && !bigEndian && bytes.byteOffset % lane === 0)
    return new T(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length / lane);
  const elem = storedElementSize(dtype)!;
  const t = decodeTensorBytes(dtype, [bytes.length / elem], bytes, {
    bigEndian,
    maxElements: Infinity,
    maxBytes: Infinity,
  });
  return toNumbers(t);
}

function toNumbers(t: DecodedTensor): ArrayLike<number> {
  const v = t.values;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, (x) => Number(x));
  return v as ArrayLike<number>;
}

export function isNumericDtype(dtype: number): boolean {
  return dtype !== DataType.DT_STRING && storedElementSize(dtype) !== undefined;
}

interface Pair {
  a: VariableInfo;
  b: VariableInfo;
  matchedBy: VariableDrift["matchedBy"];
}

/** Matches variables by checkpoint key, then object path; the rest are added/removed. */
export function matchVariables(
  va: VariableInfo[],
  vb: VariableInfo[],
): { pairs: Pair[]; removed: VariableInfo[]; added: VariableInfo[] } {
  const pairs: Pair[] = [];
  const byKeyB = new Map(vb.map((v) => [v.checkpointKey, v]));
  const usedB = new Set<VariableInfo>();
  const restA: VariableInfo[] = [];
  for (const a of va) {
    const b = byKeyB.get(a.checkpointKey);
    if (b) {
      pairs.push({ a, b, matchedBy: "checkpoint_key" });
      usedB.add(b);
    } else restA.push(a);
  }
  // TF1 variables have no object path: their checkpoint key (the variable name) stands in for it
  const pathOf = (v: VariableInfo) => v.objectPath || v.checkpointKey;
  const byPathB = new Map<string, VariableInfo>();
  for (const b of vb) if (!usedB.has(b)) byPathB.set(pathOf(b), b);
  const removed: VariableInfo[] = [];
  for (const a of restA) {
    const b = byPathB.get(pathOf(a));
    if (b && !usedB.has(b)) {
      pairs.push({ a, b, matchedBy: "object_path" });
      usedB.add(b);
    } else removed.push(a);
  }
  return { pairs, removed, added: vb.filter((b) => !usedB.has(b)) };
}

async function readChunk(b: TensorBundle, exp: SavedModelExport, e: BundleEntry, at: number, len: number) {
  const bytes = await exp.fs.readRange(e.shardFile, e.offset + at, len);
  if (bytes.length !== len)
    throw new SavedModelError(e.shardFile, `read ${bytes.length} of ${len} bytes (file truncated?)`, {
      field: e.key,
      offset: e.offset + at,
    });
  return bytes;
}

/**
 * Shard files opened once for the whole comparison where the FileAccess can (openReader): each chunk is then one
 * read, not an open + read + close, so a read in flight never waits for the comparison loop between its steps.
 */
class ShardReaders {
  private readonly open = new Map<FileAccess, Map<string, Promise<RangeReader>>>();

  async read(fs: FileAccess, path: string, offset: number, target: Uint8Array, field: string): Promise<Uint8Array> {
    const r = this.reader(fs, path);
    if (!r) return readChunkInto(fs, path, offset, target, field);
    const n = await (await r).readInto(offset, target);
    return exactly(target.subarray(0, n), target.length, path, offset, field);
  }

  /** The file opened once (undefined when the FileAccess cannot open files for range reads). */
  reader(fs: FileAccess, path: string): Promise<RangeReader> | undefined {
    if (!fs.openReader) return undefined;
    let byPath = this.open.get(fs);
    if (!byPath) this.open.set(fs, (byPath = new Map()));
    let r = byPath.get(path);
    if (!r) {
      byPath.set(path, (r = fs.openReader(path)));
      r.catch(() => byPath!.delete(path));
    }
    return r;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()].flatMap((m) => [...m.values()]);
    this.open.clear();
    await Promise.all(all.map((r) => r.then((x) => x.close()).catch(() => undefined)));
  }
}

/** SLOTS chunk buffers per side, reused for every chunk of every variable (no garbage per chunk). */
interface ChunkBuffers {
  a: Uint8Array[];
  b: Uint8Array[];
  /** Allocated by the helper thread (shared memory it can read). */
  shared: boolean;
}

/** What the streamed comparison keeps across variables: buffers, open shards, the helper thread (made on demand). */
interface StreamState {
  chunkBytes: number;
  buffers?: ChunkBuffers;
  readers: ShardReaders;
  /** Makes the helper thread (WeightsOptions.threads); undefined once it failed or when there is none. */
  makeHelper?: () => DriftHelper;
  helper?: DriftHelper;
}

/** Chunk buffers per side: one compared while the reads of the next SLOTS - 1 chunks are in flight. */
const SLOTS = 2; // 3 (two chunk pairs ahead) measured no faster in bench:diff

/** Float32 chunks of at least this many elements are split between this thread and the helper thread. */
const SPLIT_MIN_ELEMENTS = 1 << 16;

/** Buffers of at least `bytes` (those given when big enough and shared when asked, else new ones). */
function chunkBuffers(have: ChunkBuffers | undefined, bytes: number, helper?: DriftHelper): ChunkBuffers {
  if (have && have.a[0].length >= bytes && (have.shared || !helper)) return have;
  const one = helper ? (n: number) => helper.alloc(n) : (n: number) => new Uint8Array(n);
  const slots = () => Array.from({ length: SLOTS }, () => one(bytes));
  return { a: slots(), b: slots(), shared: !!helper };
}

/** The helper thread, made the first time a chunk is big enough to split (none when making it fails). */
function helperFor(state: StreamState): DriftHelper | undefined {
  if (!state.helper && state.makeHelper) {
    try {
      state.helper = state.makeHelper();
    } catch {
      state.makeHelper = undefined;
    }
  }
  return state.helper;
}

/** Elements per range when a float32 chunk is shared with the helper thread (DriftHelper.ranges). */
const RANGE_ELEMENTS = 1 << 16;

/**
 * A float32 chunk pair computed with the helper thread, range by range; the ranges' figures are added in range
 * order, so the result does not depend on timing. A chunk with a NaN or an infinity (a range's sums not finite) is
 * redone whole by the general loop.
 */
function sharedF32(
  acc: DriftAccumulator,
  helper: DriftHelper,
  ca: Uint8Array,
  cb: Uint8Array,
  xa: Float32Array,
  xb: Float32Array,
): void {
  const n = xa.length;
  const pieces = Math.ceil(n / RANGE_ELEMENTS);
  const figures = helper.ranges(ca, cb, pieces);
  for (let p = 0; p < pieces; p++) if (!rangeFinite(figures.subarray(p * 5, p * 5 + 5))) return accumulate(acc, xa, xb);
  for (let p = 0; p < pieces; p++)
    addRange(
      acc,
      figures.subarray(p * 5, p * 5 + 5),
      Math.floor(((p + 1) * n) / pieces) - Math.floor((p * n) / pieces),
    );
}

/** Largest tensor span one DriftHelper.readRanges call covers (progress and cancelling are seen between calls). */
const READ_JOB_BYTES = 64 << 20;

/**
 * The float32 pair's descriptors when both threads can read it themselves (DriftHelper.readRanges): both shards
 * opened for range reads with a descriptor, the tensor within the size each had at open. Else undefined (the
 * ordinary path then reads, and reports a truncated file as it always does).
 */
async function readJobFiles(
  state: StreamState,
  expA: SavedModelExport,
  ea: BundleEntry,
  expB: SavedModelExport,
  eb: BundleEntry,
): Promise<{ fdA: number; fdB: number } | undefined> {
  const pa = state.readers.reader(expA.fs, ea.shardFile);
  const pb = state.readers.reader(expB.fs, eb.shardFile);
  if (!pa || !pb) return undefined;
  const [ra, rb] = await Promise.allSettled([pa, pb]);
  if (ra.status === "rejected" || rb.status === "rejected") return undefined;
  const [a, b] = [ra.value, rb.value];
  if (a.fd === undefined || b.fd === undefined || ea.offset + ea.size > a.size || eb.offset + eb.size > b.size)
    return undefined;
  return { fdA: a.fd, fdB: b.fd };
}

/** Streams both tensors in chunks: the next chunk pair is read into the other buffers while this one is compared. */
async function streamDrift(
  expA: SavedModelExport,
  ba: TensorBundle,
  ea: BundleEntry,
  expB: SavedModelExport,
  bb: TensorBundle,
  eb: BundleEntry,
  state: StreamState,
  onChunk: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<DriftAccumulator> {
  const elem = storedElementSize(ea.dtype)!;
  const step = Math.max(elem, Math.floor(state.chunkBytes / elem) * elem);
  const total = ea.size;
  const f32 = ea.dtype === DataType.DT_FLOAT && !ba.bigEndian && !bb.bigEndian;
  const helper = f32 && Math.min(step, total) >= SPLIT_MIN_ELEMENTS * 4 ? helperFor(state) : undefined;
  const acc = newAccumulator();
  const fds =
    helper?.readRanges && step >= SPLIT_MIN_ELEMENTS * 4 ? await readJobFiles(state, expA, ea, expB, eb) : undefined;
  /** Chunks [0, from) already compared by both threads reading their own ranges. */
  let from = 0;
  if (fds) {
    const pieces = Math.ceil(step / 4 / RANGE_ELEMENTS);
    const full = Math.floor(total / step);
    const perJob = Math.max(1, Math.min(Math.floor(MAX_READ_PIECES / pieces), Math.floor(READ_JOB_BYTES / step)));
    for (let c = 0; c < full;) {
      if (signal?.aborted) throw new SavedModelError("variables/", "comparison cancelled");
      const chunks = Math.min(perJob, full - c);
      const at = c * step;
      // a copy: redoing a chunk below reuses the helper's figures
      const figures = helper!.readRanges!({
        ...fds,
        posA: ea.offset + at,
        posB: eb.offset + at,
        step,
        chunks,
        pieces,
      }).slice();
      for (let k = 0; k < chunks; k++) {
        const mine = figures.subarray(k * pieces * 5, (k + 1) * pieces * 5);
        let finite = true;
        for (let p = 0; p < pieces && finite; p++) finite = rangeFinite(mine.subarray(p * 5, p * 5 + 5));
        if (finite) {
          for (let p = 0; p < pieces; p++)
            addRange(acc, mine.subarray(p * 5, p * 5 + 5), rangeLength(step / 4, pieces, p));
          onChunk(step * 2);
        }
        // a NaN, an infinity or a read that failed: the chunk the ordinary way (below), which reports read errors
        else await streamChunks(at + k * step, at + (k + 1) * step);
        if (signal?.aborted && k + 1 < chunks) throw new SavedModelError("variables/", "comparison cancelled");
      }
      c += chunks;
    }
    from = full * step;
  }
  await streamChunks(from, total);
  return acc;

  async function streamChunks(start: number, end: number): Promise<void> {
    const bufs = (state.buffers = chunkBuffers(state.buffers, step, helper));
    /** Reads into `target`; bytes a FileAccess hands back in a buffer of its own are copied into it for the helper. */
    const read = async (exp: SavedModelExport, e: BundleEntry, at: number, target: Uint8Array) => {
      const got = await state.readers.read(exp.fs, e.shardFile, e.offset + at, target, e.key);
      if (!helper || got.buffer === target.buffer) return got;
      target.set(got);
      return target;
    };
    /** Both sides of a chunk; settles only when both reads have (no read still writing into a buffer after an error). */
    const fetch = async (at: number, slot: number): Promise<[Uint8Array, Uint8Array]> => {
      const len = Math.min(step, end - at);
      const [ra, rb] = await Promise.allSettled([
        read(expA, ea, at, bufs.a[slot].subarray(0, len)),
        read(expB, eb, at, bufs.b[slot].subarray(0, len)),
      ]);
      if (ra.status === "rejected") throw ra.reason;
      if (rb.status === "rejected") throw rb.reason;
      return [ra.value, rb.value];
    };
    const inFlight: Promise<[Uint8Array, Uint8Array]>[] = [];
    let nextAt = start;
    let nextSlot = 0;
    const readAhead = () => {
      if (nextAt >= end) return;
      const p = fetch(nextAt, nextSlot);
      p.catch(() => undefined); // handled where it is awaited, or below when the comparison stops
      inFlight.push(p);
      nextAt += Math.min(step, end - nextAt);
      nextSlot = (nextSlot + 1) % SLOTS;
    };
    /** Stops: the reads still in flight finish first, so none writes into the buffers the next variable uses. */
    const stop = async (e: unknown): Promise<never> => {
      await Promise.allSettled(inFlight);
      throw e;
    };
    for (let i = 1; i < SLOTS; i++) readAhead();
    while (inFlight.length) {
      if (signal?.aborted) return stop(new SavedModelError("variables/", "comparison cancelled"));
      try {
        const [ca, cb] = await inFlight.shift()!;
        readAhead();
        const xa = numbersOf(ea.dtype, ca, ba.bigEndian);
        const xb = numbersOf(eb.dtype, cb, bb.bigEndian);
        if (xa instanceof Float32Array && xb instanceof Float32Array) {
          if (helper && xa.length >= SPLIT_MIN_ELEMENTS) sharedF32(acc, helper, ca, cb, xa, xb);
          else accumulateF32(acc, xa, xb);
        } else accumulate(acc, xa, xb);
        onChunk(ca.length * 2);
      } catch (e) {
        return stop(e);
      }
    }
  }
}

/** Elements of range p of `pieces` of n (DriftHelper.ranges' split). */
const rangeLength = (n: number, pieces: number, p: number) =>
  Math.floor(((p + 1) * n) / pieces) - Math.floor((p * n) / pieces);

function wholeDrift(ta: DecodedTensor, tb: DecodedTensor): DriftAccumulator {
  const acc = newAccumulator();
  if (Array.isArray(ta.values)) {
    const sa = ta.values as Uint8Array[];
    const sb = tb.values as Uint8Array[];
    const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);
    acc.n = sa.length;
    for (let i = 0; i < sa.length; i++) if (!same(sa[i], sb[i])) acc.changed++;
    return acc;
  }
  accumulate(acc, toNumbers(ta), toNumbers(tb));
  return acc;
}

const shapeText = (s: number[]) => `[${s.join(", ")}]`;

/** Compares the variables of two exports. Diagnostics of either side are returned, tagged. */
export async function diffWeights(
  expA: SavedModelExport,
  expB: SavedModelExport,
  opts: WeightsOptions = {},
): Promise<{ weights: WeightsDiff; diagnostics: (Diagnostic & { side: "a" | "b" })[] }> {
  const readers = new ShardReaders();
  const state: StreamState = { chunkBytes: opts.chunkBytes ?? 4 << 20, readers, makeHelper: opts.threads };
  const maxWhole = opts.maxWholeBytes ?? 64 << 20;
  const [la, lb]: ModelVariables[] = await Promise.all([loadVariables(expA), loadVariables(expB)]);
  const diagnostics = [
    ...la.diagnostics.map((d) => ({ ...d, side: "a" as const })),
    ...lb.diagnostics.map((d) => ({ ...d, side: "b" as const })),
  ];
  const keep = (v: VariableInfo) => opts.all || v.kind === "variable";
  const { pairs, removed, added } = matchVariables(la.variables.filter(keep), lb.variables.filter(keep));
  // a float32 pair big enough to share: the helper thread starts now, while the bundles are opened and matched
  if (pairs.some((p) => p.a.dtype === DataType.DT_FLOAT && p.a.bytes >= SPLIT_MIN_ELEMENTS * 4)) helperFor(state);
  const changes: VariableChange[] = [];
  for (const v of removed)
    changes.push({
      kind: "removed",
      name: v.name,
      keyA: v.checkpointKey,
      before: `${v.dtypeShort} ${shapeText(v.shape)}`,
    });
  for (const v of added)
    changes.push({
      kind: "added",
      name: v.name,
      keyB: v.checkpointKey,
      after: `${v.dtypeShort} ${shapeText(v.shape)}`,
    });
  const [ba, bb] = await Promise.all([
    openBundle(expA).catch(() => undefined),
    openBundle(expB).catch(() => undefined),
  ]);
  const drift: VariableDrift[] = [];
  const comparable = pairs.filter(({ a, b }) => {
    const base = { kind: "changed" as const, name: b.name, keyA: a.checkpointKey, keyB: b.checkpointKey };
    if (a.name !== b.name) changes.push({ ...base, what: "name", before: a.name, after: b.name });
    if (a.dtype !== b.dtype) {
      changes.push({ ...base, what: "dtype", before: a.dtypeShort, after: b.dtypeShort });
      return false;
    }
    if (shapeText(a.shape) !== shapeText(b.shape)) {
      changes.push({ ...base, what: "shape", before: shapeText(a.shape), after: shapeText(b.shape) });
      return false;
    }
    if (a.dtype === DataType.DT_RESOURCE || a.dtype === DataType.DT_VARIANT) {
      changes.push({ ...base, what: "not_numeric", detail: `${a.dtypeShort} values cannot be compared` });
      return false;
    }
    if (a.problems.length || b.problems.length) {
      const detail = [...a.problems.map((p) => `A: ${p}`), ...b.problems.map((p) => `B: ${p}`)].join("; ");
      changes.push({ ...base, what: "unreadable", detail });
      return false;
    }
    return true;
  });
  const total = comparable.reduce((s, p) => s + p.a.bytes + p.b.bytes, 0);
  let done = 0;
  try {
    for (const { a, b, matchedBy } of comparable) {
      if (opts.signal?.aborted) throw new SavedModelError("variables/", "comparison cancelled");
      const ea = ba?.get(a.checkpointKey);
      const eb = bb?.get(b.checkpointKey);
      let acc: DriftAccumulator;
      try {
        if (ea && eb && !ea.slices && !eb.slices && isNumericDtype(a.dtype) && ea.size === eb.size)
          acc = await streamDrift(
            expA,
            ba!,
            ea,
            expB,
            bb!,
            eb,
            state,
            (n) => {
              done += n;
              opts.onProgress?.(done, total, b.name);
            },
            opts.signal,
          );
        else {
          if (a.bytes > maxWhole || b.bytes > maxWhole)
            throw new Error(
              `${a.sliced ? "partitioned" : a.dtypeShort} variable of ${a.bytes} bytes is too large to compare whole`,
            );
          const [ta, tb] = await Promise.all([
            readVariable(expA, a.checkpointKey),
            readVariable(expB, b.checkpointKey),
          ]);
          acc = wholeDrift(ta, tb);
          done += a.bytes + b.bytes;
          opts.onProgress?.(done, total, b.name);
        }
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        changes.push({
          kind: "changed",
          name: b.name,
          keyA: a.checkpointKey,
          keyB: b.checkpointKey,
          what: "unreadable",
          detail: (e as Error).message,
        });
        continue;
      }
      drift.push({
        keyA: a.checkpointKey,
        keyB: b.checkpointKey,
        name: b.name,
        matchedBy,
        dtype: dtypeShortName(a.dtype),
        shape: a.shape,
        elements: a.elements,
        ...finishDrift(acc),
      });
    }
  } finally {
    await Promise.all([readers.close(), state.helper?.close()]);
  }
  drift.sort(
    (x, y) =>
      y.relL2 - x.relL2 ||
      y.maxAbs - x.maxAbs ||
      y.fractionChanged - x.fractionChanged ||
      (x.name < y.name ? -1 : x.name > y.name ? 1 : 0),
  );
  return {
    weights: {
      drift,
      changes,
      matched: pairs.length,
      identical: drift.filter((d) => d.fractionChanged === 0).length,
      bytesCompared: done,
    },
    diagnostics,
  };
}

/**
 * Histogram of Δ = B − A for one matched variable, streamed like the drift (bins over [−range, range], range =
 * max |Δ| from the drift or found in a first pass).
 */
export async function deltaHistogram(
  expA: SavedModelExport,
  keyA: string,
  expB: SavedModelExport,
  keyB: string,
  opts: { bins?: number; range?: number; chunkBytes?: number; signal?: AbortSignal } = {},
): Promise<{ lo: number; hi: number; counts: number[]; zero: number }> {
  const bins = opts.bins ?? 41;
  const [ba, bb] = await Promise.all([openBundle(expA), openBundle(expB)]);
  const ea = ba?.get(keyA);
  const eb = bb?.get(keyB);
  if (!ea || !eb || ea.slices || eb.slices || !isNumericDtype(ea.dtype) || ea.dtype !== eb.dtype || ea.size !== eb.size)
    throw new SavedModelError("variables/", `cannot compare "${keyA}" and "${keyB}" element by element`);
  const elem = storedElementSize(ea.dtype)!;
  const step = Math.max(elem, Math.floor((opts.chunkBytes ?? 8 << 20) / elem) * elem);
  const pass = async (each: (x: number, y: number) => void) => {
    for (let at = 0; at < ea.size; at += step) {
      if (opts.signal?.aborted) throw new SavedModelError("variables/", "cancelled");
      const len = Math.min(step, ea.size - at);
      const [ca, cb] = await Promise.all([readChunk(ba!, expA, ea, at, len), readChunk(bb!, expB, eb, at, len)]);
      const xa = numbersOf(ea.dtype, ca, ba!.bigEndian);
      const xb = numbersOf(eb.dtype, cb, bb!.bigEndian);
      for (let i = 0; i < xa.length; i++) each(xa[i], xb[i]);
    }
  };
  let range = opts.range;
  if (range === undefined || !Number.isFinite(range)) {
    let m = 0;
    await pass((x, y) => {
      const d = Math.abs(y - x);
      if (d > m && Number.isFinite(d)) m = d;
    });
    range = m;
  }
  const r = range || 1;
  const counts = new Array(bins).fill(0);
  let zero = 0;
  await pass((x, y) => {
    const d = y - x;
    if (d !== d) return;
    if (d === 0) zero++;
    const i = Math.min(bins - 1, Math.max(0, Math.floor(((d + r) / (2 * r)) * bins)));
    counts[i]++;
  });
  return { lo: -r, hi: r, counts, zero };
}
