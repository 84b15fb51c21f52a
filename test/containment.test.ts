import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ContainmentError,
  exportPathComponents,
  isInsideRoot,
  parseLimits,
  walkExportFiles,
} from "../src/savedmodel/containment.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { writeHalfPlusTwo } from "./hostile/exports.js";
import { writeCallChainExport } from "./hostile/stress.js";

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "contain-"));
}

test("inside is decided by path components, not string prefixes", () => {
  assert.ok(isInsideRoot("/x/export", "/x/export"));
  assert.ok(isInsideRoot("/x/export", "/x/export/..out.npz"));
  assert.ok(isInsideRoot("/x/export/", "/x/export/assets/a"));
  assert.ok(!isInsideRoot("/x/export", "/x/export2/a"));
  assert.ok(!isInsideRoot("/x/export", "/x"));
  assert.ok(isInsideRoot("C:\\X\\Export", "c:/x/export/a", true));
});

test("export paths are plain relative paths", () => {
  assert.deepEqual(exportPathComponents("assets/a.txt"), ["assets", "a.txt"]);
  assert.deepEqual(exportPathComponents(""), []);
  for (const bad of ["../x", "/etc/passwd", "assets/../../x", "assets//x", "./a", "a\\b", "C:/x", "a\0b"])
    assert.throws(() => exportPathComponents(bad), ContainmentError, bad);
});

test("limits parse from SAVEDMODEL_LIMITS text", () => {
  const l = parseLimits("maxIndexEntries=5, maxWalkDepth = 3,bogus=1,maxFileBytes=x");
  assert.equal(l.maxIndexEntries, 5);
  assert.equal(l.maxWalkDepth, 3);
  assert.equal(l.maxFileBytes, parseLimits("").maxFileBytes);
});

test("a link out of the export is refused, naming the link and its target; links inside keep working", async () => {
  const d = tmp();
  try {
    const exp = join(d, "export");
    await writeHalfPlusTwo(exp);
    writeFileSync(join(d, "outside.txt"), "SECRET");
    symlinkSync(join(d, "outside.txt"), join(exp, "assets", "leak.txt"));
    symlinkSync("foo.txt", join(exp, "assets", "inner.txt"));
    mkdirSync(join(d, "elsewhere"));
    writeFileSync(join(d, "elsewhere", "x.txt"), "SECRET");
    symlinkSync(join(d, "elsewhere"), join(exp, "assets", "dir"));
    const fs = new NodeFileAccess(exp);
    await assert.rejects(fs.readFile("assets/leak.txt"), (e: Error) => {
      assert.ok(e instanceof ContainmentError);
      assert.match(e.message, /assets\/leak\.txt is a symbolic link to .*outside\.txt, outside the export folder/);
      return true;
    });
    await assert.rejects(fs.readFile("assets/dir/x.txt"), /assets\/dir is a symbolic link to .*elsewhere, outside/);
    await assert.rejects(fs.size("assets/leak.txt"), ContainmentError);
    await assert.rejects(fs.readFile("../outside.txt"), ContainmentError);
    assert.equal(new TextDecoder().decode(await fs.readFile("assets/inner.txt")), "asset-file-contents");
    const list = await fs.list("assets");
    assert.match(list.find((e) => e.name === "leak.txt")!.problem!, /outside the export/);
    assert.equal(list.find((e) => e.name === "inner.txt")!.problem, undefined);
    const exportObj = await openSavedModel(fs);
    assert.deepEqual(
      exportObj.layout.assets.map((a) => a.path),
      ["assets/foo.txt", "assets/inner.txt"],
    );
    assert.ok(exportObj.diagnostics.some((x) => /leak\.txt is a symbolic link/.test(x.message)));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("saved_model.pb as a FIFO or a link to /dev/zero ends with a clean error, never blocks", async (t) => {
  const d = tmp();
  try {
    const exp = join(d, "export");
    await writeHalfPlusTwo(exp);
    rmSync(join(exp, "saved_model.pb"));
    symlinkSync("/dev/zero", join(exp, "saved_model.pb"));
    await assert.rejects(openSavedModel(new NodeFileAccess(exp)), /saved_model\.pb is a symbolic link to \/dev\/zero/);
    rmSync(join(exp, "saved_model.pb"));
    try {
      execFileSync("mkfifo", [join(exp, "saved_model.pb")]);
    } catch {
      t.skip("mkfifo is not available");
      return;
    }
    await assert.rejects(openSavedModel(new NodeFileAccess(exp)), /FIFO \(named pipe\), not a regular file/);
    await assert.rejects(new NodeFileAccess(exp).readFile("saved_model.pb"), /FIFO/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("symlink loops are named; a/b -> . walks stay linear", async () => {
  const d = tmp();
  try {
    const exp = join(d, "export");
    await writeHalfPlusTwo(exp);
    symlinkSync("loop2", join(exp, "assets", "loop1"));
    symlinkSync("loop1", join(exp, "assets", "loop2"));
    symlinkSync(".", join(exp, "assets", "a"));
    symlinkSync(".", join(exp, "assets", "b"));
    const fs = new NodeFileAccess(exp);
    await assert.rejects(fs.readFile("assets/loop1"), /symbolic link loop/);
    let lists = 0;
    const counting = { ...fs, list: (p: string) => (lists++, fs.list(p)), describe: (p: string) => fs.describe(p) };
    const { files, problems } = await walkExportFiles(counting as NodeFileAccess, "assets");
    assert.ok(lists <= 3, `listed ${lists} directories`);
    assert.ok(files.some((f) => f.path === "assets/foo.txt"));
    assert.ok(problems.some((p) => /loop/.test(p.message)));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("walks are capped in depth and entries, with the limit named", async () => {
  const d = tmp();
  try {
    let p = join(d, "assets");
    for (let i = 0; i < 6; i++) p = join(p, `d${i}`);
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, "deep.txt"), "x");
    for (let i = 0; i < 30; i++) writeFileSync(join(d, "assets", `f${i}`), "x");
    const fs = new NodeFileAccess(d);
    const deep = await walkExportFiles(fs, "assets", { maxWalkDepth: 3, maxWalkEntries: 1000 });
    assert.ok(!deep.files.some((f) => f.path.endsWith("deep.txt")));
    assert.ok(deep.problems.some((x) => /maxWalkDepth/.test(x.message) && /SAVEDMODEL_LIMITS/.test(x.message)));
    const many = await walkExportFiles(fs, "assets", { maxWalkDepth: 30, maxWalkEntries: 10 });
    assert.ok(many.files.length <= 10);
    assert.ok(many.problems.some((x) => /maxWalkEntries/.test(x.message)));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("reads are bounded by the opened file's size", async () => {
  const d = tmp();
  try {
    writeFileSync(join(d, "f"), "0123456789");
    const fs = new NodeFileAccess(d);
    assert.equal((await fs.readRange("f", 8, 1000)).length, 2);
    assert.equal((await fs.readRange("f", 20, 5)).length, 0);
    const small = new NodeFileAccess(d, { ...parseLimits(""), maxFileBytes: 4 });
    await assert.rejects(small.readFile("f"), /maxFileBytes/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("structural limits stop decoding with a message naming the limit and how to raise it", async () => {
  const d = tmp();
  const saved = process.env.SAVEDMODEL_LIMITS;
  try {
    const exp = join(d, "export");
    await writeCallChainExport(exp, 50);
    process.env.SAVEDMODEL_LIMITS = "maxFunctions=10";
    await assert.rejects(
      openSavedModel(new NodeFileAccess(exp)),
      /51 library functions \(limit maxFunctions = 10; .*SAVEDMODEL_LIMITS="maxFunctions=N"/,
    );
    process.env.SAVEDMODEL_LIMITS = "maxGraphNodes=1";
    await assert.rejects(openSavedModel(new NodeFileAccess(exp)), /limit maxGraphNodes = 1/);
    delete process.env.SAVEDMODEL_LIMITS;
    assert.equal((await openSavedModel(new NodeFileAccess(exp))).metaGraphs[0].functionCount, 51);
  } finally {
    if (saved === undefined) delete process.env.SAVEDMODEL_LIMITS;
    else process.env.SAVEDMODEL_LIMITS = saved;
    rmSync(d, { recursive: true, force: true });
  }
});
