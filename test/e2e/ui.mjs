// UI scenarios in the real workbench (code-server + chromium). Each scenario gets a fresh look at the
// page; failures are recorded with a screenshot and the run goes on to the next scenario.
import assert from "node:assert/strict";
import { runScenarioList } from "./steps.mjs";

const XSS = "<img src=x onerror=alert(1)>";

/** "x: float32 [-1, 224, 224, 3]" from the CLI's --json TensorSpecInfo (written here independently of the extension). */
function specLabel(s) {
  if (s.encoding === "composite") return null;
  const shape = s.shape === undefined ? "<unknown rank>" : `[${s.shape.join(", ")}]`;
  return `${s.key}: ${s.dtypeShort} ${shape}${s.encoding === "coo_sparse" ? " (sparse)" : ""}`;
}

/** Expands an export, its (only) meta graph and its Signatures group. */
async function openSignatures(wb, exportName) {
  await wb.expand(exportName);
  await wb.expand("serve");
  await wb.expand("Signatures");
}

/** Checks every visible signature's inputs/outputs in the tree against the CLI's JSON for the same folder. */
async function checkSignatures(wb, cliJson, { only } = {}) {
  const mg = cliJson.metaGraphs[0];
  const sigs = mg.signatures.filter((s) => !s.hidden && (!only || only.includes(s.key)));
  assert.ok(sigs.length > 0, "the CLI lists signatures");
  let checked = 0;
  for (const s of sigs) {
    await wb.expand(s.key);
    // inputs/outputs groups are expanded by default; wait for the first spec row
    const first = specLabel(s.inputs[0] ?? s.outputs[0]);
    if (first) await wb.row(first).waitFor({ timeout: 30000 });
    const below = await wb.descendants(s.key);
    const labels = below.map((r) => r.label);
    for (const spec of [...s.inputs, ...s.outputs]) {
      const want = specLabel(spec);
      if (!want) continue;
      assert.ok(
        labels.includes(want),
        `signature ${s.key}: tree shows ${JSON.stringify(labels)}, the CLI says ${want}`,
      );
      checked++;
    }
    // collapse it again so the next one is on screen
    await wb.row(s.key).locator(".label-name").click();
  }
  return checked;
}

export const scenarios = [
  {
    name: "SavedModels view lists every export, nested version folders included",
    async run({ wb, page }) {
      await wb.openSavedModelsView();
      for (const name of [
        "serving-half-plus-two-cpu",
        "potato-cnn-tf29",
        "corrupt-binary-named-pbtxt",
        "half_plus_three/00000123",
        "xss",
        "demo/1",
      ]) {
        await wb.row(name).waitFor({ timeout: 60000 });
      }
      const rows = await wb.rows();
      assert.ok(rows.length >= 7, `expected at least 7 exports, saw ${rows.map((r) => r.label).join(", ")}`);
      await wb.screenshot("01-savedmodels-view");
      return `${rows.filter((r) => r.level === 1).length} exports listed`;
    },
  },
  {
    name: "TF1 export (serving-half-plus-two-cpu): signatures match `savedmodel show --json`",
    async run({ wb, cli }) {
      await wb.collapseAll();
      await openSignatures(wb, "serving-half-plus-two-cpu");
      const n = await checkSignatures(wb, cli["serving-half-plus-two-cpu"]);
      await wb.expand("serving_default");
      await wb.row("x: float32 [-1, 1]").waitFor();
      await wb.screenshot("02-tf1-tree");
      return `${n} inputs/outputs match the CLI`;
    },
  },
  {
    name: "TF2 Keras export (potato-cnn-tf29): signature, layers with parameter counts, variables",
    async run({ wb, cli }) {
      await wb.collapseAll();
      await openSignatures(wb, "potato-cnn-tf29");
      const n = await checkSignatures(wb, cli["potato-cnn-tf29"]);
      await wb.expand("Objects");
      const conv = wb.row("conv2d");
      await conv.waitFor({ timeout: 60000 });
      const rows = await wb.rows();
      const convRow = rows.find((r) => r.label === "conv2d");
      assert.match(convRow.description, /Conv2D · 896 params/);
      await wb.row("Objects").locator(".label-name").click();
      await wb.expand("Variables");
      await wb.screenshot("03-tf2-tree");
      return `${n} inputs/outputs match the CLI; conv2d: ${convRow.description}`;
    },
  },
  {
    name: "Overview page opens as the custom editor and shows signatures like saved_model_cli",
    async run({ wb, cli }) {
      await wb.closeAllEditors();
      await wb.collapseAll();
      await wb.rowAction("potato-cnn-tf29", "Open Overview");
      const view = wb.webview();
      await view.locator(".sig-key", { hasText: "signature_def['serving_default']" }).waitFor({ timeout: 60000 });
      const input = cli["potato-cnn-tf29"].metaGraphs[0].signatures.find((s) => s.key === "serving_default").inputs[0];
      const cells = await view.locator("table.inputs tbody tr").first().locator("td").allTextContents();
      assert.deepEqual(cells.slice(0, 3), [input.key, input.dtypeShort, `[${input.shape.join(", ")}]`]);
      await view.locator(".card-value", { hasText: "2.9.2" }).waitFor();
      await view.locator("[data-section=ops] .op-row").first().waitFor({ timeout: 60000 });
      await view.locator("[data-section=layers] table").waitFor({ timeout: 30000 });
      await wb.screenshot("04-overview-dark");
      // the signature's "Run…" link opens its run form (src/extension/run)
      await view.getByRole("button", { name: "Run…" }).first().click();
      await wb.page.locator(".tabs-container .tab", { hasText: "Run serving_default" }).waitFor({ timeout: 30000 });
      return `inputs row: ${cells.join(" | ")}; Run… opened the run form`;
    },
  },
  {
    name: "Variable value view: statistics, d3 histogram, first values, paged table",
    async run({ wb }) {
      await wb.closeAllEditors();
      await wb.collapseAll();
      await wb.expand("potato-cnn-tf29");
      await wb.expand("Variables");
      await wb.expand("conv2d");
      await wb.row("kernel: float32 [3, 3, 3, 32]").locator(".label-name").click();
      const view = wb.webview();
      await view.locator("[data-stat=mean] .stat-value").waitFor({ timeout: 60000 });
      const bins = await view.locator("svg.histogram rect.bin").count();
      assert.ok(bins > 5, `histogram has ${bins} bars`);
      const firstValues = await view.locator(".first-values .value").count();
      assert.equal(firstValues, 64);
      await view.locator("table.values-table tbody tr").first().waitFor({ timeout: 30000 });
      const pageInfo = await view.locator(".page-info").textContent();
      assert.match(pageInfo, /of 864$/);
      await view.getByRole("button", { name: "next ›" }).click();
      await view.locator("table.values-table tbody tr td", { hasText: /^100$/ }).first().waitFor({ timeout: 15000 });
      const mean = await view.locator("[data-stat=mean] .stat-value").textContent();
      await wb.screenshot("05b-variable-table");
      await view.locator("h1").scrollIntoViewIfNeeded();
      await view.locator("h1").evaluate(() => window.scrollTo(0, 0));
      await wb.screenshot("05-variable-view");
      // the panel comes back after a window reload (WebviewPanelSerializer + webview state)
      await wb.command("Developer: Reload Window"); // lets the workbench save its editors first
      await wb.page.waitForEvent("framenavigated", { timeout: 30000 }).catch(() => undefined);
      await wb.page.waitForSelector(".monaco-workbench", { timeout: 60000 });
      await wb.webview().locator("[data-stat=mean] .stat-value").waitFor({ timeout: 60000 });
      return `mean ${mean}, ${bins} histogram bars, paging works, restored after a reload`;
    },
  },
  {
    name: "Corrupt export: the tree, a notification and the overview say what is wrong and where",
    async run({ wb }) {
      await wb.closeAllEditors();
      await wb.collapseAll();
      await wb.expand("corrupt-binary-named-pbtxt");
      const err = wb.pane("SavedModels").locator(".monaco-list-row", { hasText: "truncated or corrupt" }).first();
      await err.waitFor({ timeout: 60000 });
      // headless, VS Code files the error in the notification centre (no toast while the page has no focus)
      await wb.command("Notifications: Show Notifications");
      const note = wb.page
        .locator(".notifications-center .notification-list-item", { hasText: "saved_model.pbtxt" })
        .first();
      await note.waitFor({ timeout: 30000 });
      assert.match((await note.textContent()) ?? "", /cannot open .*corrupt-binary-named-pbtxt.*offset \d+/);
      await wb.screenshot("06-corrupt-tree");
      await wb.page.keyboard.press("Escape");
      await wb.rowAction("corrupt-binary-named-pbtxt", "Open Overview");
      const view = wb.webview();
      await view.locator(".error-banner .error-message").waitFor({ timeout: 60000 });
      const msg = await view.locator(".error-banner .error-message").textContent();
      assert.match(msg, /saved_model\.pbtxt.*offset \d+/);
      await wb.screenshot("07-corrupt-overview");
      return msg;
    },
  },
  {
    name: "Incomplete export (data shard missing): variables and problems are marked",
    async run({ wb }) {
      await wb.closeAllEditors();
      await wb.collapseAll();
      await wb.expand("incomplete-albert-tf23");
      await wb.expand("Variables");
      const rows = await wb.descendants("Variables");
      const group = (await wb.rows()).find((r) => r.label === "Variables");
      assert.match(group.description, /\d+ with problems/);
      await wb.expand("Problems");
      const problem = wb
        .pane("SavedModels")
        .locator(".monaco-list-row", { hasText: "data shard 0 of 1 is missing" })
        .first();
      await problem.waitFor({ timeout: 30000 });
      await wb.screenshot("07b-incomplete-tree");
      return `Variables: ${group.description}; ${rows.length} rows below`;
    },
  },
  {
    name: "Hostile names (builder XSS fixture) render as text in the tree and the overview",
    async run({ wb, page, dialogs }) {
      await wb.closeAllEditors();
      await wb.collapseAll();
      await wb.expand("xss");
      await wb.expand(`serve, ${XSS}`);
      await wb.expand("Signatures");
      await wb.row(XSS).waitFor({ timeout: 60000 });
      // the tooltip (markdown) shows the name as text too
      await wb.row(XSS).locator(".label-name").hover();
      const hover = wb.page.locator(".workbench-hover, .monaco-hover").filter({ hasText: XSS }).first();
      await hover.waitFor({ timeout: 15000 });
      assert.equal(await hover.locator("img").count(), 0, "no <img> in the tooltip");
      await wb.screenshot("08a-xss-tooltip");
      await wb.page.mouse.move(900, 600);
      await wb.rowAction("xss", "Open Overview");
      const view = wb.webview();
      await view.locator(".sig-key", { hasText: `signature_def['${XSS}']` }).waitFor({ timeout: 60000 });
      assert.equal(await view.locator("img").count(), 0, "no <img> element was created from a model string");
      const inputKey = await view.locator("table.inputs tbody tr td").first().textContent();
      assert.equal(inputKey, XSS);
      await page.waitForTimeout(500);
      assert.deepEqual(dialogs, [], "no alert() ran");
      await wb.screenshot("08-xss-overview");
      return "signature, input and tree label shown as text; no <img>, no dialog";
    },
  },
  {
    name: "Show Graph from a signature opens the graph panel (decoded in the worker)",
    async run({ wb }) {
      await wb.closeAllEditors();
      await wb.collapseAll();
      await openSignatures(wb, "serving-half-plus-two-cpu");
      await wb.rowAction("serving_default", "Show Graph");
      const view = wb.webview();
      await view.locator("svg").first().waitFor({ timeout: 60000 });
      await wb.page.waitForTimeout(1000);
      const texts = await view.locator("svg text").allTextContents();
      assert.ok(texts.length > 0, "the graph draws labelled nodes");
      // selecting variable node "a" in the graph reveals variable a in the SavedModels view (found by name: variables
      // are listed inside the op that reads them, and revealing one draws it as its own node)
      await view.locator(".search input").fill("a");
      await view.locator(".search input").press("Enter");
      const varRow = wb.row("a: float32 []");
      await varRow.waitFor({ timeout: 30000 });
      await wb.page.waitForFunction(
        (el) => el?.getAttribute("aria-selected") === "true",
        await varRow.elementHandle(),
        { timeout: 15000 },
      );
      await wb.screenshot("11-graph-panel");
      return `${texts.length} labels drawn; clicking node a revealed variable a in the tree`;
    },
  },
  {
    name: "Explorer context menu: Open Export Folder… on a folder holding several exports asks which",
    async run({ wb, page }) {
      await wb.closeAllEditors();
      // show the workspace's file tree and right-click its "generated" folder
      // (the workspace folder is called "ws": its pane's header has that title)
      const wsHeader = page.locator(".pane-header", { has: page.locator("h3.title", { hasText: /^ws$/ }) }).first();
      if ((await wsHeader.getAttribute("aria-expanded")) === "false") await wsHeader.click();
      const folder = page.locator(".explorer-folders-view .monaco-list-row", { hasText: /^generated$/ }).first();
      await folder.waitFor({ timeout: 30000 });
      await folder.click({ button: "right" });
      const item = page.locator(".context-view .action-item", { hasText: "Open Export Folder…" }).first();
      await item.waitFor({ timeout: 15000 });
      await wb.screenshot("12-explorer-context-menu");
      await item.click();
      // several exports below: a quick pick lists them
      const pick = wb.quickRow("xss");
      await pick.waitFor({ timeout: 30000 });
      const options = await page.locator(".quick-input-widget .monaco-list-row .label-name").allTextContents();
      await pick.click();
      await wb.webview().locator(".sig-key", { hasText: "signature_def[" }).first().waitFor({ timeout: 60000 });
      await wb.screenshot("13-opened-from-context-menu");
      await wb.openSavedModelsView();
      return `offered ${options.join(", ")}`;
    },
  },
  {
    name: "Light theme: the overview reads well with theme colours",
    async run({ wb }) {
      await wb.closeAllEditors();
      await wb.command("Preferences: Color Theme", { pick: "Light Modern" });
      await wb.page.locator(".monaco-workbench.vs").waitFor({ timeout: 15000 });
      await wb.rowAction("potato-cnn-tf29", "Open Overview");
      const view = wb.webview();
      await view.locator("body.vscode-light .sig-key").first().waitFor({ timeout: 60000 });
      await view.locator("[data-section=ops] .op-row").first().waitFor({ timeout: 60000 });
      const bg = await view.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor);
      const [r, g, bl] = bg.match(/\d+/g).map(Number);
      assert.ok(r + g + bl > 600, `light background expected, got ${bg}`);
      await wb.screenshot("09-overview-light");
      await wb.command("Preferences: Color Theme", { pick: "Dark High Contrast" });
      await wb.page.locator(".monaco-workbench.hc-black").waitFor({ timeout: 15000 });
      await view.locator("body.vscode-high-contrast .sig-key").first().waitFor({ timeout: 30000 });
      await wb.screenshot("10-overview-high-contrast");
      await wb.command("Preferences: Color Theme", { pick: "Dark Modern" });
      return `light background ${bg}`;
    },
  },
];

/** Runs every scenario; returns [{ name, ok, ms, detail | error }]. */
export async function runUi(ctx) {
  return runScenarioList(scenarios, ctx, {
    before: () => ctx.wb.openSavedModelsView(),
    onFail: async () => {
      const rows = await ctx.wb.rows().catch(() => []);
      ctx.log(
        `  tree rows: ${rows.map((r) => `${"  ".repeat(r.level)}${r.label} [${r.description}] ${r.expanded ?? ""}`).join("\n    ")}`,
      );
    },
  });
}
