/**
 * The "SavedModels" explorer view: TreeDataProvider over ExportStore, plus reveal of the item behind
 * a signature, function, variable or graph node (used by the graph panel and the overview page).
 */
import * as vscode from "vscode";
import type { ExportModel, ExportStore } from "../exportStore.js";
import {
  ExportNode,
  FunctionNode,
  FunctionsGroupNode,
  MetaGraphNode,
  ModelNode,
  SignatureNode,
  SignaturesGroupNode,
  SpecListNode,
  TensorSpecNode,
  VariableNode,
  VariableScopeNode,
  VariablesGroupNode,
} from "./nodes.js";

export const VIEW_ID = "savedModelExplorer.exports";

/** What to reveal in the SavedModels view. `exportUri` is the export folder's URI string. */
export type RevealTarget = { exportUri: string; metaGraph?: number } & (
  | { kind: "export" }
  | { kind: "metaGraph" }
  | { kind: "signature"; key: string }
  | { kind: "function"; name: string }
  /** A variable by display name, checkpoint key or object path. */
  | { kind: "variable"; name: string }
  /** A signature input/output by graph tensor name ("serving_default_x:0") or node name. */
  | { kind: "tensor"; tensorName: string }
  /**
   * A graph node: `fn` is the function whose body holds it ("" or absent = the top-level graph),
   * `op` its op type, `sharedName` a VarHandleOp's shared_name. Resolves to the variable, signature
   * tensor or function behind it, else to the function (or meta graph) that contains it.
   */
  | { kind: "graphNode"; node: string; fn?: string; op?: string; sharedName?: string }
);

export class ExportsTreeProvider implements vscode.TreeDataProvider<ModelNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly roots = new Map<string, ExportNode>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  view?: vscode.TreeView<ModelNode>;

  constructor(private readonly store: ExportStore) {
    store.onDidChange(
      (m) => {
        if (!m) return this.changed.fire(undefined);
        const node = this.roots.get(m.id);
        if (node && node.model === m) this.changed.fire(node);
        else this.changed.fire(undefined);
      },
      undefined,
      this.disposables,
    );
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    return node.treeItem();
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (node) return node.children();
    if (!this.store.scanned) await this.store.scan();
    const list = this.store.list();
    const keep = new Set(list.map((m) => m.id));
    for (const id of this.roots.keys()) if (!keep.has(id)) this.roots.delete(id);
    return list.map((m) => this.rootFor(m));
  }

  getParent(node: ModelNode): ModelNode | undefined {
    return node.parent;
  }

  rootFor(m: ExportModel): ExportNode {
    let n = this.roots.get(m.id);
    if (!n || n.model !== m) this.roots.set(m.id, (n = new ExportNode(m)));
    return n;
  }

  /** Finds the node for `target` (building and decoding what is needed); undefined when absent. */
  async resolve(target: RevealTarget): Promise<ModelNode | undefined> {
    const m = this.store.get(target.exportUri);
    if (!m) return undefined;
    const root = this.rootFor(m);
    if (target.kind === "export") return root;
    await m.load();
    const kids = await root.children();
    const mgIndex = target.metaGraph ?? 0;
    const mg = kids.find((k): k is MetaGraphNode => k instanceof MetaGraphNode && k.info.index === mgIndex);
    const of = async <T extends ModelNode>(
      n: ModelNode | undefined,
      cls: abstract new (...a: never[]) => T,
    ): Promise<T[]> => (n ? (await n.children()).filter((c): c is T => c instanceof cls) : []);
    const signatures = async () => (await of(mg, SignaturesGroupNode))[0];
    const findFunction = async (name: string) => {
      const g = (await of(mg, FunctionsGroupNode))[0];
      return (await of(g, FunctionNode)).find((f) => f.info.name === name);
    };
    const findVariable = async (names: string[]) => {
      const group = kids.find((k) => k instanceof VariablesGroupNode);
      if (!group) return undefined;
      const want = new Set(names.filter(Boolean));
      const walk = async (n: ModelNode): Promise<VariableNode | undefined> => {
        for (const c of await n.children()) {
          if (
            c instanceof VariableNode &&
            (want.has(c.info.name) ||
              want.has(c.info.checkpointKey) ||
              (c.info.objectPath && want.has(c.info.objectPath)))
          )
            return c;
          if (c instanceof VariableScopeNode) {
            const hit = await walk(c);
            if (hit) return hit;
          }
        }
        return undefined;
      };
      return walk(group);
    };
    const findTensor = async (name: string) => {
      const nodeName = name.replace(/^\^/, "").replace(/:\d+$/, "");
      for (const s of await of(await signatures(), SignatureNode)) {
        for (const list of await of(s, SpecListNode)) {
          for (const t of await of(list, TensorSpecNode)) {
            const tn = t.info.tensorName ?? "";
            if (tn === name || tn.replace(/:\d+$/, "") === nodeName) return t;
          }
        }
      }
      return undefined;
    };
    switch (target.kind) {
      case "metaGraph":
        return mg;
      case "signature":
        return (await of(await signatures(), SignatureNode)).find((s) => s.info.key === target.key);
      case "function":
        return findFunction(target.name);
      case "variable":
        return findVariable([target.name]);
      case "tensor":
        return findTensor(target.tensorName);
      case "graphNode": {
        const n = target.node;
        const stripped = n.replace(
          /\/(Read\/ReadVariableOp|read|Assign|AssignVariableOp|IsInitialized\/VarIsInitializedOp|Initializer\/.*)$/,
          "",
        );
        const v = await findVariable([target.sharedName ?? "", n, stripped]);
        if (v) return v;
        if (!target.fn) {
          const t = await findTensor(n);
          if (t) return t;
        }
        if (target.fn) {
          // a node inside a TF2 function body: follow its resource argument to the captured variable
          const key = await m.store.client
            .request({ op: "variableOfNode", exportId: m.id, metaGraph: mgIndex, fn: target.fn, node: n })
            .catch(() => null);
          const captured = key ? await findVariable([key]) : undefined;
          if (captured) return captured;
          return (await findFunction(target.fn)) ?? mg;
        }
        return mg;
      }
    }
  }

  /** Reveals `target` in the view (selecting and focusing it). Returns the node, or undefined if not found. */
  async reveal(target: RevealTarget, opts: { focus?: boolean; select?: boolean } = {}): Promise<ModelNode | undefined> {
    const node = await this.resolve(target);
    if (!node || !this.view) return node;
    await this.view.reveal(node, {
      select: opts.select ?? true,
      focus: opts.focus ?? true,
      expand: node instanceof ExportNode ? 1 : false,
    });
    return node;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
