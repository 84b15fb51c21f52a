// Stages the extension for the run E2E without touching the repo's dist/: the project's build
// (scripts/build.mjs --extension-only --outdir) into OUT_DIR/ext/dist, tfjs-backend-wasm's .wasm files next
// to the executor worker, package.json, media/ (without screenshots), README and LICENSE; then a VSIX.
// Usage: node test/e2e/runStage.mjs OUT_DIR  -> prints the VSIX path.
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(" ")} failed (exit ${r.status})`);
  return r.stdout;
}

export async function stage(outDir) {
  const stageDir = resolve(outDir, "ext");
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  const dist = join(stageDir, "dist");
  run(process.execPath, [join(root, "scripts", "build.mjs"), "--extension-only", "--clean", "--outdir", dist], root);
  // the executor's wasm backend loads its .wasm files from next to the bundle (else it runs on tfjs-cpu)
  const wasmDir = join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"])
    if (!existsSync(join(dist, f))) copyFileSync(join(wasmDir, f), join(dist, f));
  cpSync(join(root, "media"), join(stageDir, "media"), {
    recursive: true,
    filter: (src) => !/screenshots/.test(src.slice(root.length)),
  });
  for (const f of ["README.md", "LICENSE"])
    if (existsSync(join(root, f))) copyFileSync(join(root, f), join(stageDir, f));
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.dependencies;
  writeFileSync(join(stageDir, "package.json"), JSON.stringify(pkg, null, 2));
  writeFileSync(join(stageDir, ".vscodeignore"), "**/*.map\n");
  const vsix = resolve(outDir, "savedmodel-explorer-run.vsix");
  run(
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
    stageDir,
  );
  return vsix;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(root, ".cache", "run-e2e");
  stage(out).then(
    (v) => console.log(v),
    (e) => (console.error(e), process.exit(1)),
  );
}
