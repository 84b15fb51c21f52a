/**
 * .npz through fflate (src/savedmodel/npz.ts) against archives numpy wrote at test time: np.savez (stored),
 * np.savez_compressed (deflated), and a zip64 archive of np.save members (zip64 records forced, as numpy writes
 * them past 4 GiB); and numpy reading what we write. Skipped, with one line, without python3 + numpy.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeNpz, encodeNpz } from "../src/savedmodel/npz.js";
import { DataType as DT } from "../src/savedmodel/dtypes.js";
import { SavedModelError } from "../src/savedmodel/errors.js";

const haveNumpy = spawnSync("python3", ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
const skip = haveNumpy ? false : "python3 with numpy not found: the .npz tests against files numpy wrote are skipped";

const WRITE = String.raw`
import io, os, struct, sys, zipfile, zlib
import numpy as np
out = sys.argv[1]
a = np.arange(12, dtype=np.float32).reshape(3, 4)
b = np.array([1, -2, 3], dtype=np.int64)
c = np.array([True, False, True])
np.savez(os.path.join(out, "stored.npz"), a=a, b=b)
np.savez_compressed(os.path.join(out, "deflated.npz"), a=a, c=c)

# zip64: members numpy wrote (np.save), every size and offset in zip64 extra fields, zip64 end records
members = []
for name, arr in [("a.npy", a), ("b.npy", b)]:
    buf = io.BytesIO()
    np.save(buf, arr)
    members.append((name.encode(), buf.getvalue()))
body, central, offsets = b"", b"", []
for name, data in members:
    crc = zlib.crc32(data)
    offsets.append(len(body))
    extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
    body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra)) + name + extra + data
for (name, data), off in zip(members, offsets):
    crc = zlib.crc32(data)
    extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), off)
    central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + extra
cd_off, cd_size = len(body), len(central)
z64_off = cd_off + cd_size
end = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(members), len(members), cd_size, cd_off)
end += struct.pack("<IIQI", 0x07064B50, 0, z64_off, 1)
end += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
path = os.path.join(out, "zip64.npz")
with open(path, "wb") as f:
    f.write(body + central + end)
# the archive is a valid zip64 to Python's own reader, and numpy reads it back
with zipfile.ZipFile(path) as z:
    assert z.testzip() is None
    assert z.getinfo("a.npy").header_offset == 0
loaded = np.load(path)
assert (loaded["a"] == a).all() and (loaded["b"] == b).all()
`;

const READ = String.raw`
import json, sys
import numpy as np
z = np.load(sys.argv[1])
print(json.dumps({k: {"dtype": str(z[k].dtype), "shape": list(z[k].shape), "values": z[k].ravel().tolist()} for k in z.files}))
`;

function python(script: string, ...args: string[]): string {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test(".npz files numpy wrote (stored, deflated, zip64) read through fflate", { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "npz-numpy-"));
  try {
    python(WRITE, dir);
    const arange = Array.from({ length: 12 }, (_, i) => i);
    for (const name of ["stored.npz", "zip64.npz"]) {
      const z = await decodeNpz(readFileSync(join(dir, name)), name);
      assert.deepEqual(Object.keys(z).sort(), ["a", "b"], name);
      assert.equal(z.a.dtype, DT.DT_FLOAT);
      assert.deepEqual(z.a.shape, [3, 4]);
      assert.deepEqual([...(z.a.values as Float32Array)], arange);
      assert.equal(z.b.dtype, DT.DT_INT64);
      assert.deepEqual([...(z.b.values as BigInt64Array)], [1n, -2n, 3n]);
    }
    const d = await decodeNpz(readFileSync(join(dir, "deflated.npz")), "deflated.npz");
    assert.deepEqual([...(d.a.values as Float32Array)], arange);
    assert.equal(d.c.dtype, DT.DT_BOOL);
    assert.deepEqual([...(d.c.values as Uint8Array)], [1, 0, 1]);

    // a deflated member claiming far more bytes than its data can inflate to is refused before inflating
    const bomb = readFileSync(join(dir, "deflated.npz"));
    const dv = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
    const cd = dv.getUint32(bomb.length - 22 + 16, true);
    dv.setUint32(cd + 24, 0x7fffffff, true); // central directory: uncompressed size of the first member
    await assert.rejects(
      decodeNpz(bomb, "bomb.npz"),
      (e: Error) => e instanceof SavedModelError && /impossible for deflate/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("numpy reads the .npz we write", { skip, timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "npz-numpy-"));
  try {
    const file = join(dir, "ours.npz");
    writeFileSync(
      file,
      encodeNpz({
        "dense/kernel": { dtype: DT.DT_FLOAT, shape: [2, 2], values: Float32Array.from([0.5, -1, 2, 3]) },
        ids: { dtype: DT.DT_INT32, shape: [3], values: Int32Array.from([7, 8, 9]) },
      }),
    );
    const got = JSON.parse(python(READ, file));
    assert.deepEqual(got, {
      "dense/kernel": { dtype: "float32", shape: [2, 2], values: [0.5, -1, 2, 3] },
      ids: { dtype: "int32", shape: [3], values: [7, 8, 9] },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
