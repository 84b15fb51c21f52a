/**
 * The graph webview's page: the one webview shell (../webviewHtml.ts) with the graph's own stylesheet, its ELK
 * layout worker (started from a blob, hence `worker-src blob:`), and the panel kept alive when hidden.
 */
import type * as vscode from "vscode";
import { webviewHtml, webviewOptions } from "../webviewHtml.js";

export function graphWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { ...webviewOptions(extensionUri), retainContextWhenHidden: true };
}

export function graphHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return webviewHtml(webview, extensionUri, {
    title,
    script: "graph",
    stylesheets: [["dist", "webview", "graph.css"]],
    worker: "graphLayout.worker",
    bodyHtml: '<div id="root"></div>',
  });
}
