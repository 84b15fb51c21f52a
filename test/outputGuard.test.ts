import { test } from "node:test";
import assert from "node:assert/strict";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputRefusedError } from "../src/savedmodel/containment.js";
import { checkOutputPath, writeOutputFile } from "../src/savedmodel/node/outputGuard.js";

test("outputs that resolve inside the export are refused; outside ones are written by rename", async () => {
  const d = mkdtempSync(join(tmpdir(), "outguard-"));
  try {
    const exp = join(d, "export");
    mkdirSync(join(exp, "sub"), { recursive: true });
    writeFileSync(join(exp, "saved_model.pb"), "MODEL");
    const refused = (p: string, opts = {}) => assert.rejects(checkOutputPath(p, exp, opts), OutputRefusedError, p);
    await refused(join(exp, "..out.npz"));
    await refused(join(exp, "sub", "new", "deeper.npz"));
    await refused(exp, { kind: "directory" });
    symlinkSync(join(exp, "saved_model.pb"), join(d, "link.npz"));
    await refused(join(d, "link.npz"), { overwrite: true });
    symlinkSync(join(exp, "sub", "new.npz"), join(d, "dangling.npz"));
    await refused(join(d, "dangling.npz"));
    symlinkSync(exp, join(d, "exportlink"));
    await refused(join(d, "exportlink", "x.npz"));
    symlinkSync("loopb", join(d, "loopa"));
    symlinkSync("loopa", join(d, "loopb"));
    await refused(join(d, "loopa"));
    // a sibling whose name starts with the export's is outside
    const ok = await checkOutputPath(join(d, "export2", "x.npz"), exp);
    assert.equal(ok.exists, false);
    // existing files need overwrite
    writeFileSync(join(d, "old.npz"), "OLD");
    await refused(join(d, "old.npz"));
    // a hard link to an export file is replaced by rename, never written through
    linkSync(join(exp, "saved_model.pb"), join(d, "hard.npz"));
    const c = await checkOutputPath(join(d, "hard.npz"), exp, { overwrite: true });
    await writeOutputFile(c, "NEW");
    assert.equal(readFileSync(join(d, "hard.npz"), "utf8"), "NEW");
    assert.equal(readFileSync(join(exp, "saved_model.pb"), "utf8"), "MODEL");
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
