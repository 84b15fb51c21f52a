#!/usr/bin/env node
// `savedmodel` command: the bundled CLI (dist/cli.js, built by `npm run build`), or, in a
// development checkout without a build, the TypeScript sources run through tsx.
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const built = path.join(__dirname, "..", "dist", "cli.js");
if (fs.existsSync(built) && !process.env.SAVEDMODEL_FROM_SOURCE) {
  runWithCompileCache(built);
} else {
  const { spawnSync } = require("node:child_process");
  const src = path.join(__dirname, "..", "src", "cli", "bin.ts");
  // tsx by its resolved file: the command may run from any folder
  const tsx = require("node:url").pathToFileURL(require.resolve("tsx")).href;
  const r = spawnSync(process.execPath, ["--import", tsx, src, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
}

/**
 * Runs the bundle as a CommonJS module with V8's code cache: compiling the ~0.9 MB bundle is a good part of
 * the CLI's start. Node 22.1+ has module.enableCompileCache(); on older Node the cache is V8's cached data of
 * a vm.Script, kept in the user's cache folder (never in an export), keyed by the bundle's size and mtime
 * and the Node version. A missing, stale, rejected or unwritable cache only costs the compile time.
 * SAVEDMODEL_NO_COMPILE_CACHE=1 turns it off; SAVEDMODEL_CACHE_DIR names the folder.
 */
function runWithCompileCache(file) {
  const Module = require("node:module");
  const off = !!process.env.SAVEDMODEL_NO_COMPILE_CACHE;
  if (typeof Module.enableCompileCache === "function") {
    if (!off) {
      const dir = cacheDir();
      if (dir) Module.enableCompileCache(dir);
    }
    require(file);
    return;
  }
  // with --enable-source-maps a plain require, so stack traces map back to the sources (dist/cli.js.map)
  if (off || process.sourceMapsEnabled) {
    require(file);
    return;
  }
  const vm = require("node:vm");
  if (!vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) {
    require(file);
    return;
  }
  const st = fs.statSync(file);
  const dir = cacheDir();
  const cacheFile = dir && path.join(dir, `cli-${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`);
  let cachedData;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = fs.readFileSync(file, "utf8");
  let script;
  try {
    script = new vm.Script(Module.wrap(source), {
      filename: file,
      cachedData,
      // `import()` in the bundle (dist/cliRun.js for `savedmodel run`) resolves as it would in a plain require
      // USE_MAIN_CONTEXT_DEFAULT_LOADER (Node 20.12+): the bundle's `import("./cliRun.js")` for `savedmodel run`
      // resolves as in a plain require (a callback would need --experimental-vm-modules on Node 20)
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  } catch {
    require(file);
    return;
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  require.cache[file] = mod;
  if (cacheFile && (!cachedData || script.cachedDataRejected))
    // after the command ran, so the functions it compiled are in the cache too
    process.once("exit", () => writeCache(dir, cacheFile, script));
  const fn = script.runInThisContext();
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
}

function writeCache(dir, cacheFile, script) {
  try {
    const data = script.createCachedData();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // older caches of other builds go
    for (const f of fs.readdirSync(dir))
      if (f.startsWith("cli-") && f.endsWith(".v8cache")) fs.rmSync(path.join(dir, f), { force: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
  } catch {
    // no cache this time
  }
}

/** The user's own cache folder for this Node version (a code cache is only valid for the V8 that made it). */
function cacheDir() {
  const os = require("node:os");
  const env = process.env;
  let base = env.SAVEDMODEL_CACHE_DIR;
  if (!base) {
    const home = os.homedir();
    if (process.platform === "win32") base = env.LOCALAPPDATA && path.join(env.LOCALAPPDATA, "savedmodel-explorer");
    else if (process.platform === "darwin") base = home && path.join(home, "Library", "Caches", "savedmodel-explorer");
    else {
      const xdg = env.XDG_CACHE_HOME || (home && path.join(home, ".cache"));
      base = xdg && path.join(xdg, "savedmodel-explorer");
    }
  }
  if (!base || !path.isAbsolute(base)) return undefined;
  return path.join(base, `node-${process.version}-${process.arch}`);
}
