import assert from "node:assert/strict";
import { test } from "node:test";
import { DataType } from "../src/savedmodel/dtypes.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import type { DirEntry, FileAccess } from "../src/savedmodel/fileAccess.js";
import type { TensorValues } from "../src/savedmodel/tensor.js";
import { TensorBundle, writeTensorBundle, type BundleTensor } from "../src/savedmodel/tensorBundle/index.js";
import { decodeSliceKey, encodeSliceKey } from "../src/savedmodel/tensorBundle/sliceKey.js";
import { parseTable } from "../src/savedmodel/tensorBundle/table.js";

/** In-memory FileAccess holding files under variables/. */
export class MemoryAccess implements FileAccess {
  readonly files = new Map<string, Uint8Array>();
  constructor(files: Map<string, Uint8Array>, dir = "variables") {
    for (const [k, v] of files) this.files.set(`${dir}/${k}`, v);
  }
  async readFile(p: string) {
    const f = this.files.get(p);
    if (!f) throw new Error(`ENOENT ${p}`);
    return f;
  }
  async readRange(p: string, o: number, l: number) {
    return (await this.readFile(p)).subarray(o, o + l);
  }
  async list(p: string): Promise<DirEntry[]> {
    return [...this.files.keys()]
      .filter((k) => k.startsWith(`${p}/`))
      .map((k) => ({ name: k.slice(p.length + 1), kind: "file" as const }));
  }
  async size(p: string) {
    return this.files.get(p)?.length;
  }
  describe(p: string) {
    return p;
  }
}

const enc = new TextEncoder();
function seq<T extends { length: number; [i: number]: number }>(a: T, f: (i: number) => number): T {
  for (let i = 0; i < a.length; i++) a[i] = f(i);
  return a;
}

function allDtypes(): BundleTensor[] {
  const D = DataType;
  const t = (key: string, dtype: number, shape: number[], values: TensorValues): BundleTensor => ({
    key,
    dtype,
    shape,
    values,
  });
  return [
    t(
      "f32",
      D.DT_FLOAT,
      [2, 3],
      seq(new Float32Array(6), (i) => i * 0.25 - 1),
    ),
    t("f64", D.DT_DOUBLE, [4], new Float64Array([Math.PI, -0, Infinity, NaN])),
    t("half", D.DT_HALF, [5], new Float32Array([0.5, -2, 65504, 6.103515625e-5, 5.960464477539063e-8])),
    t("bf16", D.DT_BFLOAT16, [3], new Float32Array([1.5, -3.140625, 2 ** 100])),
    t("i8", D.DT_INT8, [3], new Int8Array([-128, 0, 127])),
    t("u8", D.DT_UINT8, [3], new Uint8Array([0, 1, 255])),
    t("i16", D.DT_INT16, [2], new Int16Array([-32768, 32767])),
    t("u16", D.DT_UINT16, [2], new Uint16Array([0, 65535])),
    t("i32", D.DT_INT32, [2, 2], new Int32Array([-1, 2, -3, 2147483647])),
    t("u32", D.DT_UINT32, [1], new Uint32Array([4294967295])),
    t("i64", D.DT_INT64, [2], new BigInt64Array([-(2n ** 63n), 2n ** 62n + 7n])),
    t("u64", D.DT_UINT64, [1], new BigUint64Array([2n ** 64n - 1n])),
    t("bool", D.DT_BOOL, [3], new Uint8Array([1, 0, 1])),
    t("c64", D.DT_COMPLEX64, [2], new Float32Array([1, 2, -3, 4])),
    t("c128", D.DT_COMPLEX128, [1], new Float64Array([0.1, -0.2])),
    t("str", D.DT_STRING, [3], [enc.encode("hello"), new Uint8Array(0), new Uint8Array([0xff, 0x00, 0x80])]),
    t("scalar", D.DT_FLOAT, [], new Float32Array([42])),
    t("empty", D.DT_FLOAT, [0, 3], new Float32Array(0)),
    t("str/empty", D.DT_STRING, [0], []),
  ];
}

function plain(v: TensorValues): unknown[] {
  return Array.isArray(v)
    ? v.map((b) => [...b])
    : Array.from(v as ArrayLike<number | bigint>).map((x) => (Number.isNaN(x) ? "NaN" : x));
}

for (const [numShards, snappy, blockSize] of [
  [1, true, undefined],
  [3, false, undefined],
  [4, true, 64],
  [5, false, 32],
] as const) {
  test(`round trip of every dtype: ${numShards} shard(s), snappy ${snappy}, block size ${blockSize ?? "default"}`, async () => {
    const tensors = allDtypes();
    const files = writeTensorBundle(tensors, { numShards, snappy, blockSize });
    assert.equal(files.size, 1 + numShards);
    assert.ok(files.has(`variables.data-00000-of-0000${numShards}`));
    const table = parseTable("variables.index", files.get("variables.index")!);
    if (blockSize) assert.ok(table.blocks.length > 3, `${table.blocks.length} blocks`);
    if (!snappy) assert.ok(table.blocks.every((b) => b.compression === 0));
    const b = await TensorBundle.open(new MemoryAccess(files));
    assert.deepEqual(b.diagnostics, []);
    assert.equal(b.numShards, numShards);
    assert.deepEqual(
      b.entries().map((e) => e.key),
      tensors.map((t) => t.key).sort(),
    );
    if (numShards > 1) assert.equal(new Set(b.entries().map((e) => e.shardId)).size, numShards);
    for (const t of tensors) {
      const r = await b.readTensor(t.key);
      assert.equal(r.dtype, t.dtype, t.key);
      assert.deepEqual(r.shape, t.shape, t.key);
      assert.deepEqual(plain(r.values), plain(t.values!), t.key);
    }
  });
}

test("half and bfloat16 keep exact bit patterns through write and read", async () => {
  const halfBits = new Uint16Array([0x0000, 0x8000, 0x3c00, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x7e01]);
  const f = new Float32Array(halfBits.length);
  const { halfToFloat, bfloat16ToFloat } = await import("../src/savedmodel/tensor.js");
  halfBits.forEach((h, i) => (f[i] = halfToFloat(h)));
  const bfBits = new Uint16Array([0x3f80, 0xc049, 0x7f80, 0x0001, 0x7fc1]);
  const g = new Float32Array(bfBits.length);
  bfBits.forEach((h, i) => (g[i] = bfloat16ToFloat(h)));
  const files = writeTensorBundle([
    { key: "h", dtype: DataType.DT_HALF, shape: [halfBits.length], values: f },
    { key: "g", dtype: DataType.DT_BFLOAT16, shape: [bfBits.length], values: g },
  ]);
  const data = files.get("variables.data-00000-of-00001")!;
  const all = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
  assert.deepEqual([...all], [...halfBits, ...bfBits]);
});

test("sliced (partitioned) entries without slice data are listed with their slices; reads fail clearly", async () => {
  const files = writeTensorBundle(
    [
      {
        key: "part",
        dtype: DataType.DT_FLOAT,
        shape: [4, 2],
        slices: [
          [
            { start: 0, length: 2 },
            { start: 0, length: -1 },
          ],
          [
            { start: 2, length: 2 },
            { start: 0, length: -1 },
          ],
        ],
      },
      { key: "x", dtype: DataType.DT_FLOAT, shape: [1], values: new Float32Array([1]) },
    ],
    { numShards: 1 },
  );
  const b = await TensorBundle.open(new MemoryAccess(files));
  const e = b.get("part")!;
  assert.deepEqual(e.slices, [
    [
      { start: 0, length: 2 },
      { start: 0, length: -1 },
    ],
    [
      { start: 2, length: 2 },
      { start: 0, length: -1 },
    ],
  ]);
  assert.equal(e.crc32c, undefined);
  assert.ok(
    b.diagnostics.some(
      (d) => d.severity === "error" && d.field === "part" && /2 slice entries are missing/.test(d.message),
    ),
  );
  await assert.rejects(
    b.readTensor("part"),
    (err: unknown) => err instanceof SavedModelError && /part\[0:2, :\] has no data entry/.test(err.message),
  );
});

test("partitioned variables: slice entries use TF's OrderedCode keys and are assembled on read", async () => {
  // 3x4 float split into rows [0,1) and [1,3); 2x3 int64 split by columns; strings split in two.
  const files = writeTensorBundle(
    [
      {
        key: "emb",
        dtype: DataType.DT_FLOAT,
        shape: [3, 4],
        slices: [
          [
            { start: 0, length: 1 },
            { start: 0, length: -1 },
          ],
          [
            { start: 1, length: 2 },
            { start: 0, length: -1 },
          ],
        ],
        sliceValues: [new Float32Array([0, 1, 2, 3]), new Float32Array([4, 5, 6, 7, 8, 9, 10, 11])],
      },
      {
        key: "cols",
        dtype: DataType.DT_INT64,
        shape: [2, 3],
        slices: [
          [
            { start: 0, length: -1 },
            { start: 0, length: 2 },
          ],
          [
            { start: 0, length: -1 },
            { start: 2, length: 1 },
          ],
        ],
        sliceValues: [new BigInt64Array([0n, 1n, 3n, 4n]), new BigInt64Array([2n, 5n])],
      },
      {
        key: "vocab",
        dtype: DataType.DT_STRING,
        shape: [3],
        slices: [[{ start: 0, length: 2 }], [{ start: 2, length: 1 }]],
        sliceValues: [[enc.encode("a"), enc.encode("bb")], [enc.encode("ccc")]],
      },
    ],
    { numShards: 2 },
  );
  const b = await TensorBundle.open(new MemoryAccess(files));
  assert.deepEqual(
    b.diagnostics.filter((d) => d.severity !== "info"),
    [],
  );
  const keys = b.entries().map((e) => e.key);
  assert.ok(
    keys.includes("emb[1:3, :]") && keys.includes("cols[:, 2:3]") && keys.includes("vocab[0:2]"),
    keys.join(" | "),
  );
  assert.deepEqual(b.get("emb[1:3, :]")!.sliceOf, {
    name: "emb",
    extents: [
      { start: 1, length: 2 },
      { start: 0, length: -1 },
    ],
  });
  assert.deepEqual(b.get("emb[1:3, :]")!.shape, [2, 4]);
  assert.deepEqual([...((await b.readTensor("emb")).values as Float32Array)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual([...((await b.readTensor("cols")).values as BigInt64Array)], [0n, 1n, 2n, 3n, 4n, 5n]);
  const vocab = await b.readTensor("vocab");
  assert.deepEqual(
    (vocab.values as Uint8Array[]).map((v) => new TextDecoder().decode(v)),
    ["a", "bb", "ccc"],
  );
  assert.deepEqual([...((await b.readTensor("emb[0:1, :]")).values as Float32Array)], [0, 1, 2, 3]);
});

test("slice keys: OrderedCode signed numbers match TF's documented encodings and sort numerically", () => {
  const hex = (name: string, start: number, length: number) =>
    Buffer.from(encodeSliceKey(name, [{ start, length }])).toString("hex");
  // NumIncreasing(0)=00, "v"=76 00 01, rank 1 = 01 01, then SignedNumIncreasing: 0→80, -1→7f, 64→c040, -65→3fbf.
  assert.equal(hex("v", 0, -1), "007600010101" + "80" + "7f");
  assert.equal(hex("v", 64, 63), "007600010101" + "c040" + "bf");
  assert.equal(hex("v", -65, 0), "007600010101" + "3fbf" + "80");
  const nums = [-(2 ** 40), -70000, -65, -64, -1, 0, 1, 63, 64, 8191, 8192, 70000, 2 ** 40, 2 ** 53 - 1];
  const keys = nums.map((n) => encodeSliceKey("x", [{ start: n, length: 1 }]));
  for (let i = 1; i < keys.length; i++)
    assert.ok(Buffer.compare(keys[i - 1], keys[i]) < 0, `${nums[i - 1]} < ${nums[i]}`);
  for (const n of nums)
    assert.deepEqual(decodeSliceKey(encodeSliceKey("a\u0000\u00ffb", [{ start: n, length: -1 }])), {
      name: "a\u0000\u00ffb",
      extents: [{ start: n, length: -1 }],
    });
  assert.equal(decodeSliceKey(new TextEncoder().encode("plain/key")), undefined);
});

test("many tensors: a multi-block index with restart points, sharded by size", async () => {
  const tensors: BundleTensor[] = [];
  for (let i = 0; i < 500; i++) {
    tensors.push({
      key: `layer_${String(i).padStart(4, "0")}/kernel/.ATTRIBUTES/VARIABLE_VALUE`,
      dtype: DataType.DT_FLOAT,
      shape: [i % 7],
      values: seq(new Float32Array(i % 7), (j) => i + j),
    });
  }
  const files = writeTensorBundle(tensors, { numShards: 3, sharding: "size", blockSize: 4096 });
  const table = parseTable("i", files.get("variables.index")!);
  assert.ok(table.blocks.length >= 5, `${table.blocks.length} blocks`);
  assert.ok(
    table.blocks.every((b) => b.compression === 1),
    "repetitive keys compress with snappy",
  );
  const sizes = [0, 1, 2].map((s) => files.get(`variables.data-0000${s}-of-00003`)!.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 7 * 4, `balanced shards ${sizes}`);
  const b = await TensorBundle.open(new MemoryAccess(files));
  assert.equal(b.entries().length, 500);
  const t = await b.readTensor(tensors[333].key);
  assert.deepEqual([...(t.values as Float32Array)], [333, 334, 335, 336]);
});

test("writer errors: duplicate key, wrong value count, reserved empty key", () => {
  const f = (n: number) => ({ key: "a", dtype: DataType.DT_FLOAT, shape: [2], values: new Float32Array(n) });
  assert.throws(() => writeTensorBundle([f(2), f(2)]), /duplicate/);
  assert.throws(() => writeTensorBundle([f(3)]), /3 values/);
  assert.throws(() => writeTensorBundle([{ ...f(2), key: "" }]), /reserved/);
});

test("missing shard, shard-count mismatch and unknown endianness become diagnostics", async () => {
  const files = writeTensorBundle(
    [
      { key: "a", dtype: DataType.DT_FLOAT, shape: [1], values: new Float32Array([1]) },
      { key: "b", dtype: DataType.DT_FLOAT, shape: [1], values: new Float32Array([2]) },
    ],
    { numShards: 2 },
  );
  files.delete("variables.data-00001-of-00002");
  files.set("variables.data-00000-of-00003", new Uint8Array(0));
  const b = await TensorBundle.open(new MemoryAccess(files));
  assert.equal(b.entries().length, 2);
  assert.ok(b.diagnostics.some((d) => d.severity === "error" && d.file === "variables/variables.data-00001-of-00002"));
  assert.ok(b.diagnostics.some((d) => d.field === "num_shards" && /3 shards/.test(d.message)));
  assert.deepEqual([...((await b.readTensor("a")).values as Float32Array)], [1]);
  await assert.rejects(b.readTensor("b"), /data-00001-of-00002.*missing/);
});

test("big-endian bundles are byte-swapped on read; unknown endianness is an error diagnostic", async () => {
  const { buildTable } = await import("../src/savedmodel/tensorBundle/tableWriter.js");
  const { BundleEntryProto, BundleHeaderProto } = await import("../src/savedmodel/proto.js");
  const { crc32c, maskCrc } = await import("../src/savedmodel/tensorBundle/crc.js");
  const data = new Uint8Array([0x3f, 0x80, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00]); // big-endian 1.0, -2.0
  const mk = (endianness: number) =>
    new Map([
      [
        "variables.index",
        buildTable([
          { key: new Uint8Array(0), value: BundleHeaderProto.encode({ numShards: 1, endianness }).finish() },
          {
            key: enc.encode("w"),
            value: BundleEntryProto.encode({
              dtype: DataType.DT_FLOAT,
              shape: { dim: [{ size: 2 }] },
              size: 8,
              crc32c: maskCrc(crc32c(data)),
            }).finish(),
          },
        ]),
      ],
      ["variables.data-00000-of-00001", data],
    ]);
  const big = await TensorBundle.open(new MemoryAccess(mk(1)));
  assert.ok(big.diagnostics.some((d) => d.severity === "warning" && d.field === "endianness"));
  assert.deepEqual([...((await big.readTensor("w")).values as Float32Array)], [1, -2]);
  const odd = await TensorBundle.open(new MemoryAccess(mk(7)));
  assert.ok(odd.diagnostics.some((d) => d.severity === "error" && /unknown endianness value 7/.test(d.message)));
});

test("index corruption: bad magic, block checksum and truncation are SavedModelErrors naming the index", async () => {
  const files = writeTensorBundle([{ key: "a", dtype: DataType.DT_FLOAT, shape: [1], values: new Float32Array([1]) }], {
    snappy: false,
  });
  const idx = files.get("variables.index")!;
  const open = (bytes: Uint8Array) =>
    TensorBundle.open(new MemoryAccess(new Map([...files, ["variables.index", bytes]])));
  const magic = idx.slice();
  magic[magic.length - 1] ^= 1;
  await assert.rejects(
    open(magic),
    (e: unknown) => e instanceof SavedModelError && e.file === "variables/variables.index" && /magic/.test(e.message),
  );
  const flipped = idx.slice();
  flipped[3] ^= 0x40;
  await assert.rejects(open(flipped), /checksum mismatch: expected crc32c 0x[0-9a-f]{8}, actual 0x[0-9a-f]{8}/);
  await assert.rejects(open(idx.slice(0, 20)), /smaller than the 48-byte table footer/);
  await assert.rejects(TensorBundle.open(new MemoryAccess(new Map())), /index file not found/);
});
