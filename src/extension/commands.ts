/**
 * The extension's commands (package.json contributes.commands). Commands invoked from the tree get
 * the node; from the Explorer context menu a URI; from other parts of the product plain data.
 */
import * as vscode from "vscode";
import { SAVED_MODEL_GLOB, type ExportModel, type ExportStore } from "./exportStore.js";
import { ModelNode, SignatureNode, FunctionNode, MetaGraphNode, VariableNode, ExportNode } from "./tree/nodes.js";
import type { ExportsTreeProvider, RevealTarget } from "./tree/exportsTree.js";
import { OVERVIEW_VIEW_TYPE } from "./overviewEditor.js";
import { VariablePanel } from "./variablePanel.js";
import { registerReportingCommand, showLog } from "./log.js";
import { showGraph } from "./graphBridge.js";
import { openFileInExport } from "./openInExport.js";

/** Export folder URI (string or Uri), or a tree node. */
export type ExportArg = ModelNode | vscode.Uri | string | { exportUri: string } | undefined;

export interface CommandContext {
  context: vscode.ExtensionContext;
  store: ExportStore;
  tree: ExportsTreeProvider;
}

export function toUri(u: vscode.Uri | string): vscode.Uri {
  return typeof u === "string" ? vscode.Uri.parse(u) : u;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The saved_model file of an export folder, by looking at the disk when the export is not loaded yet. */
export async function savedModelFileOf(m: ExportModel): Promise<vscode.Uri | undefined> {
  if (m.result) return m.savedModelUri;
  for (const f of ["saved_model.pb", "saved_model.pbtxt"]) {
    const u = vscode.Uri.joinPath(m.uri, f);
    if (await exists(u)) return u;
  }
  return undefined;
}

export function registerCommands(c: CommandContext): void {
  const { store, tree, context } = c;

  const modelOf = async (arg: ExportArg): Promise<ExportModel | undefined> => {
    if (arg instanceof ModelNode) return arg.model;
    if (!arg) {
      const sel = tree.view?.selection[0];
      if (sel) return sel.model;
      const list = store.list();
      if (list.length === 1) return list[0];
      const pick = await vscode.window.showQuickPick(
        list.map((m) => ({ label: m.name, description: m.relativeLocation, m })),
        { placeHolder: "Which export?" },
      );
      return pick?.m;
    }
    const uri =
      typeof arg === "object" && "exportUri" in arg ? toUri(arg.exportUri) : toUri(arg as vscode.Uri | string);
    return store.get(uri) ?? store.findContaining(uri) ?? store.ensure(uri);
  };

  const openOverview = async (m: ExportModel) => {
    const file = await savedModelFileOf(m);
    if (file) await vscode.commands.executeCommand("vscode.openWith", file, OVERVIEW_VIEW_TYPE);
    else await m.load({ notify: true }).catch(() => undefined); // the failure notification explains the folder
  };

  const reg = (id: string, fn: (...args: never[]) => unknown) => registerReportingCommand(context, id, fn);

  reg("savedModelExplorer.openFolder", async (arg?: vscode.Uri) => {
    let uri = arg instanceof vscode.Uri ? arg : undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: true,
        canSelectMany: false,
        openLabel: "Open Export",
        title: "Open a SavedModel export folder (or its saved_model.pb)",
      });
      uri = picked?.[0];
      if (!uri) return undefined;
    }
    const st = await vscode.workspace.fs.stat(uri);
    let folder = st.type & vscode.FileType.Directory ? uri : vscode.Uri.joinPath(uri, "..");
    const direct =
      (await exists(vscode.Uri.joinPath(folder, "saved_model.pb"))) ||
      (await exists(vscode.Uri.joinPath(folder, "saved_model.pbtxt")));
    if (!direct) {
      // a parent of versioned exports (model/1, model/2) or a project folder: offer what is inside
      const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, SAVED_MODEL_GLOB), null, 100);
      const dirs = [...new Map(found.map((f) => vscode.Uri.joinPath(f, "..")).map((d) => [d.toString(), d])).values()];
      if (dirs.length === 1) folder = dirs[0];
      else if (dirs.length > 1) {
        const pick = await vscode.window.showQuickPick(
          dirs.map((d) => ({ label: d.path.slice(folder.path.length + 1) || ".", d })),
          { placeHolder: `${dirs.length} exports under this folder: which one?` },
        );
        if (!pick) return undefined;
        folder = pick.d;
      }
    }
    const m = await store.ensure(folder);
    await tree.reveal({ exportUri: m.id, kind: "export" }, { focus: false }).catch(() => undefined);
    await openOverview(m);
    return m.id;
  });

  reg("savedModelExplorer.refresh", async (arg?: ExportArg) => {
    if (arg) {
      const m = await modelOf(arg);
      if (m) {
        m.invalidate();
        store.fireChanged(m);
      }
      return;
    }
    await store.refresh();
  });

  reg("savedModelExplorer.openOverview", async (arg?: ExportArg) => {
    const m = await modelOf(arg);
    if (m) await openOverview(m);
  });

  reg("savedModelExplorer.openVariable", async (arg?: VariableNode | { exportUri: string; checkpointKey: string }) => {
    if (!arg) return;
    const m = await modelOf(arg instanceof VariableNode ? arg : arg.exportUri);
    const key = arg instanceof VariableNode ? arg.info.checkpointKey : arg.checkpointKey;
    if (m) VariablePanel.show(context.extensionUri, m, key);
  });

  reg("savedModelExplorer.showGraph", async (arg?: ExportArg) => {
    const m = await modelOf(arg);
    if (!m) return;
    let metaGraph = 0;
    let fn: string | undefined;
    let signature: string | undefined;
    if (arg instanceof MetaGraphNode) metaGraph = arg.info.index;
    if (arg instanceof SignatureNode)
      ((metaGraph = arg.metaGraph), (signature = arg.info.key), (fn = arg.info.functionName));
    if (arg instanceof FunctionNode) ((metaGraph = arg.metaGraph), (fn = arg.info.name));
    await showGraph(context, m, { metaGraph, fn, signature });
  });

  reg("savedModelExplorer.copyName", async (node?: ModelNode) => {
    const n = node ?? tree.view?.selection[0];
    if (n) await vscode.env.clipboard.writeText(n.copyName());
  });

  reg("savedModelExplorer.copyJson", async (node?: ModelNode) => {
    const n = node ?? tree.view?.selection[0];
    if (n) await vscode.env.clipboard.writeText(JSON.stringify(n.json(), jsonReplacer, 2));
  });

  reg("savedModelExplorer.removeExport", async (node?: ExportNode) => {
    if (node?.model) await store.remove(node.model);
  });

  reg("savedModelExplorer.showLog", () => showLog());

  // (uri of the file, path inside the export): opened only when the containment layer allows it
  reg("savedModelExplorer.openAsset", async (uri?: vscode.Uri | string, path?: string) => {
    if (!uri) return;
    const u = toUri(uri);
    const m = store.findContaining(u);
    const rel = path ?? (m ? u.path.slice(m.uri.path.replace(/\/$/, "").length + 1) : undefined);
    if (m && rel !== undefined) await openFileInExport(m, rel);
  });

  reg("savedModelExplorer.revealInTree", async (target: RevealTarget) => {
    const node = await tree.reveal(target);
    if (!node)
      void vscode.window.showInformationMessage(
        `SavedModel: nothing in the SavedModels view matches ${describeTarget(target)}.`,
      );
    return !!node;
  });

  // For the graph panel: reveal the tree item behind a graph node.
  reg(
    "savedModelExplorer.revealGraphNode",
    async (
      exportUri: string | vscode.Uri,
      node: string,
      opts: { fn?: string; op?: string; sharedName?: string; metaGraph?: number; focus?: boolean } = {},
    ) => {
      const target: RevealTarget = {
        exportUri: toUri(exportUri).toString(),
        metaGraph: opts.metaGraph,
        kind: "graphNode",
        node,
        fn: opts.fn,
        op: opts.op,
        sharedName: opts.sharedName,
      };
      const n = await tree.reveal(target, { focus: opts.focus ?? true });
      return n ? n.id : undefined;
    },
  );
}

function describeTarget(t: RevealTarget): string {
  switch (t.kind) {
    case "signature":
      return `signature "${t.key}"`;
    case "function":
    case "variable":
      return `${t.kind} "${t.name}"`;
    case "tensor":
      return `tensor "${t.tensorName}"`;
    case "graphNode":
      return `graph node "${t.node}"`;
    default:
      return t.kind;
  }
}

/** JSON for the clipboard: bigints as strings, NaN/Infinity as strings. */
export function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}
