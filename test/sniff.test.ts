import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sniffFolder, sniffProto } from "../src/savedmodel/sniff.js";
import { GraphDef, MetaGraphDef, SavedModel } from "../src/savedmodel/proto.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

const enc = new TextEncoder();
const graph = GraphDef.encode({
  node: [
    { name: "x", op: "Placeholder" },
    { name: "y", op: "Identity", input: ["x"] },
  ],
}).finish();
const meta = MetaGraphDef.encode({
  metaInfoDef: { tags: ["serve"] },
  graphDef: { node: [{ name: "x", op: "Placeholder" }] },
}).finish();

test("content decides the kind, not the name", { skip: skipNoFixtures }, () => {
  assert.equal(sniffProto(readFileSync(join(fixturePath("potato-cnn-tf29"), "saved_model.pb"))), "saved_model_binary");
  assert.equal(
    sniffProto(readFileSync(join(fixturePath("tfcc-half-plus-two-pbtxt"), "saved_model.pbtxt"))),
    "saved_model_text",
  );
  assert.equal(sniffProto(readFileSync(join(fixturePath("potato-cnn-tf29"), "keras_metadata.pb"))), "keras_metadata");
  assert.equal(sniffProto(graph), "graph_def_binary");
  assert.equal(sniffProto(meta), "meta_graph_binary");
  assert.equal(sniffProto(enc.encode('node {\n  name: "x"\n  op: "Const"\n}\n')), "graph_def_text");
  assert.equal(sniffProto(enc.encode("# comment\nmeta_graphs {\n}\n")), "saved_model_text");
  assert.equal(sniffProto(new Uint8Array()), "empty");
  assert.equal(sniffProto(enc.encode("hello world")), "unknown");
});

test("folders that are other TensorFlow kinds are named for what they are", () => {
  const f = (...names: string[]) =>
    names
      .map((name) => ({ name, kind: name.endsWith("/") ? ("directory" as const) : ("file" as const) }))
      .map((e) => ({ ...e, name: e.name.replace(/\/$/, "") }));
  assert.equal(
    sniffFolder(f("checkpoint", "model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001", "model.ckpt-100.meta"))
      .kind,
    "training_checkpoint",
  );
  assert.equal(sniffFolder(f("model.meta")).kind, "meta_graph_file");
  assert.equal(sniffFolder(f("frozen_inference_graph.pb")).kind, "frozen_graph_candidates");
  assert.equal(sniffFolder(f("1/", "2/")).kind, "parent_of_exports");
  assert.equal(sniffFolder(f("model.json", "group1-shard1of1.bin")).kind, "tfjs_model");
  assert.equal(sniffFolder(f("saved_model.pbtxt", "variables/")).savedModelFile, "saved_model.pbtxt");
});

test("opening a frozen GraphDef or a MetaGraph saved as saved_model.pb says what it is and what to do", async () => {
  for (const [bytes, what] of [
    [graph, /frozen GraphDef/],
    [meta, /MetaGraphDef/],
  ] as const) {
    const fs = new MemoryFileAccess(new Map([["saved_model.pb", bytes]]));
    await assert.rejects(
      openSavedModel(fs),
      (e: unknown) => e instanceof SavedModelError && what.test(e.message) && !!e.hint,
    );
  }
  const ckpt = new MemoryFileAccess(
    new Map([
      ["checkpoint", enc.encode("x")],
      ["model.ckpt.index", new Uint8Array(1)],
      ["model.ckpt.data-00000-of-00001", new Uint8Array(1)],
    ]),
  );
  await assert.rejects(
    openSavedModel(ckpt),
    (e: unknown) => e instanceof SavedModelError && /training checkpoint/.test(e.hint ?? ""),
  );
});

test("an export without signatures says why the list is empty", async () => {
  const bytes = SavedModel.encode({
    savedModelSchemaVersion: 1,
    metaGraphs: [{ metaInfoDef: { tags: ["serve"] }, graphDef: { node: [{ name: "c", op: "Const" }] } }],
  }).finish();
  const exp = await openSavedModel(new MemoryFileAccess(new Map([["saved_model.pb", bytes]])));
  const d = exp.diagnostics.find((x) => /no signatures/.test(x.message));
  assert.ok(d, JSON.stringify(exp.diagnostics));
  assert.match(d.message, /signature_def_map/);
  assert.match(d.message, /1 nodes/);
});
