/**
 * The first picture of the three issue-13 patterns (builder-made, bench/graphPatterns.ts) in the real graph
 * webview bundle in headless Chromium (skipped without /usr/bin/chromium): the first viewport holds the inputs
 * and at least a dozen compute ops, no label on screen is drawn under 10 px, weights sit inside their consumers,
 * and a large flat top level stays a screenful.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { buildDisplayGraph, graphSourceFromMetaGraph, type BuildTarget } from "../../src/graph/index.js";
import { MemoryFileAccess } from "../../src/savedmodel/memoryFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { GraphHarness } from "../../bench/graphHarness.js";
import { patternFiles, type PatternName } from "../../bench/graphPatterns.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;
const SHOTS = join(__dirname, "..", "..", ".cache", "first-picture");
const COMPUTE = new Set(["math", "nn", "array", "control", "call", "other", "io"]);

export interface FirstViewport {
  inputs: number;
  computeLeaves: number;
  computeInBoxes: number;
  minLabelPx: number;
  smallLabels: string[];
  weightLines: number;
  /** Drawn items whose box lists weights (weight lines, or a Keras layer's params with the weights in its tooltip). */
  itemsWithWeights: number;
  variableBoxes: number;
  topLevelBoxes: number;
  scale: number;
}

/** What the first viewport shows: counted from the scene, the transform and the drawn SVG text. */
export function firstViewport(page: Page): Promise<FirstViewport> {
  return page.evaluate(
    (compute) => {
      type It = { key: string; kind: string; index: number; x: number; y: number; w: number; h: number };
      const v = (
        window as unknown as {
          __graphView: {
            currentScene: { items: It[] };
            g: {
              nodes: { kind: string; role?: string; op: string }[];
              groups: { visibleSize: number; nodes: number[]; groups: number[] }[];
            };
            transform: { k: number; x: number; y: number };
            renderer: { size(): [number, number] };
            model: { nodeHidden(n: number): boolean; groupHidden(g: number): boolean; shownSize(g: number): number };
          };
        }
      ).__graphView;
      const t = v.transform;
      const [w, h] = v.renderer.size();
      const on = (it: It) => {
        const x0 = it.x * t.k + t.x;
        const y0 = it.y * t.k + t.y;
        return x0 + it.w * t.k > 0 && x0 < w && y0 + it.h * t.k > 0 && y0 < h;
      };
      let inputs = 0;
      let computeLeaves = 0;
      let computeInBoxes = 0;
      let variableBoxes = 0;
      for (const it of v.currentScene.items) {
        if (!on(it)) continue;
        if (it.kind === "leaf") {
          const n = v.g.nodes[it.index];
          if (n.role === "sigInput" || n.role === "arg" || n.op === "Placeholder") inputs++;
          else if ((compute as string[]).includes(n.kind)) computeLeaves++;
          if (n.op === "VarHandleOp" || n.op === "VariableV2" || n.op === "Const") variableBoxes++;
        } else if (it.kind === "box") computeInBoxes += v.model.shownSize(it.index);
      }
      // Every text element drawn on screen, at its on-screen font size.
      let minLabelPx = Infinity;
      const smallLabels: string[] = [];
      const canvas = document.getElementById("canvas")!.getBoundingClientRect();
      for (const el of document.querySelectorAll("#canvas svg text")) {
        const r = el.getBoundingClientRect();
        if (
          !r.width ||
          r.right < canvas.left ||
          r.left > canvas.right ||
          r.bottom < canvas.top ||
          r.top > canvas.bottom
        )
          continue;
        const style = getComputedStyle(el);
        if (style.display === "none" || style.visibility === "hidden") continue;
        const px = parseFloat(style.fontSize) * t.k;
        if (px < minLabelPx) minLabelPx = px;
        if (px < 9.95 && smallLabels.length < 5) smallLabels.push(`${el.textContent} (${px.toFixed(1)} px)`);
      }
      const root = v.g.groups[0];
      const topLevelBoxes =
        root.nodes.filter((n) => !v.model.nodeHidden(n)).length +
        root.groups.filter((g) => !v.model.groupHidden(g)).length;
      return {
        inputs,
        computeLeaves,
        computeInBoxes,
        minLabelPx,
        smallLabels,
        weightLines: document.querySelectorAll("#canvas svg text.weight").length,
        itemsWithWeights: [...document.querySelectorAll("#canvas svg g[data-key]")].filter((g) =>
          /\nweights \(\d+\):/.test(g.querySelector(":scope > title")?.textContent ?? ""),
        ).length,
        variableBoxes,
        topLevelBoxes,
        scale: t.k,
      };
    },
    [...COMPUTE],
  );
}

async function openPattern(h: GraphHarness, name: PatternName, target: BuildTarget, theme: "dark" | "light") {
  const exp = await openSavedModel(new MemoryFileAccess(patternFiles(name)));
  const g = buildDisplayGraph(graphSourceFromMetaGraph(exp.metaGraphs[0]), target);
  return h.open(g, { theme, width: 1400, height: 900 });
}

const CASES: [PatternName, BuildTarget][] = [
  ["kerasCaptured", { signature: "serving_default" }],
  ["moduleConstNoSignatures", { default: true }],
  ["tf1Scoped", { signature: "eval" }],
  ["tf1Scoped", { graph: true }],
];

test(
  "first picture of the issue-13 patterns: inputs, a dozen compute ops, legible labels, weights inside",
  { skip, timeout: 300_000 },
  async () => {
    mkdirSync(SHOTS, { recursive: true });
    const h = new GraphHarness();
    await h.start();
    try {
      for (const [name, target] of CASES) {
        const { page } = await openPattern(h, name, target, "dark");
        const label = `${name} ${JSON.stringify(target)}`;
        const f = await firstViewport(page);
        await page.screenshot({ path: join(SHOTS, `${name}-${Object.keys(target)[0]}.png`) });
        assert.ok(f.inputs >= 1, `${label}: the inputs are on the first screen ${JSON.stringify(f)}`);
        assert.ok(f.computeLeaves + f.computeInBoxes >= 12, `${label}: a dozen compute ops ${JSON.stringify(f)}`);
        assert.ok(f.minLabelPx >= 9.95, `${label}: labels under 10 px: ${f.smallLabels.join(", ")}`);
        assert.ok(f.scale >= 0.9, `${label}: zoom ${f.scale}`);
        assert.ok(f.topLevelBoxes <= 50, `${label}: ${f.topLevelBoxes} top-level boxes`);
        if (name !== "tf1Scoped" || "signature" in target) {
          assert.equal(f.variableBoxes, 0, `${label}: no weight drawn as its own box`);
          assert.ok(f.itemsWithWeights >= 3, `${label}: weights inside their consumers ${JSON.stringify(f)}`);
          if (name !== "kerasCaptured") assert.ok(f.weightLines >= 3, `${label}: weight lines ${JSON.stringify(f)}`);
        }
        console.log(`# ${label}: ${JSON.stringify(f)}`);
        await page.close();
      }
    } finally {
      await h.stop();
    }
  },
);
