import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DataType } from "../src/savedmodel/dtypes.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import type { DirEntry, FileAccess } from "../src/savedmodel/fileAccess.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { stringValues } from "../src/savedmodel/tensor.js";
import { TensorBundle, writeTensorBundle } from "../src/savedmodel/tensorBundle/index.js";
import { parseTable } from "../src/savedmodel/tensorBundle/table.js";
import { fixtureNames, fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

const withVars = () => fixtureNames().filter((n) => existsSync(join(fixturePath(n), "variables", "variables.index")));

/** FileAccess over another one, overriding some files' bytes (for corruption tests). */
class PatchedAccess implements FileAccess {
  constructor(
    private readonly base: FileAccess,
    private readonly patches: Map<string, Uint8Array>,
  ) {}
  async readFile(p: string) {
    return this.patches.get(p) ?? this.base.readFile(p);
  }
  async readRange(p: string, o: number, l: number) {
    const d = this.patches.get(p);
    return d ? d.subarray(o, o + l) : this.base.readRange(p, o, l);
  }
  list(p: string): Promise<DirEntry[]> {
    return this.base.list(p);
  }
  async size(p: string) {
    return this.patches.get(p)?.length ?? this.base.size(p);
  }
  describe(p: string) {
    return p;
  }
}

test("every fixture with variables/ opens and every readable tensor verifies", { skip: skipNoFixtures }, async () => {
  const names = withVars();
  assert.ok(names.length >= 25, `only ${names.length} fixtures with variables`);
  for (const name of names) {
    const b = await TensorBundle.open(new NodeFileAccess(fixturePath(name)));
    assert.ok(b.entries().length > 0, name);
    const keys = b.entries().map((e) => e.key);
    assert.deepEqual(keys, [...keys].sort(), `${name}: entries sorted`);
    if (name.startsWith("incomplete-")) continue;
    assert.deepEqual(
      b.diagnostics.filter((d) => d.severity === "error"),
      [],
      name,
    );
    for (const e of b.entries()) {
      const t = await b.readTensor(e.key);
      assert.equal(t.dtype, e.dtype);
      assert.deepEqual(t.shape, e.shape);
    }
  }
});

test(
  "serving-half-plus-two-cpu: a = 0.5, b = 2.0, c = 3.0 (snappy index block)",
  { skip: skipNoFixtures },
  async () => {
    const b = await TensorBundle.open(new NodeFileAccess(fixturePath("serving-half-plus-two-cpu")));
    assert.deepEqual(
      b.entries().map((e) => e.key),
      ["a", "a2", "b", "c", "c2"],
    );
    assert.equal(b.table?.blocks[0].compression, 1);
    const a = await b.readTensor("a");
    assert.equal(a.dtype, DataType.DT_FLOAT);
    assert.deepEqual(a.shape, []);
    assert.deepEqual([...(a.values as Float32Array)], [0.5]);
    assert.deepEqual([...((await b.readTensor("b")).values as Float32Array)], [2]);
    assert.deepEqual([...((await b.readTensor("c")).values as Float32Array)], [3]);
    assert.equal(b.header.numShards, 1);
  },
);

test(
  "lstm-bbc-news-2shards: entries spread over 2 shards with dtypes and shapes",
  { skip: skipNoFixtures },
  async () => {
    const b = await TensorBundle.open(new NodeFileAccess(fixturePath("lstm-bbc-news-2shards")));
    assert.equal(b.numShards, 2);
    const es = b.entries();
    assert.equal(es.length, 41);
    const shards = new Set(es.map((e) => e.shardFile));
    assert.deepEqual([...shards].sort(), [
      "variables/variables.data-00000-of-00002",
      "variables/variables.data-00001-of-00002",
    ]);
    const emb = es.find(
      (e) => /embedding/.test(e.key) && e.key.endsWith("VARIABLE_VALUE") && !e.key.includes("OPTIMIZER"),
    );
    assert.ok(emb, "embedding variable listed");
    assert.equal(emb.dtype, DataType.DT_FLOAT);
    assert.equal(emb.shape.length, 2);
    for (const e of es) {
      const t = await b.readTensor(e.key);
      const n = e.shape.reduce((a, d) => a * d, 1);
      if (e.dtype !== DataType.DT_STRING) assert.equal((t.values as Float32Array).length, n);
    }
    const dtypes = new Set(es.map((e) => e.dtype));
    assert.ok(dtypes.has(DataType.DT_FLOAT) && dtypes.has(DataType.DT_INT64) && dtypes.has(DataType.DT_STRING));
  },
);

test(
  "textvectorization-tf241: string table keys verify with TF's string checksum rule",
  { skip: skipNoFixtures },
  async () => {
    const b = await TensorBundle.open(new NodeFileAccess(fixturePath("textvectorization-tf241")));
    const keys = await b.readTensor("layer_with_weights-0/_index_lookup_layer/_table/.ATTRIBUTES/table-keys");
    assert.equal(keys.dtype, DataType.DT_STRING);
    assert.deepEqual(keys.shape, [10000]);
    const words = stringValues(keys);
    assert.equal(words.length, 10000);
    assert.ok(words.includes("the"), "vocabulary contains 'the'");
    const values = await b.readTensor("layer_with_weights-0/_index_lookup_layer/_table/.ATTRIBUTES/table-values");
    assert.ok(values.values instanceof BigInt64Array);
    const graph = await b.readTensor("_CHECKPOINTABLE_OBJECT_GRAPH");
    assert.equal((graph.values as Uint8Array[]).length, 1);
  },
);

test(
  "incomplete-albert-tf23 lists all entries, reports the missing shard and fails reads cleanly",
  { skip: skipNoFixtures },
  async () => {
    const b = await TensorBundle.open(new NodeFileAccess(fixturePath("incomplete-albert-tf23")));
    assert.equal(b.entries().length, 78);
    const missing = b.diagnostics.find((d) => d.severity === "error" && /missing/.test(d.message));
    assert.ok(missing);
    assert.equal(missing.file, "variables/variables.data-00000-of-00001");
    const key = b.entries().find((e) => e.size > 0)!.key;
    await assert.rejects(b.readTensor(key), (e: unknown) => {
      assert.ok(e instanceof SavedModelError);
      assert.equal(e.file, "variables/variables.data-00000-of-00001");
      assert.equal(e.field, key);
      assert.match(e.message, /missing/);
      return true;
    });
  },
);

test("CRC verification catches a flipped data byte; verify:false skips it", { skip: skipNoFixtures }, async () => {
  const base = new NodeFileAccess(fixturePath("serving-half-plus-two-cpu"));
  const shard = "variables/variables.data-00000-of-00001";
  const data = new Uint8Array(await base.readFile(shard));
  const b0 = await TensorBundle.open(base);
  const e = b0.get("b")!;
  data[e.offset + 1] ^= 0x10;
  const b = await TensorBundle.open(new PatchedAccess(base, new Map([[shard, data]])));
  await assert.rejects(b.readTensor("b"), (err: unknown) => {
    assert.ok(err instanceof SavedModelError);
    assert.equal(err.file, shard);
    assert.equal(err.offset, e.offset);
    assert.match(err.message, /checksum mismatch: expected crc32c 0x[0-9a-f]{8}, actual 0x[0-9a-f]{8}/);
    return true;
  });
  const t = await b.readTensor("b", { verify: false });
  assert.notEqual((t.values as Float32Array)[0], 2);
  assert.deepEqual([...((await b.readTensor("a")).values as Float32Array)], [0.5]);
});

test("CRC verification catches a flipped byte inside a string tensor", { skip: skipNoFixtures }, async () => {
  const base = new NodeFileAccess(fixturePath("textvectorization-tf241"));
  const shard = "variables/variables.data-00000-of-00001";
  const key = "layer_with_weights-0/_index_lookup_layer/_table/.ATTRIBUTES/table-keys";
  const e = (await TensorBundle.open(base)).get(key)!;
  const data = new Uint8Array(await base.readFile(shard));
  data[e.offset + e.size - 3] ^= 0x01;
  const b = await TensorBundle.open(new PatchedAccess(base, new Map([[shard, data]])));
  await assert.rejects(b.readTensor(key), /checksum mismatch/);
});

test("a truncated shard is a diagnostic at open and a clean read error", { skip: skipNoFixtures }, async () => {
  const base = new NodeFileAccess(fixturePath("serving-half-plus-two-cpu"));
  const shard = "variables/variables.data-00000-of-00001";
  const data = (await base.readFile(shard)).subarray(0, 6);
  const b = await TensorBundle.open(new PatchedAccess(base, new Map([[shard, data]])));
  assert.ok(
    b.diagnostics.some((d) => d.severity === "error" && d.file === shard && /shard has 6 bytes/.test(d.message)),
  );
  const far = b.entries().find((e) => e.offset + e.size > 6)!;
  await assert.rejects(
    b.readTensor(far.key),
    (err: unknown) => err instanceof SavedModelError && /only 6 bytes/.test(err.message),
  );
});

test(
  "rewriting each fixture's tensors reproduces its entries and data shards byte for byte",
  { skip: skipNoFixtures },
  async () => {
    let byteEqualIndexes = 0;
    for (const name of withVars()) {
      if (name.startsWith("incomplete-")) continue;
      const dir = join(fixturePath(name), "variables");
      const b = await TensorBundle.open(new NodeFileAccess(fixturePath(name)));
      const items = [];
      for (const e of b.entries()) items.push({ e, t: await b.readTensor(e.key) });
      items.sort((x, y) => x.e.shardId - y.e.shardId || x.e.offset - y.e.offset);
      const originalCompressed = b.table!.blocks.some((bl) => bl.compression === 1);
      const files = writeTensorBundle(
        items.map(({ e, t }) => ({ key: e.key, dtype: t.dtype, shape: t.shape, values: t.values, shard: e.shardId })),
        { numShards: b.numShards, snappy: originalCompressed },
      );
      for (const [f, bytes] of files) {
        if (f === "variables.index") continue;
        assert.ok(Buffer.from(bytes).equals(readFileSync(join(dir, f))), `${name}: ${f} differs`);
      }
      const orig = parseTable("orig", readFileSync(join(dir, "variables.index")));
      const mine = parseTable("mine", files.get("variables.index")!);
      assert.equal(mine.entries.length, orig.entries.length, name);
      for (let i = 0; i < orig.entries.length; i++) {
        assert.deepEqual(Buffer.from(mine.entries[i].key), Buffer.from(orig.entries[i].key), name);
        assert.deepEqual(Buffer.from(mine.entries[i].value), Buffer.from(orig.entries[i].value), `${name}: entry ${i}`);
      }
      // Uncompressed indexes match byte for byte (snappy output differs between encoders).
      if (!originalCompressed) {
        assert.ok(
          Buffer.from(files.get("variables.index")!).equals(readFileSync(join(dir, "variables.index"))),
          `${name}: index bytes`,
        );
        byteEqualIndexes++;
      }
    }
    assert.ok(byteEqualIndexes >= 20, `${byteEqualIndexes} byte-equal indexes`);
  },
);

test("listing reads only the index: no data shard bytes are read", { skip: skipNoFixtures }, async () => {
  const base = new NodeFileAccess(fixturePath("lstm-bbc-news-2shards"));
  const reads: string[] = [];
  const counting: FileAccess = {
    readFile: (p) => (reads.push(p), base.readFile(p)),
    readRange: (p, o, l) => (reads.push(p), base.readRange(p, o, l)),
    list: (p) => base.list(p),
    size: (p) => base.size(p),
    describe: (p) => p,
  };
  const b = await TensorBundle.open(counting);
  assert.equal(b.entries().length, 41);
  assert.deepEqual(reads, ["variables/variables.index"]);
});
