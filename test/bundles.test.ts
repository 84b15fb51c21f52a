/**
 * Decoding happens only in workers: the extension host bundle and every webview bundle contain no generated
 * protobuf code (proto/generated) and no op registry. Bundled in memory with the build's esbuild settings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(__dirname, "..");

async function inputsOf(entry: string, platform: "node" | "browser"): Promise<string[]> {
  const r = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(root, "dist-test-unused"),
    platform,
    format: platform === "node" ? "cjs" : "iife",
    external: ["vscode"],
    mainFields: platform === "node" ? ["module", "main"] : undefined,
    loader: { ".ttf": "file", ".woff2": "file", ".svg": "text" },
    logLevel: "silent",
  });
  return Object.keys(r.metafile.inputs);
}

for (const [entry, platform] of [
  ["src/extension/extension.ts", "node"],
  ["src/webview/overview/main.ts", "browser"],
  ["src/webview/variable/main.ts", "browser"],
  ["src/webview/run/main.ts", "browser"],
  ["src/webview/graph/main.ts", "browser"],
] as const) {
  test(`${entry} bundles no generated protobuf code and no op registry`, { timeout: 60_000 }, async () => {
    const inputs = await inputsOf(entry, platform);
    assert.deepEqual(
      inputs.filter((f) => f.includes("proto/generated/") || f.includes("opRegistry/ops.generated")),
      [],
    );
  });
}
