/**
 * The SavedModels tree's base: ModelNode (one subclass per kind of item, in exportNodes.ts,
 * graphNodes.ts and variableNodes.ts), MessageNode, and helpers. `contextValue` matches the `viewItem`
 * clauses of package.json menus; ids are stable across reloads so expansion survives; every node knows
 * its parent (TreeView.reveal needs getParent). Strings from models only ever reach labels,
 * descriptions and MarkdownString.appendText, which VS Code renders as text.
 */
import * as vscode from "vscode";
import type { ExportModel } from "../exportStore.js";

export const icon = (id: string, color?: string) =>
  new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
export const None = vscode.TreeItemCollapsibleState.None;
export const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
export const Expanded = vscode.TreeItemCollapsibleState.Expanded;

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

export function md(...parts: (string | [string])[]): vscode.MarkdownString {
  // plain strings are escaped text; [name] is escaped text in bold (escapes would show inside a code span)
  const m = new vscode.MarkdownString(undefined, true); // theme icons on: appendText then escapes "$(…)" in model strings
  for (const p of parts) {
    if (Array.isArray(p)) m.appendMarkdown("**").appendText(p[0]).appendMarkdown("**");
    else m.appendText(p);
  }
  return m;
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
