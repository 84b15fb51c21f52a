import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleFeatures } from "../../src/extension/run/exampleFeatures.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { tensorToProto } from "../../src/savedmodel/tensor.js";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";

async function featuresOf(fixture: string) {
  const exp = await openSavedModel(new NodeFileAccess(fixturePath(fixture)));
  return exampleFeatures(exp.metaGraphs[0].graphDef());
}

test("half_plus_two's classify/regress signatures parse feature x as float", { skip: skipNoFixtures }, async () => {
  const f = await featuresOf("serving-half-plus-two-cpu");
  assert.deepEqual(
    f.map((x) => [x.name, x.kind]),
    [
      ["x", "float"],
      ["x2", "float"],
    ].filter(([n]) => f.some((y) => y.name === n)),
  );
  assert.ok(f.some((x) => x.name === "x" && x.kind === "float"));
});

test("a TFX estimator lists its features with int64/bytes/float kinds", { skip: skipNoFixtures }, async () => {
  const f = await featuresOf("tfx-taxi-estimator-2022");
  assert.ok(f.length >= 5, `features: ${f.map((x) => x.name).join(", ")}`);
  assert.ok(new Set(f.map((x) => x.kind)).size >= 2, `kinds: ${f.map((x) => `${x.name}:${x.kind}`).join(", ")}`);
});

test("ParseExampleV2 keys come from its const inputs, ParseSingleExample's from attrs", () => {
  const constStr = (name: string, values: string[]) => ({
    name,
    op: "Const",
    attr: {
      dtype: { type: DT.DT_STRING },
      value: {
        tensor: tensorToProto({
          dtype: DT.DT_STRING,
          shape: [values.length],
          values: values.map((v) => new TextEncoder().encode(v)),
        }),
      },
    },
  });
  const f = exampleFeatures({
    node: [
      constStr("sk", ["tags"]),
      constStr("dk", ["age", "height"]),
      constStr("rk", []),
      {
        name: "p",
        op: "ParseExampleV2",
        input: ["ser", "names", "sk", "dk", "rk"],
        attr: {
          Tdense: { list: { type: [DT.DT_INT64, DT.DT_FLOAT] } },
          sparse_types: { list: { type: [DT.DT_STRING] } },
        },
      },
    ],
    library: {
      function: [
        {
          nodeDef: [
            {
              name: "q",
              op: "ParseSingleExample",
              input: ["s"],
              attr: {
                dense_keys: { list: { s: [new TextEncoder().encode("age"), new TextEncoder().encode("zip")] } },
                Tdense: { list: { type: [DT.DT_INT64, DT.DT_STRING] } },
              },
            },
          ],
        },
      ],
    },
  });
  assert.deepEqual(
    f.map((x) => `${x.name}:${x.kind}`),
    ["age:int64", "height:float", "tags:bytes", "zip:bytes"],
  );
});
