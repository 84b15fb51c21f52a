/**
 * The webview's channel to its host: VS Code's `acquireVsCodeApi()` inside VS Code, or window events in a
 * plain page (the bench and dev pages post `window.postMessage(msg)` in, and listen for
 * `webview-to-host` CustomEvents out).
 */
interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface HostChannel {
  post(msg: unknown): void;
  onMessage(fn: (msg: unknown) => void): void;
  getState<T>(): T | undefined;
  setState(s: unknown): void;
  readonly inVsCode: boolean;
}

export function connectHost(): HostChannel {
  const api = typeof acquireVsCodeApi === "function" ? acquireVsCodeApi() : undefined;
  let state: unknown;
  return {
    inVsCode: !!api,
    post: (msg) =>
      api ? api.postMessage(msg) : window.dispatchEvent(new CustomEvent("webview-to-host", { detail: msg })),
    onMessage: (fn) => window.addEventListener("message", (ev: MessageEvent) => fn(ev.data)),
    getState: <T>() => (api ? api.getState() : state) as T | undefined,
    setState: (s) => (api ? api.setState(s) : (state = s)),
  };
}
