/** NodeDefs with attributes decoded on first use are indistinguishable in use from eagerly decoded ones. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tensorflow } from "../src/savedmodel/proto.js";
import { decodeWithLazyNodes, hasLazyAttrs } from "../src/savedmodel/lazyNodeDef.js";
import { halfPlusTwo } from "../src/savedmodel/builder/models.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

const opts = { longs: String, bytes: Array, defaults: false };

function check(bytes: Uint8Array, label: string): number {
  const eager = tensorflow.SavedModel.decode(bytes);
  const lazy = decodeWithLazyNodes(() => tensorflow.SavedModel.decode(bytes));
  let nodes = 0;
  for (const [i, mg] of lazy.metaGraphs.entries()) {
    const all = [
      ...(mg.graphDef?.node ?? []),
      ...(mg.graphDef?.library?.function ?? []).flatMap((f) => f.nodeDef ?? []),
    ] as tensorflow.NodeDef[];
    nodes += all.length;
    if (all.length)
      assert.ok(
        all.some((n) => hasLazyAttrs(n)),
        `${label}: attributes are left undecoded`,
      );
    // encoding reads the attributes on demand and gives the same bytes
    const a = tensorflow.MetaGraphDef.encode(eager.metaGraphs[i]).finish();
    const b = tensorflow.MetaGraphDef.encode(mg).finish();
    assert.ok(Buffer.from(a).equals(Buffer.from(b)), `${label} meta graph ${i}`);
    assert.ok(
      all.every((n) => !hasLazyAttrs(n)),
      "encoding materialised them",
    );
    assert.deepEqual(
      tensorflow.MetaGraphDef.toObject(mg as tensorflow.MetaGraphDef, opts),
      tensorflow.MetaGraphDef.toObject(eager.metaGraphs[i] as tensorflow.MetaGraphDef, opts),
    );
  }
  return nodes;
}

test("builder export: lazy and eager decodes encode and convert identically", () => {
  const bytes = halfPlusTwo({ tf2: true }).save().get("saved_model.pb")!;
  assert.ok(check(bytes, "half_plus_two tf2") > 10);
});

test("a lazy node's attr is read once, can be replaced, and a new NodeDef still has its own attr map", () => {
  const bytes = halfPlusTwo().save().get("saved_model.pb")!;
  const g = decodeWithLazyNodes(() => tensorflow.SavedModel.decode(bytes)).metaGraphs[0].graphDef!;
  const n = g.node!.find((x) => x.op === "Const" || Object.keys(x).length > 0) as tensorflow.NodeDef;
  assert.ok(hasLazyAttrs(n));
  const first = n.attr;
  assert.equal(n.attr, first, "the same map on every read");
  assert.ok(Object.hasOwn(n, "attr"));
  n.attr = { T: { type: 1 } };
  assert.deepEqual(Object.keys(n.attr), ["T"]);
  const fresh = new tensorflow.NodeDef();
  fresh.attr.x = { i: 3 };
  assert.equal(new tensorflow.NodeDef().attr.x, undefined);
  assert.equal(tensorflow.NodeDef.decode(tensorflow.NodeDef.encode(fresh).finish()).attr.x.i, 3);
});

test("every fixture: lazy and eager decodes encode and convert identically", { skip: skipNoFixtures }, () => {
  let nodes = 0;
  for (const name of fixtureNames()) {
    const p = join(fixturePath(name), "saved_model.pb");
    if (!existsSync(p) || name.startsWith("corrupt")) continue;
    nodes += check(readFileSync(p), name);
  }
  assert.ok(nodes > 10_000, `${nodes} nodes`);
});
