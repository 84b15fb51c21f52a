/**
 * The byte skim of TensorFlow-indented text (one forward pass) finds what the careful skim finds, on every
 * fixture's text twin and on the builder's exports; text laid out otherwise gets undefined (the caller then
 * uses the careful skim), quickly, whatever the input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tensorflow } from "../src/savedmodel/proto.js";
import { printTextFormat } from "../src/savedmodel/textFormat/index.js";
import { skimIndentedBytes, skimSavedModelText, type SkimmedMetaGraph } from "../src/savedmodel/textFormat/skim.js";
import { halfPlusTwo } from "../src/savedmodel/builder/models.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { SavedModelError } from "../src/savedmodel/errors.js";

const summary = (skim: SkimmedMetaGraph[] | undefined) =>
  skim?.map((m) => ({
    graph: m.graph,
    objectGraph: m.objectGraph,
    nodeStarts: m.nodes.map((x) => x.start),
    functionCount: m.functionCount,
    producer: m.producer,
  }));

function sameSkims(pb: Uint8Array, label: string) {
  const text = printTextFormat(tensorflow.SavedModel.decode(pb), "tensorflow.SavedModel");
  assert.ok(/^[\x00-\x7f]*$/.test(text), `${label}: printed text is ASCII, so characters are bytes`);
  const bytes = new TextEncoder().encode(text);
  const fast = skimIndentedBytes(bytes, Buffer);
  assert.ok(fast, `${label}: the byte skim reads TensorFlow's layout`);
  assert.deepEqual(summary(fast), summary(skimSavedModelText(text)), label);
}

test("builder exports: the byte skim finds the careful skim's spans, nodes, functions and producer", () => {
  sameSkims(halfPlusTwo().save().get("saved_model.pb")!, "half_plus_two");
  sameSkims(halfPlusTwo({ tf2: true }).save().get("saved_model.pb")!, "half_plus_two tf2");
});

test("every fixture's text twin: the byte skim finds what the careful skim finds", { skip: skipNoFixtures }, () => {
  let n = 0;
  for (const name of fixtureNames()) {
    const p = join(fixturePath(name), "saved_model.pb");
    if (!existsSync(p) || name.startsWith("corrupt") || name.startsWith("serving-bad")) continue;
    sameSkims(new Uint8Array(readFileSync(p)), name);
    n++;
  }
  assert.ok(n > 20);
});

test("text not laid out like TensorFlow's, or cut short, gets undefined from the byte skim", () => {
  const text = printTextFormat(
    tensorflow.SavedModel.decode(halfPlusTwo().save().get("saved_model.pb")!),
    "tensorflow.SavedModel",
  );
  const bad = [
    text.replace(/\n\s*/g, " "), // one line
    text.slice(0, text.length >> 1), // cut short: a block never closes
    text.replace("\n  graph_def {\n", "\n  graph_def {\n\n"), // a blank line
    text.replace(/\n    node \{\n/, "\n     node {\n"), // odd indentation
    text.replace(/\n  \}\n/, "\n  } # done\n"),
    "meta_graphs {\n" + "  a {\n".repeat(100_000), // deep and unclosed
    "{".repeat(200_000),
    "",
  ];
  for (const t of bad) assert.equal(skimIndentedBytes(new TextEncoder().encode(t), Buffer), undefined, t.slice(0, 60));
});

test("a huge unterminated string in a node name is reported as such, not as nesting too deep", async () => {
  // the careful skim's node-name pattern overflowed the regex stack past ~10 MB ("nests too deeply to process")
  // not TensorFlow's layout, so the careful skim reads it (TensorFlow's would defer the graph, and its error, until asked)
  const text = `meta_graphs { graph_def { node { name: "${"a".repeat(12_000_000)}\n } } }\n`;
  const files = new Map([["saved_model.pbtxt", new TextEncoder().encode(text)]]);
  await assert.rejects(
    openSavedModel(new MemoryFileAccess(files)),
    (e: unknown) => e instanceof SavedModelError && /unterminated string/.test(e.message),
  );
});
