/**
 * What `scan` reports about the export folder itself (Node only): every symbolic link with its target and whether
 * it stays inside the export, and every entry that is not a regular file or folder (FIFO, device, socket). The walk
 * never follows links (lstat), so it cannot loop; it is capped in depth and entries.
 */
import { lstat, opendir, readlink, realpath } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { currentLimits, isInsideRoot, limitHint, type DecodeLimits } from "../containment.js";
import { specialKind } from "./exportRoot.js";

export interface LinkReport {
  path: string;
  target: string;
  /** real path it resolves to; undefined when dangling or looping */
  resolvesTo?: string;
  inside: boolean;
  problem?: string;
}

export interface ExportTreeReport {
  links: LinkReport[];
  special: { path: string; kind: string }[];
  /** set when the walk stopped at a limit */
  truncated?: string;
}

export async function inspectExportTree(
  dir: string,
  limits: Pick<DecodeLimits, "maxWalkDepth" | "maxWalkEntries"> = currentLimits(),
): Promise<ExportTreeReport> {
  const root = await realpath(dir);
  const report: ExportTreeReport = { links: [], special: [] };
  let seen = 0;
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  const walk = async (d: string, depth: number): Promise<void> => {
    let h;
    try {
      h = await opendir(d);
    } catch {
      return;
    }
    try {
      for await (const e of h) {
        if (++seen > limits.maxWalkEntries) {
          report.truncated ??= `more than ${limits.maxWalkEntries} entries (${limitHint("maxWalkEntries", limits.maxWalkEntries)})`;
          return;
        }
        const p = join(d, e.name);
        const st = await lstat(p).catch(() => undefined);
        if (!st) continue;
        if (st.isSymbolicLink()) {
          const target = await readlink(p).catch(() => "?");
          let resolvesTo: string | undefined;
          let problem: string | undefined;
          try {
            resolvesTo = await realpath(p);
          } catch (err) {
            problem = (err as NodeJS.ErrnoException).code === "ELOOP" ? "symbolic link loop" : "target does not exist";
          }
          const inside = resolvesTo !== undefined && isInsideRoot(root, resolvesTo);
          if (resolvesTo !== undefined && !inside) problem = "points outside the export folder; never followed";
          report.links.push({ path: rel(p), target, resolvesTo, inside, problem });
        } else if (st.isDirectory()) {
          if (depth + 1 > limits.maxWalkDepth) {
            report.truncated ??= `folders nested deeper than ${limits.maxWalkDepth} (${limitHint("maxWalkDepth", limits.maxWalkDepth)})`;
            continue;
          }
          await walk(p, depth + 1);
        } else {
          const k = specialKind(st);
          if (k) report.special.push({ path: rel(p), kind: k });
        }
      }
    } finally {
      await h.close().catch(() => undefined);
    }
  };
  await walk(root, 0);
  return report;
}
