/**
 * "Show Graph": the bridge to the graph panel (src/extension/graph, another part of the product).
 * STUB until that panel exposes `openGraphPanel(...)`: it says the graph view is not in this build.
 */
import * as vscode from "vscode";
import type { ExportModel } from "./exportStore.js";

export interface ShowGraphOptions {
  metaGraph: number;
  /** Function whose body to show (a signature's function, or one picked in the tree). */
  fn?: string;
  signature?: string;
}

export function canShowGraph(): boolean {
  return false;
}

export async function showGraph(_context: vscode.ExtensionContext, m: ExportModel, opts: ShowGraphOptions): Promise<void> {
  void vscode.window.showInformationMessage(
    `SavedModel: the graph view is not available in this build (asked for ${m.name}, meta graph ${opts.metaGraph}${opts.fn ? `, function ${opts.fn}` : ""}).`,
  );
}
