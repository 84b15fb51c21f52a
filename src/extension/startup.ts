/**
 * What `npm start` shows a newcomer: when the extension host's environment has
 * SAVEDMODEL_EXPLORER_OPEN_ON_START=1 (set only by scripts/start.mjs), the first export found is revealed in the
 * SavedModels view (which expands and focuses it; the Folders, Outline and Timeline views are hidden so it has the
 * side bar to itself), its overview opens, and the graph of its serving signature
 * opens beside it. Without the variable nothing happens.
 */
import * as vscode from "vscode";
import type { ExportStore } from "./exportStore.js";
import type { ExportsTreeProvider } from "./tree/exportsTree.js";
import { showGraph } from "./graphBridge.js";
import { log } from "./log.js";

export const OPEN_ON_START_ENV = "SAVEDMODEL_EXPLORER_OPEN_ON_START";

export async function openOnStartup(
  context: vscode.ExtensionContext,
  store: ExportStore,
  tree: ExportsTreeProvider,
): Promise<void> {
  if (process.env[OPEN_ON_START_ENV] !== "1") return;
  if (!store.scanned) await store.scan();
  const m = store.list()[0];
  if (!m) return log("open on start: no export in the workspace");
  // the SavedModels view gets the whole Explorer side bar (the other views come back from its "..." menu)
  for (const view of ["workbench.explorer.fileView", "outline", "timeline"])
    await vscode.commands.executeCommand(`${view}.removeView`).then(undefined, () => undefined);
  await tree.reveal({ exportUri: m.id, kind: "export" }, { focus: true }).catch(() => undefined);
  await vscode.commands.executeCommand("savedModelExplorer.openOverview", m.id);
  const info = (await m.load()).info;
  const metaGraph = Math.max(
    0,
    info.metaGraphs.findIndex((g) => g.tags.includes("serve")),
  );
  const sigs = info.metaGraphs[metaGraph]?.signatures ?? [];
  const sig = sigs.find((s) => s.key === "serving_default") ?? sigs[0];
  if (!sig) return;
  // the graph panel opens in the active group: make that a second group, so the overview stays visible
  await vscode.commands.executeCommand("workbench.action.focusSecondEditorGroup");
  await showGraph(context, m, { metaGraph, signature: sig.key, fn: sig.functionName });
}
