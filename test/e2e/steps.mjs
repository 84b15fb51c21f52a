// Steps every E2E scenario file shares: running a list of scenarios (filter, timing, PASS/FAIL lines, a
// screenshot and DOM dump on failure) and picking an item of the workbench's context menu.

/** SME_E2E_ONLY-style filter: true when `only` is unset or one of its comma-separated words is in `name` (any case). */
export function scenarioSelected(name, only) {
  if (!only) return true;
  return only.split(",").some((o) => name.toLowerCase().includes(o.toLowerCase()));
}

/**
 * Runs `list` in order; each failure is recorded with a screenshot (and a DOM dump where `dumpDom`), then Escape,
 * and the run goes on. Returns [{ name, ok, ms, detail | error }].
 * @param {{ name: string, run: (ctx: any) => Promise<string | undefined> }[]} list
 * @param {{ wb: any, page: any, log: (s: string) => void }} ctx
 * @param {{ selected?: (name: string) => boolean, before?: () => Promise<void>, runCtx?: any,
 *   failPrefix?: string, nameChars?: number, dumpDom?: boolean, onFail?: () => Promise<void> }} [opts]
 */
export async function runScenarioList(list, ctx, opts = {}) {
  const selected = opts.selected ?? ((name) => scenarioSelected(name, process.env.SME_E2E_ONLY));
  const results = [];
  for (const s of list) {
    if (!selected(s.name)) continue;
    const t0 = Date.now();
    try {
      if (opts.before) await opts.before();
      const detail = await s.run(opts.runCtx ?? ctx);
      results.push({ name: s.name, ok: true, ms: Date.now() - t0, detail });
      ctx.log(`PASS ${s.name} (${Date.now() - t0} ms)${detail ? `: ${detail}` : ""}`);
    } catch (e) {
      results.push({ name: s.name, ok: false, ms: Date.now() - t0, error: String(e?.stack ?? e) });
      ctx.log(`FAIL ${s.name} (${Date.now() - t0} ms): ${e?.message ?? e}`);
      const safe = s.name.replace(/[^a-z0-9]+/gi, "-").slice(0, opts.nameChars ?? 40);
      await ctx.wb.screenshot(`FAIL-${opts.failPrefix ?? ""}${safe}`).catch(() => undefined);
      if (opts.dumpDom !== false) await ctx.wb.dumpDom(`FAIL-${safe}`).catch(() => undefined);
      if (opts.onFail) await opts.onFail().catch(() => undefined);
      await ctx.page.keyboard.press("Escape").catch(() => undefined);
    }
  }
  return results;
}

/** Clicks the item labelled `label` of the open context menu (hovering first so the menu keeps it). */
export async function clickContextMenuItem(page, label) {
  const item = page.locator(".context-view .action-item", { hasText: label }).first();
  await item.waitFor({ timeout: 15000 });
  await item.hover();
  await page.waitForTimeout(300);
  await item.click();
}

/**
 * The frame of the webview that has `selector` (several webviews can be visible side by side, e.g. the run form
 * beside the graph); waits up to `timeout` ms. Undefined when none appears.
 */
export async function frameWith(page, selector, timeout = 30000) {
  for (let waited = 0; waited <= timeout; waited += 200) {
    for (const f of page.frames())
      if (
        await f
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return f;
    await page.waitForTimeout(200);
  }
  return undefined;
}

/**
 * Clicks the graph toolbar's control named `name` (its text), through the toolbar's "More…" menu when the
 * control did not fit the row (src/webview/graph/toolbarOverflow.ts).
 */
export async function clickGraphToolbar(view, name) {
  const btn = view.locator(`#toolbar vscode-button:text-is("${name}")`).first();
  await btn.waitFor({ state: "attached", timeout: 30000 });
  if (await btn.isVisible()) return btn.click();
  await view.locator("#toolbar vscode-button.toolbar-more").click();
  await view.locator(".toolbar-menu [role^='menuitem']", { hasText: name }).first().click();
}
