/**
 * The one request/reply channel of the project, over any `postMessage`-like transport: webview <-> host,
 * page <-> layout worker, host <-> decode worker, host <-> executor worker. Every message has a string `type`.
 * Requests carry an `id`; the serving side answers with one `rpc/reply` holding either `result` or `error`
 * (the error's name, message and its own string/number fields, such as SavedModelError's file/field/hint or a
 * node's op/fn), and may send `rpc/progress` lines for a request before the reply. `dispose()` rejects every
 * pending request. `RpcPeer` is both sides at once, for transports where each side calls the other (a worker
 * reading files through the host). Imports nothing, so every runtime can use it.
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
  /** The error's own string and number fields (SavedModelError: file, detail, offset, field, hint; NodeError: node, op, fn). */
  fields?: Record<string, string | number>;
}

export type RpcReply =
  | { type: "rpc/reply"; id: number; ok: true; result: unknown }
  | { type: "rpc/reply"; id: number; ok: false; error: RpcErrorInfo };

/** A progress line for a request still running (shown by the caller, e.g. in a notification). */
export interface RpcProgress {
  type: "rpc/progress";
  id: number;
  message: string;
}

/** What may be transferred rather than copied: buffers (the type both a browser and Node's worker_threads accept). */
export type TransferItem = ArrayBuffer;

/** Sends one message (optionally transferring buffers). */
export type PostFn = (msg: unknown, transfer?: TransferItem[]) => void;

/** An error that came back over the channel: the remote error's name and message, its fields as properties. */
export class RpcError extends Error {
  readonly fields: Record<string, string | number>;
  constructor(info: RpcErrorInfo) {
    super(info.message);
    this.name = info.name ?? "RpcError";
    if (info.stack) this.stack = info.stack;
    this.fields = info.fields ?? {};
    for (const [k, v] of Object.entries(this.fields))
      if (!(k in this)) Object.defineProperty(this, k, { value: v, enumerable: true });
  }
}

const OWN_SKIP = new Set(["message", "name", "stack"]);

/** The reply form of any thrown value. */
export function rpcErrorInfo(e: unknown): RpcErrorInfo {
  if (!(e instanceof Error)) {
    if (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string")
      return { message: (e as { message: string }).message, name: String((e as { name?: unknown }).name ?? "Error") };
    return { message: String(e), name: "Error" };
  }
  const fields: Record<string, string | number> = {};
  const src = e instanceof RpcError ? { ...e.fields, ...e } : e;
  for (const [k, v] of Object.entries(src))
    if (!OWN_SKIP.has(k) && (typeof v === "string" || typeof v === "number")) fields[k] = v;
  return { message: e.message, name: e.name, stack: e.stack, ...(Object.keys(fields).length ? { fields } : {}) };
}

export function isRpcReply(msg: unknown): msg is RpcReply {
  return typeof msg === "object" && msg !== null && (msg as { type?: unknown }).type === "rpc/reply";
}

export function isRpcProgress(msg: unknown): msg is RpcProgress {
  return typeof msg === "object" && msg !== null && (msg as { type?: unknown }).type === "rpc/progress";
}

export function isRpcRequest(msg: unknown): msg is RpcRequest {
  if (typeof msg !== "object" || msg === null) return false;
  const m = msg as { type?: unknown; id?: unknown };
  return typeof m.type === "string" && m.type !== "rpc/reply" && m.type !== "rpc/progress" && typeof m.id === "number";
}

export interface RequestOptions {
  /** Buffers to move to the other side instead of copying. */
  transfer?: TransferItem[];
  /** Receives the serving side's progress lines for this request. */
  onProgress?: (message: string) => void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (message: string) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** The calling side: `request()` returns a promise settled by the matching reply. */
export class RpcClient<M extends RpcMethods> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed: Error | undefined;

  constructor(
    private readonly post: PostFn,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  request<K extends keyof M & string>(
    type: K,
    params: M[K]["params"],
    options?: TransferItem[] | RequestOptions,
  ): Promise<M[K]["result"]> {
    const o: RequestOptions = Array.isArray(options) ? { transfer: options } : (options ?? {});
    if (this.disposed !== undefined) return Promise.reject(this.disposed);
    const id = this.nextId++;
    return new Promise<M[K]["result"]>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject, onProgress: o.onProgress };
      if (this.opts.timeoutMs)
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new RpcError({ message: `${type} timed out after ${this.opts.timeoutMs} ms`, name: "RpcTimeout" }));
        }, this.opts.timeoutMs);
      this.pending.set(id, p);
      try {
        this.post({ type, id, params } satisfies RpcRequest<M, K>, o.transfer);
      } catch (e) {
        this.pending.delete(id);
        if (p.timer) clearTimeout(p.timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Feed every incoming message here; returns true when it was a reply (or progress) for one of our requests. */
  handle(msg: unknown): boolean {
    if (isRpcProgress(msg)) {
      const p = this.pending.get(msg.id);
      p?.onProgress?.(msg.message);
      return !!p;
    }
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

  /** Rejects every pending request (with `reason` itself when it is an Error); later requests reject at once. */
  dispose(reason: string | Error = "channel disposed"): void {
    const err = typeof reason === "string" ? new RpcError({ message: reason, name: "RpcDisposed" }) : reason;
    this.disposed = err;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
  }
}

/** What a handler may do besides returning its result. */
export interface RpcContext {
  /** Sends a progress line for this request to the caller. */
  progress(message: string): void;
}

export type RpcHandlers<M extends RpcMethods> = {
  [K in keyof M & string]: (params: M[K]["params"], ctx: RpcContext) => M[K]["result"] | Promise<M[K]["result"]>;
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
    const h = (handlers as Record<string, ((p: unknown, ctx: RpcContext) => unknown) | undefined>)[type];
    const fail = (e: unknown) => post({ type: "rpc/reply", id, ok: false, error: rpcErrorInfo(e) } satisfies RpcReply);
    if (!Object.prototype.hasOwnProperty.call(handlers, type) || typeof h !== "function") {
      fail(new Error(`unknown request type ${JSON.stringify(type)}`));
      return true;
    }
    const ctx: RpcContext = {
      progress: (message) => post({ type: "rpc/progress", id, message } satisfies RpcProgress),
    };
    let out: unknown;
    try {
      out = h(msg.params, ctx);
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

/**
 * Both sides on one transport: `client` calls the other side's `Remote` methods, `handlers` serve its calls of
 * `Local` methods. Feed every incoming message to `handle()`.
 */
export class RpcPeer<Remote extends RpcMethods, Local extends RpcMethods = Record<never, never>> {
  readonly client: RpcClient<Remote>;
  private readonly serve: (msg: unknown) => boolean;

  constructor(
    post: PostFn,
    handlers: RpcHandlers<Local>,
    transferOf?: (result: unknown) => TransferItem[] | undefined,
  ) {
    this.client = new RpcClient<Remote>(post);
    this.serve = serveRpc<Local>(handlers, post, transferOf);
  }

  request<K extends keyof Remote & string>(
    type: K,
    params: Remote[K]["params"],
    options?: TransferItem[] | RequestOptions,
  ): Promise<Remote[K]["result"]> {
    return this.client.request(type, params, options);
  }

  /** Returns true when the message was a reply, progress line or request of this channel. */
  handle(msg: unknown): boolean {
    return this.client.handle(msg) || this.serve(msg);
  }

  dispose(reason?: string | Error): void {
    this.client.dispose(reason);
  }
}
