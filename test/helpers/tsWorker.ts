/**
 * A worker_threads script that runs a TypeScript module through tsx's require hook, for tests and benches that
 * drive the real workers from source (the extension runs the esbuild bundles). The bootstrap file lives in a
 * temporary folder, so it names tsx by its resolved path: a bare require("tsx/cjs") would be looked up from
 * /tmp, where no node_modules is.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Writes the bootstrap for `tsModule` (an absolute path) and returns its path; removed when the process exits. */
export function tsWorkerScript(tsModule: string): string {
  const scratch = mkdtempSync(join(tmpdir(), "ts-worker-"));
  const bootstrap = join(scratch, "worker.cjs");
  writeFileSync(
    bootstrap,
    `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(tsModule)});`,
  );
  process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
  return bootstrap;
}
