/** FileAccess over an in-memory map of files (builder output, tests, browsers). Paths are '/'-separated. */
import type { DirEntry, FileAccess } from "./fileAccess.js";

export class MemoryFileAccess implements FileAccess {
  constructor(
    readonly files: Map<string, Uint8Array>,
    private readonly label = "memory:",
  ) {}

  private missing(path: string): Error {
    return Object.assign(new Error(`ENOENT: no such file: ${this.describe(path)}`), { code: "ENOENT" });
  }
  async readFile(path: string): Promise<Uint8Array> {
    const f = this.files.get(path);
    if (!f) throw this.missing(path);
    return f;
  }
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const f = await this.readFile(path);
    return f.subarray(Math.min(offset, f.length), Math.min(offset + length, f.length));
  }
  async list(path: string): Promise<DirEntry[]> {
    const prefix = path === "" ? "" : `${path}/`;
    const out = new Map<string, DirEntry>();
    for (const [p, bytes] of this.files) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash < 0) out.set(rest, { name: rest, kind: "file", size: bytes.length });
      else out.set(rest.slice(0, slash), { name: rest.slice(0, slash), kind: "directory" });
    }
    if (out.size === 0 && path !== "") throw this.missing(path);
    return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  async size(path: string): Promise<number | undefined> {
    return this.files.get(path)?.length;
  }
  describe(path: string): string {
    return path ? `${this.label}${path}` : this.label;
  }
}

/** Loads every file under a directory listing into memory through another FileAccess. */
export async function snapshotFiles(fs: FileAccess, dir = ""): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const walk = async (d: string) => {
    for (const e of await fs.list(d)) {
      const p = d ? `${d}/${e.name}` : e.name;
      if (e.kind === "directory") await walk(p);
      else out.set(p, await fs.readFile(p));
    }
  };
  await walk(dir);
  return out;
}
