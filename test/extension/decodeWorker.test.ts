/**
 * The decode worker (src/extension/decodeWorker.ts) in a real worker thread, with this test playing the
 * extension host: it answers the worker's file reads from NodeFileAccess and checks the replies against
 * the library called directly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { describeModel, loadVariables } from "../../src/savedmodel/model.js";
import type { DecodeRequest, DecodeResultMap, FromWorker, ToWorker } from "../../src/extension/decodeProtocol.js";
import type { DisplayGraph } from "../../src/graph/model.js";

const LIMITS = { maxProtoBytes: 2 ** 31, maxElements: 1 << 24, tableMaxElements: 1 << 20 };

class FakeHost {
  // the worker's TypeScript source runs through tsx's require hook (the extension runs the esbuild bundle)
  readonly worker = new Worker(
    `require("tsx/cjs"); require(${JSON.stringify(join(__dirname, "..", "..", "src", "extension", "decodeWorker.ts"))});`,
    {
      eval: true,
    },
  );
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly progress: string[] = [];
  constructor(private readonly files: Map<string, NodeFileAccess>) {
    this.worker.on("message", (m: FromWorker) => void this.onMessage(m));
  }
  private async onMessage(m: FromWorker): Promise<void> {
    if (m.type === "fs") {
      const fs = this.files.get(m.call.exportId)!;
      let reply: ToWorker;
      try {
        const c = m.call;
        const value =
          c.fn === "readFile"
            ? await fs.readFile(c.path)
            : c.fn === "readRange"
              ? await fs.readRange(c.path, c.offset, c.length)
              : c.fn === "list"
                ? await fs.list(c.path)
                : await fs.size(c.path);
        reply = { type: "fsReply", id: m.id, ok: true, value };
      } catch (e) {
        reply = {
          type: "fsReply",
          id: m.id,
          ok: false,
          error: { name: "Error", message: String((e as Error).message) },
        };
      }
      this.worker.postMessage(reply);
      return;
    }
    if (m.type === "progress") return void this.progress.push(m.message);
    const p = this.pending.get(m.id)!;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(Object.assign(new Error(m.error.message), m.error));
  }
  request<K extends DecodeRequest["op"]>(req: Extract<DecodeRequest, { op: K }>): Promise<DecodeResultMap[K]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ type: "request", id, req } satisfies ToWorker);
    });
  }
}

test(
  "decode worker: open, details, variable values, pages and the display graph match the library",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const dir = fixturePath("potato-cnn-tf29");
    const host = new FakeHost(new Map([["p", new NodeFileAccess(dir)]]));
    try {
      const open = await host.request({ op: "open", exportId: "p", display: dir, limits: LIMITS });
      const exp = await openSavedModel(new NodeFileAccess(dir));
      const info = await describeModel(exp);
      const vars = await loadVariables(exp);
      assert.deepEqual(open.info.metaGraphs, info.metaGraphs);
      assert.equal(open.variables?.parameterCount, vars.parameterCount);
      assert.ok(host.progress.includes("reading variables"));

      const d = await host.request({ op: "details", exportId: "p", metaGraph: 0 });
      assert.equal(d.errors.length, 0);
      assert.equal(d.functions.length, info.metaGraphs[0].functionCount);
      assert.equal(d.objectTree?.children.find((c) => c.layerName === "conv2d")?.parameterCount, 896);
      assert.ok(d.stats!.opHistogram.some((o) => o.op === "Conv2D"));

      const key = vars.variables.find((v) => v.name === "conv2d/kernel")!.checkpointKey;
      const v = await host.request({
        op: "variable",
        exportId: "p",
        checkpointKey: key,
        limits: LIMITS,
        firstCount: 5,
        bins: 10,
      });
      assert.equal(v.decoded, true);
      assert.equal(v.first.length, 5);
      assert.equal(
        v.histogram!.reduce((a, b) => a + b.count, 0),
        864,
      );
      assert.ok(Math.abs(v.stats!.mean - -0.006164322687338973) < 1e-12);
      const page = await host.request({
        op: "variablePage",
        exportId: "p",
        checkpointKey: key,
        offset: 860,
        count: 10,
      });
      assert.equal(page.total, 864);
      assert.deepEqual(
        page.rows.map((r) => r.index),
        ["[2, 2, 2, 28]", "[2, 2, 2, 29]", "[2, 2, 2, 30]", "[2, 2, 2, 31]"],
      );

      const small = await host.request({
        op: "variable",
        exportId: "p",
        checkpointKey: key,
        limits: { ...LIMITS, maxElements: 100 },
        firstCount: 5,
        bins: 10,
      });
      assert.equal(small.decoded, false);
      assert.match(small.reason!, /preview limit/);

      const g = (await host.request({
        op: "displayGraph",
        exportId: "p",
        metaGraph: 0,
        target: { signature: "serving_default" },
        opts: {},
      })) as DisplayGraph;
      assert.ok(g.nodes.length > 0);

      await assert.rejects(host.request({ op: "details", exportId: "nope", metaGraph: 0 }), /not open/);
      await assert.rejects(
        host.request({
          op: "variable",
          exportId: "p",
          checkpointKey: "no/such",
          limits: LIMITS,
          firstCount: 1,
          bins: 1,
        }),
        /no variable/,
      );
    } finally {
      await host.worker.terminate();
    }
  },
);

test(
  "decode worker: a corrupt export is a SavedModelError naming the file and offset",
  { skip: skipNoFixtures, timeout: 60_000 },
  async () => {
    const dir = fixturePath("corrupt-binary-named-pbtxt");
    const host = new FakeHost(new Map([["c", new NodeFileAccess(dir)]]));
    try {
      await assert.rejects(
        host.request({ op: "open", exportId: "c", display: dir, limits: LIMITS }),
        (e: Error & { file?: string; offset?: number; name: string }) => {
          assert.equal(e.name, "SavedModelError");
          assert.equal(e.file, "saved_model.pbtxt");
          assert.equal(typeof e.offset, "number");
          return true;
        },
      );
    } finally {
      await host.worker.terminate();
    }
  },
);

test(
  "decode worker: a variable over the preview limit still gets statistics, streamed from disk with progress",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const dir = fixturePath("potato-cnn-tf29");
    const host = new FakeHost(new Map([["p", new NodeFileAccess(dir)]]));
    try {
      await host.request({ op: "open", exportId: "p", display: dir, limits: LIMITS });
      const vars = await loadVariables(await openSavedModel(new NodeFileAccess(dir)));
      const key = vars.variables.find((v) => v.name === "conv2d/kernel")!.checkpointKey;
      const v = await host.request({
        op: "variable",
        exportId: "p",
        checkpointKey: key,
        limits: { ...LIMITS, maxElements: 10 },
        firstCount: 5,
        bins: 10,
      });
      assert.equal(v.decoded, false);
      assert.match(v.reason!, /over the preview limit.*statistics were streamed/);
      assert.equal(v.stats!.count, 864);
      assert.ok(Math.abs(v.stats!.mean - -0.006164322687338973) < 1e-12);
      assert.ok(host.progress.some((m) => /^statistics: .*100%/.test(m)));
    } finally {
      await host.worker.terminate();
    }
  },
);
