import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionPool } from "../../src/extension/run/sessionPool.js";

class FakeWorker {
  terminated = false;
  constructor(
    readonly key: string,
    readonly n: number,
  ) {}
  async terminate(): Promise<void> {
    this.terminated = true;
  }
}

function pool(idleMs = 100) {
  let made = 0;
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  const released: string[] = [];
  const p = new SessionPool<FakeWorker>((k) => new FakeWorker(k, ++made), {
    idleMs,
    setTimer: (fn) => (timers.set(nextTimer, fn), nextTimer++),
    clearTimer: (t) => timers.delete(t as number),
    onRelease: (k, why) => released.push(`${k}: ${why}`),
  });
  const fire = () => {
    const fns = [...timers.values()];
    timers.clear();
    fns.forEach((f) => f());
  };
  return { p, timers, fire, released, made: () => made };
}

test("a worker stays warm across runs and is released after its last user leaves", async () => {
  const { p, timers, fire, released, made } = pool();
  p.addUser("a", "form1");
  const { worker, warm } = p.get("a");
  assert.equal(warm, false);
  p.markWarm("a", worker);
  assert.equal(p.get("a").worker, worker);
  assert.equal(p.get("a").warm, true);
  p.addUser("a", "graph1");
  p.removeUser("a", "form1");
  assert.equal(timers.size, 0, "another user keeps it");
  p.removeUser("a", "graph1");
  assert.equal(timers.size, 1, "released after the idle delay");
  p.addUser("a", "form2");
  assert.equal(timers.size, 0, "a new user cancels the release");
  p.removeUser("a", "form2");
  fire();
  await Promise.resolve();
  assert.ok(worker.terminated);
  assert.deepEqual(released, ["a: its last editor closed"]);
  assert.equal(p.size, 0);
  assert.equal(p.get("a").warm, false);
  assert.equal(made(), 2, "the next run starts a fresh worker");
});

test("files changing releases at once; cold after cancel; dispose releases all", async () => {
  const { p, released } = pool(0);
  p.addUser("a", "u");
  const a = p.get("a").worker;
  p.markWarm("a", a);
  p.markCold("a");
  assert.equal(p.isWarm("a"), false);
  await p.release("a", "its files changed");
  assert.ok(a.terminated);
  assert.equal(p.users("a"), 1, "users stay registered");
  const a2 = p.get("a").worker;
  p.markWarm("a", a);
  assert.equal(p.isWarm("a"), false, "a stale worker cannot mark the new one warm");
  const b = p.get("b").worker;
  p.removeUser("a", "u");
  await Promise.resolve();
  assert.ok(a2.terminated, "idleMs 0 releases at once");
  await p.dispose();
  assert.ok(b.terminated);
  assert.deepEqual(released, ["a: its files changed", "a: its last editor closed", "b: the extension stopped"]);
});

test("keepAlive holds a session without users until recheck finds nothing holding it", async () => {
  let overviewOpen = true;
  let made = 0;
  const released: string[] = [];
  const p = new SessionPool<FakeWorker>((k) => new FakeWorker(k, ++made), {
    idleMs: 0,
    keepAlive: () => overviewOpen,
    onRelease: (k) => released.push(k),
  });
  p.addUser("a", "form");
  const w = p.get("a").worker;
  p.removeUser("a", "form");
  await Promise.resolve();
  assert.equal(w.terminated, false, "the open overview keeps it");
  overviewOpen = false;
  for (const k of p.keys()) p.recheck(k);
  await Promise.resolve();
  assert.ok(w.terminated);
  assert.deepEqual(released, ["a"]);
});
