/**
 * Every signature of every complete fixture runs, on tiny deterministic inputs (tf.Examples built from
 * the model's own parse nodes); custom-op models instead name their missing ops. And the op table:
 * no fixture signature reaches an op that is neither run nor deliberately refused.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { loadExecutorBundle, type ExecutorBundle } from "../executor/helpers/bundle.js";
import { feedsFor } from "./helpers/feedsFor.js";
import { fixtureStatuses, isComplete } from "./helpers/fixtureStatus.js";
import { savedModelFixtures } from "./helpers/tinyInputs.js";

type Session = Awaited<ReturnType<ExecutorBundle["loadSession"]>>;
let X: ExecutorBundle;
before(async () => {
  X = await loadExecutorBundle();
});

const statuses = fixtureStatuses();

describe("every signature of every complete fixture runs", { skip: skipNoFixtures }, () => {
  const open: Session[] = [];
  after(() => open.forEach((s) => s.dispose()));
  for (const name of savedModelFixtures().filter((n) => isComplete(statuses.get(n)))) {
    test(name, { timeout: 600_000 }, async () => {
      const s = await X.loadSession(new X.NodeFileAccess(fixturePath(name)), { backend: "wasm", onWarning: () => {} });
      open.push(s);
      const failures: string[] = [];
      for (const sig of s.signatures()) {
        const missing = s.missingOps(sig.key);
        if (missing.length) {
          // Only custom ops (native code of TF add-on libraries) may be missing, and they are named.
          const notCustom = missing.filter((m) => !m.custom);
          if (notCustom.length) failures.push(`${sig.key}: missing ${notCustom.map((m) => m.op).join(", ")}`);
          await assert.rejects(
            s.run(sig.key, {}),
            (e: Error) => e.name === "MissingOpsError" && missing.every((m) => e.message.includes(m.op)),
          );
          continue;
        }
        try {
          const r = await s.run(sig.key, feedsFor(s, sig, X.encodeExample as never) as never);
          for (const o of sig.outputs) {
            if (o.sparse) continue;
            assert.ok(r.outputs[o.key], `${sig.key}: output ${o.key}`);
          }
        } catch (e) {
          failures.push(`${sig.key}: ${(e as Error).message.slice(0, 300)}`);
        }
      }
      s.dispose();
      assert.deepEqual(failures, []);
    });
  }
});

describe("op table: every op a fixture signature reaches is run or refused by design", { skip: skipNoFixtures }, () => {
  test("all loadable fixtures", { timeout: 600_000 }, async () => {
    const kernels = X.allKernels();
    const unknown: string[] = [];
    for (const name of savedModelFixtures()) {
      let s: Session;
      try {
        s = await X.loadSession(new X.NodeFileAccess(fixturePath(name)), { backend: "cpu", onWarning: () => {} });
      } catch {
        continue; // corrupt: nothing to run
      }
      try {
        const main = s.state.program.mainBody();
        const ref = (t: string) => main.byName.get(t.replace(/:\d+$/, ""))!;
        for (const sig of s.signatures()) {
          const names = (specs: typeof sig.inputs) =>
            specs.flatMap((o) => (o.sparse ? [o.sparse.indices, o.sparse.values, o.sparse.denseShape] : [o.name]));
          const ops = s.reachableOps(names(sig.outputs).map(ref), new Set(names(sig.inputs).map(ref)));
          for (const op of ops.keys())
            if (!kernels[op] && !X.refusalReason(op)) unknown.push(`${name} ${sig.key}: ${op}`);
        }
      } finally {
        s.dispose();
      }
    }
    assert.deepEqual(
      unknown,
      [],
      "ops neither run nor refused by design: add a kernel or a refusal (and regenerate docs/ops.md)",
    );
  });
});
