/**
 * The containment rules every read of an export follows, shared by the library, the CLI, the extension and the
 * executor (pure: no node:fs here; the Node implementation is src/savedmodel/node/exportRoot.ts).
 *
 * - A path inside an export is '/'-separated and relative; absolute paths, drive letters, "..", "." and empty
 *   components, backslashes and NUL are refused before anything touches the disk.
 * - "Inside" is decided on real paths (after resolving symlinks), component by component, never by string prefix:
 *   `/x/export/..out` is inside `/x/export`, `/x/export2` is not.
 * - Directory walks are capped in depth and entries and visit each real directory once.
 * - One set of structural limits (DECODE_LIMITS) bounds decoding; a refusal names the limit and how to raise it.
 */
import { SavedModelError } from "./errors.js";
import type { DirEntry, FileAccess } from "./fileAccess.js";

/** A read refused because it would leave the export, or because the file is not a regular file. */
export class ContainmentError extends SavedModelError {
  readonly reason: "outside" | "special" | "loop" | "path" | "limit";
  constructor(file: string, detail: string, reason: ContainmentError["reason"], hint?: string) {
    super(file, detail, { hint });
    this.name = "ContainmentError";
    this.reason = reason;
  }
}

/** An output path refused because it resolves inside an export, or because it exists (no overwrite). */
export class OutputRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputRefusedError";
  }
}

/** Structural limits for reading and decoding an export. Override with SAVEDMODEL_LIMITS="name=value,...". */
export interface DecodeLimits {
  /** Deepest directory level a walk of assets/ descends to. */
  maxWalkDepth: number;
  /** Most directory entries a walk looks at. */
  maxWalkEntries: number;
  /** Largest file read whole (saved_model.pb, variables.index, fingerprint, assets). */
  maxFileBytes: number;
  /** Largest decompressed (Snappy) or stored block of a checkpoint index. */
  maxIndexBlockBytes: number;
  /** Most bytes all blocks of a checkpoint index may inflate to together. */
  maxIndexBytes: number;
  /** Most entries (variables and slices) in a checkpoint index. */
  maxIndexEntries: number;
  /** Deepest protobuf message nesting (graph functions, attr values, structured signatures). */
  maxProtoDepth: number;
  /** Most nodes in one graph or function body. */
  maxGraphNodes: number;
  /** Most functions in a library. */
  maxFunctions: number;
}

export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxWalkDepth: 16,
  maxWalkEntries: 10_000,
  maxFileBytes: 2 ** 31 - 1,
  maxIndexBlockBytes: 32 * 1024 * 1024,
  maxIndexBytes: 256 * 1024 * 1024,
  maxIndexEntries: 1_000_000,
  maxProtoDepth: 100,
  maxGraphNodes: 5_000_000,
  maxFunctions: 100_000,
});

export const LIMITS_ENV = "SAVEDMODEL_LIMITS";

/** Parses "maxIndexEntries=2000000,maxWalkDepth=32" over the defaults; unknown names and bad values are ignored. */
export function parseLimits(text: string | undefined, base: Readonly<DecodeLimits> = DEFAULT_LIMITS): DecodeLimits {
  const out: DecodeLimits = { ...base };
  for (const part of (text ?? "").split(",")) {
    const m = /^\s*(\w+)\s*=\s*(\d+)\s*$/.exec(part);
    if (m && m[1] in out) (out as unknown as Record<string, number>)[m[1]] = Number(m[2]);
  }
  return out;
}

/** The limits in force: defaults, overridden by the SAVEDMODEL_LIMITS environment variable where there is one. */
export function currentLimits(): DecodeLimits {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return parseLimits(env?.[LIMITS_ENV]);
}

/** The sentence every limit refusal ends with: which limit, its value, how to raise it. */
export function limitHint(name: keyof DecodeLimits, value: number): string {
  return `limit ${name} = ${value}; if the export is trusted, raise it with the environment variable ${LIMITS_ENV}="${name}=N"`;
}

/** Refuses with a ContainmentError naming the limit. */
export function limitExceeded(file: string, detail: string, name: keyof DecodeLimits, value: number): never {
  throw new ContainmentError(file, `${detail} (${limitHint(name, value)})`, "limit");
}

/**
 * Checks a path relative to the export root: '/'-separated components, none empty, ".", ".." or with a
 * backslash/NUL; not absolute. Returns its components ("" → []); throws a ContainmentError otherwise.
 */
export function exportPathComponents(path: string): string[] {
  if (path === "") return [];
  const parts = path.split("/");
  const bad =
    path.startsWith("/") ||
    /^[A-Za-z]:/.test(path) ||
    parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\") || p.includes("\0"));
  if (bad)
    throw new ContainmentError(
      path,
      "not a plain path inside the export folder (absolute, or with '..', '.', empty or backslash components)",
      "path",
    );
  return parts;
}

/** True when `path` passes exportPathComponents (a plain relative path inside the export). */
export function isPlainExportPath(path: string): boolean {
  try {
    exportPathComponents(path);
    return true;
  } catch {
    return false;
  }
}

/** Splits an absolute path (POSIX or Windows) into comparable components. */
export function pathComponents(abs: string, caseInsensitive = false): string[] {
  const norm = abs.replace(/\\/g, "/");
  const parts = norm.split("/").filter((p) => p !== "" && p !== ".");
  return caseInsensitive ? parts.map((p) => p.toLowerCase()) : parts;
}

/** True when real path `p` is `root` itself or below it, compared by components (never by string prefix). */
export function isInsideRoot(root: string, p: string, caseInsensitive = false): boolean {
  const r = pathComponents(root, caseInsensitive);
  const c = pathComponents(p, caseInsensitive);
  if (c.length < r.length) return false;
  for (let i = 0; i < r.length; i++) if (r[i] !== c[i]) return false;
  return true;
}

/** The export-relative form of real path `p` under real `root` ("" for the root), or undefined when outside. */
export function relativeInside(root: string, p: string, caseInsensitive = false): string | undefined {
  if (!isInsideRoot(root, p, caseInsensitive)) return undefined;
  return pathComponents(p).slice(pathComponents(root).length).join("/");
}

/** Names a non-regular file kind for messages. */
export type SpecialKind =
  "FIFO (named pipe)" | "character device" | "block device" | "socket" | "directory" | "unknown";

export function specialFileMessage(kind: SpecialKind): string {
  return kind === "directory"
    ? "is a directory, not a file"
    : `is a ${kind}, not a regular file; only regular files inside the export are read`;
}

/** A file found by a walk. */
export interface WalkedFile {
  path: string;
  size?: number;
}

/** What a walk saw but did not list: links out of the export, special files, loops, limits reached. */
export interface WalkProblem {
  path: string;
  message: string;
}

/**
 * Lists every file under `dir` through a FileAccess: depth ≤ maxWalkDepth, entries ≤ maxWalkEntries, each real
 * directory visited once (DirEntry.realId), entries the FileAccess flags (`problem`) reported and not followed.
 */
export async function walkExportFiles(
  fs: FileAccess,
  dir: string,
  limits: Pick<DecodeLimits, "maxWalkDepth" | "maxWalkEntries"> = currentLimits(),
): Promise<{ files: WalkedFile[]; problems: WalkProblem[] }> {
  const files: WalkedFile[] = [];
  const problems: WalkProblem[] = [];
  const visited = new Set<string>();
  let seen = 0;
  let stopped = false;
  const walk = async (d: string, depth: number, id: string | undefined): Promise<void> => {
    if (id !== undefined) {
      if (visited.has(id)) return;
      visited.add(id);
    }
    let entries: DirEntry[];
    try {
      entries = await fs.list(d);
    } catch (e) {
      if (depth === 0 && !(e instanceof ContainmentError)) return; // a missing top folder is just empty
      problems.push({ path: d, message: e instanceof Error ? e.message : String(e) });
      return;
    }
    for (const e of entries) {
      if (stopped) return;
      if (++seen > limits.maxWalkEntries) {
        stopped = true;
        problems.push({
          path: dir,
          message: `more than ${limits.maxWalkEntries} entries; the rest is not listed (${limitHint("maxWalkEntries", limits.maxWalkEntries)})`,
        });
        return;
      }
      const p = `${d}/${e.name}`;
      if (e.problem) {
        problems.push({ path: p, message: e.problem });
        continue;
      }
      if (e.kind === "directory") {
        if (depth + 1 > limits.maxWalkDepth) {
          problems.push({
            path: p,
            message: `nested more than ${limits.maxWalkDepth} folders deep; not listed (${limitHint("maxWalkDepth", limits.maxWalkDepth)})`,
          });
          continue;
        }
        await walk(p, depth + 1, e.realId);
      } else files.push({ path: p, size: e.size });
    }
  };
  await walk(dir, 0, undefined);
  return { files, problems };
}
