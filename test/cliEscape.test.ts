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
  assert.equal(new Set(Object.values(ExitCode)).size, Object.values(ExitCode).length);
  for (const c of Object.values(ExitCode)) assert.match(EXIT_CODES_TEXT, new RegExp(`^  ${c}  `, "m"));
  assert.ok(USAGE.includes(EXIT_CODES_TEXT));
});
