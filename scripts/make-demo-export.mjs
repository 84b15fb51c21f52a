// Writes the demo SavedModel (src/savedmodel/builder/demo.ts: demoExport()) into DIR.
// Usage: node scripts/make-demo-export.mjs DIR [--force]
// DIR is created if needed. A non-empty DIR is refused unless it holds a previous demo export (marker file
// assets.extra/savedmodel-explorer-demo.json), in which case its files are replaced.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// the builder is TypeScript: run under tsx's loader (re-exec once with --import tsx)
if (!process.env.MAKE_DEMO_UNDER_TSX) {
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, MAKE_DEMO_UNDER_TSX: "1" },
  });
  process.exit(r.status ?? 1);
}
const { demoExportFiles, DEMO_MARKER_FILE } = await import("../src/savedmodel/builder/demo.ts");
const { writeExportToDir } = await import("../src/savedmodel/node/nodeWriter.ts");

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (args.length !== 1) {
  console.error("usage: node scripts/make-demo-export.mjs DIR");
  process.exit(2);
}
const dir = resolve(args[0]);
if (existsSync(dir)) {
  if (!statSync(dir).isDirectory()) {
    console.error(`make-demo-export: ${dir} exists and is not a folder`);
    process.exit(1);
  }
  const entries = readdirSync(dir);
  if (entries.length) {
    if (!existsSync(join(dir, DEMO_MARKER_FILE))) {
      console.error(
        `make-demo-export: refusing to write into ${dir}: it is not empty and is not a previous demo export`,
      );
      process.exit(1);
    }
    // a previous demo: clear only what a demo export contains
    for (const name of [
      "saved_model.pb",
      "saved_model.pbtxt",
      "fingerprint.pb",
      "variables",
      "assets",
      "assets.extra",
    ]) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}
const t0 = performance.now();
const files = demoExportFiles();
const bytes = await writeExportToDir(files, dir);
console.log(
  `wrote demo export to ${dir}: ${files.size} files, ${bytes} bytes in ${Math.round(performance.now() - t0)} ms`,
);
