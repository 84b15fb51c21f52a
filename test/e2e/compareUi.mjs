// Comparison editor scenarios in the real workbench (code-server + chromium): two TF Serving version folders
// (generated/compare/model/1 and model/2, written by test/e2e/makeWorkspace.ts: model/2 drops input x2 and
// moves one weight) compared from the SavedModels view; the breaking change comes first.
import assert from "node:assert/strict";
import { clickContextMenuItem, runScenarioList } from "./steps.mjs";

/** Screenshots the README uses: artifact name → docs/screenshots name (scripts/e2e.mjs copies them). */
export const compareReadmeShots = {
  "23-compare-graph.png": "compare-graph.png",
};

export const compareScenarios = [
  {
    name: "Compare With Previous Version (model/2 → model/1): the breaking change first, weights drift, Δ histogram",
    async run({ wb, page }) {
      await wb.closeAllEditors();
      await wb.openSavedModelsView();
      await wb.collapseAll();
      const row = wb.row("model/2");
      await row.waitFor({ timeout: 60000 });
      await row.locator(".label-name").click({ button: "right" });
      await clickContextMenuItem(page, "Compare With Previous Version");
      const view = wb.webview();
      const t0 = Date.now();
      const firstRow = view.locator("#contract table tbody tr").first();
      await firstRow.waitFor({ timeout: 60000 });
      const firstContentMs = Date.now() - t0;
      const first = await firstRow.textContent();
      assert.match(first, /breaking/, `first contract row: ${first}`);
      assert.match(first, /x2/, `first contract row names the removed input: ${first}`);
      const title = await view.locator("h1").textContent();
      assert.match(title, /model\/1 ↔ model\/2/);
      // the weights arrive after the contract: w drifted by 0.5 in one of 4 elements
      const wRow = view.locator("#weights table.drift tbody tr", { hasText: /^w/ }).first();
      await wRow.waitFor({ timeout: 60000 });
      const wText = await wRow.textContent();
      assert.match(wText, /0\.5/);
      assert.match(wText, /25\.0%/);
      await wRow.click();
      await view.locator("#weights svg.histogram").waitFor({ timeout: 30000 });
      // Δ is 0 for three elements and 0.5 for one: two bins are filled
      const filled = await view
        .locator("#weights svg.histogram rect.bin")
        .evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute("height")) > 0).length);
      assert.equal(filled, 2, "two non-empty bins in the Δ histogram");
      await wb.screenshot("20-compare-previous-version");
      // node changes per signature: the heading's count is the number of rows under it (it once said 3 above 4)
      const sigList = view.locator('#graph .node-changes[data-signature="serving_default"]');
      await sigList.waitFor({ timeout: 30000 });
      const head = await sigList.locator("h3").textContent();
      const count = Number(/(\d+) node change/.exec(head)?.[1]);
      const rows = await sigList.locator("table tbody tr").count();
      assert.equal(rows, count, `"${head}" above ${rows} rows`);
      await sigList.scrollIntoViewIfNeeded();
      await wb.screenshot("22-compare-node-changes");
      // Show graph changes, from the keyboard: model/2's signature drawn by the graph view, changes coloured
      const show = sigList.locator("vscode-button.show-graph-changes");
      await show.focus();
      await page.keyboard.press("Enter");
      const gv = wb.webview();
      await gv.locator("#canvas svg g.diff-changed").first().waitFor({ timeout: 60000 });
      const changed = await gv.locator("#canvas svg g.diff-changed").count();
      const removed = await gv.locator("#canvas svg g.diff-removed").count();
      assert.ok(changed >= 1, "a changed node on screen");
      assert.equal(removed, 2, "x2 and add, drawn from model/1");
      const legend = await gv.locator(".diff-legend").innerText();
      assert.match(legend, /Changes · serving_default/);
      assert.match(legend, /removed, drawn from A \(2\)/);
      // the changed node's details say what changed
      await gv.locator("#canvas svg g.diff-changed").first().click();
      await gv.locator(".details h3.diff-head-changed").waitFor({ timeout: 10000 });
      const details = await gv.locator(".details").innerText();
      assert.match(details, /inputs in A/i);
      await page.waitForTimeout(500);
      await wb.screenshot("23-compare-graph");
      return `first contract row "${first.replace(/\s+/g, " ").trim()}" after ${firstContentMs} ms; graph changes: ${changed} changed, ${removed} removed`;
    },
  },
  {
    name: "Two exports selected → Compare Exports opens the same comparison",
    async run({ wb, page }) {
      await wb.closeAllEditors();
      await wb.openSavedModelsView();
      const one = wb.row("model/1");
      const two = wb.row("model/2");
      await one.waitFor({ timeout: 60000 });
      await one.locator(".label-name").click();
      await two.locator(".label-name").click({ modifiers: ["Control"] });
      await two.locator(".label-name").click({ button: "right" });
      await clickContextMenuItem(page, "Compare Exports");
      const view = wb.webview();
      const firstRow = view.locator("#contract table tbody tr").first();
      await firstRow.waitFor({ timeout: 60000 });
      const first = await firstRow.textContent();
      assert.match(first, /breaking/);
      await wb.screenshot("21-compare-selected");
      return "comparison opened from a two-item selection";
    },
  },
];

/** Runs the comparison scenarios (SME_E2E_ONLY filters them like ui.mjs's); returns [{ name, ok, ms, detail | error }]. */
export async function runCompareUi(ctx) {
  return runScenarioList(compareScenarios, ctx);
}
