import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDisplayGraph, defaultView, graphSourceFromMetaGraph, type GraphSource } from "../../src/graph/index.js";
import { MemoryFileAccess } from "../../src/savedmodel/memoryFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import type { IFunctionDef, INodeDef } from "../../src/savedmodel/proto.js";
import { patternFiles } from "../../bench/graphPatterns.js";

async function source(files: Map<string, Uint8Array>): Promise<GraphSource> {
  const exp = await openSavedModel(new MemoryFileAccess(files));
  return graphSourceFromMetaGraph(exp.metaGraphs[0]);
}

test("an export without signatures opens on the root object's __call__; the picker lists the other views", async () => {
  const src = await source(patternFiles("moduleConstNoSignatures"));
  assert.deepEqual(defaultView(src), { function: "__inference___call___104" });
  const g = buildDisplayGraph(src, { default: true });
  assert.equal(g.scope.kind, "function");
  assert.equal(g.scope.name, "__inference___call___104");
  assert.match(g.defaultReason ?? "", /__call__/);
  assert.ok(
    g.nodes.some((n) => n.op === "MatMul"),
    "the network is in the picture",
  );
  const labels = (g.views ?? []).map((v) => v.label);
  assert.ok(labels.includes("whole graph"), labels.join(", "));
  assert.ok(
    labels.some((l) => l.includes("normalize")),
    labels.join(", "),
  );
});

test("an export with signatures opens on serving_default (else the first signature)", async () => {
  const src = await source(patternFiles("tf1Scoped"));
  assert.deepEqual(defaultView(src), { signature: "serving_default" });
  assert.deepEqual(defaultView({ ...src, signatures: { b: {}, __saved_model_init_op: {} } }), { signature: "b" });
});

const fn = (name: string, nodes: INodeDef[]): IFunctionDef => ({ signature: { name }, nodeDef: nodes });
const ops = (n: number): INodeDef[] => Array.from({ length: n }, (_, i) => ({ name: `n${i}`, op: "Neg" }));

test("Keras wrapper: the function call_and_return_conditional_losses calls; else the largest reached function", () => {
  const library = {
    function: [
      fn("__inference_call_and_return_conditional_losses_10", [
        { name: "call", op: "StatefulPartitionedCall", attr: { f: { func: { name: "__inference_model_call_9" } } } },
        { name: "Identity", op: "Identity" },
      ]),
      fn("__inference_model_call_9", ops(40)),
      fn("__inference_small_3", ops(5)),
      fn("__inference_unreached_1", ops(400)),
      fn("__backward_model_call_9_22", ops(900)),
    ],
  };
  const keras: GraphSource = {
    graphDef: { library },
    objectGraph: {
      nodes: [
        {
          children: [
            { nodeId: 1, localName: "call_and_return_conditional_losses" },
            { nodeId: 2, localName: "small" },
          ],
        },
        { function: { concreteFunctions: ["__inference_call_and_return_conditional_losses_10"] } },
        { function: { concreteFunctions: ["__inference_small_3"] } },
      ],
    },
  };
  assert.deepEqual(defaultView(keras), { function: "__inference_model_call_9" });
  const plain: GraphSource = {
    graphDef: { library },
    objectGraph: {
      nodes: [
        {
          children: [
            { nodeId: 1, localName: "f" },
            { nodeId: 2, localName: "g" },
          ],
        },
        { bareConcreteFunction: { concreteFunctionName: "__inference_model_call_9" } },
        { function: { concreteFunctions: ["__inference_small_3"] } },
      ],
    },
  };
  assert.deepEqual(defaultView(plain), { function: "__inference_model_call_9" }, "largest reached, gradients never");
  assert.deepEqual(
    defaultView({
      graphDef: {
        node: [
          { name: "x", op: "Placeholder" },
          { name: "y", op: "Neg", input: ["x"] },
        ],
      },
    }),
    {
      graph: true,
    },
  );
});
