import assert from "node:assert/strict";
import { test } from "node:test";
import { DataType } from "../src/savedmodel/dtypes.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { TensorProto } from "../src/savedmodel/proto.js";
import {
  bfloat16ToFloat,
  checkTensorSize,
  decodeTensorBytes,
  encodeTensorBytes,
  floatToBfloat16,
  floatToHalf,
  formatValue,
  halfToFloat,
  stringValues,
  tensorFromProto,
  tensorStats,
  tensorToProto,
} from "../src/savedmodel/tensor.js";

const D = DataType;
const shape = (...d: number[]) => ({ dim: d.map((size) => ({ size })) });

test("half: all 65536 bit patterns survive half → float32 → half (signalling NaNs come back quieted)", () => {
  for (let h = 0; h < 65536; h++) {
    const signalling = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0 && (h & 0x200) === 0;
    // JavaScript numbers cannot carry a signalling NaN: the engine sets the quiet bit, keeping the payload.
    assert.equal(floatToHalf(halfToFloat(h)), signalling ? h | 0x200 : h, `0x${h.toString(16)}`);
  }
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test("half: float32 → half rounds to nearest even and overflows to infinity", () => {
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00); // tie → even
  assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
  assert.equal(floatToHalf(1 + 2 ** -11 + 2 ** -20), 0x3c01);
  assert.equal(floatToHalf(65520), 0x7c00);
  assert.equal(floatToHalf(-1e9), 0xfc00);
  assert.equal(floatToHalf(2 ** -26), 0x0000); // below half the smallest subnormal... ties to even (0)
  assert.equal(floatToHalf(2 ** -25 + 2 ** -30), 0x0001);
  assert.equal(floatToHalf(-0), 0x8000);
});

test("bfloat16: all bit patterns round trip; float32 rounds to nearest even", () => {
  for (let b = 0; b < 65536; b++) {
    const f = bfloat16ToFloat(b);
    if (Number.isNaN(f)) assert.ok(Number.isNaN(bfloat16ToFloat(floatToBfloat16(f))));
    else assert.equal(floatToBfloat16(f), b);
  }
  assert.equal(floatToBfloat16(1 + 2 ** -8), 0x3f80); // tie → even
  assert.equal(floatToBfloat16(1 + 3 * 2 ** -8), 0x3f82);
});

test("decodeTensorBytes reads little-endian values of each dtype", () => {
  const b = new Uint8Array([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_FLOAT, [2], b).values as Float32Array)], [1, -2]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_INT32, [2], b).values as Int32Array)], [0x3f800000, -0x40000000]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_INT64, [1], b).values as BigInt64Array)], [-0x3fffffffc0800000n]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_HALF, [4], b).values as Float32Array)], [0, 1.875, 0, -2]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_BFLOAT16, [4], b).values as Float32Array)], [0, 1, 0, -2]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_COMPLEX64, [1], b).values as Float32Array)], [1, -2]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_INT8, [2, 4], b).values as Int8Array)], [0, 0, -128, 63, 0, 0, 0, -64]);
  const bool = decodeTensorBytes(D.DT_BOOL, [2], new Uint8Array([1, 0]));
  assert.ok(bool.values instanceof Uint8Array);
  assert.equal(formatValue(bool, 0), "true");
  // Unaligned input views are copied, not misread.
  const un = new Uint8Array(9);
  un.set(b, 1);
  assert.deepEqual([...(decodeTensorBytes(D.DT_FLOAT, [2], un.subarray(1)).values as Float32Array)], [1, -2]);
});

test("decodeTensorBytes: big-endian swap, wrong sizes and unsupported dtypes are SavedModelErrors", () => {
  const be = new Uint8Array([0x3f, 0x80, 0x00, 0x00]);
  assert.deepEqual([...(decodeTensorBytes(D.DT_FLOAT, [1], be, { bigEndian: true }).values as Float32Array)], [1]);
  assert.deepEqual([...be], [0x3f, 0x80, 0x00, 0x00], "input untouched");
  assert.throws(
    () => decodeTensorBytes(D.DT_FLOAT, [3], be, { file: "x.bin" }),
    (e: unknown) => e instanceof SavedModelError && e.file === "x.bin" && /needs 12 bytes/.test(e.message),
  );
  assert.throws(() => decodeTensorBytes(D.DT_STRING, [1], be), SavedModelError);
  assert.throws(() => decodeTensorBytes(D.DT_RESOURCE, [1], be), SavedModelError);
});

test("size guard throws before allocating huge shapes", () => {
  assert.throws(() => checkTensorSize(D.DT_FLOAT, [1e6, 1e6]), /more than the limit/);
  assert.throws(() => checkTensorSize(D.DT_FLOAT, [1000, 1000], { maxBytes: 1000 }), /needs 4000000 bytes/);
  assert.throws(
    () => tensorFromProto({ dtype: D.DT_FLOAT, tensorShape: shape(1e6, 1e6), floatVal: [1] }, "g.pb"),
    (e: unknown) => e instanceof SavedModelError && e.file === "g.pb",
  );
  assert.throws(() => checkTensorSize(D.DT_FLOAT, [-1]), /invalid dimension/);
  assert.equal(checkTensorSize(D.DT_FLOAT, [2, 3]), 6);
});

test("tensorFromProto: tensor_content, broadcast of one value, repeat-last, zeros when empty", () => {
  const content = tensorFromProto({
    dtype: D.DT_FLOAT,
    tensorShape: shape(2),
    tensorContent: new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]),
  });
  assert.deepEqual([...(content.values as Float32Array)], [1, 2]);
  const one = tensorFromProto({ dtype: D.DT_FLOAT, tensorShape: shape(2, 3), floatVal: [7] });
  assert.deepEqual([...(one.values as Float32Array)], [7, 7, 7, 7, 7, 7]);
  const last = tensorFromProto({ dtype: D.DT_INT32, tensorShape: shape(4), intVal: [1, 2] });
  assert.deepEqual([...(last.values as Int32Array)], [1, 2, 2, 2]);
  const zeros = tensorFromProto({ dtype: D.DT_DOUBLE, tensorShape: shape(3) });
  assert.deepEqual([...(zeros.values as Float64Array)], [0, 0, 0]);
  const scalar = tensorFromProto({ dtype: D.DT_FLOAT, tensorShape: {}, floatVal: [0.5] });
  assert.deepEqual(scalar.shape, []);
  assert.throws(() => tensorFromProto({ dtype: D.DT_FLOAT, tensorShape: shape(1), floatVal: [1, 2] }), /2 values/);
  assert.throws(() => tensorFromProto({ dtype: D.DT_FLOAT, tensorShape: { unknownRank: true } }), /unknown rank/);
});

test("tensorFromProto: half_val bits, int64/uint64, bool, complex, strings", () => {
  const half = tensorFromProto({ dtype: D.DT_HALF, tensorShape: shape(2), halfVal: [0x3c00, 0xc000] });
  assert.deepEqual([...(half.values as Float32Array)], [1, -2]);
  const bf = tensorFromProto({ dtype: D.DT_BFLOAT16, tensorShape: shape(1), halfVal: [0x3f80] });
  assert.deepEqual([...(bf.values as Float32Array)], [1]);
  const i64 = tensorFromProto({
    dtype: D.DT_INT64,
    tensorShape: shape(3),
    int64Val: [1, -(2n ** 63n), 9007199254740993n],
  });
  assert.deepEqual([...(i64.values as BigInt64Array)], [1n, -(2n ** 63n), 9007199254740993n]);
  const u64 = tensorFromProto({ dtype: D.DT_UINT64, tensorShape: shape(1), uint64Val: [2n ** 64n - 1n] });
  assert.deepEqual([...(u64.values as BigUint64Array)], [2n ** 64n - 1n]);
  const bool = tensorFromProto({ dtype: D.DT_BOOL, tensorShape: shape(3), boolVal: [true, false] });
  assert.deepEqual([...(bool.values as Uint8Array)], [1, 0, 0]);
  const c = tensorFromProto({ dtype: D.DT_COMPLEX64, tensorShape: shape(2), scomplexVal: [1, 2] });
  assert.deepEqual([...(c.values as Float32Array)], [1, 2, 1, 2]);
  assert.equal(formatValue(c, 0), "1+2j");
  const s = tensorFromProto({
    dtype: D.DT_STRING,
    tensorShape: shape(2),
    stringVal: [new TextEncoder().encode("héllo"), new Uint8Array([0x61, 0xff])],
  });
  assert.deepEqual(stringValues(s), ["héllo", "a\ufffd"]);
  assert.equal(formatValue(s, 1), '"a\\xff"');
});

test("tensorFromProto decodes a real encoded TensorProto, and tensorToProto round-trips", () => {
  const cases = [
    { dtype: D.DT_FLOAT, shape: [2, 2], values: new Float32Array([1, -2.5, NaN, Infinity]) },
    { dtype: D.DT_HALF, shape: [2], values: new Float32Array([0.5, -65504]) },
    { dtype: D.DT_INT64, shape: [1], values: new BigInt64Array([-5n]) },
    { dtype: D.DT_STRING, shape: [2], values: [new Uint8Array([1, 2]), new Uint8Array(0)] },
    { dtype: D.DT_COMPLEX128, shape: [1], values: new Float64Array([3, -4]) },
  ];
  for (const t of cases) {
    const wire = TensorProto.encode(tensorToProto(t)).finish();
    const back = tensorFromProto(TensorProto.decode(wire));
    assert.equal(back.dtype, t.dtype);
    assert.deepEqual(back.shape, t.shape);
    const norm = (v: unknown) =>
      Array.isArray(v) ? v.map((b: Uint8Array) => [...b]) : Array.from(v as ArrayLike<unknown>).map(String);
    assert.deepEqual(norm(back.values), norm(t.values));
  }
});

test("tensorStats: one pass, NaN/Inf aware, int64 via Number()", () => {
  const s = tensorStats({ dtype: D.DT_FLOAT, shape: [6], values: new Float32Array([1, 2, 3, NaN, Infinity, 0]) });
  assert.equal(s.count, 6);
  assert.equal(s.nanCount, 1);
  assert.equal(s.infCount, 1);
  assert.equal(s.min, 0);
  assert.equal(s.max, Infinity);
  assert.equal(s.mean, 1.5);
  assert.ok(Math.abs(s.std - Math.sqrt(1.25)) < 1e-12);
  assert.ok(Math.abs(s.zeroFraction - 1 / 6) < 1e-12);
  const i = tensorStats({ dtype: D.DT_INT64, shape: [3], values: new BigInt64Array([-3n, 0n, 9n]) });
  assert.deepEqual([i.min, i.max, i.mean, i.zeroFraction], [-3, 9, 2, 1 / 3]);
  const empty = tensorStats({ dtype: D.DT_FLOAT, shape: [0], values: new Float32Array(0) });
  assert.equal(empty.count, 0);
  assert.ok(Number.isNaN(empty.mean));
  const c = tensorStats({ dtype: D.DT_COMPLEX64, shape: [1], values: new Float32Array([3, 4]) });
  assert.equal(c.max, 5);
});

test("formatValue and encodeTensorBytes", () => {
  const f = { dtype: D.DT_FLOAT, shape: [4], values: new Float32Array([0.1, 3, NaN, -Infinity]) };
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => formatValue(f, i)),
    ["0.1", "3", "nan", "-inf"],
  );
  assert.equal(
    formatValue({ dtype: D.DT_UINT64, shape: [1], values: new BigUint64Array([2n ** 64n - 1n]) }, 0),
    "18446744073709551615",
  );
  assert.deepEqual(
    [...encodeTensorBytes({ dtype: D.DT_HALF, shape: [1], values: new Float32Array([1]) })],
    [0x00, 0x3c],
  );
  assert.deepEqual(
    [...encodeTensorBytes({ dtype: D.DT_INT16, shape: [1], values: new Int16Array([-2]) })],
    [0xfe, 0xff],
  );
});

test("float8 e4m3fn and e5m2 decode through a table and re-encode exactly", () => {
  for (const dt of [D.DT_FLOAT8_E4M3FN, D.DT_FLOAT8_E5M2]) {
    const all = new Uint8Array(256).map((_, i) => i);
    const t = decodeTensorBytes(dt, [256], all);
    const back = encodeTensorBytes(t);
    for (let i = 0; i < 256; i++) {
      const v = (t.values as Float32Array)[i];
      if (!Number.isNaN(v)) assert.equal(back[i], i, `${dt} byte ${i}`);
    }
  }
  const e4 = decodeTensorBytes(D.DT_FLOAT8_E4M3FN, [3], new Uint8Array([0x38, 0x7e, 0x7f]));
  assert.equal((e4.values as Float32Array)[0], 1);
  assert.equal((e4.values as Float32Array)[1], 448);
  assert.ok(Number.isNaN((e4.values as Float32Array)[2]));
});
