// Builds the production bundles into a clean staging folder (.cache/package-stage, never the repo's dist/)
// and packages the VSIX from there (no node_modules: everything is bundled).
// Usage: node scripts/package.mjs [--out path.vsix]
// Prints the VSIX path, its size and its file list; fails when the VSIX holds sources or fixtures.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const outIdx = argv.indexOf("--out");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const repoUrl = String(pkg.repository?.url ?? pkg.repository ?? "https://example.invalid/savedmodel-explorer").replace(
  /\.git$/,
  "",
);
const out = resolve(outIdx >= 0 ? argv[outIdx + 1] : join(root, `${pkg.name}-${pkg.version}.vsix`));

function run(cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    console.error(`package: ${[cmd, ...args].join(" ")} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

const t0 = Date.now();
const stage = join(root, ".cache", "package-stage");
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", ".vscodeignore", "media"])
  if (existsSync(join(root, f)))
    // media/ may hold test screenshots kept for the README (e.g. media/run-screenshots): not for the VSIX
    cpSync(join(root, f), join(stage, f), {
      recursive: true,
      filter: (src) => !/screenshots/.test(src.slice(root.length)),
    });
run(process.execPath, [
  join(root, "scripts", "build.mjs"),
  "--production",
  "--extension-only",
  "--clean",
  "--outdir",
  join(stage, "dist"),
]);
run(
  process.execPath,
  [
    join(root, "node_modules", "@vscode", "vsce", "vsce"),
    "package",
    "--no-dependencies",
    "--allow-missing-repository",
    "--skip-license",
    // README links are relative to the repository: vsce rewrites them against the repository URL
    "--baseContentUrl",
    `${repoUrl}/blob/HEAD/`,
    "--baseImagesUrl",
    `${repoUrl}/raw/HEAD/`,
    "--out",
    out,
  ],
  stage,
);

// The VSIX is a zip: list it with the system's unzip when there is one, else trust vsce's own listing.
let files = [];
try {
  files = execFileSync("unzip", ["-Z1", out], { encoding: "utf8" }).split("\n").filter(Boolean);
} catch {
  /* no unzip */
}
const bad = files.filter(
  (f) => /^extension\/(src|test|node_modules|proto|bench|scripts|\.cache)\//.test(f) || /fixtures|\.ts$|\.map$/.test(f),
);
const size = statSync(out).size;
console.log(`package: ${out}`);
console.log(
  `package: ${(size / 1024 / 1024).toFixed(2)} MB (${size} bytes), ${files.length || "?"} files, ${Date.now() - t0} ms`,
);
if (bad.length) {
  console.error(`package: the VSIX holds files that must stay out:\n  ${bad.join("\n  ")}`);
  process.exit(1);
}
