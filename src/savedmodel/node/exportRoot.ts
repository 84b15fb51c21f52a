/**
 * The containment layer on node:fs (rules in ../containment.ts). The export's real root is resolved once; every
 * path is resolved to its real location and refused when a symlink takes it out of the root (the message names
 * the link and where it points) or when it loops. Files are opened with O_NONBLOCK (a FIFO never blocks) and
 * O_NOFOLLOW, the opened handle is fstat'ed, anything but a regular file is refused by kind, and every read is
 * bounded by the handle's size — never by a listing.
 */
import { constants, type Dirent, type Stats } from "node:fs";
import { lstat, open, opendir, readlink, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  ContainmentError,
  currentLimits,
  exportPathComponents,
  isInsideRoot,
  limitExceeded,
  specialFileMessage,
  type DecodeLimits,
  type SpecialKind,
} from "../containment.js";
import { SavedModelError } from "../errors.js";
import type { DirEntry, RangeReader } from "../fileAccess.js";

const caseInsensitive = process.platform === "win32" || process.platform === "darwin";
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

export function specialKind(st: Stats | Dirent): SpecialKind | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return "directory";
  if (st.isFIFO()) return "FIFO (named pipe)";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  if (st.isSocket()) return "socket";
  return "unknown";
}

/** "<name> is a FIFO (named pipe), not a regular file; …" about `path`. */
function special(path: string, k: SpecialKind): ContainmentError {
  return new ContainmentError(path, `${path.split("/").pop() || "."} ${specialFileMessage(k)}`, "special");
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

/** Wraps an fs error as a SavedModelError naming the export path (ENOENT keeps its code for "missing" checks). */
function fsError(path: string, e: unknown): Error {
  if (e instanceof SavedModelError) return e;
  const code = errCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  return Object.assign(new SavedModelError(path || ".", `cannot read: ${msg}`, { cause: e }), { code });
}

export interface Resolved {
  /** the real path on disk */
  real: string;
  /** lstat-free stat of the real path */
  stats: Stats;
}

export class ExportRoot {
  /** The folder as given (absolute). */
  readonly dir: string;
  readonly limits: DecodeLimits;
  private realRoot?: Promise<string>;

  constructor(dir: string, limits: DecodeLimits = currentLimits()) {
    this.dir = resolve(dir);
    this.limits = limits;
  }

  /** The export's real root (resolved once). */
  root(): Promise<string> {
    this.realRoot ??= realpath(this.dir).catch((e) => {
      this.realRoot = undefined;
      throw fsError("", e);
    });
    return this.realRoot;
  }

  describe(path: string): string {
    return path === "" ? this.dir : join(this.dir, path);
  }

  /** True when the real path is inside the export's real root. */
  async contains(real: string): Promise<boolean> {
    return isInsideRoot(await this.root(), real, caseInsensitive);
  }

  /**
   * Real path and stat of an export path; throws ContainmentError when a link leaves the export or loops, a
   * SavedModelError with code ENOENT when it does not exist.
   */
  async resolve(path: string): Promise<Resolved> {
    const comps = exportPathComponents(path);
    const root = await this.root();
    const abs = join(root, ...comps);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (e) {
      if (errCode(e) === "ELOOP")
        throw new ContainmentError(path, "symbolic link loop (a link that points back to itself)", "loop");
      throw fsError(path, e);
    }
    if (!isInsideRoot(root, real, caseInsensitive)) throw await this.escape(path, comps, root, real);
    let stats: Stats;
    try {
      stats = await stat(real);
    } catch (e) {
      throw fsError(path, e);
    }
    return { real, stats };
  }

  /** Names the first link on the way to `path` that takes it out of the root. */
  private async escape(path: string, comps: string[], root: string, real: string): Promise<ContainmentError> {
    for (let i = 1; i <= comps.length; i++) {
      const p = join(root, ...comps.slice(0, i));
      const st = await lstat(p).catch(() => undefined);
      if (!st?.isSymbolicLink()) continue;
      const r = await realpath(p).catch(() => undefined);
      if (r !== undefined && isInsideRoot(root, r, caseInsensitive)) continue;
      const target = await readlink(p).catch(() => "?");
      const name = comps.slice(0, i).join("/");
      return new ContainmentError(
        path,
        `${name} is a symbolic link to ${target}${r && r !== target ? ` (${r})` : ""}, outside the export folder; it is not followed`,
        "outside",
      );
    }
    return new ContainmentError(path, `resolves to ${real}, outside the export folder; it is not followed`, "outside");
  }

  /**
   * Opens a regular file inside the export (O_NONBLOCK | O_NOFOLLOW on its real path) and fstat's the handle.
   * Throws ContainmentError for special files and files over maxFileBytes.
   */
  async openRegular(path: string) {
    const { real, stats } = await this.resolve(path);
    const k = specialKind(stats);
    if (k) throw special(path, k);
    let fh;
    try {
      fh = await open(real, constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    } catch (e) {
      if (errCode(e) === "ELOOP")
        throw new ContainmentError(path, "was replaced by a symbolic link while being opened", "outside");
      throw fsError(path, e);
    }
    try {
      const st = await fh.stat();
      const k2 = specialKind(st);
      if (k2) throw special(path, k2);
      return { fh, size: st.size };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** The whole file, bounded by the opened handle's size (and maxFileBytes). */
  async readFile(path: string): Promise<Uint8Array> {
    const { fh, size } = await this.openRegular(path);
    try {
      if (size > this.limits.maxFileBytes)
        limitExceeded(
          path,
          `file is ${size} bytes, over the ${this.limits.maxFileBytes}-byte limit for a file read whole`,
          "maxFileBytes",
          this.limits.maxFileBytes,
        );
      return await readAt(fh, 0, size, path);
    } finally {
      await fh.close();
    }
  }

  /** `length` bytes at `offset`, clamped to the opened handle's size. */
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const { fh, size } = await this.openRegular(path);
    try {
      const n = Math.max(0, Math.min(length, size - offset));
      return await readAt(fh, offset, n, path);
    } finally {
      await fh.close();
    }
  }

  /** Up to `target.length` bytes at `offset` read into `target` (clamped to the opened handle's size); the count. */
  async readRangeInto(path: string, offset: number, target: Uint8Array): Promise<number> {
    const { fh, size } = await this.openRegular(path);
    try {
      const n = Math.max(0, Math.min(target.length, size - offset));
      return await readInto(fh, offset, target.subarray(0, n), path);
    } finally {
      await fh.close();
    }
  }

  /** A regular file opened once (openRegular's checks) for many reads, each bounded by the size at open. */
  async openReader(path: string): Promise<RangeReader> {
    const { fh, size } = await this.openRegular(path);
    return {
      size,
      fd: fh.fd,
      readInto: (offset, target) =>
        readInto(fh, offset, target.subarray(0, Math.max(0, Math.min(target.length, size - offset))), path),
      close: () => fh.close(),
    };
  }

  /** Size of a regular file, undefined when missing; throws ContainmentError for links out, loops, special files. */
  async size(path: string): Promise<number | undefined> {
    let r: Resolved;
    try {
      r = await this.resolve(path);
    } catch (e) {
      if (errCode(e) === "ENOENT" || errCode(e) === "ENOTDIR") return undefined;
      throw e;
    }
    const k = specialKind(r.stats);
    if (k === "directory") return undefined;
    if (k) throw special(path, k);
    return r.stats.size;
  }

  /** Lists a directory (at most maxWalkEntries entries); links are classified, never followed out of the root. */
  async list(path: string): Promise<DirEntry[]> {
    const { real, stats } = await this.resolve(path);
    if (!stats.isDirectory()) throw new SavedModelError(path || ".", "is not a folder");
    const root = await this.root();
    const out: DirEntry[] = [];
    let dir;
    try {
      dir = await opendir(real);
    } catch (e) {
      throw fsError(path, e);
    }
    try {
      for await (const d of dir) {
        if (out.length >= this.limits.maxWalkEntries) break;
        out.push(await this.entry(root, real, d));
      }
    } finally {
      await dir.close().catch(() => undefined);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async entry(root: string, dirReal: string, d: Dirent): Promise<DirEntry> {
    const p = join(dirReal, d.name);
    const name = d.name;
    let link: string | undefined;
    let real = p;
    if (d.isSymbolicLink()) {
      link = await readlink(p).catch(() => "?");
      try {
        real = await realpath(p);
      } catch (e) {
        const problem =
          errCode(e) === "ELOOP"
            ? `${name} is a symbolic link loop (${name} -> ${link})`
            : `${name} is a symbolic link to ${link}, which does not exist`;
        return { name, kind: "file", link, problem };
      }
      if (!isInsideRoot(root, real, caseInsensitive)) {
        const st = await stat(real).catch(() => undefined);
        return {
          name,
          kind: st?.isDirectory() ? "directory" : "file",
          link,
          problem: `${name} is a symbolic link to ${link}, outside the export folder; it is not followed`,
        };
      }
    }
    let st: Stats;
    try {
      st = await stat(real);
    } catch (e) {
      return { name, kind: "file", link, problem: `${name}: ${(e as Error).message}` };
    }
    const k = specialKind(st);
    if (k === "directory") return { name, kind: "directory", link, realId: real };
    if (k) return { name, kind: "file", link, problem: `${name} ${specialFileMessage(k)}` };
    return { name, kind: "file", size: st.size, link };
  }
}

async function readInto(
  fh: Awaited<ReturnType<typeof open>>,
  offset: number,
  target: Uint8Array,
  path: string,
): Promise<number> {
  let got = 0;
  try {
    while (got < target.length) {
      const { bytesRead } = await fh.read(target, got, target.length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
  } catch (e) {
    throw fsError(path, e);
  }
  return got;
}

async function readAt(
  fh: Awaited<ReturnType<typeof open>>,
  offset: number,
  n: number,
  path: string,
): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafeSlow(n); // owns its ArrayBuffer (may be transferred to a worker)
  let got = 0;
  try {
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
  } catch (e) {
    throw fsError(path, e);
  }
  return got === n ? buf : buf.subarray(0, got);
}
