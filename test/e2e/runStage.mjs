// Stages the extension for the run E2E without touching the repo's dist/: bundles the extension host,
// the decode and executor workers (with tfjs-backend-wasm's .wasm files next to the executor) and every
// webview into OUT_DIR/ext, copies package.json, media/, README and LICENSE, and packages a VSIX.
// Usage: node test/e2e/runStage.mjs OUT_DIR  -> prints the VSIX path.
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runWebviewOptions } from "../../scripts/build-run.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export async function stage(outDir) {
  const stageDir = resolve(outDir, "ext");
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(join(stageDir, "dist", "media", "codicons"), { recursive: true });
  const dist = join(stageDir, "dist");
  const common = {
    bundle: true,
    minify: false,
    sourcemap: false,
    logLevel: "warning",
    absWorkingDir: root,
    define: { "process.env.NODE_ENV": '"production"' },
  };
  const nodeEntries = [
    { in: "src/extension/extension.ts", out: "extension" },
    { in: "src/extension/decodeWorker.ts", out: "decodeWorker" },
    { in: "src/executor/worker.ts", out: "executorWorker" },
  ];
  const webEntries = [
    { in: "src/webview/overview/main.ts", out: "webview/overview" },
    { in: "src/webview/variable/main.ts", out: "webview/variable" },
  ];
  if (existsSync(join(root, "src/webview/graph/main.ts")))
    webEntries.push(
      { in: "src/webview/graph/main.ts", out: "webview/graph" },
      { in: "src/webview/graph/layout.worker.ts", out: "webview/graphLayout.worker" },
    );
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: nodeEntries,
      outdir: dist,
      format: "cjs",
      platform: "node",
      target: "node20",
      external: ["vscode"],
      mainFields: ["module", "main"],
    }),
    esbuild.build({
      ...common,
      entryPoints: webEntries,
      outdir: dist,
      format: "iife",
      platform: "browser",
      target: "chrome114",
      loader: { ".ttf": "file", ".woff2": "file", ".svg": "text" },
    }),
    esbuild.build({ ...runWebviewOptions(true), outdir: dist }),
  ]);
  const cod = join(root, "node_modules", "@vscode", "codicons", "dist");
  for (const f of ["codicon.css", "codicon.ttf"]) copyFileSync(join(cod, f), join(dist, "media", "codicons", f));
  // the executor's wasm backend looks for its .wasm files next to the bundle (else it runs on tfjs-cpu)
  const wasmDir = join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"])
    if (existsSync(join(wasmDir, f))) copyFileSync(join(wasmDir, f), join(dist, f));
  cpSync(join(root, "media"), join(stageDir, "media"), {
    recursive: true,
    filter: (src) => !/screenshots/.test(src.slice(root.length)),
  });
  if (existsSync(join(root, "media", "graph.css")))
    copyFileSync(join(root, "media", "graph.css"), join(dist, "webview", "graph.css"));
  for (const f of ["README.md", "LICENSE"])
    if (existsSync(join(root, f))) copyFileSync(join(root, f), join(stageDir, f));
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.dependencies;
  writeFileSync(join(stageDir, "package.json"), JSON.stringify(pkg, null, 2));
  writeFileSync(join(stageDir, ".vscodeignore"), "**/*.map\n");
  const vsix = resolve(outDir, "savedmodel-explorer-run.vsix");
  const r = spawnSync(
    process.execPath,
    [
      join(root, "node_modules", "@vscode", "vsce", "vsce"),
      "package",
      "--no-dependencies",
      "--allow-missing-repository",
      "--skip-license",
      "--baseContentUrl",
      "https://example.invalid/blob/HEAD/",
      "--baseImagesUrl",
      "https://example.invalid/raw/HEAD/",
      "--out",
      vsix,
    ],
    {
      cwd: stageDir,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status})`);
  return vsix;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(root, ".cache", "run-e2e");
  stage(out).then(
    (v) => console.log(v),
    (e) => (console.error(e), process.exit(1)),
  );
}
