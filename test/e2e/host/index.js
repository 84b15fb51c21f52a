// extensionTestsPath module: runs test/e2e/host/suite.js inside the real extension host of code-server
// (loaded through the workbench URL payload, the mechanism @vscode/test-web uses). A small runner of
// our own (mocha is not a dependency): sequential async tests with node:assert, results to a JSON file.
"use strict";
const fs = require("node:fs");

exports.run = async function run() {
  const { tests } = require("./suite.js");
  const resultFile = process.env.SME_E2E_RESULT_FILE;
  const results = [];
  for (const t of tests) {
    const t0 = Date.now();
    try {
      const detail = await Promise.race([
        t.fn(),
        new Promise((_, rej) =>
          setTimeout(() => rej(new Error(`timed out after ${t.timeout ?? 60000} ms`)), t.timeout ?? 60000),
        ),
      ]);
      results.push({ name: t.name, ok: true, ms: Date.now() - t0, detail: detail ?? undefined });
      console.log(`PASS ${t.name}`);
    } catch (e) {
      results.push({ name: t.name, ok: false, ms: Date.now() - t0, error: String((e && e.stack) || e) });
      console.log(`FAIL ${t.name}: ${e && e.message}`);
    }
  }
  const failures = results.filter((r) => !r.ok).length;
  if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ failures, results }, null, 2));
  if (failures) throw new Error(`${failures} of ${results.length} extension-host tests failed`);
};
