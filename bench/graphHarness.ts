/**
 * Headless-Chromium harness for the graph webview: serves dist/webview (the real bundle + layout worker)
 * on 127.0.0.1, opens graph-dev.html, posts a DisplayGraph the way the extension host does, and reads back
 * timings. Used by bench/graph.bench.ts and the screenshot script.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { DisplayGraph } from "../src/graph/model.js";
import { packDisplayGraph } from "../src/graph/pack.js";
import type { GraphDiffOverlay } from "../src/graph/diffPicture.js";

const ROOT = join(__dirname, "..");
/** The bench builds its own copy of the bundle here, so concurrent `npm run build`s (which wipe dist/) do not interfere. */
export const WEBVIEW_DIR = join(ROOT, ".cache", "bench-webview-graph");
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".map": "application/json",
};

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** A few of the --vscode-* variables VS Code sets, for light and high-contrast screenshots of the plain page. */
const THEMES: Record<"light" | "hc", string> = {
  light: `:root { --vscode-editor-background: #ffffff; --vscode-editor-foreground: #3b3b3b; --vscode-descriptionForeground: #717171;
    --vscode-editorWidget-background: #f8f8f8; --vscode-editorWidget-border: #c8c8c8; --vscode-sideBar-background: #f3f3f3;
    --vscode-sideBarSectionHeader-background: #e4e4e4; --vscode-editorLineNumber-foreground: #8a8a8a; --vscode-focusBorder: #005fb8;
    --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece;
    --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b; --vscode-button-secondaryHoverBackground: #cccccc;
    --vscode-charts-green: #388a34; --vscode-charts-orange: #d18616; --vscode-charts-blue: #1a85ff; --vscode-charts-purple: #652d90;
    --vscode-charts-yellow: #bf8803; --vscode-charts-red: #e51400; --vscode-textLink-foreground: #005fb8; --vscode-terminal-ansiCyan: #0598bc; }`,
  hc: `:root { --vscode-editor-background: #000000; --vscode-editor-foreground: #ffffff; --vscode-descriptionForeground: #ffffff;
    --vscode-contrastBorder: #6fc3df; --vscode-editorWidget-background: #0c141f; --vscode-sideBar-background: #000000;
    --vscode-sideBarSectionHeader-background: #000000; --vscode-editorLineNumber-foreground: #ffffff; --vscode-focusBorder: #f38518;
    --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616; --vscode-charts-blue: #3794ff; --vscode-charts-purple: #b180d7;
    --vscode-charts-yellow: #cca700; --vscode-charts-red: #f14c4c; --vscode-textLink-foreground: #21a6ff; --vscode-terminal-ansiCyan: #29b8db; }`,
};

export class GraphHarness {
  private server!: Server;
  private browser!: Browser;
  base = "";
  /** JSON bodies served at /graph/<id>.json */
  readonly graphs = new Map<string, string>();
  /** A folder with another build of dist/webview (graph-dev.html, graph.js, ...), served under /anchor/. */
  anchorDir: string | undefined;

  async start(): Promise<void> {
    execFileSync(
      process.execPath,
      [
        join(ROOT, "scripts", "build-webview-graph.mjs"),
        "--out",
        WEBVIEW_DIR,
        ...(process.env.GRAPH_BENCH_NOMINIFY ? ["--minify=false"] : []),
      ],
      {
        stdio: "inherit",
      },
    );
    if (!existsSync(join(WEBVIEW_DIR, "graph.js"))) throw new Error(`${WEBVIEW_DIR}/graph.js missing after the build`);
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/favicon.ico") return void res.writeHead(204).end();
      if (url.pathname.startsWith("/graph/")) {
        const body = this.graphs.get(url.pathname.slice(7, -5));
        if (!body) return void res.writeHead(404).end();
        res.writeHead(200, { "content-type": "application/json" }).end(body);
        return;
      }
      // /anchor/...: another build of the bundle (--anchor-dir), e.g. the one before a change, for interleaved runs.
      const anchor = this.anchorDir && url.pathname.startsWith("/anchor/");
      const dir = anchor ? this.anchorDir! : WEBVIEW_DIR;
      const rel = anchor ? url.pathname.slice("/anchor".length) : url.pathname;
      const p = normalize(join(dir, rel === "/" ? "graph-dev.html" : rel));
      if (!p.startsWith(dir) || !existsSync(p)) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": TYPES[extname(p)] ?? "application/octet-stream" }).end(readFileSync(p));
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    const addr = this.server.address();
    this.base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /**
   * Opens a fresh page (cold layout worker), loads `g`, and resolves once the first picture is painted.
   * firstPaintMs runs from posting graph/load to two animation frames after the view reported it.
   */
  async open(
    g: DisplayGraph,
    opts: {
      width?: number;
      height?: number;
      theme?: "dark" | "light" | "hc";
      page?: string;
      /** The anchor: the first picture waits for ELK, as before the fast first layout. */
      waitForElk?: boolean;
      /** Sent with graph/load: the comparison editor's change overlay (GraphLoadMessage.diff). */
      diff?: GraphDiffOverlay;
    } = {},
  ): Promise<{
    page: Page;
    firstPaintMs: number;
    coldMs: number;
    loadPostedMs: number;
    elkReadyMs: number | null;
    firstLayout: string;
  }> {
    const page = await this.browser.newPage({ viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    // tsx/esbuild may wrap functions passed to page.evaluate in its __name helper.
    await page.addInitScript("window.__name = (f) => f;");
    const id = String(this.graphs.size + 1);
    // What the panel posts: the packed form (typed arrays go over JSON here as plain arrays and are rebuilt
    // in the page before timing starts).
    const packed = packDisplayGraph(g);
    this.graphs.set(
      id,
      JSON.stringify(packed, (_k, v) =>
        v instanceof Int32Array || v instanceof Uint8Array
          ? { __ta: v instanceof Int32Array ? "i32" : "u8", d: Array.from(v) }
          : v,
      ),
    );
    const cspViolations: string[] = [];
    await page.exposeFunction("__cspViolation", (v: string) => cspViolations.push(v));
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI));",
    );
    await page.goto(`${this.base}/${opts.page ?? "graph-dev.html"}`);
    if (opts.theme && opts.theme !== "dark") await page.addStyleTag({ content: THEMES[opts.theme] });
    if (opts.waitForElk) await page.evaluate(() => (document.body.dataset.firstLayout = "elk"));
    if (opts.diff)
      await page.evaluate((d) => ((window as unknown as { __loadDiff: unknown }).__loadDiff = d), opts.diff);
    const { firstPaintMs, coldMs, loadPostedMs, elkReadyMs, firstLayout } = await page.evaluate(async (url) => {
      const packed = JSON.parse(await (await fetch(url)).text(), (_k, v) =>
        v && typeof v === "object" && "__ta" in v
          ? v.__ta === "i32"
            ? Int32Array.from(v.d)
            : Uint8Array.from(v.d)
          : v,
      );
      type View = { layout: { warmAt?: number }; firstLayout?: string };
      return await new Promise<{
        firstPaintMs: number;
        coldMs: number;
        loadPostedMs: number;
        elkReadyMs: number | null;
        firstLayout: string;
      }>((resolve, reject) => {
        const t0 = performance.now();
        window.addEventListener("webview-to-host", (ev) => {
          const m = (ev as CustomEvent).detail as { type: string; reason?: string };
          if (m.type === "graph/rendered" && m.reason === "first")
            requestAnimationFrame(() =>
              requestAnimationFrame(() => {
                const now = performance.now();
                const v = (window as unknown as { __graphView: View }).__graphView;
                // performance.now() counts from the navigation start: page load, bundle parse, layout-worker
                // start and the graph's transfer are all inside coldMs.
                resolve({
                  firstPaintMs: now - t0,
                  coldMs: now,
                  loadPostedMs: t0,
                  elkReadyMs: v.layout.warmAt ?? null,
                  firstLayout: v.firstLayout ?? "?",
                });
              }),
            );
        });
        setTimeout(() => reject(new Error("no first picture within 60 s")), 60_000);
        const diff = (window as unknown as { __loadDiff?: unknown }).__loadDiff;
        window.postMessage({ type: "graph/load", packed, diff }, "*");
      });
    }, `${this.base}/graph/${id}.json`);
    this.graphs.delete(id);
    // A provisional first picture (drawn while ELK was starting) is replaced once ELK is ready: wait for that,
    // so tests and screenshots see the settled picture.
    if (firstLayout === "provisional")
      await page.waitForFunction(
        () => (window as unknown as { __graphView: { upgradedAt?: number } }).__graphView.upgradedAt !== undefined,
        undefined,
        { timeout: 30_000 },
      );
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    if (errors.length || cspViolations.length)
      throw new Error(`page errors: ${[...errors, ...cspViolations].join("\n")}`);
    return { page, firstPaintMs, coldMs, loadPostedMs, elkReadyMs, firstLayout };
  }
}

/** Runs `fn` in the page against window.__graphView and waits two frames after it settles. */
export async function timeInPage(page: Page, script: string): Promise<number> {
  return page.evaluate(async (src) => {
    const view = (window as unknown as { __graphView: unknown }).__graphView;
    const t0 = performance.now();
    await (new Function("view", `return (async () => { ${src} })()`) as (v: unknown) => Promise<unknown>)(view);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  }, script);
}
