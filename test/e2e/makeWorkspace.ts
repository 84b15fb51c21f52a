/**
 * Writes the E2E workspace (never inside the repo): symlinks to a few real TensorFlow exports from
 * ../shared/fixtures, a nested version folder, and builder-made exports (the XSS model whose names
 * are all `<img src=x onerror=alert(1)>`, the demo model, and a ~50 MB graph for the responsiveness
 * test, cached between runs). Usage: node --import tsx test/e2e/makeWorkspace.ts WS_DIR CACHE_DIR
 * Prints a JSON map of { name: absolute folder } on stdout.
 */
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FIXTURES_DIR } from "../helpers/fixtures.js";
import { xssModel, demoExportFiles, largeGraph, halfPlusTwo } from "../../src/savedmodel/builder/models.js";
import { snappyBombIndex } from "../hostile/bomb.js";
import { writeExportToDir } from "../../src/savedmodel/node/nodeWriter.js";
import { tinyTf1 } from "../diff/pairs.js";

/**
 * Hostile exports for the in-host containment tests (test/e2e/host/suite.js, "hostile" tests): not listed in the
 * JSON map (the suite derives their folders from the workspace root): hostile/symlink-asset (assets/foo.txt links
 * to a canary file outside the export), hostile/dev-zero (saved_model.pb links to /dev/zero), hostile/snappy-bomb
 * (a 12 MB variables.index whose block inflates to 255 MiB).
 */
async function writeHostileExports(ws: string): Promise<void> {
  const dir = join(ws, "hostile");
  if (existsSync(join(dir, "snappy-bomb", "saved_model.pb"))) return;
  const canary = join(ws, "hostile-canary.txt");
  writeFileSync(canary, "E2E-CANARY-8c1f2d\n");
  const hp = () => halfPlusTwo().save({ format: "binary" });
  await writeExportToDir(hp(), join(dir, "symlink-asset"));
  rmSync(join(dir, "symlink-asset", "assets", "foo.txt"));
  symlinkSync(canary, join(dir, "symlink-asset", "assets", "foo.txt"));
  await writeExportToDir(hp(), join(dir, "dev-zero"));
  rmSync(join(dir, "dev-zero", "saved_model.pb"));
  symlinkSync("/dev/zero", join(dir, "dev-zero", "saved_model.pb"));
  await writeExportToDir(hp(), join(dir, "snappy-bomb"));
  writeFileSync(join(dir, "snappy-bomb", "variables", "variables.index"), snappyBombIndex());
}

async function main(): Promise<void> {
  const [wsArg, cacheArg] = process.argv.slice(2);
  if (!wsArg || !cacheArg) throw new Error("usage: makeWorkspace.ts WS_DIR CACHE_DIR");
  const ws = resolve(wsArg);
  const cache = resolve(cacheArg);
  if (ws.startsWith(resolve(__dirname, "..", "..")))
    throw new Error(`the E2E workspace must not be inside the repo: ${ws}`);
  mkdirSync(ws, { recursive: true });
  const out: Record<string, string> = {};
  const link = (name: string, fixture: string) => {
    const target = join(ws, name);
    mkdirSync(join(target, ".."), { recursive: true });
    if (!existsSync(target)) symlinkSync(join(FIXTURES_DIR, fixture), target, "dir");
    out[fixture] = target;
  };
  link("fixtures/serving-half-plus-two-cpu", "serving-half-plus-two-cpu");
  link("fixtures/potato-cnn-tf29", "potato-cnn-tf29");
  link("fixtures/corrupt-binary-named-pbtxt", "corrupt-binary-named-pbtxt");
  link("fixtures/incomplete-albert-tf23", "incomplete-albert-tf23");
  link("versioned/half_plus_three/00000123", "serving-half-plus-three");
  // graph view scenarios (test/e2e/graphUi.mjs): a TF1 estimator and a Keras LSTM
  link("fixtures/tfx-taxi-estimator-2shards", "tfx-taxi-estimator-2shards");
  link("fixtures/lstm-bbc-news-2shards", "lstm-bbc-news-2shards");

  const xss = join(ws, "generated", "xss");
  await writeExportToDir(xssModel().save({ format: "binary" }), xss);
  out.xss = xss;
  const demo = join(ws, "generated", "demo", "1");
  await writeExportToDir(demoExportFiles(), demo);
  out.demo = demo;

  // the comparison editor (test/e2e/compareUi.mjs): TF Serving versions where model/2 drops input x2 (breaking)
  // and moves one weight by 0.5
  const v1 = join(ws, "generated", "compare", "model", "1");
  const v2 = join(ws, "generated", "compare", "model", "2");
  await writeExportToDir(tinyTf1({ extraInput: true }).save(), v1);
  await writeExportToDir(tinyTf1({ w: [1, 2, 3, 4.5] }).save(), v2);
  out.compareV1 = v1;
  out.compareV2 = v2;

  // the large graph takes a few seconds to build: keep it in the cache folder, link it in
  const largeCached = join(cache, "large-graph-export");
  if (!existsSync(join(largeCached, "saved_model.pb"))) {
    await writeExportToDir(largeGraph().save({ format: "binary" }), largeCached);
    writeFileSync(
      join(largeCached, "README.txt"),
      "E2E cache: a ~50 MB synthetic graph written by test/e2e/makeWorkspace.ts\n",
    );
  }
  const large = join(ws, "generated", "large-graph");
  if (!existsSync(large)) symlinkSync(largeCached, large, "dir");
  out.large = large;
  await writeHostileExports(ws);
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
