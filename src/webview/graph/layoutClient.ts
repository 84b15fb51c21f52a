/**
 * Starts the ELK layout worker (from a blob, so a strict webview CSP allows it) and talks rpc to it.
 *
 * The worker's script (about 1.5 MB) is fetched at once, as bytes, but the worker itself only starts on
 * `start()` (the view calls it once the first picture is painted) or on the first `run()`: compiling elkjs and
 * its warm-up layout would otherwise compete for the CPU with the first picture, which never waits for ELK.
 */
import type { LayoutMethods } from "../../protocol/graph.js";
import { RpcClient } from "../../protocol/rpc.js";

export class LayoutClient {
  private readonly rpc: RpcClient<LayoutMethods>;
  private readonly script: Promise<Blob | undefined>;
  private worker: Worker | undefined;
  private started: Promise<Worker> | undefined;
  private post: (m: unknown, t?: Transferable[]) => void = () => undefined;
  private readonly queue: [unknown, Transferable[] | undefined][] = [];
  private warmResolve!: (ms: number) => void;
  /** Resolves with the warm-up layout's ms once the worker (started by start() or run()) has answered it. */
  readonly warmMs: Promise<number>;
  /** performance.now() when the worker answered its warm-up layout (diagnostics). */
  warmAt: number | undefined;
  /** performance.now() when the worker was started (diagnostics, bench). */
  startedAt: number | undefined;

  constructor(private readonly workerUrl: string) {
    this.rpc = new RpcClient<LayoutMethods>((m, t) => (this.worker ? this.post(m, t) : this.queue.push([m, t])));
    // VS Code serves webview resources from another origin, so the script is loaded here and started from a
    // blob. A Blob (not text) keeps the 1.5 MB off the UI thread: no decoding into a JS string.
    this.script = fetch(workerUrl).then(
      (res) => (res.ok ? res.blob() : undefined),
      () => undefined,
    );
    this.warmMs = new Promise((r) => (this.warmResolve = r));
  }

  /** Starts the worker and its warm-up layout (idempotent). */
  start(): Promise<Worker> {
    if (this.started) return this.started;
    this.started = (async () => {
      this.startedAt = performance.now();
      const bytes = await this.script;
      let w: Worker;
      try {
        if (!bytes) throw new Error("no script");
        w = new Worker(URL.createObjectURL(new Blob([bytes], { type: "text/javascript" })));
      } catch {
        w = new Worker(this.workerUrl);
      }
      w.addEventListener("message", (ev: MessageEvent) => this.rpc.handle(ev.data));
      w.addEventListener("error", (ev: ErrorEvent) => console.error("layout worker:", ev.message));
      this.post = (m, t) => w.postMessage(m, t ?? []);
      this.worker = w;
      for (const [m, t] of this.queue.splice(0)) this.post(m, t);
      return w;
    })();
    void this.rpc.request("layout/warm", {}).then((r) => {
      this.warmAt = performance.now();
      this.warmResolve(r.ms);
    });
    return this.started;
  }

  run(graphs: LayoutMethods["layout/run"]["params"]["graphs"]): Promise<LayoutMethods["layout/run"]["result"]> {
    void this.start();
    return this.rpc.request("layout/run", { graphs });
  }

  dispose(): void {
    this.rpc.dispose("graph view closed");
    void this.started?.then((w) => w.terminate());
  }
}
