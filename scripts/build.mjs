// The one esbuild build of the VS Code extension:
//   dist/extension.js        extension host bundle (CJS, platform node, `vscode` external)
//   dist/decodeWorker.js     node:worker_threads decode worker (openSavedModel, describeModel, variables)
//   dist/webview/*.js|css    webview bundles (browser IIFE): overview, variable, run, graph (+ its ELK layout worker)
//   dist/executorWorker.js   the executor's worker
//   dist/cli.js              the `savedmodel` CLI (bin/savedmodel.js loads it; not shipped in the VSIX)
//   dist/media/codicons/     codicon font + css for @vscode-elements/elements
// Usage: node scripts/build.mjs [--production] [--watch] [--metafile] [--extension-only] [--cli-only] [--clean] [--outdir DIR]
//   --clean: empty the output folder first (scripts/package.mjs builds into its own staging folder with it)
//   --extension-only: only what the VSIX ships (no CLI), as scripts/package.mjs and scripts/e2e.mjs use it
//   --cli-only: only the CLI's bundles (dist/cli.js, dist/cliRun.js), as bench/firstView.bench.ts times them
import * as esbuild from "esbuild";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cliSplit } from "./cliSplit.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const production = args.has("--production");
const watch = args.has("--watch");
const outIdx = process.argv.indexOf("--outdir");
// --outdir DIR builds elsewhere (scripts/package.mjs stages the VSIX there); the default is the repo's dist/
const dist = outIdx > 0 ? resolve(process.argv[outIdx + 1]) : join(root, "dist");

/** Optional entries owned by other parts of the project: built when their source exists. */

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : "linked",
  legalComments: production ? "none" : "eof",
  logLevel: "warning",
  absWorkingDir: root,
  define: { "process.env.NODE_ENV": production ? '"production"' : '"development"' },
};

/** Node-side bundles: the extension host and its workers. */
const nodeEntries = [
  { in: "src/extension/extension.ts", out: "extension" },
  { in: "src/extension/decodeWorker.ts", out: "decodeWorker" },
  { in: "src/executor/worker.ts", out: "executorWorker" },
];
/** The CLI's bundles: always minified (with a linked source map), since parsing them is part of its start. */
const cliEntries = [];
if (!args.has("--extension-only")) cliEntries.push({ in: "src/cli/bin.ts", out: "cli" });
// `savedmodel run` (executor + tfjs) is its own bundle, so show/vars/scan start without loading it (scripts/cliSplit.mjs)
if (!args.has("--extension-only")) cliEntries.push({ in: "src/cli/run.ts", out: "cliRun" });

/** Browser-side bundles: webviews. */
const webEntries = [
  { in: "src/webview/overview/main.ts", out: "webview/overview" },
  { in: "src/webview/variable/main.ts", out: "webview/variable" },
];
// the run form (src/extension/run/runPanel.ts loads dist/webview/run.js)
webEntries.push({ in: "src/webview/run/main.ts", out: "webview/run" });
// the graph webview (scripts/build-webview-graph.mjs builds the same two entries for its dev page)
webEntries.push({ in: "src/webview/graph/main.ts", out: "webview/graph" });
// the comparison editor (src/extension/compare/comparePanel.ts loads dist/webview/compare.js)
webEntries.push({ in: "src/webview/compare/main.ts", out: "webview/compare" });
// the graph's ELK layout worker is always minified (3.6 MB -> 1.5 MB): its start-up races the first picture
const minifiedWebEntries = [];
minifiedWebEntries.push({ in: "src/webview/graph/layout.worker.ts", out: "webview/graphLayout.worker" });

const configs = [
  {
    ...common,
    entryPoints: nodeEntries,
    outdir: dist,
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["vscode"],
    // the generated protobuf code is CJS; keep `require` of optional long/buffer deps out of the bundle
    mainFields: ["module", "main"],
    plugins: [cliSplit],
  },
  {
    ...common,
    entryPoints: webEntries,
    outdir: dist,
    format: "iife",
    platform: "browser",
    target: "chrome114",
    loader: { ".ttf": "file", ".woff2": "file", ".svg": "text" },
  },
];
if (cliEntries.length)
  configs.push({
    ...configs.find((c) => c.platform === "node"),
    entryPoints: cliEntries,
    minify: true,
    sourcemap: "linked",
  });
if (minifiedWebEntries.length)
  configs.push({
    ...configs.find((c) => c.platform === "browser"),
    entryPoints: minifiedWebEntries,
    minify: true,
    legalComments: "linked",
  });

/** What this run builds: everything, or with --cli-only the CLI's bundles alone. */
const selected = args.has("--cli-only") ? configs.filter((c) => c.entryPoints === cliEntries) : configs;

function copyStatic() {
  const cod = join(root, "node_modules", "@vscode", "codicons", "dist");
  const out = join(dist, "media", "codicons");
  mkdirSync(out, { recursive: true });
  for (const f of ["codicon.css", "codicon.ttf"]) copyFileSync(join(cod, f), join(out, f));
  mkdirSync(join(dist, "webview"), { recursive: true });
  copyFileSync(join(root, "media", "graph.css"), join(dist, "webview", "graph.css"));
  // the executor's tfjs wasm backend (SIMD and plain builds): the VSIX has no node_modules, so the .wasm
  // files travel next to the bundles (src/executor/tfjs/runtime.ts looks beside itself when the package is absent)
  const wasmDir = join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  for (const f of ["tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm.wasm"])
    copyFileSync(join(wasmDir, f), join(dist, f));
}

async function main() {
  const t0 = Date.now();
  // never wipe the repo's dist/ by default: other tools (tests, a running code-server) may be using it
  if (args.has("--clean") && !watch) rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  copyStatic();
  if (watch) {
    const ctxs = await Promise.all(selected.map((c) => esbuild.context(c)));
    await Promise.all(ctxs.map((c) => c.watch()));
    console.log("build: watching for changes…");
    return;
  }
  const results = await Promise.all(selected.map((c) => esbuild.build({ ...c, metafile: true })));
  if (args.has("--metafile")) {
    const merged = { inputs: {}, outputs: {} };
    for (const r of results)
      (Object.assign(merged.inputs, r.metafile.inputs), Object.assign(merged.outputs, r.metafile.outputs));
    writeFileSync(join(dist, "meta.json"), JSON.stringify(merged));
  }
  const sizes = results.flatMap((r) =>
    Object.entries(r.metafile.outputs)
      .filter(([f]) => !f.endsWith(".map"))
      .map(([f, o]) => `${f.replace(/^dist\//, "")} ${(o.bytes / 1024).toFixed(0)} KB`),
  );
  console.log(`build: ${production ? "production" : "development"} in ${Date.now() - t0} ms: ${sizes.join(", ")}`);
}

main().catch((e) => {
  console.error(e?.message ?? e);
  process.exit(1);
});
