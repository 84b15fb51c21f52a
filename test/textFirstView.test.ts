/** A text export's first view parses everything but its graph and object graph, which parse when asked. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { describeModel } from "../src/savedmodel/model.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { tensorflow } from "../src/savedmodel/proto.js";
import { printTextFormat } from "../src/savedmodel/textFormat/index.js";
import { skimSavedModelText } from "../src/savedmodel/textFormat/skim.js";
import { halfPlusTwo } from "../src/savedmodel/builder/models.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

async function twins(files: Map<string, Uint8Array>) {
  const pb = files.get("saved_model.pb")!;
  const text = new Map(files);
  text.delete("saved_model.pb");
  text.set(
    "saved_model.pbtxt",
    new TextEncoder().encode(printTextFormat(tensorflow.SavedModel.decode(pb), "tensorflow.SavedModel")),
  );
  return {
    bin: await openSavedModel(new MemoryFileAccess(files)),
    txt: await openSavedModel(new MemoryFileAccess(text)),
  };
}

async function sameFirstView(files: Map<string, Uint8Array>, label: string) {
  const { bin, txt } = await twins(files);
  assert.equal(txt.format, "text");
  const a = await describeModel(bin);
  const b = await describeModel(txt);
  assert.deepEqual(
    b.metaGraphs.map((m) => ({ ...m, assets: undefined })),
    a.metaGraphs.map((m) => ({ ...m, assets: undefined })),
    label,
  );
  for (const [i, mg] of txt.metaGraphs.entries()) {
    const g = mg.graphDef();
    const want = bin.metaGraphs[i].graphDef();
    assert.ok(
      Buffer.from(tensorflow.GraphDef.encode(g).finish()).equals(
        Buffer.from(tensorflow.GraphDef.encode(want).finish()),
      ),
      `${label}: graph ${i}`,
    );
    assert.equal(mg.objectGraph()?.nodes.length, bin.metaGraphs[i].objectGraph()?.nodes.length);
    // the whole message, once the graph is parsed, is the binary's
    const whole = (m: typeof mg) => Buffer.from(tensorflow.MetaGraphDef.encode(m.metaGraphDef()).finish());
    assert.ok(whole(mg).equals(whole(bin.metaGraphs[i])), `${label}: meta graph ${i} as a whole`);
  }
}

test("builder twins: the text export's tags, signatures, counts and graph equal the binary's", async () => {
  await sameFirstView(halfPlusTwo().save(), "half_plus_two");
  await sameFirstView(halfPlusTwo({ tf2: true }).save(), "half_plus_two tf2");
});

test("the graph of a text export is parsed only when asked, and its errors then name the byte offset", async () => {
  const files = halfPlusTwo().save();
  const text = printTextFormat(tensorflow.SavedModel.decode(files.get("saved_model.pb")!), "tensorflow.SavedModel");
  const broken = text.replace(/op: "Mul"/, 'op: "Mul" bogus_field: 1');
  const at = new TextEncoder().encode(broken.slice(0, broken.indexOf("bogus_field"))).length;
  const m = new Map(files);
  m.delete("saved_model.pb");
  m.set("saved_model.pbtxt", new TextEncoder().encode(broken));
  const exp = await openSavedModel(new MemoryFileAccess(m));
  const info = await describeModel(exp); // first view: fine, the graph is not parsed
  assert.ok(info.metaGraphs[0].signatures.length > 3);
  assert.ok(info.metaGraphs[0].nodeCount > 10);
  assert.throws(
    () => exp.metaGraphs[0].graphDef(),
    (e: unknown) => e instanceof SavedModelError && e.offset === at && /bogus_field/.test(e.message),
  );
});

test("every binary fixture's text twin has the same first view and graph", { skip: skipNoFixtures }, async () => {
  let n = 0;
  for (const name of fixtureNames()) {
    const p = join(fixturePath(name), "saved_model.pb");
    if (!existsSync(p) || name.startsWith("corrupt") || name.startsWith("serving-bad")) continue;
    const files = new Map([["saved_model.pb", new Uint8Array(readFileSync(p))]]);
    await sameFirstView(files, name);
    n++;
  }
  assert.ok(n > 20);
});

test("an error after the skipped graph still names its byte offset in the file", async () => {
  const files = halfPlusTwo().save();
  const text = printTextFormat(tensorflow.SavedModel.decode(files.get("saved_model.pb")!), "tensorflow.SavedModel");
  const broken = text.replace(/method_name: "tensorflow\/serving\/predict"/, 'method_nam: "x"');
  assert.notEqual(broken, text);
  const at = new TextEncoder().encode(broken.slice(0, broken.indexOf("method_nam:"))).length;
  assert.ok(at > broken.indexOf("graph_def"), "the error comes after the graph");
  const m = new Map(files);
  m.delete("saved_model.pb");
  m.set("saved_model.pbtxt", new TextEncoder().encode(broken));
  await assert.rejects(
    openSavedModel(new MemoryFileAccess(m)),
    (e: unknown) => e instanceof SavedModelError && e.offset === at && /method_nam/.test(e.message),
  );
});

test("a graph whose versions block has no producer (proto3 default 0) is still not parsed at first view", async () => {
  // ODAPI's TF1 export writes `versions {}`: the skim must know the producer is 0 rather than parse the graph for it
  const files = halfPlusTwo().save();
  const text = printTextFormat(tensorflow.SavedModel.decode(files.get("saved_model.pb")!), "tensorflow.SavedModel")
    .replace(/producer: \d+\n\s*/, "")
    .replace(/op: "Mul"/, 'op: "Mul" bogus_field: 1');
  assert.match(text, /versions \{\n\s*min_consumer: 12\n\s*\}/);
  const flat = text.replace(/\n\s*/g, " "); // not indented like TensorFlow writes it: the generic skim
  for (const [label, t] of [
    ["indented", text],
    ["flat", flat],
  ]) {
    const m = new Map(files);
    m.delete("saved_model.pb");
    m.set("saved_model.pbtxt", new TextEncoder().encode(t));
    const exp = await openSavedModel(new MemoryFileAccess(m));
    const info = await describeModel(exp); // would parse the graph (and fail on bogus_field) to learn the producer
    assert.ok(info.metaGraphs[0].signatures.length > 3, label);
    assert.equal(exp.metaGraphs[0].producer, 0, label);
    assert.throws(() => exp.metaGraphs[0].graphDef(), /bogus_field/, label);
  }
});

test("the skim reads a producer written in any order, and leaves an unusual one to the parser", () => {
  const skim = (versions: string) =>
    skimSavedModelText(`meta_graphs { graph_def { node { name: "a" } versions ${versions} } }`)[0].producer;
  assert.equal(skim("{ min_consumer: 12 producer: 27 }"), 27);
  assert.equal(skim("{ producer: 5 # producer: 6\n }"), 5);
  assert.equal(skim("{ }"), 0);
  assert.equal(skim("{ producer: 0x1b }"), undefined);
  assert.equal(skim("< producer: 3 >"), 3);
});
