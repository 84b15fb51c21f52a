/**
 * The executor/CLI half of the hostile-export corpus (issue 9): endless loops, exponential and deep calls,
 * allocation bombs, terminal escapes and error format, each run through the real CLI in a child process.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { bundleDir, loadExecutorBundle } from "../executor/helpers/bundle.js";
import { hostileFailures, runHostileCase } from "./harness.js";
import { cases } from "./exec.cases.js";

before(async () => {
  // `run` needs the executor's worker bundle; build it once for every spawned CLI.
  await loadExecutorBundle();
  process.env.SAVEDMODEL_EXECUTOR_WORKER = join(bundleDir, "executorWorker.cjs");
});

describe("hostile exports: executor and CLI output", () => {
  for (const c of cases) {
    // the harness's own guard (10x the limit + start-up) is the hang guard; this only backs it up
    test(`${c.klass}: ${c.name}`, { timeout: 12 * c.limitMs + 120_000 }, async () => {
      const r = await runHostileCase(c);
      const f = hostileFailures(c, r);
      assert.deepEqual(f, [], `${c.name}: ${f.join("\n")}`);
    });
  }
});
