/** Starts the ELK layout worker (from a blob, so a strict webview CSP allows it) and talks rpc to it. */
import type { LayoutMethods } from "../../protocol/graph.js";
import { RpcClient } from "../../protocol/rpc.js";

export class LayoutClient {
  private readonly rpc: RpcClient<LayoutMethods>;
  readonly ready: Promise<Worker>;
  warmMs: Promise<number>;
  /** performance.now() when the worker answered its warm-up layout (diagnostics). */
  warmAt: number | undefined;

  constructor(workerUrl: string) {
    let post: (m: unknown, t?: Transferable[]) => void = () => undefined;
    const queue: [unknown, Transferable[] | undefined][] = [];
    this.rpc = new RpcClient<LayoutMethods>((m, t) => (worker ? post(m, t) : queue.push([m, t])));
    let worker: Worker | undefined;
    this.ready = (async () => {
      // VS Code serves webview resources from another origin, so load the script text and start it from a blob.
      let w: Worker;
      try {
        const res = await fetch(workerUrl);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const blob = new Blob([await res.text()], { type: "text/javascript" });
        w = new Worker(URL.createObjectURL(blob));
      } catch {
        w = new Worker(workerUrl);
      }
      w.addEventListener("message", (ev: MessageEvent) => this.rpc.handle(ev.data));
      w.addEventListener("error", (ev: ErrorEvent) => console.error("layout worker:", ev.message));
      post = (m, t) => w.postMessage(m, t ?? []);
      worker = w;
      for (const [m, t] of queue.splice(0)) post(m, t);
      return w;
    })();
    this.warmMs = this.rpc.request("layout/warm", {}).then((r) => {
      this.warmAt = performance.now();
      return r.ms;
    });
  }

  run(graphs: LayoutMethods["layout/run"]["params"]["graphs"]): Promise<LayoutMethods["layout/run"]["result"]> {
    return this.rpc.request("layout/run", { graphs });
  }

  dispose(): void {
    this.rpc.dispose("graph view closed");
    void this.ready.then((w) => w.terminate());
  }
}
