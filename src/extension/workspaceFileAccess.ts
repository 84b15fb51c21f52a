/**
 * FileAccess on vscode.workspace.fs, rooted at an export folder URI, so exports on SSH, containers,
 * WSL, code-server and virtual file systems read the same way as local ones.
 *
 * vscode.workspace.fs has no ranged read. For `file:` URIs (which are local to the extension host,
 * wherever it runs: with SSH/WSL/containers/code-server the host runs on the remote side) readRange
 * uses a positioned read on node:fs/promises so a 2 GB variables shard is never read whole, and whole
 * files for the decode worker are read the same way (readFileOwned); every other scheme goes through
 * workspace.fs (readRange = readFile + slice, keeping the last file so consecutive variable reads of
 * one shard do not refetch it).
 *
 * Containment (src/savedmodel/containment.ts): for `file:` URIs every read, stat and listing goes through the
 * Node containment layer (ExportRoot: real paths, links out of the export refused and named, regular files only,
 * reads bounded by the opened handle's size). Other schemes cannot resolve links, so a link is not followed at
 * all there, and only entries the file system calls files are read, up to maxFileBytes.
 */
import * as vscode from "vscode";
import {
  ContainmentError,
  currentLimits,
  exportPathComponents,
  limitExceeded,
  specialFileMessage,
} from "../savedmodel/containment.js";
import type { DirEntry, FileAccess } from "../savedmodel/fileAccess.js";
import { ExportRoot } from "../savedmodel/node/exportRoot.js";

const WHOLE_FILE_CACHE_LIMIT = 512 * 1024 * 1024;

export class WorkspaceFileAccess implements FileAccess {
  private cached?: { path: string; bytes: Uint8Array };

  private readonly limits = currentLimits();
  /** The containment layer for `file:` exports (undefined for other schemes). */
  readonly contained?: ExportRoot;

  constructor(readonly root: vscode.Uri) {
    if (root.scheme === "file") this.contained = new ExportRoot(root.fsPath, this.limits);
  }

  uri(path: string): vscode.Uri {
    return path ? vscode.Uri.joinPath(this.root, ...exportPathComponents(path)) : this.root;
  }

  /**
   * Throws a ContainmentError unless `path` is a regular file inside the export (links resolved, for `file:`), so
   * callers can open it in an editor safely; returns the URI to open.
   */
  async checkOpenable(path: string): Promise<vscode.Uri> {
    if (this.contained) {
      const { real } = await this.contained.resolve(path);
      const { fh } = await this.contained.openRegular(path);
      await fh.close();
      return vscode.Uri.file(real);
    }
    await this.virtualStat(path);
    return this.uri(path);
  }

  /** stat on a non-`file:` scheme: links are not followed, anything but a file is refused. */
  private async virtualStat(path: string): Promise<vscode.FileStat> {
    const st = await vscode.workspace.fs.stat(this.uri(path));
    if (st.type & vscode.FileType.SymbolicLink)
      throw new ContainmentError(
        path,
        `is a symbolic link; links are not followed on ${this.root.scheme}: folders`,
        "outside",
      );
    if (!(st.type & vscode.FileType.File))
      throw new ContainmentError(
        path,
        specialFileMessage(st.type & vscode.FileType.Directory ? "directory" : "unknown"),
        "special",
      );
    return st;
  }

  async readFile(path: string): Promise<Uint8Array> {
    if (this.contained) return this.contained.readFile(path);
    if (this.cached?.path === path) return this.cached.bytes;
    const st = await this.virtualStat(path);
    if (st.size > this.limits.maxFileBytes)
      limitExceeded(path, `file is ${st.size} bytes`, "maxFileBytes", this.limits.maxFileBytes);
    return vscode.workspace.fs.readFile(this.uri(path));
  }

  /**
   * The whole file in a buffer the caller owns (it may be transferred to a worker, detaching it).
   * `file:` URIs are read with node:fs/promises (the read runs on libuv's pool; a big file's Buffer
   * owns its ArrayBuffer, so it moves to the worker without a copy); other schemes via workspace.fs.
   */
  async readFileOwned(path: string): Promise<Uint8Array> {
    if (this.contained) return this.contained.readFile(path);
    const bytes = await this.readFile(path);
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return copy;
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    if (this.contained) return this.contained.readRange(path, offset, length);
    let bytes = this.cached?.path === path ? this.cached.bytes : undefined;
    if (!bytes) {
      bytes = await this.readFile(path);
      this.cached = bytes.length <= WHOLE_FILE_CACHE_LIMIT ? { path, bytes } : undefined;
    }
    return bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
  }

  async list(path: string): Promise<DirEntry[]> {
    if (this.contained) return this.contained.list(path);
    const entries = await vscode.workspace.fs.readDirectory(this.uri(path));
    const out: DirEntry[] = [];
    await Promise.all(
      entries.map(async ([name, type]) => {
        // symlinks report File|SymbolicLink or Directory|SymbolicLink: not followed on virtual file systems
        if (type & vscode.FileType.SymbolicLink) {
          out.push({ name, kind: "file", problem: `${name} is a symbolic link; links are not followed here` });
          return;
        }
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
    if (this.contained) return this.contained.size(path);
    try {
      const st = await vscode.workspace.fs.stat(this.uri(path));
      if (st.type & vscode.FileType.SymbolicLink) return undefined;
      return st.type & vscode.FileType.File ? st.size : undefined;
    } catch {
      return undefined;
    }
  }

  describe(path: string): string {
    if (this.contained) return this.contained.describe(path);
    const u = path ? vscode.Uri.joinPath(this.root, ...path.split("/").filter(Boolean)) : this.root;
    return u.scheme === "file" ? u.fsPath : u.toString(true);
  }

  /** Forget the cached whole file (after a change on disk). */
  invalidate(): void {
    this.cached = undefined;
  }
}
