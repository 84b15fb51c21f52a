/**
 * How the SavedModel library reads files. The CLI and tests implement it on node:fs
 * (src/savedmodel/node/nodeFileAccess.ts), the extension on vscode.workspace.fs. Paths are
 * '/'-separated and relative to the export folder root ("" is the root itself).
 */
import { SavedModelError } from "./errors.js";
export interface DirEntry {
  name: string;
  kind: "file" | "directory";
  /** Byte size for files, when the listing knows it. */
  size?: number;
  /** For a symbolic link: the target text it holds (links inside the export are followed, see containment.ts). */
  link?: string;
  /** For directories: an identity of the real directory (its real path), so walks visit each one once. */
  realId?: string;
  /** Why the entry cannot be read (a link out of the export, a FIFO/device/socket, a link loop). */
  problem?: string;
}

export interface FileAccess {
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Reads `length` bytes at `offset`; may return fewer bytes at end of file. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Reads `target.length` bytes at `offset` into `target` (fewer at end of file) and returns how many: streaming
   * readers reuse their buffers instead of getting a new one per chunk. Optional; `readChunkInto` falls back to
   * readRange.
   */
  readRangeInto?(path: string, offset: number, target: Uint8Array): Promise<number>;
  /**
   * Opens a file once for many range reads (the same checks as every read, done at open; reads bounded by the
   * size it had then). Optional: streaming readers use it to avoid re-opening the file per chunk.
   */
  openReader?(path: string): Promise<RangeReader>;
  /** Lists a directory; rejects when it does not exist. */
  list(path: string): Promise<DirEntry[]>;
  /** File size in bytes, or undefined when the file does not exist. */
  size(path: string): Promise<number | undefined>;
  /** A display name for a path, for error messages (e.g. an absolute path or URI). */
  describe(path: string): string;
}

/** A file opened for range reads (FileAccess.openReader). */
export interface RangeReader {
  /** The file's size when it was opened. */
  readonly size: number;
  /** Reads up to `target.length` bytes at `offset` into `target` (fewer at end of file); the count. */
  readInto(offset: number, target: Uint8Array): Promise<number>;
  close(): Promise<void>;
  /**
   * The opened file's descriptor (node:fs), for positional reads by a thread of this process (the weights
   * comparison's helper thread) within [0, size): it opens nothing itself. Absent where there is none (RPC reads).
   */
  readonly fd?: number;
}

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

/**
 * Exactly `target.length` bytes at `offset`: read into `target` when the FileAccess can (the returned view is
 * `target`), else a fresh buffer from readRange. A short read (truncated file) is a SavedModelError naming the
 * file, the tensor (`field`) and the offset.
 */
export async function readChunkInto(
  fs: FileAccess,
  path: string,
  offset: number,
  target: Uint8Array,
  field?: string,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (fs.readRangeInto) bytes = target.subarray(0, await fs.readRangeInto(path, offset, target));
  else bytes = await fs.readRange(path, offset, target.length);
  return exactly(bytes, target.length, path, offset, field);
}

/** `bytes` when it has `length` bytes, else the truncated-file SavedModelError. */
export function exactly(bytes: Uint8Array, length: number, path: string, offset: number, field?: string): Uint8Array {
  if (bytes.length !== length)
    throw new SavedModelError(path, `read ${bytes.length} of ${length} bytes (file truncated?)`, { field, offset });
  return bytes;
}
