/**
 * Writes a TensorFlow tensor bundle in memory: `<name>.index` plus `<name>.data-NNNNN-of-MMMMM` shards, laid out
 * like TF's BundleWriter (tensors appended to their shard in the order given, masked CRC32C per entry, header
 * entry with num_shards and version {producer: 1}, no alignment padding).
 */
import { SavedModelError } from "../errors.js";
import { BundleEntryProto, BundleHeaderProto, type IBundleEntryProto } from "../proto.js";
import { DataType, dtypeEnumName } from "../dtypes.js";
import { encodeTensorBytes, shapeElementCount, storedElementSize, type TensorValues } from "../tensor.js";
import { crc32c, maskCrc } from "./crc.js";
import { sliceShape } from "./slices.js";
import { encodeSliceKey } from "./sliceKey.js";
import { encodeStringTensor } from "./stringTensor.js";
import { buildTable, TF_TABLE_BLOCK_SIZE } from "./tableWriter.js";
import { ByteSink } from "./varint.js";

export interface BundleTensor {
  key: string;
  dtype: number;
  shape: number[];
  /** Omit for the metadata entry of a partitioned variable (one with `slices`). */
  values?: TensorValues;
  /** Slice extents of a partitioned variable ({start, length: -1 = full}). */
  slices?: { start: number; length: number }[][];
  /** Values of each slice (same order as `slices`), written as separate slice entries like TF's partitioned saver. */
  sliceValues?: TensorValues[];
  /** Put this tensor in a given shard (overrides `sharding`). */
  shard?: number;
}

export interface WriteBundleOptions {
  numShards?: number;
  /** How tensors without an explicit shard are spread: "round-robin" (default) or "size" (least-filled shard). */
  sharding?: "round-robin" | "size";
  /** Snappy-compress index blocks when it saves >= 1/8 (default true, like TF). */
  snappy?: boolean;
  /** Index table block size in bytes (default 262144, TF's table default); small values force many blocks. */
  blockSize?: number;
  /** File base name (default "variables"). */
  name?: string;
}

const enc = new TextEncoder();

export function writeTensorBundle(tensors: BundleTensor[], opts: WriteBundleOptions = {}): Map<string, Uint8Array> {
  const numShards = Math.max(1, Math.floor(opts.numShards ?? 1));
  const name = opts.name ?? "variables";
  const shards = Array.from({ length: numShards }, () => new ByteSink(1024));
  const seen = new Set<string>();
  const tableEntries: { key: Uint8Array; value: Uint8Array }[] = [];
  let rr = 0;
  const expanded: (BundleTensor & { keyBytes?: Uint8Array })[] = [];
  for (const t of tensors) {
    expanded.push(t);
    if (t.slices && t.sliceValues) {
      if (t.sliceValues.length !== t.slices.length) {
        throw new SavedModelError(
          `${name}.index`,
          `${t.sliceValues.length} slice values for ${t.slices.length} slices`,
          { field: t.key },
        );
      }
      t.slices.forEach((ext, i) =>
        expanded.push({
          key: `${t.key} slice ${i}`,
          keyBytes: encodeSliceKey(t.key, ext),
          dtype: t.dtype,
          shape: sliceShape(t.shape, ext),
          values: t.sliceValues![i],
          shard: t.shard,
        }),
      );
    }
  }
  for (const t of expanded) {
    if (t.key === "") throw new SavedModelError(`${name}.index`, 'the empty key "" is reserved for the bundle header');
    if (seen.has(t.key))
      throw new SavedModelError(`${name}.index`, `duplicate tensor key "${t.key}"`, { field: t.key });
    seen.add(t.key);
    const entry: IBundleEntryProto = { dtype: t.dtype };
    entry.shape = { dim: t.shape.map((size) => (size ? { size } : {})) };
    if (t.slices && t.slices.length) {
      entry.slices = t.slices.map((s) => ({ extent: s.map((x) => extentProto(x)) }));
    } else {
      const { bytes, crc } = tensorBytes(t, name);
      let shard = t.shard;
      if (shard === undefined) {
        if (opts.sharding === "size") {
          shard = 0;
          for (let s = 1; s < numShards; s++) if (shards[s].length < shards[shard].length) shard = s;
        } else shard = rr++ % numShards;
      }
      if (!(shard >= 0 && shard < numShards))
        throw new SavedModelError(`${name}.index`, `shard ${shard} out of range`, { field: t.key });
      const sink = shards[shard];
      if (shard) entry.shardId = shard;
      if (sink.length) entry.offset = sink.length;
      if (bytes.length) entry.size = bytes.length;
      entry.crc32c = maskCrc(crc);
      sink.bytes(bytes);
    }
    tableEntries.push({ key: t.keyBytes ?? enc.encode(t.key), value: BundleEntryProto.encode(entry).finish() });
  }
  const header = BundleHeaderProto.encode({ numShards, version: { producer: 1 } }).finish();
  tableEntries.push({ key: new Uint8Array(0), value: header });
  const out = new Map<string, Uint8Array>();
  out.set(
    `${name}.index`,
    buildTable(tableEntries, { snappy: opts.snappy ?? true, blockSize: opts.blockSize ?? TF_TABLE_BLOCK_SIZE }),
  );
  const pad = (n: number) => String(n).padStart(5, "0");
  shards.forEach((s, i) => out.set(`${name}.data-${pad(i)}-of-${pad(numShards)}`, s.take()));
  return out;
}

function extentProto(x: { start: number; length: number }): { start?: number; length?: number } {
  const e: { start?: number; length?: number } = {};
  if (x.start) e.start = x.start;
  if (x.length >= 0) e.length = x.length;
  return e;
}

function tensorBytes(t: BundleTensor, name: string): { bytes: Uint8Array; crc: number } {
  const file = `${name}.index`;
  if (!t.values) throw new SavedModelError(file, "tensor has no values", { field: t.key });
  const n = shapeElementCount(t.shape, file);
  if (t.dtype === DataType.DT_STRING) {
    if (!Array.isArray(t.values))
      throw new SavedModelError(file, "DT_STRING values must be Uint8Array[]", { field: t.key });
    if (t.values.length !== n)
      throw new SavedModelError(file, `${t.values.length} strings for ${n} elements`, { field: t.key });
    return encodeStringTensor(t.values);
  }
  if (storedElementSize(t.dtype) === undefined)
    throw new SavedModelError(file, `cannot write ${dtypeEnumName(t.dtype)} tensors`, { field: t.key });
  const lanes = t.dtype === DataType.DT_COMPLEX64 || t.dtype === DataType.DT_COMPLEX128 ? 2 : 1;
  if (Array.isArray(t.values) || t.values.length !== n * lanes) {
    throw new SavedModelError(file, `${t.values.length} values for shape [${t.shape.join(", ")}]`, { field: t.key });
  }
  const bytes = encodeTensorBytes({ dtype: t.dtype, shape: t.shape, values: t.values });
  return { bytes, crc: crc32c(bytes) };
}
