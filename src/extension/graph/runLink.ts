/**
 * Links a graph panel to the run feature: the panel hears of every successful run of its export (per-node
 * times, for colouring nodes by measured time), answers the webview's `graph/lastRun` and
 * `graph/nodeValue` requests (the value a node produced, fetched by the executor from the last run's
 * inputs), and opens the run form on `graph/runSignature` (the toolbar's "Run…").
 *
 *   const sub = linkGraphToRun(handle.panel, run, { exportId: m.id, metaGraph, signature });
 */
import * as vscode from "vscode";
import type { GraphConstValue, GraphRunData, GraphRunMethods, GraphRunSignatureMessage } from "../../protocol/graph.js";
import { serveRpc } from "../../protocol/rpc.js";
import type { LastRun, RunEvent } from "../run/runner.js";
import { RUN_COMMAND, type RunFeature } from "../run/index.js";
import { valuePreview } from "./runPreview.js";

export interface RunLinkTarget {
  exportId: string;
  metaGraph: number;
  /** The view's signature (signature views): what "Run…" opens. */
  signature?: string;
  /** A Const node's value, read in the decode worker (`graph/constValue`). */
  constValue?: (fn: string, node: string, read: boolean) => Promise<GraphConstValue>;
}

type RunSource = Pick<RunFeature, "onDidRun" | "lastRun" | "nodeValue">;

let nextRunId = 1;
/** One id per run the extension heard of (so panels opened later see the same id for the same run). */
const runIds = new WeakMap<object, number>();

function runData(t: RunLinkTarget, last: LastRun | RunEvent, key: object): GraphRunData | null {
  if (last.metaGraph !== t.metaGraph || !last.nodeTimes) return null;
  let id = runIds.get(key);
  if (id === undefined) runIds.set(key, (id = nextRunId++));
  return {
    runId: id,
    signature: last.signature,
    metaGraph: last.metaGraph,
    at: "at" in last ? last.at : Date.now(),
    nodeTimes: last.nodeTimes,
  };
}

export function linkGraphToRun(panel: vscode.WebviewPanel, run: RunSource, t: RunLinkTarget): vscode.Disposable {
  const post = (m: unknown) => void panel.webview.postMessage(m);
  const serve = serveRpc<GraphRunMethods>(
    {
      "graph/lastRun": () => {
        const last = run.lastRun(t.exportId);
        return last ? runData(t, last, last) : null;
      },
      "graph/nodeValue": async ({ fn, node, output }) => {
        const last = run.lastRun(t.exportId);
        if (!last) throw new Error("run a signature first: node values come from the last run's inputs");
        if (last.metaGraph !== t.metaGraph)
          throw new Error("the last run was of another meta graph: run one of this graph's signatures");
        const v = await run.nodeValue(t.exportId, `${node}:${Math.max(0, Math.floor(output))}`, {
          fn,
          metaGraph: t.metaGraph,
        });
        return valuePreview(v);
      },
      "graph/constValue": ({ fn, node, read }) => {
        if (!t.constValue) throw new Error("constant values are not available in this view");
        return t.constValue(fn, node, read);
      },
    },
    post,
  );
  const subs: vscode.Disposable[] = [
    run.onDidRun((e) => {
      if (e.exportId !== t.exportId || !e.ok) return;
      // the run feature keeps the same data as its last run; use that object as the run's identity
      const last = run.lastRun(t.exportId);
      const data = runData(t, e, last ?? e);
      if (data) post({ type: "graph/runData", run: data });
    }),
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (serve(m)) return;
      const msg = m as GraphRunSignatureMessage;
      if (msg?.type === "graph/runSignature")
        void vscode.commands.executeCommand(RUN_COMMAND, {
          exportUri: t.exportId,
          metaGraph: t.metaGraph,
          signature: msg.signature || t.signature,
        });
    }),
  ];
  return { dispose: () => subs.forEach((d) => d.dispose()) };
}
