// Everything CI checks, in order: generated code up to date, strict typecheck, unit tests,
// then the end-to-end tests in a real VS Code (code-server + Debian chromium).
// Usage: npm run test:all            (SKIP_E2E=1 to leave out the real-VS-Code part)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// ../shared holds the real TensorFlow exports (fixtures/) and TensorFlow's op defs (reference/); a clone without it
// still runs everything else
const shared = join(root, "..", "shared");
const haveShared = existsSync(join(shared, "reference", "tf-op-defs.json"));
const skipped = [];
if (!haveShared) skipped.push(`the op-registry freshness check and the tests reading real exports (no ${shared})`);
if (process.env.SKIP_E2E) skipped.push("the end-to-end tests (SKIP_E2E is set)");
if (skipped.length) console.log(`test:all skips ${skipped.join(" and ")}`);
const steps = [
  ...(haveShared ? [["generated op registry is up to date", "node", ["scripts/gen-op-registry.mjs", "--check"]]] : []),
  ["typecheck (tsc --noEmit, strict)", "npx", ["tsc", "--noEmit", "-p", "."]],
  [
    "typecheck per runtime (webviews: DOM, no Node; host, workers, CLI: Node, no DOM)",
    "npm",
    ["run", "-s", "typecheck:runtimes"],
  ],
  ["layering (dependency-cruiser, .dependency-cruiser.cjs)", "node", ["scripts/lint-deps.mjs"]],
  ["unit tests", "node", ["scripts/run-tests.mjs"]],
];
if (!process.env.SKIP_E2E && existsSync(`${root}/scripts/e2e.mjs`))
  steps.push(["end-to-end tests in real VS Code", "node", ["scripts/e2e.mjs"]]);

for (const [title, cmd, args] of steps) {
  const t0 = Date.now();
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  console.log(`=== ${title}: ${r.status === 0 ? "ok" : "FAILED"} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
