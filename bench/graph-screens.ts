/**
 * Screenshots of the graph webview in headless Chromium (dev page, real bundle), in dark, light and
 * high-contrast colours, plus one with search + selection + details panel.
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
      for (const theme of ["dark", "light", "hc"] as const) {
        const { page, firstPaintMs } = await h.open(g, { theme });
        const name = `${basename(dir)}-${theme}`;
        await page.screenshot({ path: join(out, `${name}.png`) });
        console.log(
          JSON.stringify({ name, sig, firstPaintMs: Math.round(firstPaintMs), shot: join(out, `${name}.png`) }),
        );
        if (theme === "dark") {
          // Search for an op type, jump to the first hit: its ancestors expand, it is selected, details show.
          await page.fill(".search input", "MatMul");
          await page.press(".search input", "Enter");
          await page.waitForTimeout(800);
          await page.screenshot({ path: join(out, `${basename(dir)}-search-select.png`) });
          await page.evaluate(() =>
            (
              window as unknown as { __graphView: { renderer: { zoomBy(f: number): void } } }
            ).__graphView.renderer.zoomBy(2),
          );
          await page.waitForTimeout(300);
          await page.screenshot({ path: join(out, `${basename(dir)}-zoomed.png`) });
          const details = await page.textContent(".details");
          console.log(JSON.stringify({ name: `${basename(dir)}-search-select`, details: details?.slice(0, 200) }));
        }
        await page.close();
      }
    }
  } finally {
    await h.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
