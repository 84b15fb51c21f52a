/**
 * The "test-run a signature" feature, wired in with one call from activate():
 *   const run = registerRunFeature(context, { store, showNode });
 * Registers `savedModelExplorer.runSignature` (tree signature item, overview, graph, palette), the run
 * panels, the warm executor sessions (released when an export's editors close or its files change)
 * and an API for the graph view: values of nodes after a run, and per-node times of the last run.
 */
import * as vscode from "vscode";
import type { ExportModel, ExportStore } from "../exportStore.js";
import { log } from "../log.js";
import { OVERVIEW_VIEW_TYPE } from "../overviewEditor.js";
import { RunPanel, RUN_VIEW_TYPE } from "./runPanel.js";
import { Runner, type LastRun, type RunEvent } from "./runner.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";

export const RUN_COMMAND = "savedModelExplorer.runSignature";

export interface RunFeatureDeps {
  store: ExportStore;
  /** Opens (and selects) a node in the graph view; when absent the node is revealed in the SavedModels view. */
  showNode?: (
    model: ExportModel,
    metaGraph: number,
    node: string,
    fn: string | undefined,
    signature: string,
  ) => Promise<void> | void;
}

/** What a signature argument may be: a tree item (has model + info.key + metaGraph), or plain ids. */
export type RunArg =
  | { model: ExportModel; info: { key: string }; metaGraph: number }
  | { exportUri: string; signature?: string; metaGraph?: number }
  | undefined;

export interface RunFeature {
  /** Opens (or reveals) the run form of a signature. */
  open(exportUri: string, signature: string, metaGraph?: number): Promise<RunPanel>;
  readonly panels: ReadonlyMap<string, RunPanel>;
  /** Fires after each run (per-node times in `nodeTimes` when it succeeded): for colouring the graph by time. */
  readonly onDidRun: vscode.Event<RunEvent>;
  lastRun(exportUri: string): LastRun | undefined;
  /**
   * The value a node's output had in the last run of that export (re-runs with the same inputs, session
   * kept warm). `tensor` is "node" or "node:i"; `fn` the library function holding it ("" = top level).
   */
  nodeValue(exportUri: string, tensor: string, opts?: { fn?: string; metaGraph?: number }): Promise<DecodedTensor>;
  /**
   * Follows a graph view's selection: each node selected there shows the value it produced in the last
   * run, in the run form of that run. Returns the subscription.
   */
  attachGraph(
    exportUri: string,
    graph: { onDidSelectNode: vscode.Event<{ node: string; fn: string }> },
  ): vscode.Disposable;
  /** Graph views (or other editors) of an export keep its session warm while open. */
  addSessionUser(exportUri: string, user: string, metaGraph?: number): void;
  removeSessionUser(exportUri: string, user: string, metaGraph?: number): void;
}

export function registerRunFeature(context: vscode.ExtensionContext, deps: RunFeatureDeps): RunFeature {
  // an open overview (saved_model.pb editor) of the export keeps its session warm too
  const overviewOpen = (exportId: string) =>
    vscode.window.tabGroups.all.some((g) =>
      g.tabs.some(
        (t) =>
          t.input instanceof vscode.TabInputCustom &&
          t.input.viewType === OVERVIEW_VIEW_TYPE &&
          vscode.Uri.joinPath(t.input.uri, "..").toString() === exportId,
      ),
    );
  const runner = new Runner(context.extensionUri, log, overviewOpen);
  context.subscriptions.push(
    vscode.window.tabGroups.onDidChangeTabs(() => {
      for (const k of runner.pool.keys()) runner.pool.recheck(k);
    }),
  );
  const panels = new Map<string, RunPanel>();
  context.subscriptions.push(runner);

  const tagsOf = (m: ExportModel, mg: number) => m.result?.info.metaGraphs[mg]?.tags ?? [];
  const keyOf = (m: ExportModel, mg: number) => `${m.id}#${tagsOf(m, mg).join(",")}`;

  const showNode = async (m: ExportModel, mg: number, node: string, fn: string | undefined, signature: string) => {
    if (deps.showNode) return void (await deps.showNode(m, mg, node, fn, signature));
    const id = await vscode.commands.executeCommand<string | undefined>(
      "savedModelExplorer.revealGraphNode",
      m.id,
      node,
      { fn, metaGraph: mg },
    );
    void vscode.window.showInformationMessage(
      `SavedModel: node "${node}"${fn ? ` (in function ${fn})` : ""} ${id ? "is revealed in the SavedModels view" : "was not found in the SavedModels view"}; the graph view is not available in this build.`,
    );
  };

  const open = async (exportUri: string, signature: string, metaGraph = 0): Promise<RunPanel> => {
    const m = await deps.store.ensure(vscode.Uri.parse(exportUri));
    await m.load({ notify: true });
    const id = `${m.id}#${metaGraph}#${signature}`;
    const existing = panels.get(id);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const wp = vscode.window.createWebviewPanel(
      RUN_VIEW_TYPE,
      `Run ${signature} · ${m.name}`,
      vscode.ViewColumn.Active,
      {
        retainContextWhenHidden: true,
        enableFindWidget: true,
      },
    );
    const p = new RunPanel(wp, m, metaGraph, signature, context.extensionUri, {
      runner,
      memento: context.workspaceState,
      log,
      showNode,
    });
    panels.set(id, p);
    const key = keyOf(m, metaGraph);
    runner.pool.addUser(key, id);
    p.onDidDispose(() => {
      panels.delete(id);
      runner.pool.removeUser(key, id);
    });
    return p;
  };

  const pick = async (
    arg: RunArg,
  ): Promise<{ exportUri: string; signature: string; metaGraph: number } | undefined> => {
    if (arg && "model" in arg && arg.model && arg.info)
      return { exportUri: arg.model.id, signature: arg.info.key, metaGraph: arg.metaGraph ?? 0 };
    let exportUri = arg && "exportUri" in arg ? arg.exportUri : undefined;
    if (!exportUri) {
      if (!deps.store.scanned) await deps.store.scan(); // just after activation the workspace scan may still run
      const list = deps.store.list();
      const chosen =
        list.length === 1
          ? list[0]
          : (
              await vscode.window.showQuickPick(
                list.map((m) => ({ label: m.name, description: m.relativeLocation, m })),
                { placeHolder: "Run a signature of which export?" },
              )
            )?.m;
      if (!chosen) return undefined;
      exportUri = chosen.id;
    }
    const metaGraph = (arg && "exportUri" in arg ? arg.metaGraph : undefined) ?? 0;
    let signature = arg && "exportUri" in arg ? arg.signature : undefined;
    if (!signature) {
      const m = await deps.store.ensure(vscode.Uri.parse(exportUri));
      const r = await m.load({ notify: true });
      const sigs = r.info.metaGraphs[metaGraph]?.signatures.filter((s) => !s.hidden) ?? [];
      signature =
        sigs.length === 1
          ? sigs[0].key
          : (
              await vscode.window.showQuickPick(
                sigs.map((s) => ({
                  label: s.key,
                  description: `${s.methodName} · ${s.inputs.map((i) => i.key).join(", ")}`,
                })),
                { placeHolder: `Run which signature of ${m.name}?` },
              )
            )?.label;
      if (!signature) return undefined;
    }
    return { exportUri, signature, metaGraph };
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_COMMAND, async (arg?: RunArg) => {
      try {
        const t = await pick(arg);
        if (!t) return undefined;
        const p = await open(t.exportUri, t.signature, t.metaGraph);
        return p.id;
      } catch (e) {
        void vscode.window.showErrorMessage(`SavedModel: cannot open the run form: ${(e as Error).message}`);
        return undefined;
      }
    }),
    // the export's files changed (the store dropped its decoded result) or it was removed: drop its warm
    // sessions. The decoded result object is what identifies a version of the export's files.
    deps.store.onDidChange((m) => {
      for (const [key, held] of runner.sessionModels()) {
        if (m && held.model !== m) continue;
        const gone = !deps.store.get(held.model.id);
        if (gone || held.model.result !== held.result)
          void runner.pool.release(key, gone ? "it was removed" : "its files changed");
      }
    }),
  );

  return {
    open,
    panels,
    onDidRun: runner.onDidRun,
    lastRun: (u) => runner.lastRun(u),
    nodeValue: async (u, tensor, opts = {}) => {
      const m = await deps.store.ensure(vscode.Uri.parse(u));
      return runner.nodeValue(m, tagsOf(m, opts.metaGraph ?? 0), tensor, opts.fn ?? "");
    },
    attachGraph: (u, graph) =>
      graph.onDidSelectNode((sel) => {
        const last = runner.lastRun(u);
        if (!last) return;
        panels.get(`${u}#${last.metaGraph}#${last.signature}`)?.showNodeValue(sel.node, sel.fn ?? "");
      }),
    addSessionUser: (u, user, mg = 0) => {
      const m = deps.store.get(u);
      if (m) runner.pool.addUser(keyOf(m, mg), user);
    },
    removeSessionUser: (u, user, mg = 0) => {
      const m = deps.store.get(u);
      if (m) runner.pool.removeUser(keyOf(m, mg), user);
    },
  };
}
