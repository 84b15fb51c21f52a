import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SavedModel } from "../src/savedmodel/proto.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { parseTextFormat } from "../src/savedmodel/textFormat/index.js";
import { fixturePath, skipNoFixtures } from "./helpers/fixtures.js";
import { mulberry32 as rng } from "../src/savedmodel/random.js";

const TOKENS = [
  "{",
  "}",
  "<",
  ">",
  "[",
  "]",
  ":",
  ",",
  ";",
  '"',
  "'",
  "\\",
  "#",
  "-",
  "0x",
  "1e",
  "nan",
  "\n",
  "\u0000",
  "é",
  "[type.googleapis.com/tensorflow.NodeDef]",
  "9999999999999999999999",
  "node {",
  "attr {",
  "key:",
  "DT_FLOAT",
];

test(
  "seeded mutation fuzz on the pbtxt fixture: every case parses or throws SavedModelError",
  { skip: skipNoFixtures },
  () => {
    const text = readFileSync(join(fixturePath("tfcc-half-plus-two-pbtxt"), "saved_model.pbtxt"), "utf8");
    const random = rng(20261125);
    const int = (n: number) => Math.floor(random() * n);
    let parsed = 0;
    let errors = 0;
    const CASES = 900;
    for (let i = 0; i < CASES; i++) {
      let t: string;
      const kind = i % 3;
      if (kind === 0) {
        t = text.slice(0, int(text.length)); // truncate
      } else if (kind === 1) {
        const chars = [...text];
        for (let k = 1 + int(8); k > 0; k--) {
          const p = int(chars.length);
          chars[p] = random() < 0.5 ? String.fromCharCode(int(128)) : TOKENS[int(TOKENS.length)]; // flip
        }
        t = chars.join("");
      } else {
        const a = int(text.length); // splice a random chunk of the file (or a token) somewhere else
        const b = a + int(400);
        const at = int(text.length);
        const piece = random() < 0.7 ? text.slice(a, b) : TOKENS[int(TOKENS.length)];
        t = text.slice(0, at) + piece + text.slice(at + (random() < 0.5 ? int(50) : 0));
      }
      try {
        const sm = parseTextFormat(t, "tensorflow.SavedModel", "fuzz.pbtxt");
        SavedModel.encode(sm).finish(); // whatever parsed must also encode
        parsed++;
      } catch (e) {
        if (!(e instanceof SavedModelError)) {
          assert.fail(`case ${i}: ${e instanceof Error ? e.stack : String(e)}`);
        }
        assert.equal(e.file, "fuzz.pbtxt");
        assert.ok(e.offset !== undefined && e.offset >= 0 && e.offset <= t.length, `case ${i}: offset ${e.offset}`);
        assert.match(e.detail, /^\d+:\d+: /);
        errors++;
      }
    }
    assert.equal(parsed + errors, CASES);
    console.log(`fuzz: ${CASES} cases, ${parsed} parsed, ${errors} SavedModelError`);
    assert.ok(errors > CASES / 3, `most mutations should be rejected (errors ${errors}, parsed ${parsed})`);
    assert.ok(parsed > 0, "some mutations (e.g. truncation at a field boundary) still parse");
  },
);
