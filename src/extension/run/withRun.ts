/**
 * The extension entry with the run feature wired in, for builds made before activate() calls
 * registerRunFeature itself (the run E2E stages its VSIX from this). Same API plus `run`.
 */
import type * as vscode from "vscode";
import { activate as activateBase, deactivate } from "../extension.js";
import { canShowGraph, showGraph } from "../graphBridge.js";
import { registerRunFeature, type RunFeature } from "./index.js";

export function activate(context: vscode.ExtensionContext): ReturnType<typeof activateBase> & { run: RunFeature } {
  const api = activateBase(context);
  const run = registerRunFeature(context, {
    store: api.store,
    canShowGraph,
    // a node inside a library function opens that function's body; a top-level node the signature's slice
    showNode: (m, metaGraph, node, fn, signature) =>
      showGraph(
        context,
        m,
        fn ? { metaGraph, fn, node, nodeFunction: fn } : { metaGraph, signature, node, nodeFunction: "" },
      ),
  });
  return { ...api, run };
}

export { deactivate };
