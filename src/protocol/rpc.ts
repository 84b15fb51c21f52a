/**
 * A tiny typed request/reply channel over any `postMessage`-like transport (webview <-> host, page <->
 * worker). Every message has a string `type`. Requests carry an `id`; the serving side answers with one
 * `rpc/reply` message holding either `result` or `error`. `dispose()` rejects every pending request.
 * Imports nothing, so every side can use it (and `import type` its message shapes).
 */

/** Request name -> its params and result types. */
export type RpcMethods = { [name: string]: { params: unknown; result: unknown } };

export interface RpcRequest<M extends RpcMethods = RpcMethods, K extends keyof M & string = keyof M & string> {
  type: K;
  id: number;
  params: M[K]["params"];
}

export interface RpcErrorInfo {
  message: string;
  name?: string;
  stack?: string;
}

export type RpcReply =
  | { type: "rpc/reply"; id: number; ok: true; result: unknown }
  | { type: "rpc/reply"; id: number; ok: false; error: RpcErrorInfo };

/** What may be transferred rather than copied: buffers (the type both a browser and Node's worker_threads accept). */
export type TransferItem = ArrayBuffer;

/** Sends one message (optionally transferring buffers). */
export type PostFn = (msg: unknown, transfer?: TransferItem[]) => void;

export class RpcError extends Error {
  constructor(info: RpcErrorInfo) {
    super(info.message);
    this.name = info.name ?? "RpcError";
    if (info.stack) this.stack = info.stack;
  }
}

export function isRpcReply(msg: unknown): msg is RpcReply {
  return typeof msg === "object" && msg !== null && (msg as { type?: unknown }).type === "rpc/reply";
}

export function isRpcRequest(msg: unknown): msg is RpcRequest {
  if (typeof msg !== "object" || msg === null) return false;
  const m = msg as { type?: unknown; id?: unknown };
  return typeof m.type === "string" && m.type !== "rpc/reply" && typeof m.id === "number";
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** The calling side: `request()` returns a promise settled by the matching reply. */
export class RpcClient<M extends RpcMethods> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed: string | undefined;

  constructor(
    private readonly post: PostFn,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  request<K extends keyof M & string>(
    type: K,
    params: M[K]["params"],
    transfer?: TransferItem[],
  ): Promise<M[K]["result"]> {
    if (this.disposed !== undefined)
      return Promise.reject(new RpcError({ message: this.disposed, name: "RpcDisposed" }));
    const id = this.nextId++;
    return new Promise<M[K]["result"]>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject };
      if (this.opts.timeoutMs)
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new RpcError({ message: `${type} timed out after ${this.opts.timeoutMs} ms`, name: "RpcTimeout" }));
        }, this.opts.timeoutMs);
      this.pending.set(id, p);
      try {
        this.post({ type, id, params } satisfies RpcRequest<M, K>, transfer);
      } catch (e) {
        this.pending.delete(id);
        if (p.timer) clearTimeout(p.timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Feed every incoming message here; returns true when it was a reply to one of our requests. */
  handle(msg: unknown): boolean {
    if (!isRpcReply(msg)) return false;
    const p = this.pending.get(msg.id);
    if (!p) return false;
    this.pending.delete(msg.id);
    if (p.timer) clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new RpcError(msg.error));
    return true;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects every pending request; later requests reject at once. */
  dispose(reason = "channel disposed"): void {
    this.disposed = reason;
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new RpcError({ message: reason, name: "RpcDisposed" }));
    }
    this.pending.clear();
  }
}

export type RpcHandlers<M extends RpcMethods> = {
  [K in keyof M & string]: (params: M[K]["params"]) => M[K]["result"] | Promise<M[K]["result"]>;
};

/**
 * The serving side: returns a message handler that runs the named handler and posts the reply (an error
 * reply when it throws or the type is unknown). The handler returns false for messages that are not requests.
 */
export function serveRpc<M extends RpcMethods>(
  handlers: RpcHandlers<M>,
  post: PostFn,
  transferOf?: (result: unknown) => TransferItem[] | undefined,
): (msg: unknown) => boolean {
  return (msg) => {
    if (!isRpcRequest(msg)) return false;
    const { id, type } = msg;
    const h = (handlers as Record<string, ((p: unknown) => unknown) | undefined>)[type];
    const fail = (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      post({
        type: "rpc/reply",
        id,
        ok: false,
        error: { message: err.message, name: err.name, stack: err.stack },
      } satisfies RpcReply);
    };
    if (!Object.prototype.hasOwnProperty.call(handlers, type) || typeof h !== "function") {
      fail(new Error(`unknown request type ${JSON.stringify(type)}`));
      return true;
    }
    let out: unknown;
    try {
      out = h(msg.params);
    } catch (e) {
      fail(e);
      return true;
    }
    Promise.resolve(out).then(
      (result) => post({ type: "rpc/reply", id, ok: true, result } satisfies RpcReply, transferOf?.(result)),
      fail,
    );
    return true;
  };
}
