import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  OpResolver,
  functionNodeOutputs,
  functionOutputs,
  layoutSize,
  outputLayout,
  resolveFunctionTensor,
  resolveGraphTensor,
  withDefaults,
} from "../src/savedmodel/opRegistry/index.js";
import { SavedModel, tensorflow } from "../src/savedmodel/proto.js";
import type { IMetaGraphDef } from "../src/savedmodel/proto.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

interface Loaded {
  name: string;
  mg: IMetaGraphDef;
  resolver: OpResolver;
}

let cache: Loaded[] | undefined;
/** Every fixture with a binary saved_model.pb that decodes (the corrupt one and the .pbtxt one are skipped). */
function loadAll(): Loaded[] {
  if (cache) return cache;
  cache = [];
  for (const name of fixtureNames()) {
    const p = join(fixturePath(name), "saved_model.pb");
    if (!existsSync(p)) continue;
    let sm: tensorflow.SavedModel;
    try {
      sm = SavedModel.decode(readFileSync(p));
    } catch {
      continue;
    }
    for (const mg of sm.metaGraphs) {
      const resolver = new OpResolver({
        strippedOpList: mg.metaInfoDef?.strippedOpList?.op,
        functions: mg.graphDef?.library?.function,
      });
      cache.push({ name, mg, resolver });
    }
  }
  return cache;
}

test("fixtures: stripped_default_attrs and stripped_op_list coverage (measured)", { skip: skipNoFixtures }, () => {
  const all = loadAll();
  assert.ok(all.length >= 30, `decoded ${all.length} meta graphs`);
  const stripped: string[] = [];
  const lacking: string[] = [];
  for (const { name, mg } of all) {
    if (mg.metaInfoDef?.strippedDefaultAttrs) stripped.push(name);
    const listed = new Set((mg.metaInfoDef?.strippedOpList?.op ?? []).map((o) => o.name));
    const fns = mg.graphDef?.library?.function ?? [];
    const fnNames = new Set(fns.map((f) => f.signature?.name));
    const fnOps = new Set(fns.flatMap((f) => (f.nodeDef ?? []).map((n) => n.op ?? "")));
    if ([...fnOps].some((o) => !listed.has(o) && !fnNames.has(o))) lacking.push(name);
    // Every top-level graph op is in stripped_op_list (or is a function call).
    const graphMissing = (mg.graphDef?.node ?? []).filter((n) => !listed.has(n.op ?? "") && !fnNames.has(n.op ?? ""));
    assert.deepEqual(
      graphMissing.map((n) => n.op),
      [],
      `${name}: top-level ops missing from stripped_op_list`,
    );
  }
  console.log(
    `# ${all.length} decoded exports; stripped_default_attrs set in ${stripped.length}; ` +
      `stripped_op_list lacks function-only ops in ${lacking.length}: ${lacking.join(", ")}`,
  );
  // Measured on ../shared/fixtures: 34 binary exports gave 21 and 16; with the 13 added on 2026-12-07
  // (45 binary exports) 28 and 19.
  assert.equal(stripped.length, all.length >= 45 ? 28 : 21);
  assert.equal(lacking.length, all.length >= 45 ? 19 : 16);
  assert.ok(lacking.includes("serving-tf-text-regression") && lacking.includes("potato-cnn-tf29"));
});

test("fixtures: every op used in graphs and function bodies resolves", { skip: skipNoFixtures }, () => {
  const unresolved: string[] = [];
  let ops = 0;
  for (const { name, mg, resolver } of loadAll()) {
    const used = new Set<string>();
    for (const n of mg.graphDef?.node ?? []) used.add(n.op ?? "");
    for (const f of mg.graphDef?.library?.function ?? []) for (const n of f.nodeDef ?? []) used.add(n.op ?? "");
    for (const op of used) {
      ops++;
      if (!resolver.get(op)) unresolved.push(`${name}: ${op}`);
    }
  }
  assert.deepEqual(unresolved, []);
  assert.ok(ops > 500, `checked ${ops} (export, op) pairs`);
  // Custom ops: TF Text from our add-on table (used only inside functions), TF-DF from the model's list.
  const text = loadAll().find((l) => l.name === "serving-tf-text-regression")!;
  assert.equal(text.resolver.get("SentencepieceTokenizeOp")?.library, "tensorflow_text");
  const tfdf = loadAll().find((l) => l.name === "tfdf-adult-rf-custom-ops")!;
  assert.equal(tfdf.resolver.get("SimpleMLInferenceOpWithHandle")?.source, "model");
  assert.equal(tfdf.resolver.registryOnly("SimpleMLInferenceOpWithHandle"), undefined);
});

test(
  "fixtures: every function body input and ret resolves within the producer's outputs",
  { skip: skipNoFixtures },
  () => {
    let refs = 0;
    let fns = 0;
    const failures: string[] = [];
    for (const { name, mg, resolver } of loadAll()) {
      for (const fn of mg.graphDef?.library?.function ?? []) {
        fns++;
        const fname = fn.signature?.name ?? "";
        const check = (ref: string, user: string) => {
          refs++;
          try {
            const src = resolveFunctionTensor(ref, fn, resolver, { node: user });
            if (src.kind === "node") {
              const lay = functionNodeOutputs(fn, src.node, resolver);
              assert.ok(lay, `${name}/${fname}: layout of ${src.node}`);
              const unknown = lay.filter((a) => a.countUnknown).map((a) => a.name);
              if (unknown.length) failures.push(`${name}/${fname}: ${src.node}: output count unknown for ${unknown}`);
              const n = layoutSize(lay);
              if (src.index >= n) failures.push(`${name}/${fname}: ${user} <- ${ref}: index ${src.index} >= ${n}`);
            } else if (src.kind === "arg") {
              assert.equal(fn.signature?.inputArg?.[src.argIndex]?.name, ref);
            }
          } catch (e) {
            failures.push(`${name}/${fname}: ${(e as Error).message}`);
          }
        };
        for (const n of fn.nodeDef ?? []) for (const ref of n.input ?? []) check(ref, n.name ?? "");
        for (const [out, ref] of Object.entries(fn.ret ?? {})) check(ref, `ret ${out}`);
        try {
          const outs = functionOutputs(fn, resolver);
          assert.equal(outs.length, fn.signature?.outputArg?.length ?? 0);
        } catch (e) {
          failures.push(`${name}/${fname}: ${(e as Error).message}`);
        }
      }
    }
    assert.deepEqual(failures.slice(0, 20), []);
    assert.ok(fns > 900 && refs > 40000, `checked ${fns} functions, ${refs} references`);
    console.log(`# ${fns} functions, ${refs} references resolved`);
  },
);

test(
  "fixtures: every top-level GraphDef input index is within the producer's outputs",
  { skip: skipNoFixtures },
  () => {
    const failures: string[] = [];
    let refs = 0;
    for (const { name, mg, resolver } of loadAll()) {
      const nodes = new Map((mg.graphDef?.node ?? []).map((n) => [n.name ?? "", n]));
      const sizes = new Map<string, number>();
      const sizeOf = (nodeName: string): number | undefined => {
        if (sizes.has(nodeName)) return sizes.get(nodeName);
        const n = nodes.get(nodeName);
        const schema = n ? resolver.get(n.op ?? "") : undefined;
        const size = n && schema ? layoutSize(outputLayout(schema, withDefaults(n, schema))) : undefined;
        if (size !== undefined) sizes.set(nodeName, size);
        return size;
      };
      for (const n of mg.graphDef?.node ?? []) {
        for (const ref of n.input ?? []) {
          const r = resolveGraphTensor(ref);
          refs++;
          if (!nodes.has(r.node)) failures.push(`${name}: ${n.name} <- ${ref}: no such node`);
          else if (r.kind === "node") {
            const size = sizeOf(r.node);
            if (size === undefined || r.index >= size) failures.push(`${name}: ${n.name} <- ${ref}: outputs ${size}`);
          }
        }
      }
    }
    assert.deepEqual(failures.slice(0, 20), []);
    assert.ok(refs > 10000, `checked ${refs} graph references`);
  },
);

test(
  "fixtures: withDefaults fills Conv2D dilations on potato-cnn-tf29 without mutating",
  { skip: skipNoFixtures },
  () => {
    const potato = loadAll().find((l) => l.name === "potato-cnn-tf29");
    assert.ok(potato);
    assert.equal(potato.mg.metaInfoDef?.strippedDefaultAttrs, true);
    let convs = 0;
    for (const fn of potato.mg.graphDef?.library?.function ?? []) {
      for (const node of fn.nodeDef ?? []) {
        if (node.op !== "Conv2D") continue;
        convs++;
        const schema = potato.resolver.get("Conv2D");
        assert.ok(schema);
        const before = Object.keys(node.attr ?? {}).sort();
        assert.ok(!before.includes("dilations"), "export stripped dilations");
        const attrs = withDefaults(node, schema);
        assert.deepEqual(Object.keys(node.attr ?? {}).sort(), before);
        assert.deepEqual([...(attrs.dilations?.list?.i ?? [])].map(Number), [1, 1, 1, 1]);
        assert.equal(new TextDecoder().decode(attrs.data_format?.s ?? new Uint8Array()), "NHWC");
        assert.equal(attrs.T?.type, 1);
        const lay = outputLayout(schema, attrs);
        assert.deepEqual(lay[0].dtypes, [1]);
      }
    }
    assert.ok(convs >= 6, `found ${convs} Conv2D nodes`);
  },
);
