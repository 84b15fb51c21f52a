/**
 * TensorFlow tensor bundle (the `variables/` checkpoint): `<prefix>.index` is a table mapping each tensor key to
 * a BundleEntryProto (the "" key holds the BundleHeaderProto); `<prefix>.data-NNNNN-of-MMMMM` shards hold the raw
 * bytes. Opening reads only the index; readTensor reads exactly one entry's byte range and verifies its CRC32C.
 */
import { dtypeEnumName } from "../dtypes.js";
import type { Diagnostic } from "../errors.js";
import { asSavedModelError, SavedModelError } from "../errors.js";
import { currentLimits, limitExceeded } from "../containment.js";
import type { FileAccess } from "../fileAccess.js";
import { BundleEntryProto, BundleHeaderProto, type IBundleEntryProto, type IBundleHeaderProto } from "../proto.js";
import { DataType } from "../dtypes.js";
import { shapeDims } from "../shape.js";
import {
  checkTensorSize,
  decodeTensorBytes,
  storedElementSize,
  type DecodedTensor,
  type SizeLimits,
} from "../tensor.js";
import { crc32c, hex32, unmaskCrc } from "./crc.js";
import { assembleSlices } from "./slices.js";
import { decodeSliceKey, formatSlice } from "./sliceKey.js";
import { decodeStringTensor, StringTensorError } from "./stringTensor.js";
import { parseTable, type TableInfo } from "./table.js";

export { writeTensorBundle, type BundleTensor, type WriteBundleOptions } from "./writer.js";

export interface SliceExtent {
  start: number;
  /** -1 = the full dimension. */
  length: number;
}

export interface BundleEntry {
  key: string;
  dtype: number;
  shape: number[];
  shardId: number;
  shardFile: string;
  offset: number;
  size: number;
  /** The masked CRC32C of the entry's bytes, as stored (absent for sliced entries). */
  crc32c?: number;
  slices?: SliceExtent[][];
  /** For the data entry of one slice of a partitioned variable: which variable and extents (key is "name[0:2, :]"). */
  sliceOf?: { name: string; extents: SliceExtent[] };
  entry: IBundleEntryProto;
}

export interface ReadTensorOptions extends SizeLimits {
  /** Verify the entry's CRC32C (default true). */
  verify?: boolean;
}

export function shardFileName(prefix: string, shard: number, numShards: number): string {
  return `${prefix}.data-${String(shard).padStart(5, "0")}-of-${String(numShards).padStart(5, "0")}`;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

function num(v: number | bigint | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

export class TensorBundle {
  readonly diagnostics: Diagnostic[] = [];
  private readonly byKey = new Map<string, BundleEntry>();
  private readonly sorted: BundleEntry[] = [];
  private readonly shardSizes = new Map<number, number | undefined>();
  /** Shards the containment layer refuses to read (a link out of the export, a FIFO, a device): why. */
  private readonly shardRefusals = new Map<number, string>();
  /** Bytes the index file holds. */
  indexSize = 0;
  table?: TableInfo;

  private constructor(
    private readonly fs: FileAccess,
    readonly prefix: string,
    readonly header: IBundleHeaderProto,
  ) {}

  get indexFile(): string {
    return `${this.prefix}.index`;
  }

  get numShards(): number {
    return Math.max(1, num(this.header.numShards));
  }

  get bigEndian(): boolean {
    return this.header.endianness === 1;
  }

  /**
   * Opens `<prefix>.index` (reads nothing from data shards but their sizes). Throws a SavedModelError only when
   * the index is unusable. `verifyIndex: false` skips the index block checksums.
   */
  static async open(
    fs: FileAccess,
    prefix = "variables/variables",
    opts: { verifyIndex?: boolean } = {},
  ): Promise<TensorBundle> {
    const indexFile = `${prefix}.index`;
    const size = await fs.size(indexFile);
    if (size === undefined) throw new SavedModelError(indexFile, "checkpoint index file not found");
    const limits = currentLimits();
    if (size > limits.maxIndexBytes)
      limitExceeded(indexFile, `checkpoint index is ${size} bytes`, "maxIndexBytes", limits.maxIndexBytes);
    const data = await fs.readFile(indexFile);
    const table = parseTable(indexFile, data, { verify: opts.verifyIndex ?? true });
    const diags: Diagnostic[] = [];
    let header: IBundleHeaderProto = { numShards: 1 };
    const first = table.entries[0];
    if (first && first.key.length === 0) {
      try {
        header = BundleHeaderProto.decode(first.value);
      } catch (e) {
        diags.push(asSavedModelError(indexFile, e, "BundleHeaderProto").toDiagnostic());
      }
    } else {
      diags.push({
        severity: "error",
        file: indexFile,
        message: 'no bundle header (the "" entry); assuming 1 data shard',
        field: "BundleHeaderProto",
      });
    }
    const b = new TensorBundle(fs, prefix, header);
    b.table = table;
    b.indexSize = size;
    b.diagnostics.push(...diags);
    b.checkHeader();
    for (const e of table.entries) {
      if (e.key.length === 0) continue;
      const slice = decodeSliceKey(e.key);
      const key = slice ? formatSlice(slice.name, slice.extents) : utf8.decode(e.key);
      let proto: IBundleEntryProto;
      try {
        proto = BundleEntryProto.decode(e.value);
      } catch (err) {
        b.diagnostics.push(asSavedModelError(indexFile, err, key).toDiagnostic());
        continue;
      }
      const entry = b.makeEntry(key, proto);
      if (slice) entry.sliceOf = slice;
      if (b.byKey.has(key)) {
        b.diag("error", indexFile, "duplicate entry key", key);
        continue;
      }
      b.byKey.set(key, entry);
      b.sorted.push(entry);
    }
    b.sorted.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    b.checkSlices();
    await b.checkShards();
    return b;
  }

  private makeEntry(key: string, p: IBundleEntryProto): BundleEntry {
    const shardId = num(p.shardId);
    const slices = (p.slices ?? []).map((s) =>
      (s.extent ?? []).map((x) => ({
        start: num(x.start),
        length: x.length === null || x.length === undefined ? -1 : num(x.length),
      })),
    );
    const shape = shapeDims(p.shape) ?? [];
    const entry: BundleEntry = {
      key,
      dtype: p.dtype ?? 0,
      shape,
      shardId,
      shardFile: shardFileName(this.prefix, shardId, this.numShards),
      offset: num(p.offset),
      size: num(p.size),
      entry: p,
    };
    if (slices.length) entry.slices = slices;
    else entry.crc32c = (p.crc32c ?? 0) >>> 0;
    if (shapeDims(p.shape) === undefined) this.diag("warning", this.indexFile, `entry has unknown rank`, key);
    if (shape.some((d) => d < 0))
      this.diag("error", this.indexFile, `entry shape [${shape.join(", ")}] has negative dimensions`, key);
    if (shardId < 0 || shardId >= this.numShards) {
      this.diag(
        "error",
        this.indexFile,
        `entry is in shard ${shardId} but the header says there are ${this.numShards} shards`,
        key,
      );
    }
    return entry;
  }

  /** Slice data entries of partitioned variable `e`, in the order of e.slices (undefined where missing). */
  sliceEntries(e: BundleEntry): (BundleEntry | undefined)[] {
    return (e.slices ?? []).map((ext) => this.byKey.get(formatSlice(e.key, ext)));
  }

  private checkSlices(): void {
    for (const e of this.sorted) {
      if (!e.slices) continue;
      const parts = this.sliceEntries(e);
      const missing = parts.filter((p) => !p).length;
      this.diag(
        missing ? "error" : "info",
        this.indexFile,
        `partitioned variable stored as ${e.slices.length} slice(s)` +
          (missing ? `; ${missing} slice entries are missing` : ""),
        e.key,
      );
    }
  }

  private diag(
    severity: Diagnostic["severity"],
    file: string,
    message: string,
    field?: string,
    offset?: number,
    hint?: string,
  ): void {
    this.diagnostics.push({ severity, file, message, field, offset, hint });
  }

  private checkHeader(): void {
    const h = this.header;
    const e = h.endianness ?? 0;
    if (e === 1)
      this.diag(
        "warning",
        this.indexFile,
        "bundle was written big-endian; values are byte-swapped when read",
        "endianness",
      );
    else if (e !== 0) this.diag("error", this.indexFile, `unknown endianness value ${e}`, "endianness");
    if (num(h.numShards) < 1)
      this.diag("error", this.indexFile, `header says num_shards = ${num(h.numShards)}`, "num_shards");
    const minConsumer = num(h.version?.minConsumer);
    if (minConsumer > 1)
      this.diag(
        "warning",
        this.indexFile,
        `bundle needs a reader of version >= ${minConsumer} (this reader implements 1)`,
        "version",
      );
  }

  private async checkShards(): Promise<void> {
    const dir = this.prefix.includes("/") ? this.prefix.slice(0, this.prefix.lastIndexOf("/")) : "";
    const base = this.prefix.slice(this.prefix.lastIndexOf("/") + 1);
    try {
      const listing = await this.fs.list(dir);
      const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.data-(\\d{5})-of-(\\d{5})$`);
      const others = new Set<number>();
      for (const d of listing) {
        const m = re.exec(d.name);
        if (m && Number(m[2]) !== this.numShards) others.add(Number(m[2]));
      }
      for (const n of others) {
        this.diag(
          "warning",
          this.indexFile,
          `data files for ${n} shards exist but the header says ${this.numShards}`,
          "num_shards",
        );
      }
    } catch {
      // Directory listing is only used for the num_shards cross-check.
    }
    const byShard = new Map<number, BundleEntry[]>();
    for (const e of this.sorted) {
      if (e.slices || e.size === 0) continue;
      const list = byShard.get(e.shardId) ?? [];
      list.push(e);
      byShard.set(e.shardId, list);
    }
    for (let s = 0; s < this.numShards && s < 100000; s++) {
      const file = shardFileName(this.prefix, s, this.numShards);
      let size: number | undefined;
      let refused: string | undefined;
      try {
        size = await this.fs.size(file);
      } catch (e) {
        // a link out of the export, a FIFO or a device (containment layer): the shard cannot be read
        refused = e instanceof SavedModelError ? e.detail : e instanceof Error ? e.message : String(e);
      }
      this.shardSizes.set(s, size);
      const list = byShard.get(s) ?? [];
      if (refused !== undefined) {
        this.shardRefusals.set(s, refused);
        this.diag("error", file, `data shard ${s} of ${this.numShards} is not read: ${refused}`);
        continue;
      } else if (size === undefined) {
        const bytes = list.reduce((a, e) => a + e.size, 0);
        this.diag(
          list.length ? "error" : "warning",
          file,
          `data shard ${s} of ${this.numShards} is missing; ${list.length} tensor(s) (${bytes} bytes) stored there cannot be read`,
          undefined,
          undefined,
          "the export is incomplete: copy the whole variables/ folder",
        );
        continue;
      }
      let reported = 0;
      for (const e of list) {
        if (e.offset + e.size > size) {
          if (reported++ < 20)
            this.diag(
              "error",
              file,
              `entry needs bytes [${e.offset}, ${e.offset + e.size}) but the shard has ${size} bytes (truncated?)`,
              e.key,
              e.offset,
            );
        }
      }
      if (reported > 20) this.diag("error", file, `${reported - 20} more entries run past the end of the shard`);
    }
  }

  /** All tensor entries (not the header), sorted by key. */
  entries(): BundleEntry[] {
    return [...this.sorted];
  }

  get(key: string): BundleEntry | undefined {
    return this.byKey.get(key);
  }

  private async readSliced(e: BundleEntry, opts: ReadTensorOptions): Promise<DecodedTensor> {
    const parts = this.sliceEntries(e);
    const pieces: { extents: SliceExtent[]; tensor: DecodedTensor }[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (!p) {
        throw new SavedModelError(this.indexFile, `slice ${formatSlice(e.key, e.slices![i])} has no data entry`, {
          field: e.key,
        });
      }
      pieces.push({ extents: e.slices![i], tensor: await this.readTensor(p.key, opts) });
    }
    try {
      return assembleSlices(e.dtype, e.shape, pieces, opts);
    } catch (err) {
      throw asSavedModelError(this.indexFile, err, e.key);
    }
  }

  /** Reads, verifies and decodes one tensor (partitioned variables are assembled from their slices). Errors name the shard file, key and offset. */
  async readTensor(key: string, opts: ReadTensorOptions = {}): Promise<DecodedTensor> {
    const e = this.byKey.get(key);
    if (!e) throw new SavedModelError(this.indexFile, `no checkpoint entry named "${key}"`, { field: key });
    const file = e.shardFile;
    const fail = (detail: string, offset = e.offset, hint?: string): never => {
      throw new SavedModelError(file, detail, { field: key, offset, hint });
    };
    if (e.slices) return this.readSliced(e, opts);
    if (e.shardId < 0 || e.shardId >= this.numShards) fail(`entry points at shard ${e.shardId} of ${this.numShards}`);
    if (e.shape.some((d) => d < 0)) fail(`shape [${e.shape.join(", ")}] is not fully defined`);
    const n = checkTensorSize(e.dtype, e.shape, opts, file);
    const isString = e.dtype === DataType.DT_STRING;
    const elem = storedElementSize(e.dtype);
    if (!isString && elem === undefined) fail(`cannot decode ${dtypeEnumName(e.dtype)} tensors`);
    if (!isString && n * elem! !== e.size)
      fail(`${dtypeEnumName(e.dtype)} [${e.shape.join(", ")}] needs ${n * elem!} bytes but the entry says ${e.size}`);
    if (opts.maxBytes !== undefined && e.size > opts.maxBytes)
      fail(`entry is ${e.size} bytes, more than the limit of ${opts.maxBytes}`);
    if (isString && e.size > 2 ** 31) fail(`string tensor of ${e.size} bytes is too large to read`);
    if (isString && n + 4 > e.size)
      fail(`string tensor of ${n} elements cannot fit in ${e.size} bytes (each needs a length)`);
    if (!this.shardSizes.has(e.shardId)) this.shardSizes.set(e.shardId, await this.fs.size(file));
    const shardSize = this.shardSizes.get(e.shardId);
    const refused = this.shardRefusals.get(e.shardId);
    if (refused !== undefined) fail(`"${key}" is not read: ${refused}`);
    if (shardSize === undefined)
      fail(
        `data shard file is missing, so "${key}" cannot be read`,
        undefined,
        "the export is incomplete: copy the whole variables/ folder",
      );
    if (e.offset + e.size > shardSize!)
      fail(`entry needs bytes [${e.offset}, ${e.offset + e.size}) but the shard has only ${shardSize} bytes`);
    const bytes = e.size === 0 ? new Uint8Array(0) : await this.fs.readRange(file, e.offset, e.size);
    if (bytes.length !== e.size) fail(`read ${bytes.length} of ${e.size} bytes (file truncated?)`);
    const verify = opts.verify ?? true;
    const expected = e.crc32c === undefined ? undefined : unmaskCrc(e.crc32c);
    if (isString) {
      let r;
      try {
        r = decodeStringTensor(bytes, n, verify);
      } catch (err) {
        if (err instanceof StringTensorError) fail(`corrupt string tensor: ${err.message}`, e.offset + err.offset);
        throw err;
      }
      if (verify && expected !== undefined && r!.crc !== expected)
        fail(`checksum mismatch: expected crc32c ${hex32(expected)}, actual ${hex32(r!.crc)}`);
      return { dtype: e.dtype, shape: [...e.shape], values: r!.values };
    }
    if (verify && expected !== undefined) {
      const actual = crc32c(bytes);
      if (actual !== expected) fail(`checksum mismatch: expected crc32c ${hex32(expected)}, actual ${hex32(actual)}`);
    }
    try {
      return decodeTensorBytes(e.dtype, e.shape, bytes, { ...opts, file, bigEndian: this.bigEndian });
    } catch (err) {
      throw asSavedModelError(file, err, key);
    }
  }
}
