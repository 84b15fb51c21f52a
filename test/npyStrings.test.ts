/** numpy string arrays (`<U…` UTF-32, `|S…` bytes) read as DT_STRING; object arrays refused with a way out. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DataType } from "../src/savedmodel/dtypes.js";
import { SavedModelError } from "../src/savedmodel/errors.js";
import { decodeNpy, decodeNpz } from "../src/savedmodel/npy.js";
import { fixturePath, skipNoFixtures } from "./helpers/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "npystr-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const py = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
const skip = py.status === 0 ? false : "python3 with numpy is not installed (these files are written by numpy)";

function numpy(script: string): void {
  const r = spawnSync("python3", ["-c", `import numpy as np, os\nos.chdir(${JSON.stringify(dir)})\n${script}`], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
}
const texts = (v: unknown) => (v as Uint8Array[]).map((b) => new TextDecoder().decode(b));

test("numpy <U and |S arrays read as DT_STRING (UTF-8 bytes)", { skip }, () => {
  numpy(`
np.save("u.npy", np.array([["héllo", "wörld ✓"], ["a", ""]]))
np.save("ube.npy", np.array(["abc", "𝄞x"], dtype=">U3"))
np.save("s.npy", np.array([b"bytes", b"x\\x00y", b""]))
np.save("f.npy", np.asfortranarray(np.array([["a", "bb", "ccc"], ["d", "ee", "fff"]])))
np.savez("m.npz", text=np.array(["the quick brown fox"]), raw=np.array([b"\\xff\\x01"]))
np.savez_compressed("c.npz", text=np.array(["z" * 300]))
`);
  const u = decodeNpy(readFileSync(join(dir, "u.npy")), "u.npy");
  assert.equal(u.dtype, DataType.DT_STRING);
  assert.deepEqual(u.shape, [2, 2]);
  assert.deepEqual(texts(u.values), ["héllo", "wörld ✓", "a", ""]);
  assert.deepEqual(texts(decodeNpy(readFileSync(join(dir, "ube.npy"))).values), ["abc", "𝄞x"]);
  const s = decodeNpy(readFileSync(join(dir, "s.npy")));
  assert.deepEqual(
    (s.values as Uint8Array[]).map((b) => [...b]),
    [[98, 121, 116, 101, 115], [120, 0, 121], []],
  );
  const f = decodeNpy(readFileSync(join(dir, "f.npy")));
  assert.deepEqual(f.shape, [2, 3]);
  assert.deepEqual(texts(f.values), ["a", "bb", "ccc", "d", "ee", "fff"]);
});

test("numpy string members of .npz (stored and deflated)", { skip }, async () => {
  const m = await decodeNpz(readFileSync(join(dir, "m.npz")), "m.npz");
  assert.deepEqual(texts(m.text.values), ["the quick brown fox"]);
  assert.deepEqual([...(m.raw.values as Uint8Array[])[0]], [0xff, 1]);
  const c = await decodeNpz(readFileSync(join(dir, "c.npz")), "c.npz");
  assert.equal(texts(c.text.values)[0], "z".repeat(300));
});

test("object arrays are refused, saying how to save them instead", { skip }, () => {
  numpy(`np.save("o.npy", np.array(["a", 1], dtype=object), allow_pickle=True)`);
  assert.throws(
    () => decodeNpy(readFileSync(join(dir, "o.npy")), "o.npy"),
    (e: unknown) =>
      e instanceof SavedModelError &&
      e.file === "o.npy" &&
      /object arrays.*pickle/.test(e.message) &&
      /dtype='S'/.test(String(e.hint)) &&
      /astype\(str\)/.test(String(e.hint)),
  );
});

test(
  "savedmodel run --inputs feeds numpy <U and |S files to a DT_STRING input",
  { skip: skip || skipNoFixtures },
  async () => {
    const { loadExecutorBundle } = await import("./executor/helpers/bundle.js");
    const X = await loadExecutorBundle();
    numpy(`
np.save("text_u.npy", np.array([["the quick brown fox"], ["jumps over"]]))
np.save("text_s.npy", np.array([[b"the quick brown fox"], [b"jumps over"]]))
`);
    const outs: string[] = [];
    for (const f of ["text_u.npy", "text_s.npy"]) {
      let out = "";
      let err = "";
      const code = await X.runCommand(
        [
          fixturePath("textvectorization-tf241"),
          "--json",
          "--backend",
          "cpu",
          "--inputs",
          `text_vectorization_input=${join(dir, f)}`,
        ],
        { out: (s) => (out += s), err: (s) => (err += s), cwd: dir },
      );
      assert.equal(code, 0, err);
      outs.push(JSON.stringify(JSON.parse(out).outputs));
    }
    assert.equal(outs[0], outs[1], "the same strings give the same outputs from <U and |S files");
  },
);
