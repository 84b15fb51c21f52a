/**
 * Statistics of a checkpoint variable streamed through reads of bounded size (16 MiB by default),
 * so a variable of any size costs the same memory: the CRC32C is checked on the way, progress is
 * reported, and an AbortSignal stops it between reads. The result is tensorStats() of the whole
 * tensor (counts and extremes exactly; mean and std merged per chunk, equal up to rounding).
 */
import { dtypeEnumName, DataType as DT } from "./dtypes.js";
import { SavedModelError } from "./errors.js";
import type { SavedModelExport } from "./savedModel.js";
import { decodeTensorBytes, storedElementSize, type TensorStats } from "./tensor.js";
import { crc32c, hex32, unmaskCrc } from "./tensorBundle/crc.js";
import { openBundle } from "./variables.js";

export const STATS_CHUNK_BYTES = 16 << 20;

export interface StreamStatsOptions {
  /** Bytes per read (rounded down to whole elements). Default 16 MiB. */
  chunkBytes?: number;
  /** Called after each read with the bytes done so far and the total. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Verify the entry's CRC32C (default true). */
  verify?: boolean;
}

/** The running single-pass statistics of tensorStats(), fed in pieces. */
export class StatsAccumulator {
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private mean = 0;
  private m2 = 0;
  private finite = 0;
  private nanCount = 0;
  private infCount = 0;
  private zeros = 0;
  private seen = 0;

  constructor(private readonly complex = false) {}

  add(v: ArrayLike<number> | BigInt64Array | BigUint64Array): void {
    const isBig = v instanceof BigInt64Array || v instanceof BigUint64Array;
    if (!this.complex && !isBig) return this.addPlain(v as ArrayLike<number>);
    const n = this.complex ? v.length / 2 : v.length;
    this.count += n;
    let { min, max, mean, m2, finite, nanCount, infCount, zeros, seen } = this;
    for (let i = 0; i < n; i++) {
      let x: number;
      if (this.complex) x = Math.hypot((v as ArrayLike<number>)[2 * i], (v as ArrayLike<number>)[2 * i + 1]);
      else x = isBig ? Number((v as BigInt64Array)[i]) : (v as ArrayLike<number>)[i];
      if (x !== x) {
        nanCount++;
        continue;
      }
      seen++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
      if (x === Infinity || x === -Infinity) {
        infCount++;
        continue;
      }
      finite++;
      const d = x - mean;
      mean += d / finite;
      m2 += d * (x - mean);
    }
    Object.assign(this, { min, max, mean, m2, finite, nanCount, infCount, zeros, seen });
  }

  /**
   * Real numbers, a chunk at a time: one pass for counts, extremes and the sum, one for the chunk's
   * squared deviations, merged into the running mean/M2 (Chan et al.), with no division per element.
   */
  private addPlain(v: ArrayLike<number>): void {
    const n = v.length;
    this.count += n;
    let min = this.min,
      max = this.max,
      nan = 0,
      inf = 0,
      zeros = 0,
      seen = 0,
      finite = 0,
      sum = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x !== x) {
        nan++;
        continue;
      }
      seen++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
      if (x === Infinity || x === -Infinity) inf++;
      else {
        finite++;
        sum += x;
      }
    }
    let m2 = 0;
    const mean = finite ? sum / finite : 0;
    if (finite)
      for (let i = 0; i < n; i++) {
        const x = v[i];
        if (x - x === 0) {
          const d = x - mean;
          m2 += d * d;
        }
      }
    this.min = min;
    this.max = max;
    this.nanCount += nan;
    this.infCount += inf;
    this.zeros += zeros;
    this.seen += seen;
    if (finite) {
      const na = this.finite;
      const total = na + finite;
      if (na === 0) {
        this.mean = mean;
        this.m2 = m2;
        this.finite = finite;
        return;
      }
      const delta = mean - this.mean;
      this.mean += (delta * finite) / total;
      this.m2 += m2 + (delta * delta * na * finite) / total;
      this.finite = total;
    }
  }

  result(): TensorStats {
    const { count, seen, finite } = this;
    return {
      count,
      min: seen ? this.min : NaN,
      max: seen ? this.max : NaN,
      mean: finite ? this.mean : NaN,
      std: finite ? Math.sqrt(this.m2 / finite) : NaN,
      nanCount: this.nanCount,
      infCount: this.infCount,
      zeroFraction: count ? this.zeros / count : 0,
    };
  }
}

function abortError(): Error {
  return Object.assign(new Error("statistics cancelled"), { name: "AbortError" });
}

/**
 * Streams the statistics of one checkpoint entry. Undefined for entries without numeric values
 * (strings, variants, resources, partitioned variables' metadata entries).
 */
export async function streamVariableStats(
  exp: SavedModelExport,
  checkpointKey: string,
  opts: StreamStatsOptions = {},
): Promise<TensorStats | undefined> {
  const b = await openBundle(exp);
  if (!b) throw new SavedModelError("variables/", "this export has no variables/ folder");
  const e = b.get(checkpointKey);
  if (!e)
    throw new SavedModelError(b.indexFile, `no checkpoint entry named "${checkpointKey}"`, { field: checkpointKey });
  if (e.slices || e.dtype === DT.DT_STRING || e.dtype === DT.DT_VARIANT || e.dtype === DT.DT_RESOURCE) return undefined;
  const file = e.shardFile;
  const fail = (detail: string, offset = e.offset): never => {
    throw new SavedModelError(file, detail, { field: checkpointKey, offset });
  };
  const elem = storedElementSize(e.dtype);
  if (elem === undefined) return fail(`cannot decode ${dtypeEnumName(e.dtype)} tensors`);
  const n = e.shape.reduce((a, d) => a * d, 1);
  if (e.shape.some((d) => d < 0)) fail(`shape [${e.shape.join(", ")}] is not fully defined`);
  if (n * elem !== e.size)
    fail(`${dtypeEnumName(e.dtype)} [${e.shape.join(", ")}] needs ${n * elem} bytes but the entry says ${e.size}`);
  const shardSize = await exp.fs.size(file);
  if (shardSize === undefined) fail(`data shard file is missing, so "${checkpointKey}" cannot be read`);
  if (e.offset + e.size > shardSize!)
    fail(`entry needs bytes [${e.offset}, ${e.offset + e.size}) but the shard has only ${shardSize} bytes`);
  const complex = e.dtype === DT.DT_COMPLEX64 || e.dtype === DT.DT_COMPLEX128;
  const acc = new StatsAccumulator(complex);
  const step = Math.max(elem, Math.floor((opts.chunkBytes ?? STATS_CHUNK_BYTES) / elem) * elem);
  const verify = opts.verify ?? true;
  let crc = 0;
  const read = (at: number) => exp.fs.readRange(file, e.offset + at, Math.min(step, e.size - at));
  // one read ahead: the next chunk loads while this one is counted
  let next = e.size > 0 ? read(0) : undefined;
  for (let at = 0; at < e.size;) {
    if (opts.signal?.aborted) {
      next?.catch(() => undefined);
      throw abortError();
    }
    const bytes = await next!;
    const want = Math.min(step, e.size - at);
    if (bytes.length !== want) fail(`read ${bytes.length} of ${want} bytes (file truncated?)`, e.offset + at);
    next = at + want < e.size ? read(at + want) : undefined;
    if (verify) crc = crc32c(bytes, at === 0 ? undefined : crc);
    const t = decodeTensorBytes(e.dtype, [want / elem], bytes, { file, bigEndian: b.bigEndian });
    acc.add(t.values as ArrayLike<number>);
    at += want;
    opts.onProgress?.(at, e.size);
  }
  if (verify && e.crc32c !== undefined) {
    const expected = unmaskCrc(e.crc32c);
    if (e.size === 0) crc = crc32c(new Uint8Array(0));
    if (crc !== expected) fail(`checksum mismatch: expected crc32c ${hex32(expected)}, actual ${hex32(crc)}`);
  }
  const s = acc.result();
  s.count = n;
  return s;
}
