/**
 * The real graph webview bundle in headless Chromium (skipped without /usr/bin/chromium): hostile names stay
 * text, search jumps and selects, clicking a group expands it, keyboard moves the selection, SVG export.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { buildDisplayGraph } from "../../src/graph/index.js";
import { GraphHarness } from "../../bench/graphHarness.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;
const EVIL = "<img src=x onerror=alert(1)>";

test(
  "graph webview in Chromium: escaping, search, expand, keyboard, SVG export",
  { skip, timeout: 120_000 },
  async () => {
    const g = buildDisplayGraph(
      {
        graphDef: {
          node: [
            { name: "in", op: "Placeholder" },
            ...Array.from({ length: 50 }, (_, i) => ({
              name: `block/op${i}`,
              op: "Neg",
              input: [i ? `block/op${i - 1}` : "in"],
            })),
            { name: EVIL, op: "Abs", input: ["block/op49"] },
            { name: "out", op: "Identity", input: [EVIL] },
          ],
        },
      },
      { graph: true },
      { seriesMin: 100 },
    );
    const h = new GraphHarness();
    await h.start();
    try {
      const { page, firstPaintMs } = await h.open(g);
      assert.ok(firstPaintMs > 0);
      let alerted = false;
      page.on("dialog", async (d) => {
        alerted = true;
        await d.dismiss();
      });
      // Start from everything collapsed (the first picture may have opened small groups).
      await page.click("#toolbar vscode-button:text-is('Collapse all')");
      await page.waitForFunction(() => document.querySelectorAll(".box").length > 0);
      await page.waitForFunction(() => document.querySelector("#status")?.textContent?.includes("shown"));
      assert.equal(await page.locator("img").count(), 0, "no element created from a node name");
      const labels = await page.locator(".node text.label").allTextContents();
      assert.ok(
        labels.some((t) => t.startsWith("<img")),
        `labels: ${labels.join(" | ")}`,
      );
      // Search by op type: jump, select, details panel.
      await page.fill(".search input", "Abs");
      await page.press(".search input", "Enter");
      await page.waitForFunction(() => document.querySelector(".details h2")?.textContent?.length);
      assert.equal(await page.textContent(".details h2"), EVIL);
      // Clicking the collapsed "block" group expands it.
      const leaves = () =>
        page.evaluate(
          () =>
            (
              window as unknown as { __graphView: { currentScene: { items: { kind: string }[] } } }
            ).__graphView.currentScene.items.filter((i) => i.kind === "leaf").length,
        );
      const before = await leaves();
      const domBefore = await page.locator(".node").count();
      await page.locator(".box", { hasText: "block" }).first().click();
      await page.waitForFunction((n) => document.querySelectorAll(".node").length > n, domBefore);
      assert.equal(
        await leaves(),
        before + 50,
        "the 50 ops of block are laid out (the DOM holds only those on screen)",
      );
      // Keyboard: select `in`, ArrowDown moves to the next item below.
      await page.fill(".search input", "in");
      await page.press(".search input", "Enter");
      await page.waitForFunction(() => document.querySelector(".details h2")?.textContent === "in");
      await page.focus("#canvas");
      await page.keyboard.press("ArrowDown");
      await page.waitForFunction(() => document.querySelector(".details h2")?.textContent !== "in");
      assert.match((await page.textContent(".details h2")) ?? "", /^block\/op0$/);
      // Tree -> graph: the host asks to reveal a node inside a collapsed group; graph -> tree: selection is reported.
      await page.click("#toolbar vscode-button:text-is('Collapse all')");
      const selected = await page.evaluate(async () => {
        const got = new Promise<unknown>((resolve) =>
          window.addEventListener("webview-to-host", (ev) => {
            const m = (ev as CustomEvent).detail as { type: string; target?: unknown };
            if (m.type === "graph/selected") resolve(m.target);
          }),
        );
        window.postMessage({ type: "graph/reveal", target: { fn: "", node: "block/op30" } }, "*");
        return got;
      });
      assert.deepEqual(selected, { fn: "", node: "block/op30" });
      assert.equal(await page.textContent(".details h2"), "block/op30");
      // SVG export goes to the host as text, escaped.
      const svg = await page.evaluate(async () => {
        const got = new Promise<string>((resolve) =>
          window.addEventListener("webview-to-host", (ev) => {
            const m = (ev as CustomEvent).detail as { type: string; data?: string };
            if (m.type === "graph/saveFile") resolve(m.data ?? "");
          }),
        );
        (
          document.querySelector("#toolbar vscode-button[title^='Export the current view as SVG']") as HTMLElement
        ).click();
        return got;
      });
      assert.match(svg, /^<svg xmlns/);
      assert.ok(svg.includes("&lt;img src=x onerror=alert(1)&gt;") && !svg.includes("<img"));
      assert.equal(alerted, false);
      await page.close();
    } finally {
      await h.stop();
    }
  },
);

test(
  "graph webview under the strict webview CSP: ELK worker from a blob, no violations",
  { skip, timeout: 120_000 },
  async () => {
    // 30 root items: more than the tiny-layout limit, so the first picture needs the ELK worker.
    const node = [
      { name: "in", op: "Placeholder" },
      ...Array.from({ length: 29 }, (_, i) => ({ name: `n${i}`, op: "Neg", input: ["in"] })),
    ];
    const g = buildDisplayGraph({ graphDef: { node } }, { graph: true }, { seriesMin: 1000 });
    const h = new GraphHarness();
    await h.start();
    try {
      const { page } = await h.open(g, { page: "graph-csp.html" }); // throws on page errors or CSP violations
      const n = await page.evaluate(
        () =>
          (window as unknown as { __graphView: { currentScene: { items: unknown[] } } }).__graphView.currentScene.items
            .length,
      );
      assert.equal(n, 30);
      assert.ok((await page.locator(".node").count()) >= 20);
      // PNG export rasterises the SVG through a blob: image, allowed by the policy.
      const png = await page.evaluate(async () => {
        const got = new Promise<string>((resolve) =>
          window.addEventListener("webview-to-host", (ev) => {
            const m = (ev as CustomEvent).detail as { type: string; data?: string; format?: string };
            if (m.type === "graph/saveFile" && m.format === "png") resolve(m.data ?? "");
          }),
        );
        (
          document.querySelector("#toolbar vscode-button[title^='Export the current view as PNG']") as HTMLElement
        ).click();
        return got;
      });
      assert.ok(png.startsWith("iVBORw0KGgo"), "a PNG file");
      assert.ok(png.length > 2000);
      await page.close();
    } finally {
      await h.stop();
    }
  },
);
