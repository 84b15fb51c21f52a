/**
 * "Show Graph": opens the graph panel (src/extension/graph/graphPanel.ts) for an export. The graph is
 * decoded and its display graph built in the decode worker, so a 50 MB graph never blocks the host;
 * selecting a node in the graph reveals the item behind it in the SavedModels view.
 */
import * as vscode from "vscode";
import type { ExportModel } from "./exportStore.js";
import { openGraphPanel } from "./graph/graphPanel.js";
import { linkGraphToRun } from "./graph/runLink.js";
import { log } from "./log.js";
import { decodeLimits } from "./settings.js";
import type { RunFeature } from "./run/index.js";

let run: RunFeature | undefined;
/** Panels already wired to the tree and the run feature (openGraphPanel reuses panels). */
const wired = new WeakSet<vscode.WebviewPanel>();

/** Lets graph panels show the values of the last run and keep the export's executor session warm. */
export function setRunFeature(r: RunFeature): void {
  run = r;
}

export interface ShowGraphOptions {
  metaGraph: number;
  /** Function whose body to show (a function picked in the tree). */
  fn?: string;
  /** Signature whose slice to show. */
  signature?: string;
  /** Node to select once drawn (in `nodeFunction`'s body, or the top-level graph). */
  node?: string;
  nodeFunction?: string;
}

export async function showGraph(
  context: vscode.ExtensionContext,
  m: ExportModel,
  opts: ShowGraphOptions,
): Promise<void> {
  await m.load({ notify: true });
  const metaGraph = opts.metaGraph;
  const tags = m.result?.info.metaGraphs[metaGraph]?.tags ?? [];
  const label = m.result && m.result.info.metaGraphs.length > 1 ? `${m.name} [${tags.join(",")}]` : m.name;
  const handle = openGraphPanel(
    context,
    {
      label,
      id: `${m.id}#${metaGraph}`,
      build: (target, buildOpts) =>
        Promise.resolve(
          vscode.window.withProgress(
            {
              location: vscode.ProgressLocation.Notification,
              title: `Building the graph of ${m.name}`,
              cancellable: true,
            },
            (_p, token) =>
              m.store.client.request(
                { op: "displayGraph", exportId: m.id, metaGraph, target, opts: buildOpts },
                { token },
              ),
          ),
        ),
    },
    {
      signature: opts.signature,
      function: opts.signature ? undefined : opts.fn,
      node: opts.node,
      nodeFunction: opts.nodeFunction,
    },
  );
  if (wired.has(handle.panel)) return;
  wired.add(handle.panel);
  const sub = handle.onDidSelectNode((sel) => {
    void vscode.commands
      .executeCommand("savedModelExplorer.revealGraphNode", m.id, sel.node, {
        fn: sel.fn || undefined,
        op: sel.op,
        metaGraph,
        focus: false,
      })
      .then(undefined, (e) => log(`reveal of graph node ${sel.node} failed: ${e}`));
  });
  const subs: vscode.Disposable[] = [sub];
  // a weight drawn inside its consumer: "Show values" opens the variable behind the handle
  subs.push(
    handle.onDidOpenVariable(async (ref) => {
      try {
        const key = await m.store.client.request({
          op: "variableOfNode",
          exportId: m.id,
          metaGraph,
          fn: ref.fn,
          node: ref.node,
        });
        if (key)
          await vscode.commands.executeCommand("savedModelExplorer.openVariable", {
            exportUri: m.id,
            checkpointKey: key,
          });
        else void vscode.window.showInformationMessage(`${ref.node} is not a variable saved in the checkpoint.`);
      } catch (e) {
        log(`opening the variable of ${ref.node} failed: ${e}`);
      }
    }),
  );
  if (run) {
    // an open graph keeps the session warm; per-node times of each run (colour by time), node values in the details pane, "Run…" in the toolbar
    subs.push(
      linkGraphToRun(handle.panel, run, {
        exportId: m.id,
        metaGraph,
        signature: opts.signature,
        // a Const's values in the details pane: decoded in the decode worker, content on disk read on request
        constValue: (fn, node, read) =>
          m.store.client.request({
            op: "constValue",
            exportId: m.id,
            metaGraph,
            fn,
            node,
            read,
            limits: decodeLimits(),
          }),
      }),
    );
    const user = `graph:${handle.panel.title}`;
    run.addSessionUser(m.id, user, metaGraph);
    subs.push({ dispose: () => run?.removeSessionUser(m.id, user, metaGraph) });
  }
  handle.panel.onDidDispose(() => subs.forEach((d) => d.dispose()));
}
