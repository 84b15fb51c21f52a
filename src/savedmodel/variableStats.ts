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
import { StatsAccumulator } from "./tensorStats.js";
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
