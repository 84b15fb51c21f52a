import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SavedModel, type INodeDef, type ISavedModel } from "../src/savedmodel/proto.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { parseTextFormat, parseTextFormatBytes, printTextFormat } from "../src/savedmodel/textFormat/index.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

const SM = "tensorflow.SavedModel";

test("parses TF's text export tfcc-half-plus-two-pbtxt", { skip: skipNoFixtures }, () => {
  const text = readFileSync(join(fixturePath("tfcc-half-plus-two-pbtxt"), "saved_model.pbtxt"), "utf8");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const sm = parseTextFormat<any>(text, SM, "saved_model.pbtxt");
  assert.ok((sm as object) instanceof SavedModel);
  assert.equal(Number(sm.savedModelSchemaVersion), 1);
  assert.equal(sm.metaGraphs.length, 1);
  const mg = sm.metaGraphs[0];
  assert.deepEqual(mg.metaInfoDef?.tags, ["serve"]);
  assert.deepEqual(Object.keys(mg.signatureDef).sort(), [
    "classify_x2_to_y3",
    "classify_x_to_y",
    "regress_x2_to_y3",
    "regress_x_to_y",
    "regress_x_to_y2",
    "serving_default",
  ]);
  assert.equal(mg.signatureDef.regress_x_to_y.methodName, "tensorflow/serving/regress");
  const nodes = mg.graphDef!.node;
  const a = nodes.find((n: INodeDef) => n.name === "a");
  assert.equal(a?.op, "VariableV2");
  assert.equal(a?.attr.dtype.type, 1); // DT_FLOAT
  const add = nodes.find((n: INodeDef) => n.op === "Add");
  assert.ok(add, "an Add node");
  assert.equal(
    mg.metaInfoDef?.strippedOpList?.op.find((o: { name: string }) => o.name === "Add")?.inputArg[0].typeAttr,
    "T",
  );
  // float_val: 2.0 inside a Const tensor attr
  const c = nodes.find((n: INodeDef) => n.op === "Const" && n.attr?.value?.tensor?.floatVal?.length);
  assert.ok(c);
  // encodes and decodes back to the same structure
  const bytes = SavedModel.encode(sm).finish();
  const again = SavedModel.decode(bytes);
  assert.equal(again.metaGraphs[0].graphDef?.node?.length, nodes.length);
  // and printing it gives text that parses to the same bytes
  const printed = printTextFormat(sm, SM);
  assert.deepEqual(SavedModel.encode(parseTextFormat<ISavedModel>(printed, SM, "x")).finish(), bytes);
});

test("every fixture saved_model.pb: print -> parse -> encode gives the same bytes", { skip: skipNoFixtures }, () => {
  let checked = 0;
  for (const name of fixtureNames()) {
    const file = join(fixturePath(name), "saved_model.pb");
    if (!existsSync(file)) continue;
    const decoded = SavedModel.decode(readFileSync(file));
    const expected = SavedModel.encode(decoded).finish();
    const text = printTextFormat(decoded, SM);
    const parsed = parseTextFormat<ISavedModel>(text, SM, `${name}/saved_model.pbtxt`);
    const got = SavedModel.encode(parsed).finish();
    assert.equal(got.length, expected.length, `${name}: length`);
    assert.ok(Buffer.from(got).equals(Buffer.from(expected)), `${name}: bytes differ`);
    checked++;
  }
  assert.ok(checked >= 30, `checked ${checked} fixtures`);
});

test("corrupt-binary-named-pbtxt: clean error naming the file and offset 0", { skip: skipNoFixtures }, () => {
  const bytes = readFileSync(join(fixturePath("corrupt-binary-named-pbtxt"), "saved_model.pbtxt"));
  for (const run of [
    () => parseTextFormatBytes(bytes, SM, "saved_model.pbtxt"),
    () => parseTextFormat(new TextDecoder().decode(bytes), SM, "saved_model.pbtxt"),
  ]) {
    assert.throws(run, (e: unknown) => {
      assert.ok(e instanceof SavedModelError);
      assert.equal(e.file, "saved_model.pbtxt");
      assert.equal(e.offset, 0);
      assert.match(e.detail, /^1:1: unexpected char "\\b"/);
      assert.match(e.message, /saved_model\.pbtxt \(offset 0\)/);
      return true;
    });
  }
});
