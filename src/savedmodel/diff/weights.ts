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
import { accumulateF32 } from "./driftKernel.js";

export interface WeightsOptions {
  /** Bytes read per side per step (default 4 MiB); memory stays within ~8× this (3 pairs read ahead). */
  chunkBytes?: number;
  /** Include optimizer slots and bookkeeping entries (default: model variables only). */
  all?: boolean;
  signal?: AbortSignal;
  /** Called after each chunk with bytes compared so far (both sides) and the total to compare. */
  onProgress?: (done: number, total: number, variable: string) => void;
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

/** Chunk pairs read ahead of the comparison. */
const PREFETCH = 3;

/** Streams both tensors in chunks (the next chunks read while the current one is compared). */
async function streamDrift(
  expA: SavedModelExport,
  ba: TensorBundle,
  ea: BundleEntry,
  expB: SavedModelExport,
  bb: TensorBundle,
  eb: BundleEntry,
  chunkBytes: number,
  onChunk: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<DriftAccumulator> {
  const elem = storedElementSize(ea.dtype)!;
  const step = Math.max(elem, Math.floor(chunkBytes / elem) * elem);
  const total = ea.size;
  const acc = newAccumulator();
  const fetch = (at: number) => {
    const len = Math.min(step, total - at);
    return Promise.all([readChunk(ba, expA, ea, at, len), readChunk(bb, expB, eb, at, len)]);
  };
  // keep PREFETCH chunk pairs in flight (the reads run on I/O threads while this one is compared)
  const queue: Promise<[Uint8Array, Uint8Array]>[] = [];
  let issued = 0;
  const refill = () => {
    while (queue.length < PREFETCH && issued < total) {
      queue.push(fetch(issued));
      issued += Math.min(step, total - issued);
    }
  };
  refill();
  while (queue.length) {
    if (signal?.aborted) throw new SavedModelError("variables/", "comparison cancelled");
    const [ca, cb] = await queue.shift()!;
    refill();
    const xa = numbersOf(ea.dtype, ca, ba.bigEndian);
    const xb = numbersOf(eb.dtype, cb, bb.bigEndian);
    if (!(xa instanceof Float32Array && xb instanceof Float32Array && accumulateF32(acc, xa, xb, accumulate)))
      accumulate(acc, xa, xb);
    onChunk(ca.length * 2);
  }
  return acc;
}

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
  const chunkBytes = opts.chunkBytes ?? 4 << 20;
  const maxWhole = opts.maxWholeBytes ?? 64 << 20;
  const [la, lb]: ModelVariables[] = await Promise.all([loadVariables(expA), loadVariables(expB)]);
  const diagnostics = [
    ...la.diagnostics.map((d) => ({ ...d, side: "a" as const })),
    ...lb.diagnostics.map((d) => ({ ...d, side: "b" as const })),
  ];
  const keep = (v: VariableInfo) => opts.all || v.kind === "variable";
  const { pairs, removed, added } = matchVariables(la.variables.filter(keep), lb.variables.filter(keep));
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
          chunkBytes,
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
        const [ta, tb] = await Promise.all([readVariable(expA, a.checkpointKey), readVariable(expB, b.checkpointKey)]);
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
