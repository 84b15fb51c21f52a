/** Search by node name, op type or attribute value; results list with keyboard navigation. */
import type { DisplayGraph } from "../../graph/model.js";

export interface SearchHit {
  /** "n<node>" or "g<group>" */
  key: string;
  title: string;
  detail: string;
}

/** Case-insensitive search over names, labels, ops, variable names and attribute values; exact matches first. */
export function searchGraph(g: DisplayGraph, query: string, limit = 5000): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const exact: SearchHit[] = [];
  const hits: SearchHit[] = [];
  const attrHits: SearchHit[] = [];
  for (let i = 0; i < g.nodes.length && exact.length + hits.length < limit; i++) {
    const n = g.nodes[i];
    const name = n.name.toLowerCase();
    const op = n.op.toLowerCase();
    const label = n.label.toLowerCase();
    const hit = { key: `n${i}`, title: n.name, detail: n.fn ? `${n.op} · ƒ ${n.fn}` : n.op };
    if (op === q || label === q || name === q || name.endsWith(`/${q}`)) exact.push(hit);
    else if (name.includes(q) || op.includes(q) || label.includes(q) || n.varName?.toLowerCase().includes(q))
      hits.push(hit);
    else if (attrHits.length < limit) {
      const a = n.attrs.find(([k, v]) => k.toLowerCase().includes(q) || v.toLowerCase().includes(q));
      if (a) attrHits.push({ ...hit, detail: `${n.op} · ${a[0]} = ${a[1].slice(0, 60)}` });
    }
  }
  for (let i = 1; i < g.groups.length && exact.length + hits.length < limit; i++) {
    const grp = g.groups[i];
    if (grp.kind === "chunk" || grp.kind === "series" || grp.kind === "args") continue;
    if (
      grp.id.toLowerCase().includes(q) ||
      grp.fn?.toLowerCase().includes(q) ||
      (grp.call?.op.toLowerCase() ?? "").includes(q)
    )
      hits.push({
        key: `g${i}`,
        title: grp.id || grp.label,
        detail: grp.fn ? `ƒ ${grp.fn}` : `${grp.kind} · ${grp.size} ops`,
      });
  }
  return exact.concat(hits, attrHits).slice(0, limit);
}

export class SearchBox {
  readonly el: HTMLElement;
  /** A vscode-textfield (its `value` is the query; keys and input events come out of its shadow root). */
  private readonly input: HTMLElement & { value: string; wrappedElement?: HTMLInputElement };
  private readonly list: HTMLUListElement;
  private hits: SearchHit[] = [];
  private active = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly g: DisplayGraph,
    private readonly onResults: (hits: SearchHit[]) => void,
    private readonly onPick: (hit: SearchHit) => void,
  ) {
    this.el = document.createElement("div");
    this.el.className = "search";
    this.input = document.createElement("vscode-textfield") as SearchBox["input"];
    this.input.setAttribute("type", "search");
    this.input.setAttribute("placeholder", "Search name, op, attribute  ( / )");
    this.input.setAttribute("aria-label", "Search nodes by name, op type or attribute");
    this.input.setAttribute("label", "Search nodes by name, op type or attribute");
    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("aria-controls", "search-results");
    this.list = document.createElement("ul");
    this.list.className = "results";
    this.list.id = "search-results";
    this.list.setAttribute("role", "listbox");
    this.list.hidden = true;
    this.el.append(this.input, this.list);
    this.input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), 120);
    });
    this.input.addEventListener("keydown", (ev) => this.key(ev));
    this.input.addEventListener("blur", () => setTimeout(() => (this.list.hidden = true), 150));
    this.input.addEventListener("focus", () => (this.list.hidden = this.hits.length === 0));
  }

  focus(): void {
    this.input.focus();
    this.input.wrappedElement?.select();
  }

  /** Runs a search now (the bench and tests use this). */
  run(q = this.input.value): SearchHit[] {
    this.input.value = q;
    this.hits = searchGraph(this.g, q);
    this.active = this.hits.length ? 0 : -1;
    this.renderList();
    this.onResults(this.hits);
    return this.hits;
  }

  private renderList(): void {
    this.list.replaceChildren();
    const shown = this.hits.slice(0, 200);
    shown.forEach((h, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = `hit-${i}`;
      li.setAttribute("aria-selected", String(i === this.active));
      li.textContent = h.title;
      const op = document.createElement("span");
      op.className = "op";
      op.textContent = h.detail;
      li.appendChild(op);
      li.title = `${h.title}\n${h.detail}`;
      li.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        this.pick(i);
      });
      this.list.appendChild(li);
    });
    if (this.hits.length > shown.length) {
      const li = document.createElement("li");
      li.textContent = `… ${this.hits.length - shown.length} more (refine the search)`;
      this.list.appendChild(li);
    }
    this.list.hidden = this.hits.length === 0 && !this.input.value;
    if (!this.hits.length && this.input.value) {
      const li = document.createElement("li");
      li.textContent = "No matches";
      this.list.appendChild(li);
      this.list.hidden = false;
    }
    this.input.setAttribute("aria-expanded", String(!this.list.hidden));
    this.input.setAttribute("aria-activedescendant", this.active >= 0 ? `hit-${this.active}` : "");
  }

  private pick(i: number): void {
    const h = this.hits[i];
    if (!h) return;
    this.active = i;
    this.list.hidden = true;
    this.onPick(h);
  }

  private key(ev: KeyboardEvent): void {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const n = Math.min(this.hits.length, 200);
      if (!n) return;
      this.active = (this.active + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.list.hidden = false;
      for (const li of this.list.children) li.setAttribute("aria-selected", String(li.id === `hit-${this.active}`));
      this.list.children[this.active]?.scrollIntoView({ block: "nearest" });
      this.input.setAttribute("aria-activedescendant", `hit-${this.active}`);
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.run();
      }
      this.pick(Math.max(0, this.active));
    } else if (ev.key === "Escape") {
      this.input.value = "";
      this.run("");
      this.list.hidden = true;
    }
  }
}
