/**
 * The extension entry with the run feature wired in, for builds made before activate() calls
 * registerRunFeature itself (the run E2E stages its VSIX from this). Same API plus `run`.
 */
import type * as vscode from "vscode";
import { activate as activateBase, deactivate } from "../extension.js";
import { canShowGraph } from "../graphBridge.js";
import { registerRunFeature, type RunFeature } from "./index.js";

export function activate(context: vscode.ExtensionContext): ReturnType<typeof activateBase> & { run: RunFeature } {
  const api = activateBase(context);
  const run = registerRunFeature(context, { store: api.store, canShowGraph });
  return { ...api, run };
}

export { deactivate };
