import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SavedModel } from "../src/savedmodel/proto.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

test("every fixture saved_model.pb decodes and re-encodes to the same bytes", { skip: skipNoFixtures }, () => {
  let checked = 0;
  for (const name of fixtureNames()) {
    const file = join(fixturePath(name), "saved_model.pb");
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    const again = SavedModel.encode(SavedModel.decode(bytes)).finish();
    assert.equal(again.length, bytes.length, `${name}: length`);
    checked++;
  }
  assert.ok(checked >= 30, `checked ${checked} fixtures`);
});
