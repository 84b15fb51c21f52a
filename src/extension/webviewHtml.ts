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

export const escapeAttr = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export interface WebviewPage {
  /** The page title (escaped). */
  title: string;
  /** Loads dist/webview/<script>.js. */
  script: string;
  /** Stylesheets under media/, after media/common.css and the codicons. */
  css?: string[];
  /** Instead of the codicons + media/common.css + `css`: these stylesheets (paths under the extension). */
  stylesheets?: string[][];
  /**
   * A web worker the page starts (dist/webview/<worker>.js, its URL in the body's data-worker attribute): the
   * page makes it from a blob of the script's text (webview resources are cross-origin for `new Worker(url)`),
   * so the policy also allows `worker-src blob:` and `connect-src` to the extension's own resources.
   */
  worker?: string;
  /** The body's static markup before the script (default: a busy `<main id="app">`). */
  bodyHtml?: string;
}

/**
 * The one HTML shell of every webview: strict CSP (default-src 'none', scripts only with a fresh nonce,
 * styles/fonts/images only from the extension), every URL through asWebviewUri and escaped.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const n = nonce();
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:${page.worker ? " blob:" : ""}`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
    ...(page.worker ? ["worker-src blob:", `connect-src ${webview.cspSource}`] : []),
  ].join("; ");
  const sheets = page.stylesheets ?? [
    ["dist", "media", "codicons", "codicon.css"],
    ...["common.css", ...(page.css ?? [])].map((c) => ["media", c]),
  ];
  const styles = sheets
    .map(
      (p) =>
        `<link rel="stylesheet" href="${escapeAttr(uri(...p))}"${p.includes("codicon.css") ? ' id="vscode-codicon-stylesheet"' : ""}>`,
    )
    .join("\n    ");
  const worker = page.worker ? ` data-worker="${escapeAttr(uri("dist", "webview", `${page.worker}.js`))}"` : "";
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeAttr(page.title)}</title>
  </head>
  <body${worker}>
    ${page.bodyHtml ?? '<main id="app" aria-busy="true"><p class="muted">Loading…</p></main>'}
    <script nonce="${n}" src="${escapeAttr(uri("dist", "webview", `${page.script}.js`))}"></script>
  </body>
</html>`;
}
