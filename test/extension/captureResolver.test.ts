import { test } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { loadVariables } from "../../src/savedmodel/model.js";
import { CaptureResolver, variableOfNode } from "../../src/extension/captureResolver.js";

test(
  "a node in a TF2 function body resolves to the variable it reads (bound inputs, call chains)",
  { skip: skipNoFixtures },
  async () => {
    const exp = await openSavedModel(new NodeFileAccess(fixturePath("potato-cnn-tf29")));
    const vars = await loadVariables(exp);
    const mg = exp.metaGraphs[0];
    const r = new CaptureResolver(mg);
    const name = (fn: string, node: string) => variableOfNode(mg, vars, fn, node, r)?.name;
    // a concrete function that binds its captures itself
    assert.equal(
      name("__inference_conv2d_layer_call_and_return_conditional_losses_18668", "Conv2D/ReadVariableOp"),
      "conv2d/kernel",
    );
    assert.equal(
      name("__inference_conv2d_layer_call_and_return_conditional_losses_18668", "BiasAdd/ReadVariableOp"),
      "conv2d/bias",
    );
    // the same argument named directly
    assert.equal(
      name("__inference_conv2d_layer_call_and_return_conditional_losses_18668", "conv2d_readvariableop_resource"),
      "conv2d/kernel",
    );
    // the whole model's function, whose captures come from the signature wrapper that calls it
    const wrapped = mg.functionSummaries.find((f) => f.name.startsWith("__inference__wrapped_model"))!.name;
    const fd = mg.functionDef(wrapped)!;
    const reads = fd.nodeDef.filter((n) => n.op === "ReadVariableOp").map((n) => n.name!);
    const resolved = reads.map((n) => name(wrapped, n));
    assert.ok(reads.length >= 16);
    assert.deepEqual(
      resolved.filter((x) => !x),
      [],
      `unresolved: ${reads.filter((_, i) => !resolved[i]).join(", ")}`,
    );
    assert.equal(
      name(
        wrapped,
        reads.find((n) => /conv2d_1\/Conv2D\/ReadVariableOp$/.test(n))!,
      ),
      "conv2d_1/kernel",
    );
    // not a variable read / unknown names
    assert.equal(name(wrapped, "no such node"), undefined);
    assert.equal(name("no_such_function", "x"), undefined);
  },
);
