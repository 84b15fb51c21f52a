/**
 * Loads the esbuild bundle of the executor (tfjs-converter's deep imports cannot load under tsx).
 * Each test process builds once into its own folder under node_modules/.cache (so node_modules resolves).
 */
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

export type ExecutorBundle = typeof import("./cliEntry.js");

let cached: Promise<ExecutorBundle> | undefined;
const root = resolve(__dirname, "..", "..", "..");
/** Where this process's bundles are (executor.cjs, executorWorker.cjs, cli.cjs). */
export const bundleDir = join(root, "node_modules", ".cache", `executor-test-${process.pid}`);

export function loadExecutorBundle(): Promise<ExecutorBundle> {
  cached ??= (async () => {
    const mod = (await import(join(root, "scripts", "build-executor-test.mjs"))) as {
      buildExecutorBundles(outdir?: string): Promise<string>;
    };
    const outdir = bundleDir;
    await mod.buildExecutorBundles(outdir);
    process.on("exit", () => rmSync(outdir, { recursive: true, force: true }));
    const req = createRequire(join(outdir, "x.cjs"));
    return req(join(outdir, "cli.cjs")) as ExecutorBundle;
  })();
  return cached;
}
