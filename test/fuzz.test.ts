/**
 * Seeded mutation fuzz over whole exports: truncate, flip and splice saved_model.pb,
 * saved_model.pbtxt and variables.index, then run everything a user can ask for. Every case must
 * end with a result or a SavedModelError — never another exception, a hang or a huge allocation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { MemoryFileAccess, snapshotFiles } from "../src/savedmodel/memoryFileAccess.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import {
  computeStats,
  concreteFunctions,
  describeModel,
  listFunctions,
  loadVariables,
  objectTree,
  readVariable,
} from "../src/savedmodel/model.js";
import { fixturePath, skipNoFixtures } from "./helpers/fixtures.js";
import { mulberry32 as rng } from "../src/savedmodel/random.js";

function mutate(bytes: Uint8Array, r: () => number): { bytes: Uint8Array; how: string } {
  const n = bytes.length;
  const pos = Math.floor(r() * n);
  switch (Math.floor(r() * 5)) {
    case 0:
      return { bytes: bytes.slice(0, pos), how: `truncate at ${pos}` };
    case 1: {
      const out = bytes.slice();
      const flips = 1 + Math.floor(r() * 4);
      for (let i = 0; i < flips; i++) out[Math.floor(r() * n)] ^= 1 << Math.floor(r() * 8);
      return { bytes: out, how: `flip ${flips} bits near ${pos}` };
    }
    case 2: {
      // splice: copy a random chunk of the file over another place
      const len = 1 + Math.floor(r() * Math.min(64, n));
      const from = Math.floor(r() * Math.max(1, n - len));
      const out = bytes.slice();
      out.set(bytes.subarray(from, from + len), Math.min(pos, n - len));
      return { bytes: out, how: `splice ${len} bytes from ${from} to ${pos}` };
    }
    case 3: {
      // insert a huge varint (claims of enormous lengths or counts)
      const huge = [0xff, 0xff, 0xff, 0xff, 0x0f];
      const out = new Uint8Array(n + huge.length);
      out.set(bytes.subarray(0, pos));
      out.set(huge, pos);
      out.set(bytes.subarray(pos), pos + huge.length);
      return { bytes: out, how: `insert huge varint at ${pos}` };
    }
    default: {
      const out = bytes.slice();
      const len = Math.min(n - pos, 1 + Math.floor(r() * 16));
      for (let i = 0; i < len; i++) out[pos + i] = Math.floor(r() * 256);
      return { bytes: out, how: `randomise ${len} bytes at ${pos}` };
    }
  }
}

async function exercise(fs: MemoryFileAccess): Promise<void> {
  const exp = await openSavedModel(fs);
  const info = await describeModel(exp);
  const vars = await loadVariables(exp);
  for (const mg of exp.metaGraphs) {
    const sigs = info.metaGraphs[mg.index]?.signatures ?? [];
    mg.nodes();
    computeStats(mg, vars);
    listFunctions(mg, sigs);
    await objectTree(exp, mg, vars);
    concreteFunctions(mg);
  }
  for (const v of vars.variables.slice(0, 4)) {
    try {
      await readVariable(exp, v.checkpointKey);
    } catch (e) {
      if (!(e instanceof SavedModelError)) throw e;
    }
  }
}

const TARGETS: { fixture: string; file: string; cases: number }[] = [
  { fixture: "serving-half-plus-two-cpu", file: "saved_model.pb", cases: 450 },
  { fixture: "tfjs-module-with-multiple-signatures", file: "saved_model.pb", cases: 450 },
  { fixture: "tfcc-half-plus-two-pbtxt", file: "saved_model.pbtxt", cases: 450 },
  { fixture: "serving-half-plus-two-tf2-cpu", file: "variables/variables.index", cases: 350 },
  { fixture: "tfx-taxi-estimator-2shards", file: "variables/variables.index", cases: 350 },
];

test(
  "2,050 mutated exports end in a result or a SavedModelError",
  { skip: skipNoFixtures, timeout: 240_000 },
  async () => {
    let total = 0;
    let clean = 0;
    for (const [t, target] of TARGETS.entries()) {
      const files = await snapshotFiles(new NodeFileAccess(fixturePath(target.fixture)));
      const original = files.get(target.file);
      assert.ok(original, `${target.fixture}/${target.file}`);
      const r = rng(1234 + t);
      for (let i = 0; i < target.cases; i++) {
        const { bytes, how } = mutate(original, r);
        const copy = new Map(files);
        copy.set(target.file, bytes);
        try {
          await exercise(new MemoryFileAccess(copy, `${target.fixture}/`));
          clean++;
        } catch (e) {
          if (!(e instanceof SavedModelError)) {
            assert.fail(`${target.fixture}/${target.file} case ${i} (${how}): ${(e as Error)?.stack ?? e}`);
          }
        }
        total++;
      }
    }
    assert.equal(total, 2050);
    assert.ok(clean > 0 && clean < total, `${clean} of ${total} decoded cleanly`);
  },
);
