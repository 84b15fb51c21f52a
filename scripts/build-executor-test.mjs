// Bundles the executor (and the CLI run/scan commands) for tests, benches and stand-alone use.
// tfjs-converter's deep imports are ESM with extension-less specifiers and tfjs-core must load once,
// so the executor always runs from an esbuild bundle (mainFields module,main; CJS; platform node).
// Usage: node scripts/build-executor-test.mjs [outdir]   (default node_modules/.cache/executor)
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);

export async function buildExecutorBundles(outdir = join(root, "node_modules", ".cache", "executor")) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: {
      executor: join(root, "src/executor/index.ts"),
      executorWorker: join(root, "src/executor/worker.ts"),
      cli: join(root, "test/executor/helpers/cliEntry.ts"),
    },
    outdir,
    bundle: true,
    platform: "node",
    format: "cjs",
    mainFields: ["module", "main"],
    target: "node20",
    sourcemap: "inline",
    logLevel: "error",
    outExtension: { ".js": ".cjs" },
  });
  return outdir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await buildExecutorBundles(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(out);
}
