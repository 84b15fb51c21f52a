/**
 * Fusion never fails or changes a result where the unfused graph runs: every signature of every fixture,
 * on both backends, fused against unfused, within 1e-6 (relative to 1 + |value|). Fixtures where no node
 * was fused run only once (the two programs are the same).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "../executor/helpers/bundle.js";
import { maxRelDiff, savedModelFixtures, tinyFeeds } from "./helpers/tinyInputs.js";

type Session = Awaited<ReturnType<ExecutorBundle["loadSession"]>>;
let X: ExecutorBundle;
before(async () => {
  X = await loadExecutorBundle();
});

type Outcome =
  { ok: true; outputs: Record<string, { values: unknown; shape: number[] }> } | { ok: false; error: string };

async function runAll(s: Session): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  for (const sig of s.signatures()) {
    if (s.missingOps(sig.key).length) continue;
    try {
      const r = await s.run(sig.key, tinyFeeds(sig) as never);
      out.set(sig.key, { ok: true, outputs: r.outputs });
    } catch (e) {
      out.set(sig.key, { ok: false, error: (e as Error).message });
    }
  }
  return out;
}

describe("fused = unfused on every signature of every fixture", { skip: skipNoFixtures }, () => {
  const open: Session[] = [];
  after(() => open.forEach((s) => s.dispose()));
  for (const name of savedModelFixtures()) {
    for (const backend of ["cpu", "wasm"] as const) {
      test(`${name} (${backend})`, { timeout: 600_000 }, async () => {
        const load = (optimize: boolean) =>
          X.loadSession(new X.NodeFileAccess(fixturePath(name)), { backend, optimize, onWarning: () => {} });
        let fusedSession: Session;
        try {
          fusedSession = await load(true);
        } catch (e) {
          // An export that does not load (corrupt-*) fails the same way without fusion.
          await assert.rejects(load(false));
          return;
        }
        open.push(fusedSession);
        const fused = await runAll(fusedSession);
        const count = fusedSession.state.program.fusedNodes;
        fusedSession.dispose();
        if (count === 0) return;
        const plainSession = await load(false);
        open.push(plainSession);
        const plain = await runAll(plainSession);
        plainSession.dispose();
        for (const [key, p] of plain) {
          const f = fused.get(key)!;
          if (!p.ok) continue; // the unfused graph fails too: nothing for fusion to keep
          assert.ok(f.ok, `${key}: the unfused graph runs but the fused one fails: ${!f.ok && f.error}`);
          if (!f.ok) continue;
          for (const [k, t] of Object.entries(p.outputs)) {
            const d = maxRelDiff(f.outputs[k], t);
            assert.ok(d <= 1e-6, `${key} output ${k}: fused differs by ${d} (${count} fused nodes)`);
          }
        }
      });
    }
  }
});
