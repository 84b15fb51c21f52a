/** Tree items: checkpoint variables grouped by name scope, assets and assets.extra, problems. */
import * as vscode from "vscode";
import type { AssetInfo, VariableInfo } from "../../savedmodel/modelTypes.js";
import type { Diagnostic } from "../../savedmodel/errors.js";
import { formatCount, formatShape, formatSize, formatVariable } from "../../shared/modelFormat.js";
import { Collapsed, Expanded, MessageNode, ModelNode, None, icon, md } from "./base.js";
import type { ExportNode } from "./exportNodes.js";

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
    const problems = this.list.filter((x) => x.kind === "variable" && x.problems.length).length;
    t.iconPath = err || problems ? icon("database", "problemsWarningIcon.foreground") : icon("database");
    const n = this.list.filter((x) => x.kind === "variable").length;
    t.description = v
      ? [
          `${n}`,
          `${formatCount(v.parameterCount)} params`,
          formatSize(v.totalBytes),
          v.numShards > 1 ? `${v.numShards} shards` : "",
          problems ? `${problems} with problems` : "",
        ]
          .filter(Boolean)
          .join(" · ")
      : "unreadable";
    t.tooltip = err
      ? md(`The checkpoint cannot be read: ${err.message}`)
      : md("Checkpoint variables (variables/variables.index and data shards), grouped by name scope.");
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
    t.description = [`${tot.count}`, tot.params ? `${formatCount(tot.params)} params` : "", formatSize(tot.bytes)]
      .filter(Boolean)
      .join(" · ");
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
    t.description = [
      formatSize(v.bytes),
      v.trainable === false ? "non-trainable" : "",
      v.problems.length ? v.problems[0] : "",
    ]
      .filter(Boolean)
      .join(" · ");
    const tip = md(
      [v.name],
      `\n${formatVariable(v)} (${formatCount(v.elements)} elements)\ncheckpoint key: ${v.checkpointKey}`,
    );
    if (v.objectPath) tip.appendText(`\nobject: ${v.objectPath}`);
    if (v.shardFile) tip.appendText(`\nshard: ${v.shardFile}`);
    for (const p of v.problems) tip.appendMarkdown("\n\n$(warning) ").appendText(p);
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
    // an asset filename recorded in the graph could climb out of the export ("../"): such a path is not opened
    const inside = !a.path.split("/").some((p) => p === ".." || p === "");
    if (a.exists && inside)
      t.command = { command: "savedModelExplorer.openAsset", title: "Open Asset", arguments: [uri, a.path] };
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
    const t = this.item("Problems", Collapsed);
    t.iconPath = errors ? icon("error", "errorForeground") : icon("warning", "problemsWarningIcon.foreground");
    const warnings = this.diagnostics.filter((d) => d.severity === "warning").length;
    t.description =
      [
        errors ? `${errors} error${errors === 1 ? "" : "s"}` : "",
        warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : "",
      ]
        .filter(Boolean)
        .join(" · ") || String(this.diagnostics.length);
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
    t.iconPath =
      d.severity === "error"
        ? icon("error", "errorForeground")
        : d.severity === "warning"
          ? icon("warning", "problemsWarningIcon.foreground")
          : icon("info");
    t.description = [d.file, d.field, d.offset !== undefined ? `offset ${d.offset}` : ""].filter(Boolean).join(" · ");
    t.tooltip = md(
      `${d.file}${d.field ? ` (${d.field})` : ""}${d.offset !== undefined ? ` at offset ${d.offset}` : ""}\n${d.message}${d.hint ? `\n${d.hint}` : ""}`,
    );
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
