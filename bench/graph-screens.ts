/**
 * Screenshots of the graph webview in headless Chromium (dev page, real bundle).
 * Usage: node --import tsx bench/graph-screens.ts OUTDIR DIR[:signature] ...
 */
import { mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { SavedModel } from "../src/savedmodel/proto.js";
import { buildDisplayGraph, graphSourceFromSavedModel } from "../src/graph/index.js";
import { GraphHarness } from "./graphHarness.js";

async function main(): Promise<void> {
  const [out, ...dirs] = process.argv.slice(2);
  mkdirSync(out, { recursive: true });
  const h = new GraphHarness();
  await h.start();
  try {
    for (const spec of dirs) {
      const [dir, sigWanted] = spec.split(":");
      const src = graphSourceFromSavedModel(SavedModel.decode(readFileSync(join(dir, "saved_model.pb"))));
      const sig = sigWanted ?? Object.keys(src.signatures ?? {}).find((s) => !s.startsWith("__"))!;
      const g = buildDisplayGraph(src, { signature: sig });
      const { page, firstPaintMs } = await h.open(g);
      const name = basename(dir);
      await page.screenshot({ path: join(out, `${name}.png`) });
      console.log(
        JSON.stringify({ name, sig, firstPaintMs: Math.round(firstPaintMs), shot: join(out, `${name}.png`) }),
      );
      await page.close();
    }
  } finally {
    await h.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
