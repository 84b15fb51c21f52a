/**
 * The file half of `savedmodel scan`: file-reading nodes (text-file table initializers, ReadFile, ...) with the
 * files they read and whether those stay inside assets/ (checked on disk through the containment layer), symbolic
 * links in the export with their targets, and entries that are not regular files. Model-derived strings are
 * printed JSON-quoted, so control characters never reach the terminal.
 */
import { assetRelative, type FileRead } from "../executor/fileReads.js";
import { ExportRoot } from "../savedmodel/node/exportRoot.js";
import { inspectExportTree, type ExportTreeReport } from "../savedmodel/node/exportTree.js";

export interface FileReadReport extends FileRead {
  tags: string[];
  /** per file (same order as `files`): why reading it is refused on disk, when it is */
  refused: (string | undefined)[];
}

export interface ScanFilesReport extends ExportTreeReport {
  fileReads: FileReadReport[];
  /** true when anything here makes the export not clean */
  unsafe: boolean;
}

const q = (s: string) => JSON.stringify(s);

/** The tree report alone (works even when saved_model.pb cannot be opened). */
export async function scanTree(dir: string): Promise<ExportTreeReport> {
  return inspectExportTree(dir);
}

export async function scanFiles(
  dir: string,
  tree: ExportTreeReport,
  graphs: { tags: string[]; reads: FileRead[] }[],
): Promise<ScanFilesReport> {
  const contained = new ExportRoot(dir);
  const reads: FileReadReport[] = [];
  for (const mg of graphs) {
    for (const r of mg.reads) {
      const refused: (string | undefined)[] = [];
      for (const f of r.files) {
        const rel = f.file !== undefined ? assetRelative(f.file) : undefined;
        if (!rel) {
          refused.push(undefined);
          continue;
        }
        try {
          await contained.openRegular(rel).then(({ fh }) => fh.close());
          refused.push(undefined);
        } catch (e) {
          refused.push(e instanceof Error ? e.message : String(e));
        }
      }
      reads.push({ ...r, tags: mg.tags, refused });
    }
  }
  const unsafe =
    tree.links.some((l) => !l.inside && l.resolvesTo !== undefined) ||
    tree.links.some((l) => l.problem === "symbolic link loop") ||
    tree.special.length > 0 ||
    reads.some((r) => r.files.length === 0 || r.files.some((f, i) => !f.insideAssets || r.refused[i]));
  return { ...tree, fileReads: reads, unsafe };
}

/** Text lines for the report (empty when there is nothing to say). */
export function formatScanFiles(r: ScanFilesReport): string[] {
  const out: string[] = [];
  if (r.fileReads.length) {
    out.push("File reads when the model runs:");
    for (const f of r.fileReads) {
      const where = f.fn ? `in function ${q(f.fn)}` : "in the top-level graph";
      out.push(`  ${f.op}: node ${q(f.node)} ${where} ${f.what}`);
      if (!f.files.length) out.push("    file: unknown (not traceable in the graph) — the executor reads assets only");
      f.files.forEach((s, i) => {
        const name = s.file !== undefined ? q(s.file) : "computed at run time";
        const state = f.refused[i]
          ? `refused: ${f.refused[i]}`
          : s.insideAssets
            ? "stays inside assets/"
            : "outside assets/ — refused by the executor";
        out.push(
          `    file ${name} (${s.source === "asset" ? "asset fed by the loader" : `from ${q(s.producer)}`}): ${state}`,
        );
      });
    }
  }
  if (r.links.length) {
    out.push("Symbolic links in the export:");
    for (const l of r.links)
      out.push(
        `  ${q(l.path)} -> ${q(l.target)}${l.inside ? " (stays inside the export)" : ""}${l.problem ? `: ${l.problem}` : ""}`,
      );
  }
  if (r.special.length) {
    out.push("Entries that are not regular files (never read):");
    for (const s of r.special) out.push(`  ${q(s.path)}: ${s.kind}`);
  }
  if (r.truncated) out.push(`Not all of the export was inspected: ${r.truncated}`);
  if (r.unsafe)
    out.push(
      "The export is not clean: it has links out of its folder, special files, or file reads that are not plain assets.",
    );
  return out;
}
