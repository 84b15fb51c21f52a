/** The extension's settings (package.json contributes.configuration), read fresh on each use. */
import * as vscode from "vscode";
import type { DecodeLimits } from "../protocol/decode.js";

const SECTION = "savedModelExplorer";

function get<T>(key: string, fallback: T): T {
  return vscode.workspace.getConfiguration(SECTION).get<T>(key, fallback);
}

export function decodeLimits(): DecodeLimits {
  return {
    maxProtoBytes: Math.max(1, get("decode.maxFileMegabytes", 2048)) * 1024 * 1024,
    maxElements: Math.max(1, get("preview.maxElements", 16_777_216)),
    tableMaxElements: Math.max(0, get("preview.tableMaxElements", 1_000_000)),
  };
}

export function scanSettings(): { exclude: string; maxExports: number } {
  return {
    exclude: get("scan.exclude", "**/{node_modules,.git}/**"),
    maxExports: Math.max(1, get("scan.maxExports", 500)),
  };
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}
