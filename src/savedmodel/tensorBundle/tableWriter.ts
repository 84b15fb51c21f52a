/**
 * Writer for TF's table format (the inverse of table.ts): sorted keys, prefix compression with a restart point
 * every `restartInterval` entries, blocks cut at `blockSize` bytes, optional Snappy (kept only when it saves
 * at least 1/8, as TF does), an empty metaindex block, an index block of shortest separators and the footer.
 */
import { compress } from "snappyjs";
import { crc32c, maskCrc } from "./crc.js";
import {
  compareBytes,
  COMPRESSION_NONE,
  COMPRESSION_SNAPPY,
  FOOTER_SIZE,
  TABLE_MAGIC_HI,
  TABLE_MAGIC_LO,
  type BlockHandle,
} from "./table.js";
import { ByteSink } from "./varint.js";

export interface TableWriterOptions {
  /** Uncompressed bytes per data block before a new one starts (TF: 256 KiB). */
  blockSize?: number;
  restartInterval?: number;
  snappy?: boolean;
}

/** TF's default table block size (tensorflow/core/lib/io/table_options.h). */
export const TF_TABLE_BLOCK_SIZE = 262144;

class BlockBuilder {
  private sink = new ByteSink(4096);
  private restarts: number[] = [0];
  private counter = 0;
  private last: Uint8Array = new Uint8Array(0);
  entries = 0;
  constructor(private readonly interval: number) {}
  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.interval) {
      const n = Math.min(this.last.length, key.length);
      while (shared < n && this.last[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.sink.length);
      this.counter = 0;
    }
    this.sink.varint(shared);
    this.sink.varint(key.length - shared);
    this.sink.varint(value.length);
    this.sink.bytes(key.subarray(shared));
    this.sink.bytes(value);
    this.last = key;
    this.counter++;
    this.entries++;
  }
  estimatedSize(): number {
    return this.sink.length + this.restarts.length * 4 + 4;
  }
  finish(): Uint8Array {
    for (const r of this.restarts) this.sink.u32(r);
    this.sink.u32(this.restarts.length);
    return this.sink.take();
  }
}

/** Shortest key k with start <= k < limit (TF's BytewiseComparator::FindShortestSeparator). */
export function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const n = Math.min(start.length, limit.length);
  let d = 0;
  while (d < n && start[d] === limit[d]) d++;
  if (d < n) {
    const b = start[d];
    if (b < 0xff && b + 1 < limit[d]) {
      const out = start.slice(0, d + 1);
      out[d]++;
      return out;
    }
  }
  return start;
}

/** Shortest key >= key (TF's FindShortSuccessor). */
export function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i]++;
      return out;
    }
  }
  return key;
}

function encodeHandle(sink: ByteSink, h: BlockHandle): void {
  sink.varint(h.offset);
  sink.varint(h.size);
}

/** Builds a complete table from entries (sorted here by bytewise key order; duplicate keys are an error). */
export function buildTable(
  entries: { key: Uint8Array; value: Uint8Array }[],
  opts: TableWriterOptions = {},
): Uint8Array {
  const blockSize = Math.max(1, opts.blockSize ?? TF_TABLE_BLOCK_SIZE);
  const interval = Math.max(1, opts.restartInterval ?? 16);
  const snappy = opts.snappy ?? true;
  const sorted = [...entries].sort((a, b) => compareBytes(a.key, b.key));
  for (let i = 1; i < sorted.length; i++) {
    if (compareBytes(sorted[i - 1].key, sorted[i].key) === 0)
      throw new Error(`duplicate table key "${new TextDecoder().decode(sorted[i].key)}"`);
  }
  const out = new ByteSink(4096);
  const index = new BlockBuilder(1);

  const writeBlock = (raw: Uint8Array, allowCompression: boolean): BlockHandle => {
    let body = raw;
    let type = COMPRESSION_NONE;
    if (snappy && allowCompression) {
      const c = compress(raw);
      if (c.length < raw.length - Math.floor(raw.length / 8)) {
        body = c;
        type = COMPRESSION_SNAPPY;
      }
    }
    const h = { offset: out.length, size: body.length };
    out.bytes(body);
    out.byte(type);
    const crc = crc32c(new Uint8Array([type]), crc32c(body));
    out.u32(maskCrc(crc));
    return h;
  };

  let block = new BlockBuilder(interval);
  let lastKey: Uint8Array | undefined;
  let pending: { handle: BlockHandle; lastKey: Uint8Array } | undefined;
  const handleBytes = (h: BlockHandle) => {
    const s = new ByteSink(20);
    encodeHandle(s, h);
    return s.take();
  };
  for (const e of sorted) {
    if (pending) {
      index.add(shortestSeparator(pending.lastKey, e.key), handleBytes(pending.handle));
      pending = undefined;
    }
    block.add(e.key, e.value);
    lastKey = e.key;
    if (block.estimatedSize() >= blockSize) {
      pending = { handle: writeBlock(block.finish(), true), lastKey };
      block = new BlockBuilder(interval);
    }
  }
  if (block.entries > 0) pending = { handle: writeBlock(block.finish(), true), lastKey: lastKey! };
  if (pending) index.add(shortSuccessor(pending.lastKey), handleBytes(pending.handle));
  const metaHandle = writeBlock(new BlockBuilder(interval).finish(), true);
  const indexHandle = writeBlock(index.finish(), true);
  const footer = new ByteSink(FOOTER_SIZE);
  encodeHandle(footer, metaHandle);
  encodeHandle(footer, indexHandle);
  while (footer.length < FOOTER_SIZE - 8) footer.byte(0);
  footer.u32(TABLE_MAGIC_LO);
  footer.u32(TABLE_MAGIC_HI);
  out.bytes(footer.view());
  return out.take();
}
