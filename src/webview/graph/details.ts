/** The details panel: everything about the selected node or group, built with DOM text (never HTML). */
import type { DisplayGraph, GraphEdge } from "../../graph/model.js";
import type { WeightRef } from "./fold.js";
import { groupSubtitle } from "./viewModel.js";
import { button, kvTable } from "../shared/dom.js";
import { tensorView } from "../shared/tensorView.js";
import { fromWire } from "../../protocol/tensorWire.js";
import { formatSize } from "../../shared/modelFormat.js";
import type { GraphConstValue } from "../../protocol/graph.js";

export interface DetailsActions {
  selectNode(n: number): void;
  trace(dir: "up" | "down" | "none"): void;
  toggle(gi: number): void;
  expandAll(gi: number): void;
  openFunction(fn: string): void;
  revealInTree(): void;
  /** Opens a variable's values (the host's variable viewer), by the node holding its handle. */
  openVariable?(n: number): void;
}

export class DetailsPanel {
  readonly el: HTMLElement;
  /** Extra sections (the run overlay: time and value of the last run), after the node's or group's summary. */
  extra?: { node?(n: number): Node[]; group?(gi: number): Node[] };
  /** Weights drawn inside a node or group box ("n<i>" / "g<i>"): listed with their values or a link to them. */
  weights?: (key: string) => WeightRef[];
  /** A Const node's value from the host (decoded in the decode worker); `read`: read content left on disk. */
  constValue?: (n: number, read: boolean) => Promise<GraphConstValue>;

  constructor(
    private readonly g: DisplayGraph,
    private readonly inEdges: number[][],
    private readonly outEdges: number[][],
    private readonly act: DetailsActions,
  ) {
    this.el = document.createElement("aside");
    this.el.className = "details";
    this.el.setAttribute("aria-label", "Details");
    this.el.hidden = true;
  }

  clear(): void {
    this.el.hidden = true;
    this.el.replaceChildren();
  }

  showNode(n: number): void {
    const node = this.g.nodes[n];
    const parts: Node[] = [];
    parts.push(h("h2", node.name));
    parts.push(p(`${node.op}${node.role ? ` (${roleText(node.role)})` : ""}`, "mono"));
    const info: [string, string | Node][] = [
      ["op", node.op],
      ["kind", node.kind],
    ];
    if (node.fn) info.push(["function", link(node.fn, () => this.act.openFunction(node.fn))]);
    else
      info.push([
        "graph",
        this.g.scope.kind === "signature" ? `meta graph (signature ${this.g.scope.name})` : "meta graph",
      ]);
    if (node.device) info.push(["device", node.device]);
    if (node.varName) info.push(["variable", node.varName]);
    if (node.refs?.length)
      info.push([
        "references",
        frag(
          node.refs.map((f) => link(f, () => this.act.openFunction(f))),
          ", ",
        ),
      ]);
    if (node.boiler) info.push(["hidden", "boilerplate (save/restore/init)"]);
    parts.push(table(info));
    if (node.value) {
      const summary = p(node.value, "mono");
      parts.push(h("h3", "Value"), summary, ...this.constSection(n, summary));
    }
    parts.push(...this.weightSection(`n${n}`));
    parts.push(...(this.extra?.node?.(n) ?? []));
    const ins = [...this.inEdges[n]].sort((a, b) => this.g.edges[a].ti - this.g.edges[b].ti);
    if (ins.length) {
      parts.push(h("h3", `Inputs (${ins.length})`));
      parts.push(table(ins.map((ei) => this.edgeRow(this.g.edges[ei], "in"))));
    }
    if (node.outputs.length) {
      parts.push(h("h3", `Outputs (${node.outputs.length})`));
      parts.push(
        table(
          node.outputs.map((o, i) => {
            const consumers = this.outEdges[n].filter((ei) => this.g.edges[ei].so === i && !this.g.edges[ei].ctl);
            const cell = frag(
              [
                document.createTextNode([o.dtype, o.shape].filter(Boolean).join(" ") || "?"),
                ...consumers
                  .slice(0, 8)
                  .map((ei) =>
                    link(`→ ${this.g.nodes[this.g.edges[ei].t].name}`, () => this.act.selectNode(this.g.edges[ei].t)),
                  ),
                ...(consumers.length > 8 ? [document.createTextNode(`… ${consumers.length - 8} more`)] : []),
              ],
              " ",
            );
            return [`${i}`, cell] as [string, Node];
          }),
        ),
      );
    }
    const ctlOut = this.outEdges[n].filter((ei) => this.g.edges[ei].ctl);
    if (ctlOut.length) {
      parts.push(h("h3", `Control consumers (${ctlOut.length})`));
      parts.push(
        frag(
          ctlOut
            .slice(0, 20)
            .map((ei) => link(this.g.nodes[this.g.edges[ei].t].name, () => this.act.selectNode(this.g.edges[ei].t))),
          ", ",
        ),
      );
    }
    if (node.attrs.length) {
      parts.push(h("h3", `Attributes (${node.attrs.length})`));
      parts.push(table(node.attrs.map(([k, v]) => [k, code(v)] as [string, Node])));
    }
    parts.push(
      this.actions([
        ["Trace inputs", () => this.act.trace("up")],
        ["Trace outputs", () => this.act.trace("down")],
        ["Clear trace", () => this.act.trace("none")],
        ["Reveal in tree", () => this.act.revealInTree()],
      ]),
    );
    this.show(parts);
  }

  /**
   * A constant's values in the one tensor view (statistics, histogram, first values or the paged table), asked
   * of the host when the node is shown; content left on disk (big constants) is read only on "Show values".
   */
  private constSection(n: number, summary: HTMLElement): Node[] {
    const get = this.constValue;
    if (!get) return [];
    const box = document.createElement("div");
    box.className = "const-value";
    box.setAttribute("aria-live", "polite");
    const load = (read: boolean) => {
      box.replaceChildren(p(read ? "reading the values from disk…" : "decoding the values…", "muted"));
      get(n, read).then(
        (v) => {
          if (v.preview) {
            const count = v.preview.totalElements;
            summary.textContent = `${v.preview.dtype} [${v.preview.shape.join(", ")}] · ${count.toLocaleString("en-US")} value${count === 1 ? "" : "s"}`;
            const tensor = v.table ? fromWire(v.table) : undefined;
            const first = tensor ? undefined : { values: v.preview.values, truncated: v.preview.truncated };
            box.replaceChildren(
              tensorView({
                label: this.g.nodes[n].name,
                stats: v.preview.stats,
                histogram: v.preview.histogram,
                first,
                tensor,
              }),
            );
          } else if (v.onDisk !== undefined) {
            const show = button("Show values", undefined, () => load(true));
            show.classList.add("show-const-values");
            show.title = `Read the ${formatSize(v.onDisk)} of values from saved_model.pb`;
            box.replaceChildren(p(`${formatSize(v.onDisk)} of values on disk, not read yet`, "muted"), show);
          } else box.replaceChildren(p(v.reason ?? "no values", "muted"));
        },
        (e: Error) => box.replaceChildren(p(`Could not read the value: ${e.message}`, "error")),
      );
    };
    load(false);
    return [box];
  }

  showGroup(gi: number, expanded: boolean): void {
    const grp = this.g.groups[gi];
    const parts: Node[] = [
      h("h2", grp.label),
      p(`${grp.kind === "call" ? "function call" : grp.kind} · ${groupSubtitle(this.g, gi)}`),
    ];
    const info: [string, string | Node][] = [
      ["path", grp.id || "(root)"],
      ["ops", `${grp.visibleSize} shown / ${grp.size} total`],
    ];
    if (grp.fn) info.push(["function", link(grp.fn, () => this.act.openFunction(grp.fn!))]);
    const call = grp.call;
    if (call) {
      info.push(["call node", call.name], ["op", call.op]);
      if (call.fn) info.push(["in function", call.fn]);
      if (call.device) info.push(["device", call.device]);
    }
    parts.push(table(info));
    parts.push(...this.weightSection(`g${gi}`));
    parts.push(...(this.extra?.group?.(gi) ?? []));
    if (call?.inputs.length) {
      parts.push(h("h3", `Inputs (${call.inputs.length})`));
      parts.push(table(call.inputs.map((x, i) => [String(i), code(x)] as [string, Node])));
    }
    if (call?.outputs.length) {
      parts.push(h("h3", `Outputs (${call.outputs.length})`));
      parts.push(
        table(
          call.outputs.map(
            (o, i) => [String(i), [o.dtype, o.shape].filter(Boolean).join(" ") || "?"] as [string, string],
          ),
        ),
      );
    }
    if (call?.attrs.length) {
      parts.push(h("h3", `Attributes (${call.attrs.length})`));
      parts.push(table(call.attrs.map(([k, v]) => [k, code(v)] as [string, Node])));
    }
    const acts: [string, () => void][] = [
      [expanded ? "Collapse" : "Expand", () => this.act.toggle(gi)],
      ["Expand all inside", () => this.act.expandAll(gi)],
    ];
    if (grp.fn) acts.push(["Open function", () => this.act.openFunction(grp.fn!)]);
    parts.push(this.actions(acts));
    this.show(parts);
  }

  /** "Weights (n)": each weight's name, dtype and shape; a constant's values, a variable's link to its values. */
  private weightSection(key: string): Node[] {
    const ws = this.weights?.(key) ?? [];
    if (!ws.length) return [];
    const list = document.createElement("ul");
    list.className = "weights";
    for (const w of ws) {
      const node = this.g.nodes[w.node];
      const li = document.createElement("li");
      const head = document.createElement("div");
      head.append(
        link(w.name, () => this.act.selectNode(w.node)),
        document.createTextNode(`  ${[w.dtype, w.shape].filter(Boolean).join(" ")}`),
      );
      li.append(head);
      if (node.value) {
        li.append(p(node.value, "mono"));
        // the constant's statistics, histogram and values: shown when it is selected (its own details)
        if (this.constValue) li.append(link("Show values", () => this.act.selectNode(w.node)));
      } else if (this.act.openVariable && node.varName)
        li.append(link("Show values", () => this.act.openVariable!(w.node)));
      list.append(li);
    }
    return [h("h3", `Weights (${ws.length})`), list];
  }

  private edgeRow(e: GraphEdge, dir: "in"): [string, Node] {
    const src = this.g.nodes[e.s];
    const label = e.ctl ? "^" : String(e.ti);
    const ref = `${src.name}${e.ctl ? "" : `:${e.so}`}`;
    const desc = e.ctl ? "control" : [e.dtype, e.shape].filter(Boolean).join(" ");
    void dir;
    return [
      label,
      frag([link(ref, () => this.act.selectNode(e.s)), document.createTextNode(desc ? ` ${desc}` : "")], ""),
    ];
  }

  private actions(list: [string, () => void][]): Node {
    const div = document.createElement("div");
    div.className = "actions";
    for (const [label, fn] of list) div.appendChild(button(label, undefined, fn));
    return div;
  }

  private show(parts: Node[]): void {
    this.el.replaceChildren(...parts);
    this.el.hidden = false;
  }
}

function roleText(r: string): string {
  return (
    (
      {
        arg: "function argument",
        retval: "function result",
        sigInput: "signature input",
        sigOutput: "signature output",
      } as Record<string, string>
    )[r] ?? r
  );
}

function h(tag: string, text: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}

function p(text: string, cls?: string): HTMLElement {
  const e = h("div", text);
  if (cls) e.className = cls;
  return e;
}

function code(text: string): HTMLElement {
  return h("code", text);
}

function link(text: string, fn: () => void): HTMLElement {
  const a = h("a", text);
  a.tabIndex = 0;
  a.setAttribute("role", "link");
  a.addEventListener("click", fn);
  a.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") fn();
  });
  return a;
}

function frag(nodes: Node[], sep: string): Node {
  const s = document.createElement("span");
  nodes.forEach((n, i) => {
    if (i && sep) s.appendChild(document.createTextNode(sep));
    s.appendChild(n);
  });
  return s;
}

function table(rows: [string, string | Node][]): HTMLTableElement {
  return kvTable(rows);
}
