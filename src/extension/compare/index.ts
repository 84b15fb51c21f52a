/**
 * Compare two exports in VS Code: select two in the SavedModels view and run "Compare Exports", or "Compare
 * With…" on one, or "Compare With Previous Version" on a TF Serving version folder (model/2 → model/1).
 */
import * as vscode from "vscode";
import type { ExportModel, ExportStore } from "../exportStore.js";
import { ModelNode } from "../tree/nodes.js";
import { log, registerReportingCommand } from "../log.js";
import { ComparePanel } from "./comparePanel.js";
import { previousVersion } from "./versions.js";

export { previousVersion } from "./versions.js";

export const COMPARE_COMMAND = "savedModelExplorer.compareExports";
export const COMPARE_WITH_COMMAND = "savedModelExplorer.compareWith";
export const COMPARE_PREVIOUS_COMMAND = "savedModelExplorer.compareWithPrevious";

type Arg = ModelNode | vscode.Uri | string | undefined;

export function registerCompare(
  context: vscode.ExtensionContext,
  store: ExportStore,
  selection: () => readonly unknown[],
): void {
  const modelOf = async (arg: Arg): Promise<ExportModel | undefined> => {
    if (arg instanceof ModelNode) return arg.model;
    if (!arg) {
      const sel = selection()[0];
      if (sel instanceof ModelNode) return sel.model;
      const list = store.list();
      const pick = await vscode.window.showQuickPick(
        list.map((m) => ({ label: m.name, description: m.relativeLocation, m })),
        { placeHolder: "Which export?" },
      );
      return pick?.m;
    }
    const uri = typeof arg === "string" ? vscode.Uri.parse(arg) : arg;
    return store.get(uri) ?? store.ensure(uri);
  };

  const pickOther = async (a: ExportModel): Promise<ExportModel | undefined> => {
    const others = store.list().filter((m) => m !== a);
    const browse = { label: "$(folder-opened) Browse…", description: "another export folder", m: undefined };
    const pick = await vscode.window.showQuickPick(
      [...others.map((m) => ({ label: m.name, description: m.relativeLocation, m })), browse],
      { placeHolder: `Compare ${a.name} (A, before) with… (B, after)` },
    );
    if (!pick) return undefined;
    if (pick.m) return pick.m;
    const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, openLabel: "Compare" });
    return folder?.[0] ? store.ensure(folder[0]) : undefined;
  };

  const reg = (id: string, fn: (...args: never[]) => unknown) => registerReportingCommand(context, id, fn);

  // from the view: (clicked node, all selected nodes); from code: (uriA, uriB)
  reg(COMPARE_COMMAND, async (first?: Arg, second?: Arg | ModelNode[]) => {
    let a: ExportModel | undefined;
    let b: ExportModel | undefined;
    log(`compare: Compare Exports (${first === undefined ? "palette" : "view"})`);
    // from the palette: the view's selection
    if (first === undefined && second === undefined) second = [...selection()].filter((n) => n instanceof ModelNode);
    if (Array.isArray(second)) {
      const models = [...new Set(second.filter((n) => n instanceof ModelNode).map((n) => n.model))];
      if (models.length === 2) [a, b] = models;
      else if (models.length > 2) {
        void vscode.window.showInformationMessage("SavedModel: select exactly two exports to compare.");
        return undefined;
      }
    } else if (second) [a, b] = [await modelOf(first), await modelOf(second)];
    a ??= await modelOf(first);
    if (!a) return undefined;
    b ??= await pickOther(a);
    if (!b) return undefined;
    return ComparePanel.show(context, a, b);
  });

  reg(COMPARE_WITH_COMMAND, async (arg?: Arg) => {
    const a = await modelOf(arg);
    if (!a) return undefined;
    const b = await pickOther(a);
    return b ? ComparePanel.show(context, a, b) : undefined;
  });

  reg(COMPARE_PREVIOUS_COMMAND, async (arg?: Arg) => {
    const b = await modelOf(arg);
    if (!b) return undefined;
    if (!store.scanned) await store.scan();
    const a = previousVersion(b, store.list());
    if (!a) {
      void vscode.window.showInformationMessage(
        `SavedModel: ${b.name} has no earlier numbered version folder next to it (TF Serving layout model/1, model/2).`,
      );
      return undefined;
    }
    return ComparePanel.show(context, a, b);
  });
}
