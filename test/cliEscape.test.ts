/** The CLI's control-character escaping (issue 9 item 5): visible escapes in text, valid equal JSON. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanOutput, escapeControl } from "../src/cli/escape.js";
import { EXIT_CODES_TEXT, ExitCode } from "../src/cli/exitCodes.js";
import { USAGE } from "../src/cli/main.js";

const HOSTILE = "a\x1b]0;title\x07b\x1b[2Jc\rd\ne\u009bf\u202eg\x7fh";
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/;

test("escapeControl leaves no control character raw, newline included", () => {
  const e = escapeControl(HOSTILE);
  assert.doesNotMatch(e, RAW);
  assert.doesNotMatch(e, /\n/);
  assert.equal(escapeControl("plain name/with:0 ünïcode"), "plain name/with:0 ünïcode");
  assert.equal(escapeControl("x\ny"), "x\\ny");
});

test("cleanOutput keeps the layout (newline, tab, saved_model_cli's backspaces) and JSON valid and equal", () => {
  assert.equal(cleanOutput("a\tb\nc\b\b]", false), "a\tb\nc\b\b]");
  assert.doesNotMatch(cleanOutput(HOSTILE, false), RAW);
  const json = JSON.stringify({ [HOSTILE]: [HOSTILE] }, null, 2);
  const clean = cleanOutput(json, true);
  assert.doesNotMatch(clean, RAW);
  assert.deepEqual(JSON.parse(clean), JSON.parse(json));
});

test("exit codes are distinct and documented in the usage text", () => {
  // 3 is each command's own finding: scan's denylisted ops, diff's breaking contract change
  const shared = new Set(["Findings", "DiffBreaking"]);
  const own = Object.entries(ExitCode).filter(([k]) => !shared.has(k));
  assert.equal(new Set(own.map(([, v]) => v)).size, own.length);
  assert.ok(own.every(([, v]) => v !== ExitCode.Findings));
  assert.equal(ExitCode.DiffBreaking, ExitCode.Findings);
  for (const c of Object.values(ExitCode)) assert.match(EXIT_CODES_TEXT, new RegExp(`^  ${c}  `, "m"));
  assert.ok(USAGE.includes(EXIT_CODES_TEXT));
});

test("vars exits 1 after reporting an error (a missing data shard), 0 on a sound export", async () => {
  const { mkdtempSync, rmSync, readdirSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { denseMlp } = await import("../src/savedmodel/builder/models.js");
  const { writeExportToDir } = await import("../src/savedmodel/node/nodeWriter.js");
  const { main } = await import("../src/cli/main.js");
  const dir = mkdtempSync(join(tmpdir(), "vars-exit-"));
  try {
    await writeExportToDir(denseMlp({ layers: 1, units: 3, inputSize: 2, classes: 2, seed: 1 }).save(), dir);
    const io = { out: () => {}, err: () => {}, cwd: dir };
    assert.equal(await main(["vars", dir], io), ExitCode.Ok);
    for (const f of readdirSync(join(dir, "variables"))) if (f.includes(".data-")) rmSync(join(dir, "variables", f));
    let err = "";
    const code = await main(["vars", dir], { ...io, err: (s) => (err += s) });
    assert.equal(code, ExitCode.Export, err);
    assert.match(err, /error: variables\/variables\.data-/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
