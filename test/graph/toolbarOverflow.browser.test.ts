/**
 * The graph toolbar's "More…" overflow in headless Chromium (skipped without /usr/bin/chromium): at a narrow
 * width every control still showing lies inside the toolbar's one row, More lists exactly the controls that
 * went, a toggle activated through the menu changes the same state as its button, the keyboard opens, moves,
 * activates and closes (focus back on More), the row grows again when the page widens, and at a wide width
 * there is no More at all. The view is the builder's CNN signature with a view picker and the run overlay's
 * Time / Run… (the controls that join the toolbar after the first picture).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { buildDisplayGraph, graphSourceFromSavedModel } from "../../src/graph/index.js";
import { SavedModel } from "../../src/savedmodel/proto.js";
import { GraphHarness } from "../../bench/graphHarness.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;
const SHOTS = join(__dirname, "..", "..", ".cache", "toolbar");

interface Bar {
  /** The toolbar's box. */
  box: { left: number; right: number; top: number; bottom: number };
  /** Every toolbar control laid out (not display: none): label and box. */
  shown: { label: string; left: number; right: number; top: number; bottom: number }[];
  /** Labels of the controls moved into the menu. */
  overflowed: string[];
  more: boolean;
}

/** What the toolbar shows now (labels are the controls' text, or their aria-label). */
function bar(page: Page): Promise<Bar> {
  return page.evaluate(() => {
    const tb = document.getElementById("toolbar")!;
    const r = tb.getBoundingClientRect();
    const label = (el: Element) => (el.textContent ?? "").trim() || el.getAttribute("aria-label") || el.className;
    const shown: Bar["shown"] = [];
    const overflowed: string[] = [];
    for (const el of tb.children) {
      if (el.classList.contains("overflowed")) {
        if (!el.classList.contains("toolbar-more")) overflowed.push(label(el));
        continue;
      }
      const b = el.getBoundingClientRect();
      if (!b.width) continue;
      shown.push({ label: label(el), left: b.left, right: b.right, top: b.top, bottom: b.bottom });
    }
    const more = tb.querySelector(".toolbar-more");
    return {
      box: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
      shown,
      overflowed,
      more: !!more && !more.classList.contains("overflowed"),
    };
  });
}

function assertInside(b: Bar, what: string): void {
  for (const c of b.shown) {
    assert.ok(
      c.left >= b.box.left - 0.5 &&
        c.right <= b.box.right + 0.5 &&
        c.top >= b.box.top - 0.5 &&
        c.bottom <= b.box.bottom + 0.5,
      `${what}: "${c.label}" [${c.left}, ${c.right}] lies outside the toolbar [${b.box.left}, ${b.box.right}]`,
    );
  }
  // one row: every control shares the row's vertical band
  const tops = new Set(b.shown.map((c) => Math.round((c.top + c.bottom) / 2)));
  assert.ok(Math.max(...tops) - Math.min(...tops) <= 2, `${what}: one row (${[...tops].join(", ")})`);
}

async function menuLabels(page: Page): Promise<string[]> {
  return page.locator(".toolbar-menu [role^='menuitem'] .label").allTextContents();
}

test("graph toolbar in Chromium: controls that do not fit go into More…", { skip, timeout: 180_000 }, async () => {
  const { cnn } = await import("../../src/savedmodel/builder/models.js");
  const files = cnn({ inputSize: 32 }).save();
  const pb = SavedModel.decode(files.get("saved_model.pb")!);
  const sig = "serving_default";
  const g = buildDisplayGraph(graphSourceFromSavedModel(pb), { signature: sig });
  assert.ok((g.views?.length ?? 0) >= 2, "the export has other views: the picker is shown");
  const h = new GraphHarness();
  await h.start();
  try {
    const { page } = await h.open(g, { width: 760, height: 700 });
    await page.waitForSelector("#toolbar .search");
    await page.waitForSelector("#toolbar vscode-button.time-toggle", { state: "attached" });
    await page.waitForTimeout(300);
    // the title repeats the picker: it is gone
    assert.equal(await page.locator("#toolbar .title").isVisible(), false, "no duplicate title beside the picker");
    const narrow = await bar(page);
    assertInside(narrow, "760 px");
    assert.ok(narrow.more, "More is shown at 760 px");
    assert.equal(narrow.shown.at(-1)?.label, "More…", "More is the last control");
    // the exports go first; the run overlay's Time / Run… (no rank) stay longest
    assert.ok(narrow.overflowed.includes("SVG") && narrow.overflowed.includes("PNG"), narrow.overflowed.join(","));
    assert.ok(narrow.shown.some((c) => c.label === "Time") && narrow.shown.some((c) => c.label === "Run…"));
    assert.ok(narrow.overflowed.includes("Weights"), `Weights went into More: ${narrow.overflowed.join(",")}`);
    assert.ok(
      narrow.shown.some((c) => c.label === "Fit"),
      "the first buttons stay",
    );
    // More lists exactly the controls that went, in toolbar order; toggles show their state
    await page.click("#toolbar .toolbar-more");
    await page.waitForSelector(".toolbar-menu:not([hidden])");
    assert.deepEqual(await menuLabels(page), narrow.overflowed);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "more-menu-760.png") });
    const weightsItem = page.locator(".toolbar-menu [role='menuitemcheckbox']", { hasText: "Weights" });
    assert.equal(await weightsItem.getAttribute("aria-checked"), "false");
    // the menu lies inside the window
    const mb = await page.locator(".toolbar-menu").boundingBox();
    assert.ok(mb && mb.x >= 0 && mb.x + mb.width <= 760, JSON.stringify(mb));
    // activating Weights through the menu: the same state as the button (pressed, weights drawn as nodes)
    const weightsBtn = page.locator("#toolbar vscode-button[aria-pressed]", { hasText: "Weights" });
    assert.equal(await weightsBtn.getAttribute("aria-pressed"), "false");
    const before = await page.evaluate(
      () => (window as unknown as { __graphView: { model: { showWeights: boolean } } }).__graphView.model.showWeights,
    );
    assert.equal(before, false);
    await weightsItem.click();
    assert.equal(await page.locator(".toolbar-menu").isVisible(), false, "the menu closes");
    assert.equal(await weightsBtn.getAttribute("aria-pressed"), "true");
    assert.equal(
      await page.evaluate(
        () => (window as unknown as { __graphView: { model: { showWeights: boolean } } }).__graphView.model.showWeights,
      ),
      true,
    );
    await page.waitForFunction(() => document.querySelector("#status")?.textContent?.includes("shown"));
    // keyboard: More is in the tab order; Enter opens on the first item, arrows move, Enter activates, Escape
    // closes and returns the focus to More
    await page.focus("#toolbar .toolbar-more");
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("toolbar-more")), true);
    await page.keyboard.press("Enter");
    await page.waitForSelector(".toolbar-menu:not([hidden])");
    const focused = () => page.evaluate(() => document.activeElement?.querySelector(".label")?.textContent ?? null);
    assert.equal(await focused(), narrow.overflowed[0]);
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(), narrow.overflowed[1]);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(), narrow.overflowed.at(-1), "ArrowUp from the first wraps to the last");
    const checked = page.locator(".toolbar-menu [role='menuitemcheckbox']", { hasText: "Weights" });
    assert.equal(await checked.getAttribute("aria-checked"), "true", "the menu shows Weights pressed");
    await page.keyboard.press("Escape");
    assert.equal(await page.locator(".toolbar-menu").isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("toolbar-more")), true);
    // ArrowDown on More opens too; Enter on Weights turns it off again (through the button's own handler)
    await page.keyboard.press("ArrowDown");
    await page.waitForSelector(".toolbar-menu:not([hidden])");
    const wi = narrow.overflowed.indexOf("Weights");
    for (let i = 0; i < wi; i++) await page.keyboard.press("ArrowDown");
    assert.equal(await focused(), "Weights");
    await page.keyboard.press("Enter");
    assert.equal(await page.locator(".toolbar-menu").isVisible(), false);
    assert.equal(await weightsBtn.getAttribute("aria-pressed"), "false");
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("toolbar-more")), true);
    // a plain action through the menu: SVG asks the host to save the export, as its button does
    const sent: string[] = [];
    await page.exposeFunction("__sent", (t: string) => sent.push(t));
    await page.evaluate(() =>
      window.addEventListener("webview-to-host", (ev) =>
        (window as unknown as { __sent(t: string): void }).__sent((ev as CustomEvent<{ type: string }>).detail.type),
      ),
    );
    await page.click("#toolbar .toolbar-more");
    await page.locator(".toolbar-menu [role='menuitem']", { hasText: "SVG" }).click();
    await page.waitForFunction(() => document.querySelector("#status")?.textContent?.includes("SVG export ready"));
    assert.ok(sent.includes("graph/saveFile"), sent.join(","));
    // a click outside closes the menu
    await page.click("#toolbar .toolbar-more");
    await page.mouse.click(300, 400);
    assert.equal(await page.locator(".toolbar-menu").isVisible(), false);

    // narrower still: Time and Run… go too (still inside, one row), and Run… works from the menu
    await page.setViewportSize({ width: 520, height: 700 });
    await page.waitForTimeout(200);
    const tight = await bar(page);
    assertInside(tight, "520 px");
    assert.ok(tight.overflowed.includes("Time") && tight.overflowed.includes("Run…"), tight.overflowed.join(","));
    await page.click("#toolbar .toolbar-more");
    assert.deepEqual(await menuLabels(page), tight.overflowed);
    await page.locator(".toolbar-menu [role='menuitem']", { hasText: "Run…" }).click();
    for (let i = 0; i < 50 && !sent.includes("graph/runSignature"); i++) await page.waitForTimeout(100);
    assert.ok(sent.includes("graph/runSignature"), sent.join(","));
    // wider: fewer controls in More, still one row inside the box
    await page.setViewportSize({ width: 1100, height: 700 });
    await page.waitForTimeout(200);
    const mid = await bar(page);
    assertInside(mid, "1100 px");
    assert.ok(
      mid.overflowed.length < narrow.overflowed.length,
      `${mid.overflowed.length} < ${narrow.overflowed.length}`,
    );
    if (mid.more) assert.equal(mid.shown.at(-1)?.label, "More…");
    // wide: everything fits, no More
    await page.setViewportSize({ width: 2000, height: 700 });
    await page.waitForTimeout(200);
    const wide = await bar(page);
    assertInside(wide, "2000 px");
    assert.equal(wide.more, false, "no More when everything fits");
    assert.deepEqual(wide.overflowed, []);
    assert.ok(wide.shown.some((c) => c.label === "Run…"));
    // and narrow again: the same controls go
    await page.setViewportSize({ width: 760, height: 700 });
    await page.waitForTimeout(200);
    const again = await bar(page);
    assertInside(again, "760 px again");
    assert.deepEqual(again.overflowed, narrow.overflowed);
    await page.close();

    // without a picker the title stays (and shrinks before any button moves)
    const g2 = buildDisplayGraph(graphSourceFromSavedModel(pb), { signature: sig });
    g2.views = undefined;
    const { page: p2 } = await h.open(g2, { width: 900, height: 600 });
    await p2.waitForSelector("#toolbar .search");
    await p2.waitForTimeout(300);
    assert.equal(await p2.locator("#toolbar .title").isVisible(), true, "the title stays without a picker");
    assertInside(await bar(p2), "900 px, no picker");
    await p2.screenshot({ path: join(SHOTS, "no-picker-900.png") });
    await p2.close();
  } finally {
    await h.stop();
  }
});
