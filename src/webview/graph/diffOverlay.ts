/**
 * The graph view's change overlay (the comparison editor's "Show graph changes"): nodes added in B, removed
 * (drawn from A, dashed) and changed are coloured with the theme's git decoration colours, a group holding a
 * change is outlined when collapsed, a legend counts them, "Next change" (or N on the canvas) walks through
 * them, and the details pane says what changed (op A → B, attributes, inputs, device). The picture and the
 * marking come from src/graph/diffPicture.ts; which groups open first is decided there too (those holding
 * a change; the rest stay collapsed).
 *
 *   const diff = new DiffOverlay(msg.diff);     // main.ts, when graph/load carries a diff
 *   diff.attach(view);                          // after the run overlay's attach (wraps its details and tooltips)
 */
import type { DiffNodeInfo, GraphDiffOverlay } from "../../graph/diffPicture.js";
import { button, h, kvTable } from "../shared/dom.js";
import type { GraphView } from "./view.js";
import type { ItemKey } from "./viewModel.js";

const WHAT: Record<DiffNodeInfo["mark"], string> = {
  added: "added (only in B)",
  removed: "removed (only in A; drawn from A)",
  changed: "changed",
};

export class DiffOverlay {
  private readonly nodeInfo = new Map<number, DiffNodeInfo>();
  private readonly callInfo = new Map<number, DiffNodeInfo>();
  private order: ItemKey[] = [];
  private at = -1;

  constructor(readonly diff: GraphDiffOverlay) {
    for (const [n, i] of diff.nodes) this.nodeInfo.set(n, i);
    for (const [g, i] of diff.calls) this.callInfo.set(g, i);
  }

  /** Marked nodes, drawn even where the view would fold them (an Identity whose input changed, a removed constant). */
  mustShow(): number[] {
    return this.diff.nodes.map(([n]) => n);
  }

  attach(view: GraphView): void {
    const d = this.diff;
    const r = view.renderer;
    const byMark = { added: [] as ItemKey[], removed: [] as ItemKey[], changed: [] as ItemKey[] };
    for (const [n, i] of d.nodes) byMark[i.mark].push(`n${n}`);
    for (const [g, i] of d.calls) byMark[i.mark].push(`g${g}`);
    for (const [mark, keys] of Object.entries(byMark)) r.setClasses(`diff-${mark}`, keys);
    r.setClasses(
      "diff-inside",
      d.groups.filter((g) => g > 0).map((g) => `g${g}`),
    );
    this.order = [...d.nodes.map(([n]) => `n${n}`), ...d.calls.map(([g]) => `g${g}`)];

    const app = r.svg.node()?.closest("#app");
    const toolbar = app?.querySelector("#toolbar");
    const canvas = app?.querySelector("#canvas");
    // this panel compares two exports: the last run's time and Run… belong to the export's own graph view
    toolbar?.querySelectorAll(".time-toggle, .run-signature").forEach((b) => b.remove());
    const next = button("Next change", undefined, () => this.next(view));
    next.classList.add("next-change");
    next.title = "Select the next added, removed or changed node (N)";
    toolbar?.insertBefore(next, toolbar.querySelector("#status"));
    canvas?.addEventListener("keydown", (ev) => {
      const e = ev as KeyboardEvent;
      if ((e.key === "n" || e.key === "N") && !e.ctrlKey && !e.metaKey && !e.altKey) this.next(view);
    });
    canvas?.appendChild(this.legend());

    const prevExtra = view.details.extra;
    view.details.extra = {
      node: (n) => [...this.section(this.nodeInfo.get(n)), ...(prevExtra?.node?.(n) ?? [])],
      group: (gi) => [...this.section(this.callInfo.get(gi)), ...(prevExtra?.group?.(gi) ?? [])],
    };
    const prevTip = r.tooltip;
    r.tooltip = (key) => {
      const i = key[0] === "n" ? this.nodeInfo.get(+key.slice(1)) : this.callInfo.get(+key.slice(1));
      const inside = key[0] === "g" && d.groups.includes(+key.slice(1)) ? "changes inside" : undefined;
      const mine = i ? `${WHAT[i.mark]}${i.mark === "changed" ? `: ${summary(i)}` : ""}` : inside;
      const theirs = prevTip?.(key);
      return [mine, theirs].filter(Boolean).join("\n") || undefined;
    };
  }

  /** Selects and reveals the next marked node (wrapping). */
  next(view: GraphView): void {
    if (!this.order.length) return;
    this.at = (this.at + 1) % this.order.length;
    void view.reveal(this.order[this.at]);
  }

  private legend(): HTMLElement {
    const d = this.diff;
    const row = (mark: string, text: string) =>
      h("div", { class: "diff-legend-row" }, h("span", { class: `diff-swatch diff-swatch-${mark}` }), text);
    return h(
      "div",
      { class: "diff-legend", attrs: { role: "group", "aria-label": "Changes legend" } },
      h("div", { class: "diff-legend-title" }, `Changes · ${d.signature}`),
      h("div", { class: "diff-legend-sub" }, `A ${d.a} → B ${d.b}`),
      row("added", `added in B (${d.counts.added})`),
      row("removed", `removed, drawn from A (${d.counts.removed})`),
      row("changed", `changed: op, attributes, inputs (${d.counts.changed})`),
      row("inside", "group with changes inside"),
      d.unplaced
        ? h("div", { class: "diff-legend-note" }, `${d.unplaced} change(s) not in this picture (see the comparison)`)
        : null,
      d.nodes.length || d.calls.length
        ? null
        : h("div", { class: "diff-legend-note" }, "No node of this signature changed."),
    );
  }

  private section(i: DiffNodeInfo | undefined): Node[] {
    if (!i) return [];
    const rows: [string, string][] = [["change", WHAT[i.mark]]];
    const what = i.what ?? [];
    if (what.includes("op")) rows.push(["op", `${i.before ?? "?"} → ${i.after ?? "?"}`]);
    if (i.attrValues?.length)
      for (const [k, a, b] of i.attrValues) rows.push([`attr ${k}`, `${a || "(absent)"} → ${b || "(absent)"}`]);
    else if (i.attrs?.length) rows.push(["attributes", i.attrs.join(", ")]);
    if (what.includes("inputs") && !what.includes("op")) {
      rows.push(["inputs in A", i.before ?? ""], ["inputs in B", i.after ?? ""]);
    } else if (what.includes("inputs")) rows.push(["inputs", "changed"]);
    if (what.includes("device") && !what.includes("op") && !what.includes("inputs"))
      rows.push(["device", `${i.before || "(none)"} → ${i.after || "(none)"}`]);
    else if (what.includes("device")) rows.push(["device", "changed"]);
    return [h("h3", { class: `diff-head diff-head-${i.mark}` }, "Change"), kvTable(rows)];
  }
}

function summary(i: DiffNodeInfo): string {
  const what = i.what ?? [];
  if (what.includes("op")) return `op ${i.before} → ${i.after}`;
  return [what.join(", "), i.attrs?.length ? `(${i.attrs.join(", ")})` : ""].filter(Boolean).join(" ");
}
