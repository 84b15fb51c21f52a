/**
 * The decode worker (src/extension/decodeWorker.ts) in a real worker thread behind the real host-side client
 * (src/extension/decodeClient.ts), which answers the worker's file reads from NodeFileAccess; the replies are
 * checked against the library called directly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";
import { tsWorkerScript } from "../helpers/tsWorker.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";
import { writeExportToDir } from "../../src/savedmodel/node/nodeWriter.js";
import { demoExportFiles } from "../../src/savedmodel/builder/demo.js";
import { openSavedModel } from "../../src/savedmodel/savedModel.js";
import { describeModel, loadVariables } from "../../src/savedmodel/model.js";
import { CancelledError, DecodeClient, DecodeError } from "../../src/extension/decodeClient.js";
import type { DecodeRequest, DecodeResultMap } from "../../src/protocol/decode.js";
import type { DisplayGraph } from "../../src/graph/model.js";

const LIMITS = { maxProtoBytes: 2 ** 31, maxElements: 1 << 24, tableMaxElements: 1 << 20 };

// the worker's TypeScript source runs through tsx's require hook (the extension runs the esbuild bundle)
// exports this file writes
const scratch = mkdtempSync(join(tmpdir(), "decode-worker-test-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const bootstrap = tsWorkerScript(join(__dirname, "..", "..", "src", "extension", "decodeWorker.ts"));

/** The real DecodeClient, playing the extension host with NodeFileAccess for each export. */
class Host {
  readonly client = new DecodeClient(bootstrap, (l) => this.log.push(l));
  readonly log: string[] = [];
  readonly progress: string[] = [];
  // the client unrefs its worker (the extension host must be able to exit): keep this test's process alive
  private readonly keepAlive = setInterval(() => undefined, 1000);
  constructor(files: Map<string, NodeFileAccess>) {
    for (const [id, fs] of files) this.client.register(id, fs);
  }
  request<K extends DecodeRequest["op"]>(req: Extract<DecodeRequest, { op: K }>): Promise<DecodeResultMap[K]> {
    return this.client.request(req, { onProgress: (m) => this.progress.push(m) });
  }
  dispose(): void {
    this.client.dispose();
    clearInterval(this.keepAlive);
  }
}

/** A vscode.CancellationToken stand-in. */
function cancellation() {
  const listeners: (() => void)[] = [];
  const token = {
    isCancellationRequested: false,
    onCancellationRequested: (f: () => void) => (listeners.push(f), { dispose: () => undefined }),
  };
  return {
    token: token as never,
    cancel: () => ((token.isCancellationRequested = true), listeners.forEach((f) => f())),
  };
}

test(
  "decode worker: the demo export opens, reads a variable and builds a graph through the client",
  { timeout: 120_000 },
  async () => {
    const dir = join(scratch, "demo");
    await writeExportToDir(demoExportFiles(), dir);
    const host = new Host(new Map([["d", new NodeFileAccess(dir)]]));
    try {
      const open = await host.request({ op: "open", exportId: "d", display: dir, limits: LIMITS });
      const info = await describeModel(await openSavedModel(new NodeFileAccess(dir)));
      assert.deepEqual(open.info.metaGraphs, info.metaGraphs);
      assert.ok(host.progress.includes("reading variables"), "progress lines reach the caller");
      const key = open.variables!.variables[0].checkpointKey;
      const v = await host.request({
        op: "variable",
        exportId: "d",
        checkpointKey: key,
        limits: LIMITS,
        firstCount: 3,
        bins: 5,
      });
      assert.equal(v.decoded, true);
      const g = await host.request({
        op: "displayGraph",
        exportId: "d",
        metaGraph: 0,
        target: { signature: "serving_default" },
        opts: {},
      });
      assert.ok(g.nodes.length > 0);
      // a Const's value for the details pane: decoded in the worker, with its histogram
      const k = g.nodes.find((n) => n.name === "flatten/Const");
      assert.ok(k, "the serving graph draws flatten/Const");
      const cv = await host.request({
        op: "constValue",
        exportId: "d",
        metaGraph: 0,
        fn: k.fn,
        node: k.name,
        read: false,
        limits: LIMITS,
      });
      assert.equal(cv.preview?.dtype, "int32");
      assert.deepEqual(cv.preview?.values, ["-1", "784"]);
      assert.ok(cv.preview?.histogram?.length, "histogram bins");
      assert.ok(cv.table, "values for the table");
      // an error thrown in the worker comes back as a DecodeError with its message
      await assert.rejects(
        host.request({
          op: "variable",
          exportId: "d",
          checkpointKey: "no/such",
          limits: LIMITS,
          firstCount: 1,
          bins: 1,
        }),
        (e: Error) => e instanceof DecodeError && /no variable/.test(e.message),
      );
      // cancelling stops the worker: the request rejects with CancelledError, the next one starts a fresh worker
      // and re-opens the export it needs
      const c = cancellation();
      const p = host.client.request({ op: "details", exportId: "d", metaGraph: 0 }, { token: c.token });
      c.cancel();
      await assert.rejects(p, (e: Error) => e instanceof CancelledError);
      const gen = host.client.generation;
      const d = await host.request({ op: "details", exportId: "d", metaGraph: 0 });
      assert.equal(d.functions.length, info.metaGraphs[0].functionCount);
      assert.equal(host.client.generation, gen + 1);
      // disposing rejects what is still pending
      const pending = host.request({ op: "details", exportId: "d", metaGraph: 0 });
      host.dispose();
      await assert.rejects(pending, (e: Error) => e instanceof CancelledError);
    } finally {
      host.dispose();
    }
  },
);

test(
  "decode worker: open, details, variable values, pages and the display graph match the library",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const dir = fixturePath("potato-cnn-tf29");
    const host = new Host(new Map([["p", new NodeFileAccess(dir)]]));
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

      await assert.rejects(host.request({ op: "details", exportId: "nope", metaGraph: 0 }), /never opened/);
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
      host.dispose();
    }
  },
);

test(
  "decode worker: a corrupt export is a SavedModelError naming the file and offset",
  { skip: skipNoFixtures, timeout: 60_000 },
  async () => {
    const dir = fixturePath("corrupt-binary-named-pbtxt");
    const host = new Host(new Map([["c", new NodeFileAccess(dir)]]));
    try {
      await assert.rejects(host.request({ op: "open", exportId: "c", display: dir, limits: LIMITS }), (e: Error) => {
        assert.ok(e instanceof DecodeError);
        assert.equal(e.name, "SavedModelError");
        assert.equal(e.data.file, "saved_model.pbtxt");
        assert.equal(typeof e.data.offset, "number");
        return true;
      });
    } finally {
      host.dispose();
    }
  },
);

test(
  "decode worker: a variable over the preview limit still gets statistics, streamed from disk with progress",
  { skip: skipNoFixtures, timeout: 120_000 },
  async () => {
    const dir = fixturePath("potato-cnn-tf29");
    const host = new Host(new Map([["p", new NodeFileAccess(dir)]]));
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
      host.dispose();
    }
  },
);
