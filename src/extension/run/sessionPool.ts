/**
 * Session lifetime for test runs: one executor worker per export (kept warm between runs), counted
 * users (run forms, graph views of that export), released a little after the last user goes, at once
 * when the export's files change, and all at dispose. No `vscode` import: tested in plain Node.
 */

export interface Releasable {
  terminate(): Promise<void>;
}

export interface PoolOptions {
  /** Delay between the last user leaving and the release (ms, default 5000; 0 = at once). */
  idleMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  onRelease?: (key: string, why: string) => void;
  /** Other reasons to keep a session without users (e.g. the export's overview is open); see recheck(). */
  keepAlive?: (key: string) => boolean;
}

interface Held<W> {
  worker: W;
  /** A run finished on this worker since it was created: the next run skips load/restore. */
  warm: boolean;
}

export class SessionPool<W extends Releasable> {
  private readonly workers = new Map<string, Held<W>>();
  private readonly userSets = new Map<string, Set<string>>();
  private readonly timers = new Map<string, unknown>();
  private readonly idleMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(
    private readonly create: (key: string) => W,
    private readonly opts: PoolOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? 5000;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** The worker for `key` (created on first use) and whether it is warm. */
  get(key: string): { worker: W; warm: boolean } {
    let h = this.workers.get(key);
    if (!h) this.workers.set(key, (h = { worker: this.create(key), warm: false }));
    return { worker: h.worker, warm: h.warm };
  }

  has(key: string): boolean {
    return this.workers.has(key);
  }

  isWarm(key: string): boolean {
    return this.workers.get(key)?.warm ?? false;
  }

  /** After a successful run on `worker` (it holds a loaded session). */
  markWarm(key: string, worker: W): void {
    const h = this.workers.get(key);
    if (h && h.worker === worker) h.warm = true;
  }

  /** After a cancel/timeout/crash (the worker dropped its session; it reloads on the next run). */
  markCold(key: string): void {
    const h = this.workers.get(key);
    if (h) h.warm = false;
  }

  addUser(key: string, user: string): void {
    let s = this.userSets.get(key);
    if (!s) this.userSets.set(key, (s = new Set()));
    s.add(user);
    this.cancelTimer(key);
  }

  removeUser(key: string, user: string): void {
    const s = this.userSets.get(key);
    if (!s?.delete(user) || s.size) return;
    this.userSets.delete(key);
    this.recheck(key);
  }

  /** Schedules the release of `key` when nothing holds it any more (no users, no keepAlive). */
  recheck(key: string): void {
    if (!this.workers.has(key) || this.userSets.has(key) || this.opts.keepAlive?.(key)) return;
    if (this.timers.has(key)) return;
    const release = () => {
      this.timers.delete(key);
      if (!this.userSets.has(key) && !this.opts.keepAlive?.(key)) void this.release(key, "its last editor closed");
    };
    if (this.idleMs <= 0) release();
    else this.timers.set(key, this.setTimer(release, this.idleMs));
  }

  /** Keys of the sessions held now. */
  keys(): string[] {
    return [...this.workers.keys()];
  }

  users(key: string): number {
    return this.userSets.get(key)?.size ?? 0;
  }

  private cancelTimer(key: string): void {
    const t = this.timers.get(key);
    if (t !== undefined) {
      this.clearTimer(t);
      this.timers.delete(key);
    }
  }

  /** Terminates the worker of `key`; users stay registered and the next run starts a fresh worker. */
  async release(key: string, why = "released"): Promise<void> {
    this.cancelTimer(key);
    const h = this.workers.get(key);
    if (!h) return;
    this.workers.delete(key);
    this.opts.onRelease?.(key, why);
    await h.worker.terminate();
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.workers.keys()].map((k) => this.release(k, "the extension stopped")));
    this.userSets.clear();
  }

  get size(): number {
    return this.workers.size;
  }
}
