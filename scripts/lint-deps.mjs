// `npm run lint:deps`: checks the layering (.dependency-cruiser.cjs) of src/ and proto/.
// dependency-cruiser reads TypeScript through the TypeScript compiler API, which TypeScript 7 (our compiler) no
// longer offers; so each .ts file is first transpiled by esbuild, one file at a time, into a mirror under
// .cache/lint-deps (import paths unchanged; `import type` kept as a plain import so type-only dependencies count
// too), and dependency-cruiser checks the mirror, whose paths read like the repo's (src/…, proto/…).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mirror = join(root, ".cache", "lint-deps");
rmSync(mirror, { recursive: true, force: true });

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

let files = 0;
for (const top of ["src", "proto"])
  for (const file of walk(join(root, top))) {
    const rel = relative(root, file);
    if (rel.endsWith(".d.ts") || rel.endsWith(".proto") || rel.endsWith(".md")) continue;
    let out = join(mirror, rel);
    mkdirSync(dirname(out), { recursive: true });
    if (rel.endsWith(".ts")) {
      const src = readFileSync(file, "utf8")
        // type-only imports are dependencies too (a webview importing a host type still couples the layers)
        .replace(/^(\s*)import type /gm, "$1import ")
        .replace(/^(\s*)export type (\{[^}]*\}\s*from)/gm, "$1export $2");
      const { code } = transformSync(src, {
        loader: "ts",
        format: "esm",
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
        sourcefile: rel,
      });
      out = out.replace(/\.ts$/, ".js");
      writeFileSync(out, code);
    } else copyFileSync(file, out);
    files++;
  }
symlinkSync(join(root, "node_modules"), join(mirror, "node_modules"), "dir");
writeFileSync(join(mirror, "package.json"), readFileSync(join(root, "package.json")));

const bin = join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
const r = spawnSync(
  process.execPath,
  [bin, "--config", join(root, ".dependency-cruiser.cjs"), "--output-type", "err", "src", "proto"],
  { cwd: mirror, stdio: "inherit" },
);
if (r.status === 0) console.log(`lint:deps: ${files} files follow the layering of .dependency-cruiser.cjs`);
process.exit(r.status ?? 1);
