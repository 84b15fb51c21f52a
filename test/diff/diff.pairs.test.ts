/**
 * Builder-made pairs that differ in exactly one known way: each is reported exactly that way, with the right
 * classification and exit code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.js";
import type { DiffReport } from "../../src/savedmodel/diff/index.js";
import { DataType } from "../../src/savedmodel/dtypes.js";
import { tinyTf1, tinyTf2, writeTemp } from "./pairs.js";

async function diff(...argv: string[]): Promise<{ code: number; out: string; err: string; json?: DiffReport }> {
  let out = "";
  let err = "";
  const code = await main(["diff", ...argv], { out: (s) => (out += s), err: (s) => (err += s), cwd: process.cwd() });
  let json: DiffReport | undefined;
  if (argv.includes("--json") && code !== 1 && code !== 2) json = JSON.parse(out);
  return { code, out, err, json };
}

const base = writeTemp(tinyTf1(), "base");

test("identical exports: no change, exit 0 even with --fail-on any", async () => {
  const a = await base;
  const b = await writeTemp(tinyTf1(), "same");
  const r = await diff(a, b, "--json", "--fail-on", "any");
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(r.json!.contract, []);
  assert.equal(r.json!.summary.contract, "identical");
  assert.equal(r.json!.summary.anyChange, false);
  assert.equal(r.json!.weights!.identical, 1);
  assert.deepEqual(r.json!.files!.assets, []);
  assert.deepEqual(r.json!.graph![0].nodes, []);
});

test("an input added without a default is the one breaking change, exit 3", async () => {
  const b = await writeTemp(tinyTf1({ extraInput: true }), "input-added");
  const r = await diff(await base, b, "--json", "--only", "contract");
  assert.equal(r.code, 3);
  assert.equal(r.json!.contract.length, 1);
  const c = r.json!.contract[0];
  assert.deepEqual(
    { kind: c.kind, subject: c.subject, signature: c.signature, side: c.side, tensor: c.tensor, severity: c.severity },
    {
      kind: "added",
      subject: "input",
      signature: "serving_default",
      side: "inputs",
      tensor: "x2",
      severity: "breaking",
    },
  );
  assert.match(c.reason, /without a default/);
  const text = await diff(await base, b, "--only", "contract");
  assert.equal(text.code, 3);
  assert.match(text.out, /\+ \[breaking\] serve\/serving_default inputs\['x2'\]: input added \(float32 \[-1, 4\]\)/);
  // the reverse direction: an input removed is breaking too
  const back = await diff(b, await base, "--json", "--only", "contract");
  assert.equal(back.code, 3);
  assert.deepEqual(
    back.json!.contract.map((x) => [x.kind, x.subject, x.tensor, x.severity]),
    [["removed", "input", "x2", "breaking"]],
  );
});

test("a dtype change is breaking, on the input and the output, exit 3", async () => {
  const b = await writeTemp(tinyTf1({ dtype: DataType.DT_DOUBLE }), "dtype");
  const r = await diff(await base, b, "--json", "--only", "contract,weights");
  assert.equal(r.code, 3);
  assert.deepEqual(
    r.json!.contract.map((c) => [c.side, c.tensor, c.subject, c.before, c.after, c.severity]),
    [
      ["inputs", "x", "dtype", "float32", "float64", "breaking"],
      ["outputs", "y", "dtype", "float32", "float64", "breaking"],
    ],
  );
  assert.deepEqual(
    r.json!.weights!.changes.map((c) => [c.kind, c.name, c.what, c.before, c.after]),
    [["changed", "w", "dtype", "float32", "float64"]],
  );
});

test("a fixed dimension relaxed to -1 is compatible (exit 0); fixing it back is breaking (exit 3)", async () => {
  const a = await writeTemp(tinyTf1({ xShape: [-1, 4] }), "fixed");
  const b = await writeTemp(tinyTf1({ xShape: [-1, -1] }), "relaxed");
  const r = await diff(a, b, "--json", "--only", "contract");
  assert.equal(r.code, 0);
  assert.deepEqual(
    r.json!.contract.map((c) => [c.tensor, c.subject, c.before, c.after, c.severity]),
    [["x", "shape", "[-1, 4]", "[-1, -1]", "compatible"]],
  );
  assert.match(r.json!.contract[0].reason, /dimension 1 was relaxed from 4 to -1/);
  assert.equal((await diff(a, b, "--only", "contract", "--fail-on", "any")).code, 3);
  const back = await diff(b, a, "--json", "--only", "contract");
  assert.equal(back.code, 3);
  assert.equal(back.json!.contract[0].severity, "breaking");
  assert.match(back.json!.contract[0].reason, /dimension 1 was -1 \(any size\) and is now fixed to 4/);
});

test("a variable renamed between TF2 exports is matched by checkpoint key: a name change, no drift", async () => {
  const a = await writeTemp(tinyTf2({ kernelName: "dense/kernel" }), "tf2-a");
  const b = await writeTemp(tinyTf2({ kernelName: "dense_1/kernel" }), "tf2-b");
  const r = await diff(a, b, "--json", "--only", "contract,weights");
  assert.equal(r.code, 0);
  const w = r.json!.weights!;
  assert.equal(w.matched, 2);
  assert.equal(w.identical, 2);
  assert.deepEqual(
    w.changes.map((c) => [c.kind, c.what, c.before, c.after, c.keyB]),
    [["changed", "name", "dense/kernel", "dense_1/kernel", "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"]],
  );
  assert.ok(w.drift.every((d) => d.matchedBy === "checkpoint_key" && d.fractionChanged === 0));
  assert.equal(r.json!.summary.weightsChanged, 0);
});

test("weights perturbed by a known amount: exact drift figures, sorted by drift; exit 0, --fail-on any 3", async () => {
  const b = await writeTemp(tinyTf1({ w: [1, 2, 3, 4.5] }), "perturbed");
  const r = await diff(await base, b, "--json");
  assert.equal(r.code, 0);
  assert.deepEqual(r.json!.contract, []);
  const [d] = r.json!.weights!.drift;
  assert.equal(d.name, "w");
  assert.equal(d.maxAbs, 0.5);
  assert.equal(d.meanAbs, 0.125);
  assert.equal(d.fractionChanged, 0.25);
  assert.ok(Math.abs(d.relL2 - 0.5 / Math.sqrt(30)) < 1e-12);
  // TF1 keeps the initial value in the graph: that Const is the one graph change
  assert.deepEqual(
    r.json!.graph![0].nodes.map((n) => [n.kind, n.node, n.what, n.attrs]),
    [["changed", "w/Initializer/initial_value", ["attrs"], ["value"]]],
  );
  assert.deepEqual(r.json!.files!.assets, []);
  assert.equal((await diff(await base, b, "--fail-on", "any")).code, 3);
  const text = await diff(await base, b, "--only", "weights");
  assert.match(text.out, /~ w {2}max\|Δ\| 0\.5 {2}mean\|Δ\| 0\.125 .* changed 25\.0%/);
});

test("weights drift is streamed in small chunks with the same figures", async () => {
  const { openSavedModel } = await import("../../src/savedmodel/savedModel.js");
  const { NodeFileAccess } = await import("../../src/savedmodel/node/nodeFileAccess.js");
  const { diffWeights } = await import("../../src/savedmodel/diff/index.js");
  const b = await writeTemp(tinyTf1({ w: [1.5, 2, 3, 4.5] }), "chunks");
  const [ea, eb] = await Promise.all([
    openSavedModel(new NodeFileAccess(await base)),
    openSavedModel(new NodeFileAccess(b)),
  ]);
  const whole = await diffWeights(ea, eb);
  let calls = 0;
  const chunked = await diffWeights(ea, eb, { chunkBytes: 4, onProgress: () => calls++ });
  assert.equal(calls, 4);
  assert.deepEqual(chunked.weights.drift, whole.weights.drift);
  assert.equal(whole.weights.drift[0].maxAbs, 0.5);
  assert.equal(whole.weights.drift[0].fractionChanged, 0.5);
});

test("an op changed inside a function: functions matched without their numeric suffix, the node named", async () => {
  const a = await writeTemp(tinyTf2({ activation: "Relu" }), "op-a");
  const b = await writeTemp(tinyTf2({ activation: "Tanh", uidShift: 7 }), "op-b");
  const r = await diff(a, b, "--json", "--only", "contract,graph");
  assert.equal(r.code, 0);
  assert.deepEqual(r.json!.contract, []);
  const g = r.json!.graph![0];
  assert.deepEqual(g.opHistogram, [
    { op: "Relu", a: 1, b: 0 },
    { op: "Tanh", a: 0, b: 1 },
  ]);
  assert.deepEqual(g.functions.added, []);
  assert.deepEqual(g.functions.removed, []);
  const body = g.functions.matched.find((m) => m.a.startsWith("__inference_call_"))!;
  assert.notEqual(body.a, body.b);
  assert.equal(body.matchedBy, "name_without_suffix");
  assert.equal(body.changed, true);
  assert.deepEqual(
    g.nodes.map((n) => [n.kind, n.function, n.node, n.what, n.before, n.after]),
    [["changed", body.b, "dense/act", ["op"], "Relu", "Tanh"]],
  );
  assert.equal(g.signatures[0].signature, "serving_default");
  assert.equal(g.signatures[0].nodes.length, 1);
});

test("an asset edited: reported changed with both content hashes; exit 0, --fail-on any 3", async () => {
  const b = await writeTemp(tinyTf1({ asset: "a\nb\nd\n" }), "asset");
  const r = await diff(await base, b, "--json");
  assert.equal(r.code, 0);
  assert.deepEqual(r.json!.contract, []);
  assert.equal(r.json!.files!.assets.length, 1);
  const f = r.json!.files!.assets[0];
  assert.equal(f.kind, "changed");
  assert.equal(f.path, "assets/vocab.txt");
  assert.equal(f.sizeA, 6);
  assert.equal(f.sizeB, 6);
  assert.notEqual(f.hashA, f.hashB);
  assert.equal(r.json!.weights!.identical, 1);
  assert.equal((await diff(await base, b, "--fail-on", "any")).code, 3);
});

test("--signature_def and --tag_set narrow; a missing tag set is a usage error naming the side", async () => {
  const b = await writeTemp(tinyTf1({ extraInput: true }), "narrow");
  const r = await diff(await base, b, "--json", "--only", "contract", "--signature_def", "other");
  assert.equal(r.code, 0);
  assert.deepEqual(r.json!.contract, []);
  const bad = await diff(await base, b, "--tag_set", "gpu");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--tag_set 'gpu' is not in A/);
  const notExport = await diff(await base, "/nonexistent-folder-for-diff");
  assert.equal(notExport.code, 1);
  assert.doesNotMatch(notExport.err, /\n\s+at /);
});

test("control characters in model strings are escaped in the text report", async () => {
  const { formatDiffText } = await import("../../src/cli/diff.js");
  const r = await diff(await base, await base, "--json", "--only", "contract");
  const report = r.json!;
  report.contract.push({
    kind: "added",
    subject: "signature",
    tagSet: "serve",
    signature: "evil\u001b[2J\nline\u202e",
    severity: "compatible",
    reason: "a new signature",
  });
  const text = formatDiffText(report);
  assert.match(text, /evil\\x1b\[2J\\nline\\u202e/);
  assert.doesNotMatch(text, /\u001b/);
});
