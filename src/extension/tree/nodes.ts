/**
 * The SavedModels tree: one class per kind of item. `contextValue` matches the `viewItem` clauses of
 * package.json menus; ids are stable across reloads so expansion survives; every node knows its parent
 * (TreeView.reveal needs getParent). Strings from models only ever reach labels, descriptions and
 * MarkdownString.appendText, which VS Code renders as text.
 */
import * as vscode from "vscode";
import type {
  AssetInfo,
  FunctionInfo,
  MetaGraphInfo,
  ObjectNodeInfo,
  SignatureInfo,
  TensorSpecInfo,
  VariableInfo,
  ArgInfo,
} from "../../savedmodel/modelTypes.js";
import type { Diagnostic } from "../../savedmodel/errors.js";
import type { ExportModel } from "../exportStore.js";
import {
  formatArg,
  formatCount,
  formatShape,
  formatSize,
  formatSpec,
  formatVariable,
  shortMethod,
} from "../../webview/shared/modelFormat.js";

const icon = (id: string, color?: string) => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
const None = vscode.TreeItemCollapsibleState.None;
const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
const Expanded = vscode.TreeItemCollapsibleState.Expanded;

export abstract class ModelNode {
  /** Built children, kept so reveal() and refreshes see the same objects. */
  protected built?: Promise<ModelNode[]>;

  constructor(
    readonly id: string,
    readonly parent: ModelNode | undefined,
    readonly model: ExportModel,
  ) {}

  abstract treeItem(): vscode.TreeItem;
  /** Text for "Copy Name". */
  abstract copyName(): string;
  /** Data for "Copy as JSON". */
  abstract json(): unknown;
  protected buildChildren(): ModelNode[] | Promise<ModelNode[]> {
    return [];
  }

  children(): Promise<ModelNode[]> {
    if (!this.built) {
      this.built = Promise.resolve(this.buildChildren());
      this.built.catch(() => (this.built = undefined));
    }
    return this.built;
  }

  /** Children only if already built (no decoding). */
  async builtChildren(): Promise<ModelNode[] | undefined> {
    return this.built;
  }

  resetChildren(): void {
    this.built = undefined;
  }

  protected item(label: string | vscode.TreeItemLabel, state: vscode.TreeItemCollapsibleState): vscode.TreeItem {
    const t = new vscode.TreeItem(label, state);
    t.id = this.id;
    return t;
  }
}

function md(...parts: (string | [string])[]): vscode.MarkdownString {
  // plain strings are escaped text; [code] is a code span of escaped text
  const m = new vscode.MarkdownString();
  for (const p of parts) {
    if (Array.isArray(p)) m.appendMarkdown("`").appendText(p[0].replace(/`/g, "'")).appendMarkdown("`");
    else m.appendText(p);
  }
  return m;
}

// ---- export ---------------------------------------------------------------------------------------

export class ExportNode extends ModelNode {
  /** What the children were built from: the load result, or the failure state. */
  private builtFrom: unknown;

  constructor(model: ExportModel) {
    super(`export:${model.id}`, undefined, model);
  }

  override children(): Promise<ModelNode[]> {
    const m = this.model;
    if (this.built && this.builtFrom !== undefined && m.state !== "loading" && (m.result ?? m.state) !== this.builtFrom) this.resetChildren();
    return super.children();
  }

  treeItem(): vscode.TreeItem {
    const m = this.model;
    const t = this.item(m.name, Collapsed);
    t.contextValue = m.manual ? "export.manual" : "export";
    t.resourceUri = m.uri;
    const r = m.result;
    const parts: string[] = [];
    if (m.state === "loading") parts.push("loading…");
    if (m.state === "failed") parts.push("cannot open");
    if (r) {
      const mg = r.info.metaGraphs[0];
      if (mg?.tfVersion) parts.push(`TF ${mg.tfVersion}`);
      if (r.variables?.parameterCount) parts.push(`${formatCount(r.variables.parameterCount)} params`);
      parts.push(formatSize(r.info.files.totalBytes));
    }
    t.description = [m.relativeLocation !== m.name ? m.relativeLocation : "", ...parts].filter(Boolean).join(" · ");
    const problem = m.state === "failed" || r?.info.diagnostics.some((d) => d.severity === "error") || r?.variablesError;
    t.iconPath = problem ? icon("package", "problemsWarningIcon.foreground") : icon("package");
    const tip = md(m.fs.describe(""));
    if (r) {
      tip.appendMarkdown("\n\n");
      tip.appendText(`${r.info.format === "text" ? "text" : "binary"} ${r.info.savedModelFile}, schema version ${r.info.schemaVersion}, ${r.info.metaGraphs.length} meta graph(s), ${formatSize(r.info.files.totalBytes)}`);
    }
    if (m.error) tip.appendMarkdown("\n\n$(error) ").appendText(m.error.message);
    tip.supportThemeIcons = true;
    t.tooltip = tip;
    return t;
  }

  copyName(): string {
    return this.model.fs.describe("");
  }

  json(): unknown {
    const r = this.model.result;
    return r ? { info: r.info, variables: r.variables } : { location: this.model.fs.describe(""), error: this.model.error };
  }

  protected override async buildChildren(): Promise<ModelNode[]> {
    const m = this.model;
    if (m.state === "failed" || m.state === "cancelled") return this.failureChildren();
    try {
      await m.load();
    } catch {
      return this.failureChildren();
    }
    const r = m.result!;
    this.builtFrom = r;
    const out: ModelNode[] = r.info.metaGraphs.map((mg) => new MetaGraphNode(this, mg, r.info.metaGraphs.length === 1));
    if (r.variables || r.variablesError) out.push(new VariablesGroupNode(this));
    const assets = r.info.metaGraphs.flatMap((mg) => mg.assets).filter((a) => a.source !== "assets_extra");
    const assetFiles = dedupeAssets([...assets, ...r.info.files.assets.map((f) => folderAsset(f.path, f.size, "folder"))]);
    if (assetFiles.length) out.push(new AssetsGroupNode(this, "assets", "assets", assetFiles));
    const extra = r.info.files.assetsExtra.map((f) => folderAsset(f.path, f.size, "assets_extra"));
    if (extra.length) out.push(new AssetsGroupNode(this, "assetsExtra", "assets.extra", extra));
    const diags = [...r.info.diagnostics, ...(r.variables?.diagnostics ?? [])];
    if (r.variablesError) diags.push({ severity: "error", file: r.variablesError.file ?? "variables/", message: r.variablesError.message, hint: r.variablesError.hint });
    if (diags.length) out.push(new ProblemsGroupNode(this, diags));
    return out;
  }

  private failureChildren(): ModelNode[] {
    const e = this.model.error;
    this.builtFrom = this.model.state;
    if (this.model.state === "cancelled") return [new MessageNode(this, "cancelled", "Loading was cancelled — click to retry", "debug-restart", retryCommand(this.model))];
    return [
      new MessageNode(this, "error", e?.message ?? "cannot open this export", "error", { command: "savedModelExplorer.showLog", title: "Show Log" }, e),
      new MessageNode(this, "retry", "Retry", "debug-restart", retryCommand(this.model)),
    ];
  }
}

function retryCommand(m: ExportModel): vscode.Command {
  return { command: "savedModelExplorer.refresh", title: "Retry", arguments: [m.uri] };
}

function folderAsset(path: string, size: number | undefined, source: AssetInfo["source"]): AssetInfo {
  return { path, filename: path.split("/").pop() ?? path, exists: true, size, source };
}

function dedupeAssets(list: AssetInfo[]): AssetInfo[] {
  const byPath = new Map<string, AssetInfo>();
  for (const a of list) {
    const prev = byPath.get(a.path);
    // prefer the graph's record (it names the tensor) but keep the folder's size
    if (!prev) byPath.set(a.path, a);
    else byPath.set(a.path, { ...a, ...prev, size: prev.size ?? a.size, tensorName: prev.tensorName ?? a.tensorName, exists: prev.exists || a.exists });
  }
  return [...byPath.values()];
}

export class MessageNode extends ModelNode {
  constructor(
    parent: ModelNode,
    key: string,
    private readonly text: string,
    private readonly iconId: string,
    private readonly command?: vscode.Command,
    private readonly data?: unknown,
  ) {
    super(`${parent.id}/msg:${key}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item(this.text, None);
    t.iconPath = icon(this.iconId, this.iconId === "error" ? "errorForeground" : undefined);
    t.command = this.command;
    t.tooltip = md(this.text);
    t.contextValue = "message";
    return t;
  }
  copyName(): string {
    return this.text;
  }
  json(): unknown {
    return this.data ?? { message: this.text };
  }
}

// ---- meta graph, signatures ---------------------------------------------------------------------------

export class MetaGraphNode extends ModelNode {
  constructor(
    parent: ExportNode,
    readonly info: MetaGraphInfo,
    private readonly only: boolean,
  ) {
    super(`${parent.id}/mg:${info.index}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const mg = this.info;
    const t = this.item(mg.tags.length ? mg.tags.join(", ") : "<no tags>", this.only ? Expanded : Collapsed);
    t.contextValue = "metaGraph";
    t.iconPath = icon("tag");
    const sigs = mg.signatures.filter((s) => !s.hidden).length;
    t.description = [mg.isTF2 ? "TF2" : "TF1", `${sigs} signature${sigs === 1 ? "" : "s"}`, mg.functionCount ? `${mg.functionCount} functions` : "", `${formatCount(mg.nodeCount)} nodes`]
      .filter(Boolean)
      .join(" · ");
    t.tooltip = md(
      `Meta graph ${mg.index} — tags: ${mg.tags.join(", ")}\n`,
      `TensorFlow ${mg.tfVersion ?? "?"}${mg.tfGitVersion ? ` (${mg.tfGitVersion})` : ""}, producer ${mg.producer ?? "?"}\n`,
      `${formatCount(mg.nodeCount)} graph nodes, ${mg.functionCount} library functions`,
    );
    return t;
  }
  copyName(): string {
    return this.info.tags.join(",");
  }
  json(): unknown {
    return this.info;
  }
  protected override buildChildren(): ModelNode[] {
    const out: ModelNode[] = [new SignaturesGroupNode(this)];
    if (this.info.functionCount > 0) out.push(new FunctionsGroupNode(this));
    if (this.info.isTF2) out.push(new ObjectsGroupNode(this));
    return out;
  }
}

export class SignaturesGroupNode extends ModelNode {
  constructor(readonly mgNode: MetaGraphNode) {
    super(`${mgNode.id}/signatures`, mgNode, mgNode.model);
  }
  private get visible(): SignatureInfo[] {
    return this.mgNode.info.signatures.filter((s) => !s.hidden);
  }
  treeItem(): vscode.TreeItem {
    const n = this.visible.length;
    const t = this.item("Signatures", n ? Expanded : None);
    t.description = String(n);
    t.iconPath = icon("symbol-interface");
    t.contextValue = "group.signatures";
    return t;
  }
  copyName(): string {
    return this.visible.map((s) => s.key).join("\n");
  }
  json(): unknown {
    return this.mgNode.info.signatures;
  }
  protected override buildChildren(): ModelNode[] {
    return this.visible.map((s) => new SignatureNode(this, s));
  }
}

export class SignatureNode extends ModelNode {
  constructor(
    parent: SignaturesGroupNode,
    readonly info: SignatureInfo,
  ) {
    super(`${parent.id}/sig:${info.key}`, parent, parent.model);
  }
  get metaGraph(): number {
    return (this.parent as SignaturesGroupNode).mgNode.info.index;
  }
  treeItem(): vscode.TreeItem {
    const s = this.info;
    const t = this.item(s.key, Collapsed);
    t.contextValue = "signature";
    t.iconPath = icon("symbol-method");
    t.description = `${shortMethod(s.methodName)} · ${s.inputs.length} in → ${s.outputs.length} out`;
    const tip = md("Signature ", [s.key], `\nmethod: ${s.methodName}`);
    if (s.functionName) tip.appendText(`\nfunction: ${s.functionName}`);
    if (s.defaults.length) tip.appendText(`\ninputs with defaults: ${s.defaults.join(", ")}`);
    t.tooltip = tip;
    return t;
  }
  copyName(): string {
    return this.info.key;
  }
  json(): unknown {
    return this.info;
  }
  protected override buildChildren(): ModelNode[] {
    return [new SpecListNode(this, "inputs", this.info.inputs), new SpecListNode(this, "outputs", this.info.outputs)];
  }
}

export class SpecListNode extends ModelNode {
  constructor(
    parent: SignatureNode,
    readonly which: "inputs" | "outputs",
    readonly specs: TensorSpecInfo[],
  ) {
    super(`${parent.id}/${which}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item(this.which, this.specs.length ? Expanded : None);
    t.description = String(this.specs.length);
    t.iconPath = icon(this.which === "inputs" ? "arrow-right" : "arrow-left");
    t.contextValue = `group.${this.which}`;
    return t;
  }
  copyName(): string {
    return this.specs.map((s) => s.key).join("\n");
  }
  json(): unknown {
    return this.specs;
  }
  protected override buildChildren(): ModelNode[] {
    return this.specs.map((s) => new TensorSpecNode(this, s));
  }
}

export class TensorSpecNode extends ModelNode {
  constructor(
    parent: SpecListNode,
    readonly info: TensorSpecInfo,
  ) {
    super(`${parent.id}/${info.key}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const s = this.info;
    const t = this.item(formatSpec(s), s.composite ? Collapsed : None);
    t.contextValue = "tensorSpec";
    t.iconPath = icon((this.parent as SpecListNode).which === "inputs" ? "symbol-parameter" : "symbol-field");
    t.description = s.tensorName ?? (s.sparse ? s.sparse.valuesTensorName : "");
    const tip = md([formatSpec(s)], `\ndtype: ${s.dtypeName}`);
    if (s.tensorName) tip.appendText(`\ntensor: ${s.tensorName}`);
    if (s.sparse) tip.appendText(`\nsparse: values ${s.sparse.valuesTensorName}, indices ${s.sparse.indicesTensorName}, dense_shape ${s.sparse.denseShapeTensorName}`);
    t.tooltip = tip;
    return t;
  }
  copyName(): string {
    return this.info.tensorName ?? this.info.key;
  }
  json(): unknown {
    return this.info;
  }
}

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
    t.tooltip = md("Library functions (tf.function concrete functions and their helpers). Expanding decodes the graph.");
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
    const fns = [...d.functions].sort((a, b) => b.usedBySignatures.length - a.usedBySignatures.length || a.name.localeCompare(b.name));
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
    t.description = [`${formatCount(f.nodeCount)} nodes`, f.usedBySignatures.length ? `← ${f.usedBySignatures.join(", ")}` : "", f.apiImplements ? `implements ${f.apiImplements}` : ""]
      .filter(Boolean)
      .join(" · ");
    const tip = md("Function ", [f.name], `\n${f.inputs.length} inputs, ${f.outputs.length} outputs, ${f.nodeCount} nodes`);
    if (f.calls.length) tip.appendText(`\ncalls: ${f.calls.slice(0, 10).join(", ")}${f.calls.length > 10 ? ", …" : ""}`);
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
    t.tooltip = md("The saved object graph: Keras layers and tf.Module attributes with their variables (like model.summary()).");
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
    if (c.kind === "user_object" && (c.parameterCount > 0 || c.className || c.children.some((x) => x.kind === "variable"))) out.push(new ObjectNode(parent, c));
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
    t.description = [o.className, o.parameterCount ? `${formatCount(o.parameterCount)} params` : ""].filter(Boolean).join(" · ");
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

// ---- variables --------------------------------------------------------------------------------------

interface Scope {
  scopes: Map<string, Scope>;
  vars: VariableInfo[];
}

function scopeOf(list: VariableInfo[]): Scope {
  const root: Scope = { scopes: new Map(), vars: [] };
  for (const v of list) {
    const parts = v.name.split("/");
    let s = root;
    for (const p of parts.slice(0, -1)) {
      let next = s.scopes.get(p);
      if (!next) s.scopes.set(p, (next = { scopes: new Map(), vars: [] }));
      s = next;
    }
    s.vars.push(v);
  }
  return root;
}

function scopeChildren(parent: ModelNode, scope: Scope): ModelNode[] {
  const out: ModelNode[] = [];
  for (const [name, s] of scope.scopes) out.push(new VariableScopeNode(parent, name, s));
  for (const v of scope.vars) out.push(new VariableNode(parent, v, `var:${v.checkpointKey}`));
  return out;
}

function scopeTotals(s: Scope): { count: number; params: number; bytes: number } {
  let count = s.vars.length;
  let params = s.vars.reduce((a, v) => a + (v.kind === "variable" ? v.elements : 0), 0);
  let bytes = s.vars.reduce((a, v) => a + v.bytes, 0);
  for (const c of s.scopes.values()) {
    const t = scopeTotals(c);
    count += t.count;
    params += t.params;
    bytes += t.bytes;
  }
  return { count, params, bytes };
}

export class VariablesGroupNode extends ModelNode {
  constructor(parent: ExportNode) {
    super(`${parent.id}/variables`, parent, parent.model);
  }
  private get list(): VariableInfo[] {
    return this.model.result?.variables?.variables ?? [];
  }
  treeItem(): vscode.TreeItem {
    const v = this.model.result?.variables;
    const err = this.model.result?.variablesError;
    const t = this.item("Variables", Collapsed);
    t.contextValue = "group.variables";
    const problems = this.list.filter((x) => x.problems.length).length;
    t.iconPath = err || problems ? icon("database", "problemsWarningIcon.foreground") : icon("database");
    const n = this.list.filter((x) => x.kind === "variable").length;
    t.description = v
      ? [`${n}`, `${formatCount(v.parameterCount)} params`, formatSize(v.totalBytes), v.numShards > 1 ? `${v.numShards} shards` : "", problems ? `${problems} with problems` : ""]
          .filter(Boolean)
          .join(" · ")
      : "unreadable";
    t.tooltip = err ? md(`The checkpoint cannot be read: ${err.message}`) : md("Checkpoint variables (variables/variables.index and data shards), grouped by name scope.");
    return t;
  }
  copyName(): string {
    return this.list.map((v) => v.name).join("\n");
  }
  json(): unknown {
    return this.model.result?.variables ?? { error: this.model.result?.variablesError };
  }
  protected override buildChildren(): ModelNode[] {
    const err = this.model.result?.variablesError;
    if (err) return [new MessageNode(this, "error", err.message, "error", undefined, err)];
    const model = this.list.filter((v) => v.kind === "variable");
    const other = this.list.filter((v) => v.kind !== "variable");
    const out = scopeChildren(this, scopeOf(model));
    if (other.length) out.push(new VariableScopeNode(this, "(optimizer slots and bookkeeping)", scopeOf(other), true));
    return out;
  }
}

export class VariableScopeNode extends ModelNode {
  constructor(
    parent: ModelNode,
    readonly scopeName: string,
    private readonly scope: Scope,
    private readonly special = false,
  ) {
    super(`${parent.id}/scope:${scopeName}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item(this.scopeName, Collapsed);
    const tot = scopeTotals(this.scope);
    t.contextValue = "variableScope";
    t.iconPath = icon(this.special ? "archive" : "symbol-namespace");
    t.description = [`${tot.count}`, tot.params ? `${formatCount(tot.params)} params` : "", formatSize(tot.bytes)].filter(Boolean).join(" · ");
    return t;
  }
  copyName(): string {
    return this.scopeName;
  }
  json(): unknown {
    const all: VariableInfo[] = [];
    const walk = (s: Scope) => (all.push(...s.vars), s.scopes.forEach(walk));
    walk(this.scope);
    return all;
  }
  protected override buildChildren(): ModelNode[] {
    return scopeChildren(this, this.scope);
  }
}

export class VariableNode extends ModelNode {
  constructor(
    parent: ModelNode,
    readonly info: VariableInfo,
    key: string,
  ) {
    super(`${parent.id}/${key}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const v = this.info;
    const base = v.name.split("/").pop() ?? v.name;
    const t = this.item(`${base}: ${v.dtypeShort} ${formatShape(v.shape)}`, None);
    t.contextValue = v.problems.length ? "variable.problem" : "variable";
    t.iconPath = v.problems.length ? icon("warning", "problemsWarningIcon.foreground") : icon("symbol-variable");
    t.description = [formatSize(v.bytes), v.trainable === false ? "non-trainable" : "", v.problems.length ? v.problems[0] : ""].filter(Boolean).join(" · ");
    const tip = md([v.name], `\n${formatVariable(v)} (${formatCount(v.elements)} elements)\ncheckpoint key: ${v.checkpointKey}`);
    if (v.objectPath) tip.appendText(`\nobject: ${v.objectPath}`);
    if (v.shardFile) tip.appendText(`\nshard: ${v.shardFile}`);
    for (const p of v.problems) tip.appendMarkdown("\n\n$(warning) ").appendText(p);
    tip.supportThemeIcons = true;
    t.tooltip = tip;
    t.command = {
      command: "savedModelExplorer.openVariable",
      title: "Show Variable Values",
      arguments: [{ exportUri: this.model.id, checkpointKey: v.checkpointKey }],
    };
    return t;
  }
  copyName(): string {
    return this.info.name;
  }
  json(): unknown {
    return this.info;
  }
}

// ---- assets, problems ----------------------------------------------------------------------------------

export class AssetsGroupNode extends ModelNode {
  constructor(
    parent: ExportNode,
    key: string,
    private readonly label: string,
    readonly assets: AssetInfo[],
  ) {
    super(`${parent.id}/${key}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const t = this.item(this.label, Collapsed);
    t.iconPath = icon("file-media");
    t.contextValue = "group.assets";
    const missing = this.assets.filter((a) => !a.exists).length;
    t.description = `${this.assets.length}${missing ? ` · ${missing} missing` : ""}`;
    return t;
  }
  copyName(): string {
    return this.assets.map((a) => a.path).join("\n");
  }
  json(): unknown {
    return this.assets;
  }
  protected override buildChildren(): ModelNode[] {
    return this.assets.map((a) => new AssetNode(this, a));
  }
}

export class AssetNode extends ModelNode {
  constructor(
    parent: AssetsGroupNode,
    readonly info: AssetInfo,
  ) {
    super(`${parent.id}/${info.path}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const a = this.info;
    const uri = vscode.Uri.joinPath(this.model.uri, ...a.path.split("/"));
    const t = this.item(a.path.replace(/^assets(\.extra)?\//, ""), None);
    t.contextValue = "asset";
    t.resourceUri = uri;
    t.iconPath = a.exists ? vscode.ThemeIcon.File : icon("warning", "problemsWarningIcon.foreground");
    t.description = [a.exists ? formatSize(a.size) : "missing", a.tensorName ?? ""].filter(Boolean).join(" · ");
    t.tooltip = md(a.path, a.tensorName ? `\nfed to ${a.tensorName}` : "", `\nrecorded in: ${a.source}`);
    if (a.exists) t.command = { command: "savedModelExplorer.openAsset", title: "Open Asset", arguments: [uri] };
    return t;
  }
  copyName(): string {
    return this.info.path;
  }
  json(): unknown {
    return this.info;
  }
}

export class ProblemsGroupNode extends ModelNode {
  constructor(
    parent: ExportNode,
    readonly diagnostics: Diagnostic[],
  ) {
    super(`${parent.id}/problems`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const errors = this.diagnostics.filter((d) => d.severity === "error").length;
    const t = this.item("Problems", errors ? Expanded : Collapsed);
    t.iconPath = errors ? icon("error", "errorForeground") : icon("warning", "problemsWarningIcon.foreground");
    t.description = String(this.diagnostics.length);
    t.contextValue = "group.problems";
    return t;
  }
  copyName(): string {
    return this.diagnostics.map((d) => `${d.file}: ${d.message}`).join("\n");
  }
  json(): unknown {
    return this.diagnostics;
  }
  protected override buildChildren(): ModelNode[] {
    return this.diagnostics.map((d, i) => new DiagnosticNode(this, i, d));
  }
}

export class DiagnosticNode extends ModelNode {
  constructor(
    parent: ProblemsGroupNode,
    i: number,
    readonly info: Diagnostic,
  ) {
    super(`${parent.id}/${i}`, parent, parent.model);
  }
  treeItem(): vscode.TreeItem {
    const d = this.info;
    const t = this.item(d.message, None);
    t.iconPath = d.severity === "error" ? icon("error", "errorForeground") : d.severity === "warning" ? icon("warning", "problemsWarningIcon.foreground") : icon("info");
    t.description = [d.file, d.field, d.offset !== undefined ? `offset ${d.offset}` : ""].filter(Boolean).join(" · ");
    t.tooltip = md(`${d.file}${d.field ? ` (${d.field})` : ""}${d.offset !== undefined ? ` at offset ${d.offset}` : ""}\n${d.message}${d.hint ? `\n${d.hint}` : ""}`);
    t.contextValue = "diagnostic";
    return t;
  }
  copyName(): string {
    return `${this.info.file}: ${this.info.message}`;
  }
  json(): unknown {
    return this.info;
  }
}
