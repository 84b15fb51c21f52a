/**
 * HTML shell for the extension's webviews: strict CSP (default-src 'none', scripts only with a fresh
 * nonce, styles/fonts/images only from the extension), every URL through asWebviewUri, and resource
 * roots limited to the extension's media and built webview folders.
 */
import * as vscode from "vscode";

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: resourceRoots(extensionUri),
  };
}

export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(extensionUri, "media"),
    vscode.Uri.joinPath(extensionUri, "dist", "webview"),
    vscode.Uri.joinPath(extensionUri, "dist", "media"),
  ];
}

export function nonce(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64").replace(/[+/=]/g, "");
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A page that loads dist/webview/<script>.js and media/<css>; `title` is escaped. */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  opts: { title: string; script: string; css: string[] },
): string {
  const n = nonce();
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join("; ");
  const styles = ["common.css", ...opts.css]
    .map((c) => `<link rel="stylesheet" href="${escapeAttr(uri("media", c))}">`)
    .join("\n    ");
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" href="${escapeAttr(uri("dist", "media", "codicons", "codicon.css"))}" id="vscode-codicon-stylesheet">
    ${styles}
    <title>${escapeAttr(opts.title)}</title>
  </head>
  <body>
    <main id="app" aria-busy="true"><p class="muted">Loading…</p></main>
    <script nonce="${n}" src="${escapeAttr(uri("dist", "webview", `${opts.script}.js`))}"></script>
  </body>
</html>`;
}
