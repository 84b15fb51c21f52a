/**
 * The graph view's run overlay in headless Chromium (skipped without /usr/bin/chromium), with a real run:
 * the builder's CNN runs in the executor here (profile on), its node times go to the page as the host
 * sends them, "Time" colours nodes and groups, the legend shows the range, and selecting a node fetches
 * its value over the webview's RPC (answered here with a real intermediate tensor of the same run).
 * Screenshots (dark, light, high contrast) land in .cache/run-overlay/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildDisplayGraph, graphSourceFromSavedModel } from "../../src/graph/index.js";
import { SavedModel } from "../../src/savedmodel/proto.js";
import { GraphHarness } from "../../bench/graphHarness.js";
import { valuePreview } from "../../src/extension/graph/runPreview.js";
import { nodeTimes } from "../../src/extension/run/runResults.js";
import type { GraphRunData } from "../../src/protocol/graph.js";
import type { DisplayGraph } from "../../src/graph/model.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;
const SHOTS = join(__dirname, "..", "..", ".cache", "run-overlay");

test(
  "graph run overlay in Chromium: colour by time, legend, node value over RPC, Run…",
  { skip, timeout: 180_000 },
  async () => {
    const { cnn } = await import("../../src/savedmodel/builder/models.js");
    const { MemoryFileAccess } = await import("../../src/savedmodel/memoryFileAccess.js");
    const { loadSession } = await import("../../src/executor/session.js");
    const files = cnn({ inputSize: 32 }).save();
    const session = await loadSession(new MemoryFileAccess(files));
    const sig = session.signatures()[0];
    const img = {
      dtype: 1,
      shape: [1, 32, 32, 3],
      values: Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => ((i * 7) % 17) / 17),
    };
    const feeds = { [sig.inputs[0].key]: img };
    const r = await session.run(sig.key, feeds, { profile: true });
    const times = nodeTimes(r)!;
    assert.ok(times.length > 5, "the run was profiled");
    const pb = files.get("saved_model.pb")!;
    const g = buildDisplayGraph(graphSourceFromSavedModel(SavedModel.decode(pb)), { signature: sig.key });
    const run: GraphRunData = { runId: 1, signature: sig.key, metaGraph: 0, at: Date.now(), nodeTimes: times };
    // the slowest kernel: the node to select
    const slow = times.filter((t) => !t.inclusive).sort((a, b) => b.ms - a.ms)[0];
    mkdirSync(SHOTS, { recursive: true });
    const h = new GraphHarness();
    await h.start();
    try {
      for (const theme of ["dark", "light", "hc"] as const) {
        const { page } = await h.open(g, { theme, width: 1300, height: 800 });
        const sent: { type: string; id?: number; params?: { fn: string; node: string; output: number } }[] = [];
        await page.exposeFunction("__answer", async (fn: string, node: string, output: number) => {
          const name = `${fn ? `${fn}/` : ""}${node}:${output}`;
          const rr = await session.run(sig.key, feeds, { fetchIntermediates: [name] });
          const v = rr.intermediates?.[name];
          if (!v) throw new Error(`no ${name}`);
          return valuePreview(v);
        });
        await page.exposeFunction("__sent", (m: (typeof sent)[number]) => sent.push(m));
        await page.evaluate(() => {
          window.addEventListener("webview-to-host", (ev) => {
            const m = (ev as CustomEvent).detail as { type: string; id?: number; params?: Record<string, unknown> };
            (window as unknown as { __sent(m: unknown): void }).__sent(m);
            if (m.type === "graph/nodeValue") {
              const p = m.params as { fn: string; node: string; output: number };
              void (window as unknown as { __answer(...a: unknown[]): Promise<unknown> })
                .__answer(p.fn, p.node, p.output)
                .then(
                  (result) => window.postMessage({ type: "rpc/reply", id: m.id, ok: true, result }, "*"),
                  (e: Error) =>
                    window.postMessage({ type: "rpc/reply", id: m.id, ok: false, error: { message: e.message } }, "*"),
                );
            }
          });
        });
        // a signature view has Run…; it asks the host to open the run form of this signature
        await page.click("#toolbar vscode-button.run-signature");
        await page.waitForFunction(() => true);
        // the host sends the run; Time (keyboard reachable, aria-pressed) colours by it
        await page.evaluate((run) => window.postMessage({ type: "graph/runData", run }, "*"), run);
        const time = page.locator("#toolbar vscode-button.time-toggle");
        assert.equal(await time.getAttribute("aria-pressed"), "false");
        await time.focus();
        await page.keyboard.press("Enter");
        assert.equal(await time.getAttribute("aria-pressed"), "true");
        await page.waitForFunction(() => document.querySelectorAll(".heat").length > 0);
        await page.click("#toolbar vscode-button:text-is('Fit')");
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(SHOTS, `time-${theme}.png`) });
        const heated = await page.locator(".heat").count();
        const hottest = await page.locator("g.heat-7").count();
        assert.ok(heated > 3 && hottest >= 1, `${heated} coloured, ${hottest} in the hottest step`);
        const legend = await page.locator(".time-legend").innerText();
        assert.match(legend, new RegExp(`Time · ${sig.key}`));
        assert.match(legend, /ms|µs/);
        // the fill really is the theme-derived colour, different for fast and slow nodes
        const fills = await page.evaluate(() => {
          const f = (sel: string) => {
            const el = document.querySelector(`g.heat${sel} rect.body`);
            return el ? getComputedStyle(el).fill : "";
          };
          return { hot: f(".heat-7"), cool: f(".heat-0") || f(".heat-1") || f(".heat-2") || f(".heat-3") };
        });
        assert.ok(fills.hot.startsWith("rgb"), JSON.stringify(fills));
        assert.notEqual(fills.hot, fills.cool);
        // select the slowest node: the details show its time and the value it produced
        await page.fill(".search input", slow.node);
        await page.press(".search input", "Enter");
        await page.waitForFunction(() => document.querySelector(".details .first-values"), null, { timeout: 30_000 });
        const details = await page.locator(".details").innerText();
        assert.match(details, /LAST RUN|Last run/i);
        assert.match(details, /self time/);
        assert.match(details, /float32 \[1, /);
        assert.match(details, /min \S+ · max \S+ · mean/);
        // the histogram of all its values (bins computed by the host next to the tensor) in the one tensor view
        assert.equal(await page.locator(".details .run-value .tensor-view svg.histogram").count(), 1);
        assert.ok((await page.locator(".details .run-value svg.histogram rect.bin").count()) >= 1, "histogram bars");
        await page.screenshot({ path: join(SHOTS, `value-${theme}.png`) });
        const req = sent.find((m) => m.type === "graph/nodeValue");
        assert.ok(req?.params, "a graph/nodeValue request went to the host");
        assert.ok(
          sent.some((m) => m.type === "graph/runSignature"),
          "Run… asked the host to open the run form",
        );
        // tooltips carry the time
        const tip = await page.locator("g.heat > title").first().textContent();
        assert.match(tip ?? "", /time: .*(ms|µs)/);
        // a new run arrives without the selected node: the open details follow it
        const without = { ...run, runId: 2, nodeTimes: times.filter((t) => t !== slow) };
        await page.evaluate((r) => window.postMessage({ type: "graph/runData", run: r }, "*"), without);
        await page.waitForFunction(() => document.querySelector(".details")?.textContent?.includes("did not run"));
        await page.waitForFunction(
          () => document.querySelector(".details")?.textContent?.includes("computed on request"),
          null,
          { timeout: 30_000 },
        );
        assert.equal(sent.filter((m) => m.type === "graph/nodeValue").length, 2, "a new run fetches again");
        // a call group: the call's measured time and the value of its output
        await page.evaluate(() => {
          const v = (window as unknown as { __graphView: { g: DisplayGraph; select(k: string): void } }).__graphView;
          v.select(`g${v.g.groups.findIndex((x) => x.kind === "call")}`);
        });
        await page.waitForFunction(() =>
          document.querySelector(".details")?.textContent?.includes("the call, with everything it ran"),
        );
        await page.waitForFunction(() => document.querySelector(".details .first-values"), null, { timeout: 30_000 });
        // T toggles off (keyboard on the canvas)
        await page.focus("#canvas");
        await page.keyboard.press("t");
        assert.equal(await time.getAttribute("aria-pressed"), "false");
        assert.equal(await page.locator(".heat").count(), 0);
        await page.close();
      }
    } finally {
      await h.stop();
      session.dispose();
    }
  },
);
