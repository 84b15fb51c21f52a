/** FileAccess on node:fs, for the CLI, tests and benchmarks (never bundled into browsers). */
import { open, readFile, readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DirEntry, FileAccess } from "../fileAccess.js";

export class NodeFileAccess implements FileAccess {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }
  private abs(path: string): string {
    return path === "" ? this.root : join(this.root, path);
  }
  async readFile(path: string): Promise<Uint8Array> {
    return readFile(this.abs(path));
  }
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const fh = await open(this.abs(path), "r");
    try {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === length ? buf : buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  }
  async list(path: string): Promise<DirEntry[]> {
    const entries = await readdir(this.abs(path), { withFileTypes: true });
    const out: DirEntry[] = [];
    for (const e of entries) {
      if (e.isDirectory()) out.push({ name: e.name, kind: "directory" });
      else if (e.isFile() || e.isSymbolicLink()) {
        const s = await stat(join(this.abs(path), e.name)).catch(() => undefined);
        if (s?.isDirectory()) out.push({ name: e.name, kind: "directory" });
        else if (s) out.push({ name: e.name, kind: "file", size: s.size });
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  async size(path: string): Promise<number | undefined> {
    try {
      const s = await stat(this.abs(path));
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
  }
  describe(path: string): string {
    return this.abs(path);
  }
}
