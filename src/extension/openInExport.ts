/**
 * Opening a file of an export in an editor (asset items, the overview's file links): only by a plain relative path,
 * only when the containment layer says it is a regular file inside the export (a link out of the export, a FIFO or
 * a device is refused with a message naming it). Opens the real path, so the editor never follows a link itself.
 */
import * as vscode from "vscode";
import { isPlainExportPath } from "../savedmodel/containment.js";
import type { ExportModel } from "./exportStore.js";

export async function openFileInExport(model: ExportModel, path: string): Promise<void> {
  if (!isPlainExportPath(path) || path === "") {
    void vscode.window.showWarningMessage(`SavedModel: not opened: "${path}" is not a path inside the export folder.`);
    return;
  }
  let uri: vscode.Uri;
  try {
    uri = await model.fs.checkOpenable(path);
  } catch (e) {
    void vscode.window.showWarningMessage(`SavedModel: not opened: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  await vscode.commands.executeCommand("vscode.open", uri);
}
