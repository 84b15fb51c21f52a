/**
 * Graph view benchmark in headless Chromium with the real webview bundle (dist/webview, cold layout worker
 * per page). Usage:
 *   npm run bench:graph -- DIR... [--patterns] [--synthetic] [--screens OUTDIR]
 * --patterns adds the builder-made exports of issue 13 (bench/graphPatterns.ts) as fixtures.
 * --anchor also opens every view with the first picture waiting for ELK (the behaviour before the fast first
 * layout), interleaved with the measured run in the same browser: `coldMsAnchor` and `coldRatio` (median ratio in
 * the summary), so a loaded machine shifts both alike. --anchor-dir DIR makes the anchor another build of the webview bundle
 * instead (e.g. `node scripts/build-webview-graph.mjs --out DIR` run on the commit before a change), opened the
 * same way: old and new bundle interleaved, cold pages both.
 * Prints one JSON line per folder and signature (or, for an export without signatures, its default view:
 * the callable that computes the model, src/graph/defaultView.ts):
 *   {"dir","signature","nodes","groups","firstPaintMs","coldMs","expandLargestMs", ...extra fields}
 * and a last line {"summary": ...} with p50/p90/max of firstPaintMs and coldMs over those rows.
 * firstPaintMs: posting graph/load -> first picture painted (layout included; host-side decode + build is
 * `buildMs`). coldMs: navigation start of a fresh page -> first picture painted: page load, bundle parse,
 * layout-worker (ELK) start and the graph's transfer are all inside (`loadPostedMs`: when the page had the graph
 * and posted graph/load — the harness fetches and JSON-parses it, which costs more than the panel's
 * structured clone for big graphs); `elkReadyMs` is when ELK answered its
 * warm-up, `firstLayout` is "provisional" when the first picture used the JS layout because ELK was not ready yet
 * (`elkPictureMs`: navigation start -> ELK's picture replaced it), "final" when no group needed ELK or it was ready. expandLargestMs: click-expand of the largest collapsed group on screen
 * (`expandLargestNodes` ops) -> repainted. --synthetic adds a 50,000-node / 2,000-function export and
 * "expand all" on a 10,000-node function with panning frame rates.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import {
  buildDisplayGraph,
  defaultView,
  graphSourceFromMetaGraph,
  readKerasMetadata,
  type BuildTarget,
  type GraphSource,
} from "../src/graph/index.js";
import { openSavedModel } from "../src/savedmodel/savedModel.js";
import { NodeFileAccess } from "../src/savedmodel/node/nodeFileAccess.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import type { DisplayGraph } from "../src/graph/model.js";
import { GraphHarness, timeInPage } from "./graphHarness.js";
import { bigFunction, manyFunctions } from "./graphSynthetic.js";
import { PATTERNS, patternFiles } from "./graphPatterns.js";

const round = (x: number) => Math.round(x * 10) / 10;
/** --anchor: also measure each view with the first picture waiting for ELK (interleaved). */
let withAnchor = false;
/** --anchor-dir: the anchor is this build of the webview bundle (not "first picture waits for ELK"). */
let anchorDir: string | undefined;
let views = 0;

async function sources(dir: string, bytes?: Uint8Array): Promise<GraphSource> {
  const fs = dir.startsWith("pattern:")
    ? new MemoryFileAccess(patternFiles(dir.slice(8) as (typeof PATTERNS)[number]))
    : bytes
      ? memoryFs(bytes)
      : new NodeFileAccess(dir);
  const exp = await openSavedModel(fs);
  const mg = exp.metaGraphByTags(["serve"]) ?? exp.metaGraphs[0];
  const src = graphSourceFromMetaGraph(mg);
  if (exp.layout.kerasMetadata) src.kerasMetadata = await readKerasMetadata(fs, exp.layout.kerasMetadata.path);
  return src;
}

function memoryFs(bytes: Uint8Array): MemoryFileAccess {
  return new MemoryFileAccess(new Map([["saved_model.pb", bytes]]));
}

/** The largest collapsed group box on screen, by op count. */
async function largestBox(page: Page): Promise<{ gi: number; size: number } | undefined> {
  return page.evaluate(() => {
    const v = (
      window as unknown as {
        __graphView: { currentScene: { items: { kind: string; index: number }[] }; g: DisplayGraph };
      }
    ).__graphView;
    let best: { gi: number; size: number } | undefined;
    for (const it of v.currentScene.items)
      if (it.kind === "box" && (!best || v.g.groups[it.index].visibleSize > best.size))
        best = { gi: it.index, size: v.g.groups[it.index].visibleSize };
    return best;
  });
}

/** Frames per second while panning continuously for `ms` (one translate per animation frame). */
async function panFps(page: Page, ms = 1500, scale?: number): Promise<number> {
  return page.evaluate(
    async ([dur, k]) => {
      const v = (
        window as unknown as {
          __graphView: {
            renderer: { panBy(dx: number, dy: number): void; zoomBy(f: number): void; currentTransform: { k: number } };
          };
        }
      ).__graphView;
      if (k) v.renderer.zoomBy(k / v.renderer.currentTransform.k);
      await new Promise((r) => requestAnimationFrame(r));
      let frames = 0;
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const step = () => {
          frames++;
          v.renderer.panBy(frames % 200 < 100 ? -6 : 6, frames % 120 < 60 ? -3 : 3);
          if (performance.now() - t0 < dur) requestAnimationFrame(step);
          else resolve();
        };
        requestAnimationFrame(step);
      });
      return (frames * 1000) / (performance.now() - t0);
    },
    [ms, scale ?? 0] as const,
  );
}

/** Longest gap between 10 ms timer ticks on the UI thread while `script` runs (responsiveness). */
async function withBlockProbe(page: Page, script: string): Promise<{ ms: number; maxBlockMs: number }> {
  return page.evaluate(async (src) => {
    const view = (window as unknown as { __graphView: unknown }).__graphView;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    const t0 = performance.now();
    await (new Function("view", `return (async () => { ${src} })()`) as (v: unknown) => Promise<unknown>)(view);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const ms = performance.now() - t0;
    clearInterval(timer);
    return { ms, maxBlockMs: maxGap };
  }, script);
}

async function benchOne(
  h: GraphHarness,
  dir: string,
  sig: string | BuildTarget,
  src: GraphSource,
  screens?: string,
  extra: Record<string, unknown> = {},
) {
  const t0 = performance.now();
  const g = buildDisplayGraph(src, typeof sig === "string" ? { signature: sig } : sig);
  const buildMs = performance.now() - t0;
  let anchor: number | undefined;
  // Interleaved, alternating which goes first (a warm HTTP cache must not favour either).
  const anchorFirst = withAnchor && views++ % 2 === 0;
  const runAnchor = async () => {
    const a = await h.open(g, anchorDir ? { page: "anchor/graph-dev.html" } : { waitForElk: true });
    anchor = a.coldMs;
    await a.page.close();
  };
  if (anchorFirst) await runAnchor();
  const { page, firstPaintMs, coldMs, loadPostedMs, elkReadyMs, firstLayout } = await h.open(g);
  if (withAnchor && !anchorFirst) await runAnchor();
  const label = typeof sig === "string" ? sig : `${g.scope.kind} ${g.scope.name}`.trim();
  const shot = screens
    ? (suffix: string) =>
        page.screenshot({
          path: join(
            screens,
            `${dir.split("/").filter(Boolean).pop()!.replace(/\W+/g, "_")}-${label.replace(/\W+/g, "_")}${suffix}.png`,
          ),
        })
    : undefined;
  const elkPictureMs =
    firstLayout === "provisional"
      ? await page.evaluate(async () => {
          const v = (window as unknown as { __graphView: { upgradedAt?: number } }).__graphView;
          for (let i = 0; i < 200 && v.upgradedAt === undefined; i++) await new Promise((r) => setTimeout(r, 50));
          return v.upgradedAt ?? null;
        })
      : null;
  await shot?.("");
  const box = await largestBox(page);
  let expandLargestMs: number | null = null;
  let maxBlockMs: number | null = null;
  if (box) {
    const r = await withBlockProbe(page, `await view.toggle(${box.gi});`);
    expandLargestMs = r.ms;
    maxBlockMs = r.maxBlockMs;
    await shot?.("-expanded");
  }
  const row: Record<string, unknown> = {
    dir,
    signature: label,
    nodes: g.nodes.length,
    groups: g.groups.length,
    firstPaintMs: round(firstPaintMs),
    coldMs: round(coldMs),
    loadPostedMs: round(loadPostedMs),
    ...(anchor === undefined
      ? {}
      : { coldMsAnchor: round(anchor), coldRatio: Math.round((coldMs / anchor) * 100) / 100 }),
    elkReadyMs: elkReadyMs === null ? null : round(elkReadyMs),
    firstLayout,
    elkPictureMs: elkPictureMs === null ? null : round(elkPictureMs),
    expandLargestMs: expandLargestMs === null ? null : round(expandLargestMs),
    expandLargestNodes: box?.size ?? 0,
    buildMs: round(buildMs),
    edges: g.edges.length,
    maxBlockMs: maxBlockMs === null ? null : round(maxBlockMs),
    ...extra,
  };
  return { page, row, g };
}

/** p50 / p90 / max of the timing columns over the fixture rows (nearest-rank percentiles). */
function summary(rows: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = { views: rows.length };
  for (const col of ["firstPaintMs", "coldMs"]) {
    const v = rows
      .map((r) => Number(r[col]))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const at = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
    out[col] = { p50: at(0.5), p90: at(0.9), max: v[v.length - 1] };
  }
  out.provisional = rows.filter((r) => r.firstLayout === "provisional").length;
  const ratios = rows
    .map((r) => Number(r.coldRatio))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (ratios.length) {
    out.coldRatioMedian = ratios[Math.floor(ratios.length / 2)];
    const prov = rows.filter((r) => r.firstLayout === "provisional" && Number.isFinite(Number(r.coldRatio)));
    const pr = prov.map((r) => Number(r.coldRatio)).sort((a, b) => a - b);
    if (pr.length) out.coldRatioMedianWhereElkWasNotReady = pr[Math.floor(pr.length / 2)];
    const anchors = rows
      .map((r) => Number(r.coldMsAnchor))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const at = (p: number) => anchors[Math.min(anchors.length - 1, Math.max(0, Math.ceil(p * anchors.length) - 1))];
    out.coldMsAnchor = { p50: at(0.5), p90: at(0.9), max: anchors[anchors.length - 1] };
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const synthetic = args.includes("--synthetic");
  const ai = args.indexOf("--anchor-dir");
  anchorDir = ai >= 0 ? resolve(args[ai + 1]) : undefined;
  withAnchor = args.includes("--anchor") || anchorDir !== undefined;
  const si = args.indexOf("--screens");
  const screens = si >= 0 ? args[si + 1] : undefined;
  if (screens) mkdirSync(screens, { recursive: true });
  const dirs = args.filter((a, i) => !a.startsWith("--") && (si < 0 || i !== si + 1) && (ai < 0 || i !== ai + 1));
  if (args.includes("--patterns")) dirs.push(...PATTERNS.map((p) => `pattern:${p}`));
  const h = new GraphHarness();
  h.anchorDir = anchorDir;
  const rows: Record<string, unknown>[] = [];
  await h.start();
  try {
    for (const dir of dirs) {
      if (!dir.startsWith("pattern:") && !existsSync(dir)) {
        console.log(JSON.stringify({ dir, error: "no such folder" }));
        continue;
      }
      let src: GraphSource;
      try {
        const t0 = performance.now();
        src = await sources(dir);
        void t0;
      } catch (e) {
        console.log(JSON.stringify({ dir, error: (e as Error).message }));
        continue;
      }
      const sigs: (string | BuildTarget)[] = Object.keys(src.signatures ?? {}).filter((k) => !k.startsWith("__"));
      if (!sigs.length) sigs.push(defaultView(src));
      for (const sig of sigs) {
        try {
          const { page, row } = await benchOne(
            h,
            dir,
            sig,
            src,
            screens,
            typeof sig === "string" ? {} : { defaultView: true },
          );
          console.log(JSON.stringify(row));
          rows.push(row);
          await page.close();
        } catch (e) {
          console.log(JSON.stringify({ dir, signature: sig, error: (e as Error).message }));
        }
      }
    }
    if (rows.length) console.log(JSON.stringify({ summary: summary(rows) }));
    if (synthetic) {
      // 50,000 nodes over 2,000 functions, decoded from real saved_model.pb bytes.
      const bytes = manyFunctions();
      const t0 = performance.now();
      const src = await sources("synthetic-50k", bytes);
      const decodeMs = performance.now() - t0;
      const { page, row } = await benchOne(h, "synthetic:50k-nodes-2000-functions", "serving_default", src, screens, {
        functions: src.graphDef.library?.function?.length ?? 0,
        decodeMs: round(decodeMs),
        pbBytes: bytes.length,
      });
      console.log(JSON.stringify(row));
      await page.close();
      // Expand all on a 10,000-node function, then pan.
      const big = await sources("synthetic-big", bigFunction());
      const fnName = big.graphDef.library!.function![0].signature!.name!;
      const r2 = await benchOne(h, "synthetic:10k-node-function", { function: fnName }, big, screens);
      const all = await withBlockProbe(
        r2.page,
        "await view.expandAll(0); view.renderer.fit(false); view.renderer.draw();",
      );
      if (screens) await r2.page.screenshot({ path: join(screens, "synthetic-10k-expand-all-fit.png") });
      const fpsFit = await panFps(r2.page);
      const fps1 = await panFps(r2.page, 1500, 1);
      if (screens) await r2.page.screenshot({ path: join(screens, "synthetic-10k-expand-all-zoom1.png") });
      const visible = await r2.page.evaluate(
        () =>
          (window as unknown as { __graphView: { currentScene: { items: unknown[] } } }).__graphView.currentScene.items
            .length,
      );
      console.log(
        JSON.stringify({
          ...r2.row,
          expandAllMs: round(all.ms),
          expandAllMaxBlockMs: round(all.maxBlockMs),
          expandAllItems: visible,
          panFpsFit: round(fpsFit),
          panFpsZoom1: round(fps1),
        }),
      );
      await r2.page.close();
    }
  } finally {
    await h.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
