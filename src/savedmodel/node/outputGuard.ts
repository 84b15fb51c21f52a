/**
 * Writes never land in an export: an output path is resolved to where it would really be written (the real path of
 * its nearest existing parent, through symlinks, dangling ones included) and refused when that is inside the
 * export's real root — compared by path components, so `EXPORT/..out.npz` is inside. An existing file is replaced
 * only when the caller says so (--overwrite, or the extension's modal), and then by writing a new file and renaming
 * it over the old name, so a hard link or a symlink at the name is never written through.
 */
import { lstat, readlink, realpath, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { isInsideRoot, OutputRefusedError } from "../containment.js";

const caseInsensitive = process.platform === "win32" || process.platform === "darwin";
const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

/** Where writing `path` would really put the bytes (its existing prefix resolved through links). */
export async function realTargetPath(path: string, hops = 0): Promise<string> {
  const abs = resolve(path);
  if (hops > 40) throw new OutputRefusedError(`refusing to write ${path}: too many symbolic links (a loop?)`);
  try {
    return await realpath(abs);
  } catch (e) {
    const code = errCode(e);
    if (code === "ELOOP") throw new OutputRefusedError(`refusing to write ${path}: symbolic link loop`);
    if (code !== "ENOENT" && code !== "ENOTDIR") throw e;
  }
  const st = await lstat(abs).catch(() => undefined);
  if (st?.isSymbolicLink()) return realTargetPath(resolve(dirname(abs), await readlink(abs)), hops + 1);
  const parent = dirname(abs);
  if (parent === abs) return abs;
  return join(await realTargetPath(parent, hops + 1), basename(abs));
}

export interface OutputCheck {
  /** the real path the output would be written to */
  real: string;
  /** whether something exists there now */
  exists: boolean;
}

/**
 * Refuses (OutputRefusedError) an output inside any of `exportDirs` (real paths compared), or an existing file
 * without `overwrite`. `kind: "directory"` checks a folder to be created or written into (existing is fine).
 */
export async function checkOutputPath(
  target: string,
  exportDirs: string | string[],
  opts: { overwrite?: boolean; kind?: "file" | "directory"; flag?: string } = {},
): Promise<OutputCheck> {
  const real = await realTargetPath(target);
  for (const dir of Array.isArray(exportDirs) ? exportDirs : [exportDirs]) {
    const root = await realpath(resolve(dir)).catch(() => resolve(dir));
    if (isInsideRoot(root, real, caseInsensitive))
      throw new OutputRefusedError(
        `refusing to write ${target}${real !== resolve(target) ? ` (it resolves to ${real})` : ""}: it is inside the export folder ${root}; nothing is ever written there`,
      );
  }
  const st = await lstat(real).catch(() => undefined);
  if (st && (opts.kind ?? "file") === "file") {
    if (st.isDirectory()) throw new OutputRefusedError(`refusing to write ${target}: it is a folder`);
    if (!opts.overwrite)
      throw new OutputRefusedError(`${target} exists; pass ${opts.flag ?? "--overwrite"} to replace it`);
  }
  if (st && opts.kind === "directory" && !st.isDirectory())
    throw new OutputRefusedError(`refusing to write into ${target}: it is not a folder`);
  return { real, exists: !!st };
}

/** Writes `bytes` to the checked real path: a new file next to it, renamed over the name (never written through). */
export async function writeOutputFile(check: OutputCheck, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(check.real), `.${basename(check.real)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(tmp, bytes, { flag: "wx", mode: 0o644 });
    await rename(tmp, check.real);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
