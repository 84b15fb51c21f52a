/**
 * Where the executor's worker script is for `savedmodel run`: $SAVEDMODEL_EXECUTOR_WORKER, else next to the
 * running bundle (dist/cli.js → dist/executorWorker.js; the test bundle's cli.cjs → executorWorker.cjs), else —
 * when the CLI runs from source (tsx) — bundled once per process with esbuild (a dev dependency) into a
 * temporary folder under node_modules/.cache, removed on exit.
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export async function executorWorkerScript(): Promise<string> {
  const fromEnv = process.env.SAVEDMODEL_EXECUTOR_WORKER;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const here = __dirname;
  for (const f of ["executorWorker.js", "executorWorker.cjs"]) if (existsSync(join(here, f))) return join(here, f);
  const root = resolve(here, "..", "..");
  const builder = join(root, "scripts", "build-executor-test.mjs");
  if (!existsSync(builder)) throw new Error(`the executor worker script is missing next to ${here}`);
  const outdir = join(root, "node_modules", ".cache", `cli-worker-${process.pid}`);
  const mod = (await import(pathToFileURL(builder).href)) as { buildExecutorBundles(outdir?: string): Promise<string> };
  await mod.buildExecutorBundles(outdir);
  process.on("exit", () => rmSync(outdir, { recursive: true, force: true }));
  return join(outdir, "executorWorker.cjs");
}
