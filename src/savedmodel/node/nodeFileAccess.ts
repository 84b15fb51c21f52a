/**
 * FileAccess on node:fs, for the CLI, tests and benchmarks (never bundled into browsers). Every read goes through
 * the containment layer (exportRoot.ts): nothing outside the export's real root is read, only regular files are
 * opened, and reads are bounded by the opened file's size.
 */
import type { DecodeLimits } from "../containment.js";
import type { DirEntry, FileAccess } from "../fileAccess.js";
import { ExportRoot } from "./exportRoot.js";

export class NodeFileAccess implements FileAccess {
  readonly root: string;
  readonly contained: ExportRoot;
  constructor(root: string, limits?: DecodeLimits) {
    this.contained = new ExportRoot(root, limits);
    this.root = this.contained.dir;
  }
  readFile(path: string): Promise<Uint8Array> {
    return this.contained.readFile(path);
  }
  readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.contained.readRange(path, offset, length);
  }
  list(path: string): Promise<DirEntry[]> {
    return this.contained.list(path);
  }
  size(path: string): Promise<number | undefined> {
    return this.contained.size(path);
  }
  describe(path: string): string {
    return this.contained.describe(path);
  }
}
