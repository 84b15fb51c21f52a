/** Tree items that need the graph decoded: library functions and the object graph (Keras layers). */
import * as vscode from "vscode";
import type { FunctionInfo, ObjectNodeInfo, ArgInfo } from "../../savedmodel/modelTypes.js";
import { formatArg, formatCount } from "../../shared/modelFormat.js";
import { Collapsed, MessageNode, ModelNode, None, icon, md } from "./base.js";
import type { MetaGraphNode } from "./exportNodes.js";
import { VariableNode } from "./variableNodes.js";

// ---- functions and the object graph (need the graph decoded) -----------------------------------------

export class FunctionsGroupNode extends ModelNode {
  constructor(readonly mgNode: MetaGraphNode) {
    super(`${mgNode.id}/functions`, mgNode, mgNode.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item("Functions", Collapsed);
    t.description = String(this.mgNode.info.functionCount);
    t.iconPath = icon("symbol-function");
    t.contextValue = "group.functions";
    t.tooltip = md(
      "Library functions (tf.function concrete functions and their helpers). Expanding decodes the graph.",
    );
    return t;
  }
  copyName(): string {
    return "Functions";
  }
  json(): unknown {
    return this.model.detailsIfLoaded(this.mgNode.info.index)?.functions ?? null;
  }
  protected override async buildChildren(): Promise<ModelNode[]> {
    const d = await this.model.loadDetails(this.mgNode.info.index);
    const fns = [...d.functions].sort(
      (a, b) => b.usedBySignatures.length - a.usedBySignatures.length || a.name.localeCompare(b.name),
    );
    return fns.map((f) => new FunctionNode(this, f));
  }
}

export class FunctionNode extends ModelNode {
  constructor(
    readonly group: FunctionsGroupNode,
    readonly info: FunctionInfo,
  ) {
    super(`${group.id}/fn:${info.name}`, group, group.model);
  }
  get metaGraph(): number {
    return this.group.mgNode.info.index;
  }
  treeItem(): vscode.TreeItem {
    const f = this.info;
    const t = this.item(f.name, Collapsed);
    t.contextValue = "function";
    t.iconPath = icon("symbol-function");
    t.description = [
      `${formatCount(f.nodeCount)} nodes`,
      f.usedBySignatures.length ? `← ${f.usedBySignatures.join(", ")}` : "",
      f.apiImplements ? `implements ${f.apiImplements}` : "",
    ]
      .filter(Boolean)
      .join(" · ");
    const tip = md(
      "Function ",
      [f.name],
      `\n${f.inputs.length} inputs, ${f.outputs.length} outputs, ${f.nodeCount} nodes`,
    );
    if (f.calls.length)
      tip.appendText(`\ncalls: ${f.calls.slice(0, 10).join(", ")}${f.calls.length > 10 ? ", …" : ""}`);
    if (f.apiPreferredDevice) tip.appendText(`\npreferred device: ${f.apiPreferredDevice}`);
    t.tooltip = tip;
    return t;
  }
  copyName(): string {
    return this.info.name;
  }
  json(): unknown {
    return this.info;
  }
  protected override buildChildren(): ModelNode[] {
    const out: ModelNode[] = [];
    this.info.inputs.forEach((a, i) => out.push(new ArgNode(this, "in", i, a)));
    this.info.outputs.forEach((a, i) => out.push(new ArgNode(this, "out", i, a)));
    for (const c of this.info.calls) out.push(new CallNode(this, c));
    return out;
  }
}

export class ArgNode extends ModelNode {
  constructor(
    parent: FunctionNode,
    readonly dir: "in" | "out",
    index: number,
    readonly info: ArgInfo,
  ) {
    super(`${parent.id}/${dir}:${index}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item(formatArg(this.info), None);
    t.iconPath = icon(this.dir === "in" ? "symbol-parameter" : "symbol-field");
    t.description = this.dir === "in" ? "input" : "output";
    t.contextValue = "functionArg";
    return t;
  }
  copyName(): string {
    return this.info.name;
  }
  json(): unknown {
    return this.info;
  }
}

export class CallNode extends ModelNode {
  constructor(
    readonly fn: FunctionNode,
    readonly callee: string,
  ) {
    super(`${fn.id}/call:${callee}`, fn, fn.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item(this.callee, None);
    t.iconPath = icon("call-outgoing");
    t.description = "calls";
    t.contextValue = "functionCall";
    t.command = {
      command: "savedModelExplorer.revealInTree",
      title: "Reveal Function",
      arguments: [{ exportUri: this.model.id, metaGraph: this.fn.metaGraph, kind: "function", name: this.callee }],
    };
    return t;
  }
  copyName(): string {
    return this.callee;
  }
  json(): unknown {
    return { calls: this.callee };
  }
}

export class ObjectsGroupNode extends ModelNode {
  constructor(readonly mgNode: MetaGraphNode) {
    super(`${mgNode.id}/objects`, mgNode, mgNode.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item("Objects", Collapsed);
    t.iconPath = icon("symbol-structure");
    t.contextValue = "group.objects";
    const tree = this.model.detailsIfLoaded(this.mgNode.info.index)?.objectTree;
    t.description = tree ? `${formatCount(tree.parameterCount)} params` : "Keras layers, modules";
    t.tooltip = md(
      "The saved object graph: Keras layers and tf.Module attributes with their variables (like model.summary()).",
    );
    return t;
  }
  copyName(): string {
    return "Objects";
  }
  json(): unknown {
    return this.model.detailsIfLoaded(this.mgNode.info.index)?.objectTree ?? null;
  }
  protected override async buildChildren(): Promise<ModelNode[]> {
    const d = await this.model.loadDetails(this.mgNode.info.index);
    if (!d.objectTree) return [new MessageNode(this, "none", "No object graph", "info")];
    return objectChildren(this, d.objectTree);
  }
}

/** Children worth showing: layers/modules holding variables or named by Keras, variables, assets. */
function objectChildren(parent: ModelNode, o: ObjectNodeInfo): ModelNode[] {
  const vars = parent.model.result?.variables?.variables ?? [];
  const out: ModelNode[] = [];
  for (const c of o.children) {
    if (
      c.kind === "user_object" &&
      (c.parameterCount > 0 || c.className || c.children.some((x) => x.kind === "variable"))
    )
      out.push(new ObjectNode(parent, c));
    else if (c.kind === "asset" || c.kind === "constant") out.push(new ObjectNode(parent, c));
  }
  for (const id of o.variableIds) {
    const v = vars[id];
    if (v) out.push(new VariableNode(parent, v, `ovar:${id}`));
  }
  return out;
}

export class ObjectNode extends ModelNode {
  constructor(
    parent: ModelNode,
    readonly info: ObjectNodeInfo,
  ) {
    super(`${parent.id}/o:${info.localName}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const o = this.info;
    const expandable = o.children.length > 0 || o.variableIds.length > 0;
    const t = this.item(o.layerName ?? o.localName, expandable ? Collapsed : None);
    t.contextValue = "object";
    t.iconPath = icon(o.className ? "symbol-class" : o.kind === "asset" ? "file" : "symbol-object");
    t.description = [o.className, o.parameterCount ? `${formatCount(o.parameterCount)} params` : ""]
      .filter(Boolean)
      .join(" · ");
    t.tooltip = md(`${o.path || "<root>"}\n${o.kind}${o.identifier ? ` (${o.identifier})` : ""}`);
    return t;
  }
  copyName(): string {
    return this.info.path;
  }
  json(): unknown {
    return { ...this.info, children: this.info.children.map((c) => c.path) };
  }
  protected override buildChildren(): ModelNode[] {
    return objectChildren(this, this.info);
  }
}
