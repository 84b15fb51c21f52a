/**
 * bin/savedmodel.js runs dist/cli.js from V8's code cache (in SAVEDMODEL_CACHE_DIR here): the first run
 * writes it, later runs use it, and a damaged, stale or unwritable cache only costs the compile.
 * Checked with a stand-in dist/cli.js next to a copy of the launcher, in a temp folder.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "smx-compile-cache-"));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "dist"));
  copyFileSync(join(root, "bin", "savedmodel.js"), join(dir, "bin", "savedmodel.js"));
  // what the real bundle relies on: its own require (a sibling bundle), __dirname, argv, exit code
  writeFileSync(join(dir, "dist", "cliRun.js"), `exports.word = "run";`);
  writeFileSync(
    join(dir, "dist", "cli.js"),
    `const { word } = require("./cliRun.js");
     process.stdout.write(word + " " + require("node:path").basename(__dirname) + " " + process.argv.slice(2).join(","));
     process.exitCode = 3;`,
  );
  return dir;
}

function run(dir: string, cache: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(dir, "bin", "savedmodel.js"), "show", "x"], {
    encoding: "utf8",
    env: { ...process.env, SAVEDMODEL_CACHE_DIR: cache, SAVEDMODEL_FROM_SOURCE: "", ...env },
  });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "run dist show,x");
  assert.equal(r.status, 3);
}

const cacheFiles = (cache: string) =>
  readdirSync(cache, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".v8cache"));

test("the first run writes the code cache, the next uses it, a damaged one is replaced", () => {
  const dir = setup();
  try {
    const cache = join(dir, "cache");
    run(dir, cache);
    const files = cacheFiles(cache);
    assert.equal(files.length, 1, "one cache file after the first run");
    const file = join(files[0].parentPath ?? files[0].path, files[0].name);
    const first = readFileSync(file);
    assert.ok(first.length > 0);
    run(dir, cache);
    assert.ok(readFileSync(file).equals(first), "an accepted cache is left as it is");
    writeFileSync(file, Buffer.from("not a code cache"));
    run(dir, cache);
    assert.ok(readFileSync(file).length > 20, "a rejected cache is written again");
    // a rebuilt bundle (other size) gets its own cache; the stale one goes
    writeFileSync(join(dir, "dist", "cli.js"), readFileSync(join(dir, "dist", "cli.js"), "utf8") + "\n// rebuilt");
    run(dir, cache);
    assert.equal(cacheFiles(cache).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an unwritable cache folder or SAVEDMODEL_NO_COMPILE_CACHE still runs the CLI, without a cache", () => {
  const dir = setup();
  try {
    const blocked = join(dir, "blocked");
    writeFileSync(blocked, "a file where the cache folder would be");
    run(dir, blocked);
    const cache = join(dir, "cache");
    run(dir, cache, { SAVEDMODEL_NO_COMPILE_CACHE: "1" });
    assert.deepEqual(readdirSync(dir).includes("cache") ? cacheFiles(cache) : [], []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
