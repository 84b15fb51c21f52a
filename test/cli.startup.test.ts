/**
 * `savedmodel show|vars|scan` start without the executor or tfjs: the CLI bundle (scripts/build.mjs with
 * scripts/cliSplit.mjs) leaves `run` to dist/cliRun.js. Checked on esbuild's metafile, built at test time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(__dirname, "..");

test("the CLI bundle holds show, vars and scan but neither the executor's kernels nor tfjs", async () => {
  const { cliSplit } = await import(join(root, "scripts", "cliSplit.mjs"));
  const r = await build({
    entryPoints: [join(root, "src/cli/bin.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    metafile: true,
    mainFields: ["module", "main"],
    plugins: [cliSplit],
    logLevel: "error",
  });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((f) => f.endsWith("src/cli/show.ts")));
  assert.ok(inputs.some((f) => f.endsWith("src/cli/vars.ts")));
  assert.ok(inputs.some((f) => f.endsWith("src/cli/scan.ts")));
  assert.deepEqual(
    inputs.filter((f) => /@tensorflow|src\/executor\/(ops|tfjs|session|interpreter)|src\/cli\/run\.ts/.test(f)),
    [],
  );
  const js = r.outputFiles[0].text;
  assert.ok(js.includes(`require("./cliRun.js")`), "run is loaded from its own bundle");
  // no import() left: bin/savedmodel.js runs the bundle from V8's code cache, where Node 20 has no dynamic import
  assert.ok(!/\bimport\("\.\/cliRun/.test(js));
});

test("errors thrown by the separately bundled run are still recognised by name", async () => {
  const { UsageError } = await import("../src/cli/io.js");
  assert.equal(new UsageError("x").name, "UsageError");
});
