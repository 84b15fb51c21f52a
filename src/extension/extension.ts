/**
 * SavedModel Explorer for VS Code: the "SavedModels" explorer view, the saved_model.pb overview
 * editor, the variable value view and commands. Activated by workspaceContains saved_model.pb(txt),
 * by its commands, view and custom editor (no "*" activation).
 */
import * as vscode from "vscode";
import { DecodeClient } from "./decodeClient.js";
import { ExportStore, type ExportModel } from "./exportStore.js";
import { ExportsTreeProvider, VIEW_ID, type RevealTarget } from "./tree/exportsTree.js";
import { OverviewEditorProvider } from "./overviewEditor.js";
import { VariablePanel } from "./variablePanel.js";
import { registerCommands } from "./commands.js";
import { initLog, log } from "./log.js";
import { affectsSettings } from "./settings.js";
import { setRunFeature, showGraph } from "./graphBridge.js";
import { registerRunFeature, type RunFeature } from "./run/index.js";
import { registerCompare } from "./compare/index.js";
import { openOnStartup } from "./startup.js";

/** What activate() returns: for other extensions, the graph panel and the in-host integration tests. */
export interface SavedModelExplorerApi {
  readonly store: ExportStore;
  readonly tree: ExportsTreeProvider;
  readonly overview: OverviewEditorProvider;
  readonly client: DecodeClient;
  /** Test-runs of signatures (src/extension/run). */
  readonly run: RunFeature;
  /** Reveals the tree item for a signature, function, variable, tensor or graph node; false when nothing matches. */
  revealInTree(target: RevealTarget): Promise<boolean>;
  /** Opens the value view of a variable (by checkpoint key) of the export at `exportUri`. */
  openVariable(exportUri: string, checkpointKey: string): Promise<VariablePanel>;
  /** The loaded model of an export folder (loads it if needed). */
  model(exportUri: string): Promise<ExportModel>;
}

export function activate(context: vscode.ExtensionContext): SavedModelExplorerApi {
  const channel = initLog(context);
  log(
    `SavedModel Explorer ${context.extension.packageJSON.version} activated (${vscode.env.appName} ${vscode.version}, remote: ${vscode.env.remoteName ?? "none"})`,
  );
  const client = new DecodeClient(vscode.Uri.joinPath(context.extensionUri, "dist", "decodeWorker.js").fsPath, (l) =>
    channel.warn(l),
  );
  const store = new ExportStore(client, context.workspaceState);
  const tree = new ExportsTreeProvider(store);
  const view = vscode.window.createTreeView(VIEW_ID, {
    treeDataProvider: tree,
    showCollapseAll: true,
    // two exports selected → Compare Exports (src/extension/compare)
    canSelectMany: true,
  });
  tree.view = view;
  context.subscriptions.push(client, store, tree, view);

  const overview = OverviewEditorProvider.register(context, store, {
    openVariable: (m, key) => VariablePanel.show(context.extensionUri, m, key),
    reveal: (m, msg) => {
      const target: RevealTarget =
        msg.kind === "signature"
          ? { exportUri: m.id, metaGraph: msg.metaGraph, kind: "signature", key: msg.name }
          : msg.kind === "export"
            ? { exportUri: m.id, kind: "export" }
            : { exportUri: m.id, metaGraph: msg.metaGraph, kind: msg.kind, name: msg.name };
      void tree.reveal(target);
    },
    showGraph: (m, metaGraph, signature) => {
      const fn = m.result?.info.metaGraphs[metaGraph]?.signatures.find((s) => s.key === signature)?.functionName;
      void showGraph(context, m, { metaGraph, signature, fn });
    },
  });

  registerCommands({ context, store, tree });
  registerCompare(context, store, () => view.selection);
  context.subscriptions.push(
    VariablePanel.registerSerializer(context.extensionUri, async (exportUri) => {
      if (!store.scanned) await store.scan();
      return store.ensure(vscode.Uri.parse(exportUri));
    }),
  );

  // "Run Signature…" (src/extension/run): a node picked in a run's results opens in the graph view
  const run = registerRunFeature(context, {
    store,
    showNode: (m, metaGraph, node, fn, signature) =>
      showGraph(context, m, { metaGraph, signature, node, nodeFunction: fn }),
  });
  setRunFeature(run);

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSettings(e)) {
        log("settings changed: reloading exports");
        void store.refresh();
      }
    }),
  );

  void store.scan();
  void openOnStartup(context, store, tree).catch((e) => log(`open on start failed: ${e}`));

  return {
    store,
    tree,
    overview,
    client,
    run,
    revealInTree: async (t) => !!(await tree.reveal(t)),
    openVariable: async (exportUri, key) => {
      const m = await store.ensure(vscode.Uri.parse(exportUri));
      return VariablePanel.show(context.extensionUri, m, key);
    },
    model: async (exportUri) => {
      const m = await store.ensure(vscode.Uri.parse(exportUri));
      await m.load();
      return m;
    },
  };
}

export function deactivate(): void {}
