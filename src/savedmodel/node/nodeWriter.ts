/**
 * Node-only: writes a builder's files (Map of relative path → bytes) into a folder. Pure code must not import
 * this file (it uses node:fs).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";

/** Writes every file under `dir` (created as needed). Paths must stay inside `dir`. Returns total bytes. */
export async function writeExportToDir(files: Map<string, Uint8Array>, dir: string): Promise<number> {
  const root = resolve(dir);
  let total = 0;
  for (const [rel, bytes] of files) {
    const target = resolve(join(root, rel));
    if (target !== root && !target.startsWith(root + sep)) throw new Error(`refusing to write outside ${root}: ${rel}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
    total += bytes.length;
  }
  return total;
}
