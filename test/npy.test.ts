import assert from "node:assert/strict";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import * as CRC32 from "crc-32";
import { DataType } from "../src/savedmodel/dtypes.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { decodeNpy, decodeNpz, encodeNpy, encodeNpz } from "../src/savedmodel/npy.js";
import type { DecodedTensor, TensorValues } from "../src/savedmodel/tensor.js";

const D = DataType;
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + header.length + 1) / 16) * 16;
  const text = header + " ".repeat(total - pre - header.length - 1) + "\n";
  const out = new Uint8Array(total + data.length);
  out.set(latin1("\x93NUMPY"), 0);
  out[6] = version;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  out.set(latin1(text), pre);
  out.set(data, total);
  return out;
}
const plain = (v: TensorValues) => (Array.isArray(v) ? v : Array.from(v as ArrayLike<number | bigint>).map(String));

test("golden bytes: float32 [1, 2] is exactly what numpy.save writes", () => {
  const golden = latin1(
    "\x93NUMPY\x01\x00\x76\x00" +
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" +
      "                                                            " + // 60 spaces: 10 + 57 + 60 + 1 = 128 bytes
      "\n" +
      "\x00\x00\x80\x3f\x00\x00\x00\x40",
  );
  const bytes = encodeNpy({ dtype: D.DT_FLOAT, shape: [2], values: new Float32Array([1, 2]) });
  assert.equal(bytes.length, 136);
  assert.deepEqual([...bytes], [...golden]);
  const scalar = new TextDecoder().decode(
    encodeNpy({ dtype: D.DT_INT64, shape: [], values: new BigInt64Array([1n]) }).subarray(10, 70),
  );
  assert.match(scalar, /^\{'descr': '<i8', 'fortran_order': False, 'shape': \(\), \}/);
  const matrix = new TextDecoder().decode(
    encodeNpy({ dtype: D.DT_BOOL, shape: [2, 3], values: new Uint8Array(6) }).subarray(10, 70),
  );
  assert.match(matrix, /'descr': '\|b1', 'fortran_order': False, 'shape': \(2, 3\)/);
});

test("every supported dtype round-trips through .npy", () => {
  const cases: DecodedTensor[] = [
    { dtype: D.DT_FLOAT, shape: [2, 2], values: new Float32Array([1, -2, NaN, Infinity]) },
    { dtype: D.DT_DOUBLE, shape: [1], values: new Float64Array([Math.E]) },
    { dtype: D.DT_HALF, shape: [2], values: new Float32Array([0.5, -65504]) },
    { dtype: D.DT_INT8, shape: [2], values: new Int8Array([-128, 127]) },
    { dtype: D.DT_UINT8, shape: [2], values: new Uint8Array([0, 255]) },
    { dtype: D.DT_INT16, shape: [1], values: new Int16Array([-300]) },
    { dtype: D.DT_UINT16, shape: [1], values: new Uint16Array([65535]) },
    { dtype: D.DT_INT32, shape: [3, 1], values: new Int32Array([1, -2, 3]) },
    { dtype: D.DT_UINT32, shape: [1], values: new Uint32Array([4294967295]) },
    { dtype: D.DT_INT64, shape: [2], values: new BigInt64Array([-(2n ** 63n), 5n]) },
    { dtype: D.DT_UINT64, shape: [1], values: new BigUint64Array([2n ** 64n - 1n]) },
    { dtype: D.DT_BOOL, shape: [3], values: new Uint8Array([1, 0, 1]) },
    { dtype: D.DT_COMPLEX64, shape: [1], values: new Float32Array([1, -1]) },
    { dtype: D.DT_COMPLEX128, shape: [2], values: new Float64Array([1, 2, 3, 4]) },
    { dtype: D.DT_FLOAT, shape: [], values: new Float32Array([3]) },
    { dtype: D.DT_FLOAT, shape: [0, 4], values: new Float32Array(0) },
  ];
  for (const t of cases) {
    const bytes = encodeNpy(t);
    assert.equal((bytes.length - t.values.length * 0) % 1, 0);
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    assert.equal((10 + headerLen) % 64, 0, "64-byte aligned data");
    const back = decodeNpy(bytes, "t.npy");
    assert.equal(back.dtype, t.dtype);
    assert.deepEqual(back.shape, t.shape);
    assert.deepEqual(plain(back.values), plain(t.values));
  }
  // bfloat16 has no numpy dtype: written as float32.
  const bf = decodeNpy(encodeNpy({ dtype: D.DT_BFLOAT16, shape: [1], values: new Float32Array([1.5]) }));
  assert.equal(bf.dtype, D.DT_FLOAT);
  assert.deepEqual([...(bf.values as Float32Array)], [1.5]);
});

test("decodeNpy: big-endian, Fortran order, v2 header, old-style headers", () => {
  const be = npy(
    "{'descr': '>f8', 'fortran_order': False, 'shape': (2,)}",
    new Uint8Array([0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0]),
  );
  assert.deepEqual([...(decodeNpy(be).values as Float64Array)], [1, -2]);
  const beC = npy(
    "{'descr': '>c8', 'fortran_order': False, 'shape': (1,)}",
    new Uint8Array([0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]),
  );
  assert.deepEqual([...(decodeNpy(beC).values as Float32Array)], [1, 2]);
  // Fortran order: column-major [[1,2,3],[4,5,6]] is stored 1,4,2,5,3,6.
  const f = npy(
    "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }",
    new Uint8Array(new Int32Array([1, 4, 2, 5, 3, 6]).buffer),
  );
  const ft = decodeNpy(f);
  assert.deepEqual(ft.shape, [2, 3]);
  assert.deepEqual([...(ft.values as Int32Array)], [1, 2, 3, 4, 5, 6]);
  const v2 = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array([7, 8, 9]), 2);
  assert.deepEqual([...(decodeNpy(v2).values as Uint8Array)], [7, 8, 9]);
  const oldLong = npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1L,), }", new Uint8Array(8));
  assert.deepEqual(decodeNpy(oldLong).shape, [1]);
});

test("decodeNpy refuses strings, objects and bad files with clear SavedModelErrors", () => {
  const refuse = (descr: string, re: RegExp) =>
    assert.throws(
      () =>
        decodeNpy(npy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(16)), "s.npy"),
      (e: unknown) => e instanceof SavedModelError && e.file === "s.npy" && re.test(e.message),
    );
  refuse("|O", /object arrays.*pickled/);
  refuse("|V4", /void\/raw arrays/);
  refuse("<f16", /unsupported npy dtype/);
  assert.throws(() => decodeNpy(latin1("hello world"), "x.npy"), /not a \.npy file/);
  assert.throws(
    () => decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", new Uint8Array(8))),
    /needs 20/,
  );
  assert.throws(
    () => decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", new Uint8Array(8))),
    /limit/,
  );
  assert.throws(() => decodeNpy(latin1("\x93NUMPY\x01\x00\xff\xff{")), /runs past/);
  assert.throws(() => encodeNpy({ dtype: D.DT_STRING, shape: [1], values: [new Uint8Array(1)] }), /string tensors/);
});

test(".npz round trip with '/' in names, and deflated members", async () => {
  const entries: Record<string, DecodedTensor> = {
    "dense/kernel:0": { dtype: D.DT_FLOAT, shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
    "layer/bias": { dtype: D.DT_INT64, shape: [1], values: new BigInt64Array([9n]) },
  };
  const zip = encodeNpz(entries);
  const back = await decodeNpz(zip, "w.npz");
  assert.deepEqual(Object.keys(back).sort(), Object.keys(entries).sort());
  for (const k of Object.keys(entries)) assert.deepEqual(plain(back[k].values), plain(entries[k].values));

  // Build a deflated zip (as numpy.savez_compressed writes) by hand.
  const member = encodeNpy(entries["dense/kernel:0"]);
  const comp = deflateRawSync(member);
  const name = latin1("w.npy");
  const crc = CRC32.buf(member) >>> 0;
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(8, 8, true);
  lv.setUint32(14, crc, true);
  lv.setUint32(18, comp.length, true);
  lv.setUint32(22, member.length, true);
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  const cd = new Uint8Array(46 + name.length);
  const cv = new DataView(cd.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(10, 8, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, comp.length, true);
  cv.setUint32(24, member.length, true);
  cv.setUint16(28, name.length, true);
  cd.set(name, 46);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, local.length + comp.length, true);
  const z = new Uint8Array([...local, ...comp, ...cd, ...eocd]);
  const d = await decodeNpz(z, "c.npz");
  assert.deepEqual([...(d.w.values as Float32Array)], [1, 2, 3, 4]);
  // Corrupt deflate data and CRC are SavedModelErrors.
  const bad = z.slice();
  bad[local.length + 2] ^= 0xff;
  await assert.rejects(decodeNpz(bad, "c.npz"), SavedModelError);
  await assert.rejects(decodeNpz(latin1("PK nothing"), "n.npz"), /not a zip/);
});

test("mutation fuzz of .npy and .npz bytes: only results or SavedModelErrors", async () => {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const npyBytes = encodeNpy({ dtype: D.DT_INT32, shape: [3, 2], values: new Int32Array([1, 2, 3, 4, 5, 6]) });
  const npzBytes = encodeNpz({ a: { dtype: D.DT_FLOAT, shape: [2], values: new Float32Array([1, 2]) } });
  let ok = 0;
  let errors = 0;
  for (let i = 0; i < 400; i++) {
    const src = i % 2 ? npyBytes : npzBytes;
    let m = src.slice();
    if (rnd() < 0.3) m = m.slice(0, Math.floor(rnd() * m.length));
    else for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    try {
      if (i % 2) decodeNpy(m, "f.npy");
      else await decodeNpz(m, "f.npz");
      ok++;
    } catch (e) {
      assert.ok(e instanceof SavedModelError, `case ${i}: ${String(e)}`);
      errors++;
    }
  }
  assert.ok(ok > 20 && errors > 20, `${ok} ok, ${errors} errors`);
});
