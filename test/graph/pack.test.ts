import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SavedModel } from "../../src/savedmodel/proto.js";
import {
  buildDisplayGraph,
  graphSourceFromSavedModel,
  packDisplayGraph,
  packedBuffers,
  unpackDisplayGraph,
} from "../../src/graph/index.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";

test("pack/unpack round-trips display graphs of real fixtures", { skip: skipNoFixtures }, () => {
  for (const name of [
    "potato-cnn-tf29",
    "lstm-bbc-news-2shards",
    "tfx-taxi-estimator-2shards",
    "serving-tf-text-regression",
  ]) {
    const file = join(fixturePath(name), "saved_model.pb");
    if (!existsSync(file)) continue;
    const src = graphSourceFromSavedModel(SavedModel.decode(readFileSync(file)));
    for (const sig of Object.keys(src.signatures ?? {}).filter((s) => !s.startsWith("__"))) {
      const g = buildDisplayGraph(src, { signature: sig });
      const p = packDisplayGraph(g);
      // structuredClone is what postMessage does
      const back = unpackDisplayGraph(structuredClone(p));
      assert.deepEqual(back, g, `${name}/${sig}`);
      assert.ok(p.strings.length < g.nodes.length * 4, "strings are interned");
      assert.ok(packedBuffers(p).length >= 20);
    }
  }
});

test("pack keeps absent optional fields absent", () => {
  const g = buildDisplayGraph(
    {
      graphDef: {
        node: [
          { name: "a", op: "Placeholder" },
          { name: "b", op: "Neg", input: ["^a"] },
        ],
      },
    },
    { graph: true },
  );
  const back = unpackDisplayGraph(packDisplayGraph(g));
  assert.deepEqual(back, g);
  assert.equal("device" in back.nodes[0], false);
  assert.equal(back.edges[0].ctl, true);
  assert.equal("dtype" in back.edges[0], false);
});
