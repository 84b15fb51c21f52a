import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.js";
import { writeHalfPlusTwo, writeReadFileExport, writeTableExport, writeWriteFileExport } from "./hostile/exports.js";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: process.cwd() });
  return { code, out, err };
}

test("scan lists a text-file table initializer and its asset; a clean export stays clean", async () => {
  const d = mkdtempSync(join(tmpdir(), "scanfiles-"));
  try {
    await writeTableExport(join(d, "e"));
    const r = await cli("scan", join(d, "e"));
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /InitializeTableFromTextFileV2: node "text_file_init\/InitializeTableFromTextFileV2"/);
    assert.match(r.out, /file "assets\/labels\.txt" \(asset fed by the loader\): stays inside assets\//);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("scan does not call an export with a link out of it clean, and names link and target", async () => {
  const d = mkdtempSync(join(tmpdir(), "scanfiles-"));
  try {
    writeFileSync(join(d, "canary"), "SECRET-CANARY");
    await writeTableExport(join(d, "e"));
    rmSync(join(d, "e", "assets", "labels.txt"));
    symlinkSync(join(d, "canary"), join(d, "e", "assets", "labels.txt"));
    const r = await cli("scan", join(d, "e"));
    assert.equal(r.code, 3);
    assert.match(r.out, /"assets\/labels\.txt" -> ".*canary": points outside the export folder/);
    assert.match(r.out, /file "assets\/labels\.txt" .*refused: .*symbolic link to .*canary/);
    assert.match(r.out, /not clean/);
    assert.ok(!r.out.includes("SECRET-CANARY"));
    const j = await cli("scan", join(d, "e"), "--json");
    const parsed = JSON.parse(j.out);
    assert.equal(parsed.files.unsafe, true);
    assert.equal(parsed.files.links[0].inside, false);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("scan reports ReadFile's file; a ReadFile outside assets is not clean", async () => {
  const d = mkdtempSync(join(tmpdir(), "scanfiles-"));
  try {
    await writeReadFileExport(join(d, "e"), "secret.txt");
    const r = await cli("scan", join(d, "e"));
    assert.equal(r.code, 3); // ReadFile is on the denylist
    assert.match(r.out, /file "assets\/secret\.txt" \(from "path"\): stays inside assets\//);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("run refuses a signature reaching WriteFile before running, naming the node", async () => {
  const d = mkdtempSync(join(tmpdir(), "scanfiles-"));
  try {
    const target = join(d, "written-by-model.txt");
    await writeWriteFileExport(join(d, "e"), target);
    const r = await cli("run", join(d, "e"), "--input_exprs", 'x="hello"', "--backend", "cpu");
    assert.notEqual(r.code, 0);
    assert.match(r.err, /WriteFile \(refused: it writes a file\): write_file/);
    assert.ok(!existsSync(target));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("a TF1 export with a saver runs: the load-time restore is not a refused op", async () => {
  const d = mkdtempSync(join(tmpdir(), "scanfiles-"));
  try {
    await writeHalfPlusTwo(join(d, "e"));
    const r = await cli("run", join(d, "e"), "--input_exprs", "x=[[1.0]]", "--backend", "cpu");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\[\[2\.5\]\]/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
