/**
 * FileAccess on vscode.workspace.fs, rooted at an export folder URI, so exports on SSH, containers,
 * WSL, code-server and virtual file systems read the same way as local ones.
 *
 * vscode.workspace.fs has no ranged read. For `file:` URIs (which are local to the extension host,
 * wherever it runs: with SSH/WSL/containers/code-server the host runs on the remote side) readRange
 * uses a positioned read on node:fs/promises so a 2 GB variables shard is never read whole, and whole
 * files for the decode worker are read the same way (readFileOwned); every other scheme goes through
 * workspace.fs (readRange = readFile + slice, keeping the last file so consecutive variable reads of
 * one shard do not refetch it). Listing and stat always use workspace.fs.
 */
import * as vscode from "vscode";
import { open as openFile, readFile as readLocalFile } from "node:fs/promises";
import type { DirEntry, FileAccess } from "../savedmodel/fileAccess.js";

const WHOLE_FILE_CACHE_LIMIT = 512 * 1024 * 1024;

export class WorkspaceFileAccess implements FileAccess {
  private cached?: { path: string; bytes: Uint8Array };

  constructor(readonly root: vscode.Uri) {}

  uri(path: string): vscode.Uri {
    return path ? vscode.Uri.joinPath(this.root, ...path.split("/").filter(Boolean)) : this.root;
  }

  async readFile(path: string): Promise<Uint8Array> {
    if (this.cached?.path === path) return this.cached.bytes;
    return vscode.workspace.fs.readFile(this.uri(path));
  }

  /**
   * The whole file in a buffer the caller owns (it may be transferred to a worker, detaching it).
   * `file:` URIs are read with node:fs/promises (the read runs on libuv's pool; a big file's Buffer
   * owns its ArrayBuffer, so it moves to the worker without a copy); other schemes via workspace.fs.
   */
  async readFileOwned(path: string): Promise<Uint8Array> {
    if (this.root.scheme === "file") return readLocalFile(this.uri(path).fsPath);
    const bytes = await this.readFile(path);
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return copy;
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    if (this.root.scheme === "file") {
      const fh = await openFile(this.uri(path).fsPath, "r");
      try {
        const buf = new Uint8Array(Math.max(0, length));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        return bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    }
    let bytes = this.cached?.path === path ? this.cached.bytes : undefined;
    if (!bytes) {
      bytes = await vscode.workspace.fs.readFile(this.uri(path));
      this.cached = bytes.length <= WHOLE_FILE_CACHE_LIMIT ? { path, bytes } : undefined;
    }
    return bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
  }

  async list(path: string): Promise<DirEntry[]> {
    const entries = await vscode.workspace.fs.readDirectory(this.uri(path));
    const out: DirEntry[] = [];
    await Promise.all(
      entries.map(async ([name, type]) => {
        // symlinks report File|SymbolicLink or Directory|SymbolicLink
        const kind = type & vscode.FileType.Directory ? "directory" : type & vscode.FileType.File ? "file" : undefined;
        if (!kind) return;
        let size: number | undefined;
        if (kind === "file") size = await this.size(path ? `${path}/${name}` : name);
        out.push({ name, kind, size });
      }),
    );
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async size(path: string): Promise<number | undefined> {
    try {
      const st = await vscode.workspace.fs.stat(this.uri(path));
      return st.type & vscode.FileType.File ? st.size : undefined;
    } catch {
      return undefined;
    }
  }

  describe(path: string): string {
    const u = this.uri(path);
    return u.scheme === "file" ? u.fsPath : u.toString(true);
  }

  /** Forget the cached whole file (after a change on disk). */
  invalidate(): void {
    this.cached = undefined;
  }
}
