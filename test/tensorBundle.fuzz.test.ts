import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SavedModelError } from "../src/savedmodel/errors.js";
import type { DirEntry, FileAccess } from "../src/savedmodel/fileAccess.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { TensorBundle } from "../src/savedmodel/tensorBundle/index.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";
import { mulberry32 } from "../src/savedmodel/random.js";

class IndexOverride implements FileAccess {
  constructor(
    private readonly base: FileAccess,
    private readonly index: Uint8Array,
  ) {}
  private isIndex(p: string) {
    return p === "variables/variables.index";
  }
  async readFile(p: string) {
    return this.isIndex(p) ? this.index : this.base.readFile(p);
  }
  async readRange(p: string, o: number, l: number) {
    return this.isIndex(p) ? this.index.subarray(o, o + l) : this.base.readRange(p, o, l);
  }
  list(p: string): Promise<DirEntry[]> {
    return this.base.list(p);
  }
  async size(p: string) {
    return this.isIndex(p) ? this.index.length : this.base.size(p);
  }
  describe(p: string) {
    return p;
  }
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const r = (n: number) => Math.floor(rnd() * n);
  const kind = r(5);
  if (kind === 0) return src.slice(0, r(src.length)); // truncate
  const out = src.slice();
  if (kind === 1 || kind === 2) {
    // flip 1..8 bits, biased to the start (block contents) or the footer
    const flips = 1 + r(8);
    for (let i = 0; i < flips; i++) {
      const at = kind === 1 ? r(out.length) : Math.max(0, out.length - 1 - r(60));
      out[at] ^= 1 << r(8);
    }
    return out;
  }
  if (kind === 3) {
    // overwrite a span with random bytes or 0xff (huge varints)
    const at = r(out.length);
    const len = 1 + r(16);
    for (let i = at; i < Math.min(out.length, at + len); i++) out[i] = rnd() < 0.5 ? 0xff : r(256);
    return out;
  }
  // splice: duplicate or delete a span
  const a = r(src.length);
  const b = Math.min(src.length, a + r(64));
  if (rnd() < 0.5) return new Uint8Array([...src.subarray(0, b), ...src.subarray(a)]);
  return new Uint8Array([...src.subarray(0, a), ...src.subarray(b)]);
}

test(
  "seeded mutation fuzz of variables.index files: only results or SavedModelErrors",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const names = fixtureNames().filter(
      (n) => existsSync(join(fixturePath(n), "variables", "variables.index")) && !n.startsWith("incomplete-"),
    );
    const rnd = mulberry32(0x5eed);
    const perFixture = Math.ceil(720 / names.length);
    let cases = 0;
    let opened = 0;
    let rejected = 0;
    let reads = 0;
    for (const name of names) {
      const base = new NodeFileAccess(fixturePath(name));
      const original = new Uint8Array(readFileSync(join(fixturePath(name), "variables", "variables.index")));
      for (let i = 0; i < perFixture; i++) {
        const bytes = mutate(original, rnd);
        const verifyIndex = i % 2 === 0; // odd cases skip block CRCs so mutations reach the block/proto parsers
        cases++;
        const started = Date.now();
        try {
          const b = await TensorBundle.open(new IndexOverride(base, bytes), "variables/variables", { verifyIndex });
          opened++;
          for (const e of b.entries().slice(0, 8)) {
            try {
              await b.readTensor(e.key, { maxElements: 1 << 22 });
              reads++;
            } catch (err) {
              assert.ok(
                err instanceof SavedModelError,
                `${name} case ${i} read ${e.key}: ${String(err)}\n${(err as Error).stack}`,
              );
            }
          }
        } catch (err) {
          assert.ok(err instanceof SavedModelError, `${name} case ${i}: ${String(err)}\n${(err as Error).stack}`);
          rejected++;
        }
        assert.ok(Date.now() - started < 5000, `${name} case ${i} took too long`);
      }
    }
    assert.ok(cases >= 600, `${cases} cases`);
    assert.ok(opened > 50 && rejected > 50, `opened ${opened}, rejected ${rejected}`);
    console.log(
      `fuzz: ${cases} cases, ${opened} opened (${reads} tensor reads), ${rejected} rejected with SavedModelError`,
    );
  },
);
