/**
 * Real fixture pairs (half_plus_two written by different TensorFlow versions) give stable reports, checked in
 * as expected JSON (test/diff/expected/*.json; regenerate with UPDATE_EXPECTED=1 after a deliberate change).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diffJsonReplacer, exitStatus } from "../../src/cli/diff.js";
import { diffExports } from "../../src/savedmodel/diff/index.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";

const PAIRS: [string, string, number][] = [
  ["serving-half-plus-two-cpu", "serving-half-plus-two-tf2-cpu", 3],
  ["tfcc-half-plus-two-main-op", "tfcc-half-plus-two-v2", 3],
  ["serving-half-plus-two-cpu", "serving-half-plus-two-gpu", 0],
  ["serving-half-plus-two-cpu-with-saved-model-config", "serving-half-plus-two-mlmd", 3],
  ["tfcc-half-plus-two-pbtxt", "tfcc-half-plus-two-main-op", 0],
];

for (const [a, b, exit] of PAIRS) {
  test(`fixture pair ${a} → ${b} gives the checked-in report`, { skip: skipNoFixtures }, async () => {
    const [ea, eb] = await Promise.all([
      openSavedModel(new NodeFileAccess(fixturePath(a))),
      openSavedModel(new NodeFileAccess(fixturePath(b))),
    ]);
    const report = await diffExports(ea, eb, { locations: [a, b] });
    const json = JSON.stringify(report, diffJsonReplacer, 2) + "\n";
    const file = join(__dirname, "expected", `${a}--${b}.json`);
    if (process.env.UPDATE_EXPECTED || !existsSync(file)) writeFileSync(file, json);
    // compared as data, so a formatter touching the expected file does not matter
    assert.deepEqual(JSON.parse(json), JSON.parse(readFileSync(file, "utf8")));
    assert.equal(exitStatus(report, "breaking"), exit);
    // the same twice (no order depends on timing or map insertion by I/O)
    const again = await diffExports(ea, eb, { locations: [a, b] });
    assert.equal(JSON.stringify(again, diffJsonReplacer, 2) + "\n", json);
  });
}
