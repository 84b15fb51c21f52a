// Playwright helpers for driving the VS Code (code-server) workbench: command palette, the
// SavedModels tree, notifications, and webviews (two iframes deep).
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export class Workbench {
  /**
   * @param {import("playwright-core").Page} page
   * @param {{ shotsDir: string, log: (...a: unknown[]) => void }} opts
   */
  constructor(page, opts) {
    this.page = page;
    this.shotsDir = opts.shotsDir;
    this.log = opts.log;
    this.shots = [];
  }

  async screenshot(name) {
    const path = join(this.shotsDir, `${name}.png`);
    await this.page.screenshot({ path });
    this.shots.push(path);
    this.log(`screenshot ${path}`);
    return path;
  }

  /** A quick-input row whose label is `label` (optionally after a "Category: " prefix). */
  quickRow(label) {
    return this.page
      .locator(".quick-input-widget .monaco-list-row")
      .filter({ has: this.page.locator(".label-name", { hasText: new RegExp(`(^|: )${escapeRe(label)}$`) }) })
      .first();
  }

  /** Runs a command by its palette title (e.g. "SavedModel: Refresh"); `pick` then chooses an item of its quick pick. */
  async command(title, { pick } = {}) {
    const page = this.page;
    const input = page.locator(".quick-input-widget .quick-input-box input");
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press("Escape");
      // focus the workbench (not a webview iframe) so F1 reaches VS Code's keybindings
      await page
        .locator(".monaco-workbench .part.titlebar .window-title")
        .click({ timeout: 2000 })
        .catch(() => undefined);
      await page.keyboard.press("F1");
      try {
        await input.waitFor({ state: "visible", timeout: 10000 });
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
      }
    }
    await input.fill(`>${title}`);
    const row = this.quickRow(title);
    await row.waitFor({ timeout: 15000 });
    await row.click();
    if (pick) {
      // wait for the command's own quick pick to replace the palette (its value no longer starts with ">")
      await page.waitForFunction(
        () => {
          const i = document.querySelector(".quick-input-widget .quick-input-box input");
          return i && i.offsetParent !== null && !i.value.startsWith(">");
        },
        null,
        { timeout: 15000 },
      );
      await input.fill(pick);
      const item = this.quickRow(pick);
      await item.waitFor({ timeout: 15000 });
      await item.click();
    }
  }

  /** The pane of a view by its title (e.g. "SavedModels"). */
  pane(title) {
    return this.page.locator(".pane", { has: this.page.locator(".pane-header", { hasText: title }) });
  }

  async openSavedModelsView() {
    const header = this.pane("SavedModels").locator(".pane-header");
    // the Explorer shows the view's header; if another side bar is showing, focus the view by command
    await header.waitFor({ timeout: 30000 });
    if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
    // give the tree room: collapse the workspace folder pane above it
    await this.page.evaluate(() => {
      const pane = document.querySelector(".explorer-folders-view")?.closest(".pane");
      const h = pane?.querySelector(".pane-header");
      if (h?.getAttribute("aria-expanded") === "true") h.click();
    });
  }

  /** Visible rows of a tree pane, in display order: { label, description, level, expanded }. */
  async rows(paneTitle = "SavedModels") {
    return this.pane(paneTitle)
      .locator(".pane-body")
      .evaluate((body) =>
        [...body.querySelectorAll(".monaco-list-row")]
          .map((r) => ({
            top: parseFloat(r.style.top || "0"),
            label: r.querySelector(".label-name")?.textContent ?? "",
            description: r.querySelector(".label-description")?.textContent ?? "",
            level: Number(r.getAttribute("aria-level") ?? 0),
            expanded: r.getAttribute("aria-expanded"),
          }))
          .sort((a, b) => a.top - b.top)
          .map(({ top, ...rest }) => rest),
      );
  }

  /** A tree row whose label is exactly `label` (optionally the n-th such row). */
  row(label, paneTitle = "SavedModels") {
    return this.pane(paneTitle)
      .locator(".monaco-list-row")
      .filter({ has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRe(label)}$`) }) })
      .first();
  }

  /** Waits for a row and makes sure it is expanded. */
  async expand(label, paneTitle = "SavedModels") {
    const r = this.row(label, paneTitle);
    await r.waitFor({ timeout: 60000 });
    if ((await r.getAttribute("aria-expanded")) === "false") await r.locator(".label-name").click();
    await this.page.waitForFunction((el) => el?.getAttribute("aria-expanded") !== "false", await r.elementHandle(), {
      timeout: 60000,
    });
    return r;
  }

  async collapseAll(paneTitle = "SavedModels") {
    const header = this.pane(paneTitle).locator(".pane-header");
    await header.hover();
    const action = header.locator('.action-label[aria-label^="Collapse All"]');
    if ((await action.getAttribute("aria-disabled")) !== "true") await action.click();
  }

  /** Runs a row's inline action (e.g. "Open Overview"). */
  async rowAction(label, action, paneTitle = "SavedModels") {
    const r = this.row(label, paneTitle);
    await r.waitFor({ timeout: 30000 });
    await r.hover();
    await r.locator(`.action-label[aria-label^="${action}"]`).click();
  }

  /** Rows below `label` (its descendants while expanded). */
  async descendants(label, paneTitle = "SavedModels") {
    const rows = await this.rows(paneTitle);
    const i = rows.findIndex((r) => r.label === label);
    if (i < 0) throw new Error(`no row "${label}" in ${paneTitle}: ${rows.map((r) => r.label).join(" | ")}`);
    const out = [];
    for (let j = i + 1; j < rows.length && rows[j].level > rows[i].level; j++) out.push(rows[j]);
    return out;
  }

  /** The active webview's document: outer iframe.webview.ready → inner iframe#active-frame. */
  webview() {
    return this.page.frameLocator("iframe.webview.ready:visible").frameLocator("#active-frame");
  }

  async closeAllEditors() {
    await this.command("View: Close All Editors");
    await this.page.waitForFunction(
      () => !document.querySelector("iframe.webview.ready:not([style*='visibility: hidden'])") || true,
    );
  }

  /** Text of all visible notification toasts. */
  async notifications() {
    return this.page.locator(".notifications-toasts .notification-toast").allTextContents();
  }

  async dumpDom(name) {
    writeFileSync(join(this.shotsDir, `${name}.html`), await this.page.content());
  }
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
