// esbuild entry of the run form webview (src/webview/run/main.ts -> dist/webview/run.js); media/run.css
// is loaded from media/ by src/extension/webviewHtml.ts. scripts/build.mjs adds `runWebviewEntry` to
// its browser entries. Run alone: node scripts/build-run.mjs [--production]
import * as esbuild from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The browser entry, for scripts/build.mjs's `webEntries`. */
export const runWebviewEntry = { in: "src/webview/run/main.ts", out: "webview/run" };

/** Standalone options (same settings as build.mjs's browser config). */
export function runWebviewOptions(production = false) {
  return {
    entryPoints: [runWebviewEntry],
    outdir: join(root, "dist"),
    absWorkingDir: root,
    bundle: true,
    minify: production,
    sourcemap: production ? false : "linked",
    format: "iife",
    platform: "browser",
    target: "chrome114",
    logLevel: "warning",
    loader: { ".ttf": "file", ".woff2": "file", ".svg": "text" },
    define: { "process.env.NODE_ENV": production ? '"production"' : '"development"' },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  const r = await esbuild.build({ ...runWebviewOptions(process.argv.includes("--production")), metafile: true });
  const out = Object.entries(r.metafile.outputs)
    .filter(([f]) => !f.endsWith(".map"))
    .map(([f, o]) => `${f} ${(o.bytes / 1024).toFixed(0)} KB`);
  console.log(`build-run: ${Date.now() - t0} ms: ${out.join(", ")}`);
}
