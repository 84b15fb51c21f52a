/**
 * Saving a file the user picked (Save as .npy / .npz): never inside the export (the target's real path, through
 * symlinks, is compared with the export's real root — src/savedmodel/node/outputGuard.ts), and an existing file is
 * replaced only after a modal question. Local files are written as a new file renamed over the name.
 */
import * as vscode from "vscode";
import { OutputRefusedError } from "../savedmodel/containment.js";
import { checkOutputPath, writeOutputFile } from "../savedmodel/node/outputGuard.js";

/** Writes `bytes` to `uri` unless it is inside `exportUri`; returns false when refused or not confirmed. */
export async function saveOutsideExport(uri: vscode.Uri, exportUri: vscode.Uri, bytes: Uint8Array): Promise<boolean> {
  const shown = uri.scheme === "file" ? uri.fsPath : uri.toString(true);
  if (uri.scheme === "file" && exportUri.scheme === "file") {
    let check;
    try {
      check = await checkOutputPath(uri.fsPath, exportUri.fsPath, { overwrite: true });
    } catch (e) {
      if (!(e instanceof OutputRefusedError)) throw e;
      void vscode.window.showErrorMessage(`SavedModel: ${e.message}`);
      return false;
    }
    if (check.exists && !(await confirmReplace(shown))) return false;
    await writeOutputFile(check, bytes);
    return true;
  }
  // other schemes: no real paths; compare the URI path by components
  const root = exportUri.path.replace(/\/+$/, "");
  if (uri.authority === exportUri.authority && (uri.path === root || uri.path.startsWith(root + "/"))) {
    void vscode.window.showErrorMessage(`SavedModel: refusing to write ${shown}: it is inside the export folder.`);
    return false;
  }
  const exists = await vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
  if (exists && !(await confirmReplace(shown))) return false;
  await vscode.workspace.fs.writeFile(uri, bytes);
  return true;
}

async function confirmReplace(shown: string): Promise<boolean> {
  const ok = await vscode.window.showWarningMessage(`${shown} exists. Replace it?`, { modal: true }, "Replace");
  return ok === "Replace";
}
