/**
 * HTML of the graph webview: strict CSP with a nonce. The ELK layout worker is started from a blob made
 * from the worker script's text (webview resources are cross-origin for `new Worker(url)`), so the policy
 * allows `worker-src blob:` and `connect-src` to the extension's own resources — nothing else.
 */
import * as vscode from "vscode";

export function graphWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    retainContextWhenHidden: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, "dist", "webview"),
      vscode.Uri.joinPath(extensionUri, "media"),
    ],
  };
}

function nonce(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64").replace(/[+/=]/g, "");
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function graphHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const n = nonce();
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
    "worker-src blob:",
    `connect-src ${webview.cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" href="${escapeAttr(uri("dist", "webview", "graph.css"))}">
    <title>${escapeAttr(title)}</title>
  </head>
  <body data-worker="${escapeAttr(uri("dist", "webview", "graphLayout.worker.js"))}">
    <div id="root"></div>
    <script nonce="${n}" src="${escapeAttr(uri("dist", "webview", "graph.js"))}"></script>
  </body>
</html>`;
}
