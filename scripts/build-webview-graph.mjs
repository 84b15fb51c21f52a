// Builds the graph webview bundle and its ELK layout worker into dist/webview/ (plus a dev/bench page).
// Usage: node scripts/build-webview-graph.mjs [--out DIR] [--minify=false]
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const oi = process.argv.indexOf("--out");
const out = oi > 0 ? process.argv[oi + 1] : join(root, "dist", "webview");
mkdirSync(out, { recursive: true });
const minify = !process.argv.includes("--minify=false");
const common = {
  bundle: true,
  minify,
  sourcemap: true,
  target: "chrome114",
  logLevel: "warning",
  legalComments: "linked",
};

const t0 = Date.now();
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [join(root, "src/webview/graph/main.ts")],
    outfile: join(out, "graph.js"),
    format: "iife",
  }),
  esbuild.build({
    ...common,
    entryPoints: [join(root, "src/webview/graph/layout.worker.ts")],
    outfile: join(out, "graphLayout.worker.js"),
    format: "iife",
  }),
]);
copyFileSync(join(root, "media/graph.css"), join(out, "graph.css"));
// A plain page for the bench and for screenshots: no VS Code, messages through window.postMessage.
writeFileSync(
  join(out, "graph-dev.html"),
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SavedModel graph (dev page)</title>
<link rel="stylesheet" href="graph.css"></head>
<body data-worker="graphLayout.worker.js"><div id="root"></div><script src="graph.js"></script></body></html>
`,
);
// The same page under the webview's strict CSP (scripts only by nonce, worker from blob:), for tests.
writeFileSync(
  join(out, "graph-csp.html"),
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data: blob:; style-src 'self'; font-src 'self'; script-src 'nonce-test'; worker-src blob:; connect-src 'self'">
<title>SavedModel graph (CSP page)</title>
<link rel="stylesheet" href="graph.css"></head>
<body data-worker="graphLayout.worker.js"><div id="root"></div><script nonce="test" src="graph.js"></script></body></html>
`,
);
console.log(`webview graph bundle built in ${Date.now() - t0} ms -> ${out}`);
