/** Tree items: the export, its meta graphs, signatures and their inputs/outputs. */
import * as vscode from "vscode";
import type { AssetInfo, MetaGraphInfo, SignatureInfo, TensorSpecInfo } from "../../savedmodel/modelTypes.js";
import type { ExportModel } from "../exportStore.js";
import { formatCount, formatSize, formatSpec, shortMethod } from "../../shared/modelFormat.js";
import { Collapsed, Expanded, MessageNode, ModelNode, None, icon, md } from "./base.js";
import { FunctionsGroupNode, ObjectsGroupNode } from "./graphNodes.js";
import { AssetsGroupNode, ProblemsGroupNode, VariablesGroupNode } from "./variableNodes.js";

// ---- export ---------------------------------------------------------------------------------------

export class ExportNode extends ModelNode {
  /** What the children were built from: the load result, or the failure state. */
  private builtFrom: unknown;

  constructor(model: ExportModel) {
    super(`export:${model.id}`, undefined, model);
  }

  override children(): Promise<ModelNode[]> {
    const m = this.model;
    if (this.built && this.builtFrom !== undefined && m.state !== "loading" && (m.result ?? m.state) !== this.builtFrom)
      this.resetChildren();
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
    const problem =
      m.state === "failed" ||
      r?.info.diagnostics.some((d) => d.severity === "error") ||
      r?.variables?.diagnostics.some((d) => d.severity === "error") ||
      r?.variablesError;
    t.iconPath = problem ? icon("package", "problemsWarningIcon.foreground") : icon("package");
    const tip = md(m.fs.describe(""));
    if (r) {
      tip.appendMarkdown("\n\n");
      tip.appendText(
        `${r.info.format === "text" ? "text" : "binary"} ${r.info.savedModelFile}, schema version ${r.info.schemaVersion}, ${r.info.metaGraphs.length} meta graph(s), ${formatSize(r.info.files.totalBytes)}`,
      );
    }
    if (m.error) tip.appendMarkdown("\n\n$(error) ").appendText(m.error.message);
    t.tooltip = tip;
    return t;
  }

  copyName(): string {
    return this.model.fs.describe("");
  }

  json(): unknown {
    const r = this.model.result;
    return r
      ? { info: r.info, variables: r.variables }
      : { location: this.model.fs.describe(""), error: this.model.error };
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
    const assetFiles = dedupeAssets([
      ...assets,
      ...r.info.files.assets.map((f) => folderAsset(f.path, f.size, "folder")),
    ]);
    if (assetFiles.length) out.push(new AssetsGroupNode(this, "assets", "assets", assetFiles));
    const extra = r.info.files.assetsExtra.map((f) => folderAsset(f.path, f.size, "assets_extra"));
    if (extra.length) out.push(new AssetsGroupNode(this, "assetsExtra", "assets.extra", extra));
    const diags = [...r.info.diagnostics, ...(r.variables?.diagnostics ?? [])];
    if (r.variablesError)
      diags.push({
        severity: "error",
        file: r.variablesError.file ?? "variables/",
        message: r.variablesError.message,
        hint: r.variablesError.hint,
      });
    if (diags.length) out.push(new ProblemsGroupNode(this, diags));
    return out;
  }

  private failureChildren(): ModelNode[] {
    const e = this.model.error;
    this.builtFrom = this.model.state;
    if (this.model.state === "cancelled")
      return [
        new MessageNode(
          this,
          "cancelled",
          "Loading was cancelled — click to retry",
          "debug-restart",
          retryCommand(this.model),
        ),
      ];
    return [
      new MessageNode(
        this,
        "error",
        e?.message ?? "cannot open this export",
        "error",
        { command: "savedModelExplorer.showLog", title: "Show Log" },
        e,
      ),
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
    else
      byPath.set(a.path, {
        ...a,
        ...prev,
        size: prev.size ?? a.size,
        tensorName: prev.tensorName ?? a.tensorName,
        exists: prev.exists || a.exists,
      });
  }
  return [...byPath.values()];
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
    t.description = [
      mg.isTF2 ? "TF2" : "TF1",
      `${sigs} signature${sigs === 1 ? "" : "s"}`,
      mg.functionCount ? `${mg.functionCount} functions` : "",
      // the GraphDef's own nodes; function bodies are counted on each function (the overview gives the total)
      `${formatCount(mg.nodeCount)} ${mg.functionCount ? "top-level graph nodes" : "graph nodes"}`,
    ]
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
    if (s.sparse)
      tip.appendText(
        `\nsparse: values ${s.sparse.valuesTensorName}, indices ${s.sparse.indicesTensorName}, dense_shape ${s.sparse.denseShapeTensorName}`,
      );
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
