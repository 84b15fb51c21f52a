#!/usr/bin/env node
// `savedmodel` command: the bundled CLI (dist/cli.js, built by `npm run build`), or, in a
// development checkout without a build, the TypeScript sources run through tsx.
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const built = path.join(__dirname, "..", "dist", "cli.js");
if (fs.existsSync(built) && !process.env.SAVEDMODEL_FROM_SOURCE) {
  require(built);
} else {
  const { spawnSync } = require("node:child_process");
  const src = path.join(__dirname, "..", "src", "cli", "bin.ts");
  // tsx by its resolved file: the command may run from any folder
  const tsx = require("node:url").pathToFileURL(require.resolve("tsx")).href;
  const r = spawnSync(process.execPath, ["--import", tsx, src, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
}
