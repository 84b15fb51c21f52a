/**
 * The "SavedModel Explorer" output channel and error reporting: every failure is logged with the
 * file, position and hint, and shown as a notification naming the file and what is wrong.
 */
import * as vscode from "vscode";
import type { Diagnostic } from "../savedmodel/errors.js";
import type { SerializedError } from "../protocol/decode.js";
import { CancelledError, DecodeError } from "./decodeClient.js";

let channel: vscode.LogOutputChannel | undefined;

export function initLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel("SavedModel Explorer", { log: true });
  context.subscriptions.push(channel);
  return channel;
}

export function log(line: string): void {
  channel?.info(line);
}

export function showLog(): void {
  channel?.show(true);
}

/** A one-line description of an error: "variables/variables.index (offset 12): bad magic — hint". */
export function describeError(e: unknown): string {
  const d = toSerialized(e);
  return d.message;
}

export function toSerialized(e: unknown): SerializedError {
  if (e instanceof DecodeError) return e.data;
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: "Error", message: String(e) };
}

export function isCancelled(e: unknown): boolean {
  return (
    e instanceof CancelledError ||
    (e instanceof Error && e.name === "CancelledError") ||
    e instanceof vscode.CancellationError
  );
}

/** Logs and shows an error about `what` (e.g. the export folder). Cancellation is logged only. */
export function reportError(what: string, e: unknown): void {
  if (isCancelled(e)) {
    log(`${what}: cancelled`);
    return;
  }
  const d = toSerialized(e);
  channel?.error(`${what}: ${d.message}`);
  if (d.file)
    channel?.error(
      `  file: ${d.file}${d.offset !== undefined ? `, offset ${d.offset}` : ""}${d.field ? `, field ${d.field}` : ""}`,
    );
  if (d.hint) channel?.error(`  hint: ${d.hint}`);
  void vscode.window.showErrorMessage(`SavedModel: ${what}: ${d.message}`, "Show Log").then((pick) => {
    if (pick) showLog();
  });
}

/** Registers command `id`; a failure is reported (reportError) instead of reaching VS Code as a rejection. */
export function registerReportingCommand(
  context: vscode.ExtensionContext,
  id: string,
  fn: (...args: never[]) => unknown,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        reportError(id.replace("savedModelExplorer.", ""), e);
        return undefined;
      }
    }),
  );
}

export function logDiagnostics(what: string, diags: readonly Diagnostic[]): void {
  for (const d of diags) {
    const where = [d.file, d.field, d.offset !== undefined ? `offset ${d.offset}` : undefined]
      .filter(Boolean)
      .join(", ");
    const line = `${what}: ${where}: ${d.message}${d.hint ? ` — ${d.hint}` : ""}`;
    if (d.severity === "error") channel?.error(line);
    else if (d.severity === "warning") channel?.warn(line);
    else channel?.info(line);
  }
}
