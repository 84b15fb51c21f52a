/**
 * How the SavedModel library reads files. The CLI and tests implement it on node:fs
 * (src/savedmodel/node/nodeFileAccess.ts), the extension on vscode.workspace.fs. Paths are
 * '/'-separated and relative to the export folder root ("" is the root itself).
 */
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
  /** Lists a directory; rejects when it does not exist. */
  list(path: string): Promise<DirEntry[]>;
  /** File size in bytes, or undefined when the file does not exist. */
  size(path: string): Promise<number | undefined>;
  /** A display name for a path, for error messages (e.g. an absolute path or URI). */
  describe(path: string): string;
}

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}
