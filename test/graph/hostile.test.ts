import { test } from "node:test";
import assert from "node:assert/strict";
import type { IFunctionDef, INodeDef } from "../../src/savedmodel/proto.js";
import { buildDisplayGraph } from "../../src/graph/index.js";

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  "a",
  "a/b",
  "a/b/c",
  "/x",
  "y/",
  "a//b",
  "dense",
  "dense_1",
  "dense_2/Relu",
  "<img src=x onerror=alert(1)>",
  "ünï/cödé",
  "",
  "while",
  "while/body",
];
const OPS = [
  "Neg",
  "Identity",
  "StatefulPartitionedCall",
  "PartitionedCall",
  "If",
  "While",
  "Case",
  "NoOp",
  "Const",
  "VarHandleOp",
  "ReadVariableOp",
  "f0",
  "f1",
  "Unknown",
];

test("random hostile graphs (bad refs, recursion, duplicate names, odd scopes) build without throwing", () => {
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const mkNodes = (n: number, inFn: boolean): INodeDef[] => {
      const out: INodeDef[] = [];
      for (let i = 0; i < n; i++) {
        const name = r() < 0.5 ? `${pick(NAMES)}${i}` : pick(NAMES);
        const input: string[] = [];
        for (let k = Math.floor(r() * 4); k > 0; k--) {
          const target = out.length && r() < 0.8 ? out[Math.floor(r() * out.length)].name! : pick(NAMES);
          input.push(
            r() < 0.15
              ? `^${target}`
              : inFn
                ? `${target}:${pick(["output", "y", "z", "bogus"])}:${Math.floor(r() * 3)}`
                : `${target}:${Math.floor(r() * 3)}`,
          );
        }
        const op = pick(OPS);
        out.push({
          name,
          op,
          input,
          attr: {
            f: { func: { name: pick(["f0", "f1", "missing"]) } },
            then_branch: { func: { name: pick(["f0", "f1"]) } },
            else_branch: { func: { name: "f1" } },
            cond: { func: { name: "f0" } },
            body: { func: { name: "f1" } },
            branches: { list: { func: [{ name: "f0" }, { name: "f1" }] } },
            Tout: { list: { type: [1, 1] } },
            _output_shapes: { list: { shape: [{ dim: [{ size: -1 }, { size: 2 ** 40 }] }] } },
          },
        });
      }
      return out;
    };
    const fn = (name: string): IFunctionDef => ({
      signature: {
        name,
        inputArg: [
          { name: "x", type: 1 },
          { name: "dense", type: 20 },
        ],
        outputArg: [{ name: "y", type: 1 }],
      },
      nodeDef: mkNodes(1 + Math.floor(r() * 12), true),
      ret: { y: `${pick(NAMES)}:output:0` },
      controlRet: { c: pick(NAMES) },
    });
    const graphDef = { node: mkNodes(1 + Math.floor(r() * 30), false), library: { function: [fn("f0"), fn("f1")] } };
    for (const target of [{ graph: true as const }, { function: "f0" }]) {
      const g = buildDisplayGraph({ graphDef }, target, { maxChildren: 7, seriesMin: 2, maxNodes: 3000, maxDepth: 6 });
      assert.ok(g.nodes.length <= 3000 + 200, `seed ${seed}: node budget`);
      for (const e of g.edges)
        assert.ok(e.s >= 0 && e.s < g.nodes.length && e.t >= 0 && e.t < g.nodes.length, `seed ${seed}: edge`);
      const listed = new Uint8Array(g.nodes.length);
      g.groups.forEach((grp, gi) => {
        assert.ok(grp.nodes.length + grp.groups.length <= 7, `seed ${seed}: child cap`);
        for (const n of grp.nodes) {
          assert.equal(g.nodes[n].parent, gi);
          listed[n]++;
        }
      });
      assert.ok(
        listed.every((x) => x === 1),
        `seed ${seed}: every node listed once`,
      );
    }
  }
});

test("mutual recursion and the node budget stop instantiation with warnings", () => {
  const call = (name: string, f: string): INodeDef => ({
    name,
    op: "PartitionedCall",
    input: ["x"],
    attr: { f: { func: { name: f } } },
  });
  const fns: IFunctionDef[] = [
    { signature: { name: "ping", inputArg: [{ name: "x", type: 1 }] }, nodeDef: [call("c", "pong")] },
    { signature: { name: "pong", inputArg: [{ name: "x", type: 1 }] }, nodeDef: [call("c", "ping")] },
  ];
  const g = buildDisplayGraph(
    { graphDef: { node: [{ name: "x", op: "Placeholder" }, call("top", "ping")], library: { function: fns } } },
    { graph: true },
  );
  assert.ok(
    g.warnings.some((w) => w.includes("recursive call to ping")),
    g.warnings.join("; "),
  );
  // a wide fan-out of calls to a big function hits the budget and says so once
  const big: IFunctionDef = {
    signature: { name: "big" },
    nodeDef: Array.from({ length: 500 }, (_, i) => ({ name: `n${i}`, op: "NoOp" })),
  };
  const many = Array.from({ length: 50 }, (_, i) => call(`c${i}`, "big"));
  const g2 = buildDisplayGraph(
    { graphDef: { node: [{ name: "x", op: "Placeholder" }, ...many], library: { function: [big] } } },
    { graph: true },
    { maxNodes: 5000 },
  );
  assert.ok(g2.nodes.length <= 5000 + 100);
  assert.equal(g2.warnings.filter((w) => w.includes("node budget")).length, 1);
});
