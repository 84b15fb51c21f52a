/**
 * The graph view controller: owns the view model, the layout worker client, the renderer and the side
 * panels; handles expand/collapse (incremental: only the toggled group and its ancestors are laid out
 * again), selection, search, trace, keyboard, export.
 */
import { zoomIdentity, type ZoomTransform } from "d3";
import type { DisplayGraph } from "../../graph/model.js";
import { OP_KINDS } from "../../graph/model.js";
import type { GraphNodeRef, GraphToHostMessage } from "../../protocol/graph.js";
import { formatCount } from "../../shared/modelFormat.js";
import { button as vscodeButton, setPressed, singleSelect, toggleButton } from "../shared/dom.js";
import { DetailsPanel } from "./details.js";
import { sceneToSvg, svgToPngBase64 } from "./exportView.js";
import type { LayoutClient } from "./layoutClient.js";
import { Minimap } from "./minimap.js";
import { LEGIBLE_SCALE, Renderer } from "./render.js";
import { SearchBox, type SearchHit } from "./search.js";
import { fastLayout } from "./fastLayout.js";
import { TINY_MAX, tinyLayout } from "./tinyLayout.js";
import { ToolbarOverflow } from "./toolbarOverflow.js";
import { GraphModel, HEADER, type GroupLayoutInput, type ItemKey, type Scene } from "./viewModel.js";

/** Auto-expand the largest groups at open while the picture stays this small. */
const AUTO_EXPAND_ITEMS = 40;
/** ...and if fewer than this are visible, open the biggest box as long as it has at most AUTO_EXPAND_MAX_KIDS children. */
const AUTO_EXPAND_SPARSE = 12;
const AUTO_EXPAND_MAX_KIDS = 400;
/** ...then open up to this many of the first small boxes (at most AUTO_OPEN_SMALL_KIDS children each). */
const AUTO_OPEN_SMALL = 12;
const AUTO_OPEN_SMALL_KIDS = 10;

/** Scenes with more items than this are handed to the renderer and minimap in separate tasks. */
const SLICE_ITEMS = 2000;
const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

export type Measure = (t: string, px: number, bold?: boolean) => number;

export class GraphView {
  readonly model: GraphModel;
  readonly renderer: Renderer;
  readonly details: DetailsPanel;
  private readonly search: SearchBox;
  private readonly minimap: Minimap;
  private readonly status: HTMLElement;
  private readonly inEdges: number[][];
  private readonly outEdges: number[][];
  private scene: Scene | undefined;
  private sceneEdgeOf = new Map<number, number>();
  private selected: ItemKey | undefined;
  private matches: SearchHit[] = [];
  private traced: { nodes: Set<number>; edges: Set<number> } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly css: CSSStyleDeclaration;
  /** Where the last relayout spent its time (diagnostics, bench). */
  lastTimings: Record<string, number> = {};
  /** Groups drawn with the fast JS layout while ELK was still starting; laid out again once it is ready. */
  private readonly provisional = new Set<number>();
  /** performance.now() when the ELK layout replaced the provisional first picture (diagnostics, bench). */
  upgradedAt: number | undefined;
  /** The controls the toolbar receives after the first picture (showToolbar). */
  private readonly toolbarLater: HTMLElement[] = [];
  /** The toolbar's "More…" menu of the controls that do not fit in its one row (from showToolbar on). */
  overflow: ToolbarOverflow | undefined;
  private readonly toolbar: HTMLElement;
  private readonly title: HTMLElement;
  private readonly hasPicker: boolean;
  private readonly flagButtons: Partial<Record<"showBoiler" | "showWeights" | "showPassThrough", HTMLElement>> = {};
  /** Which layout drew the first picture (diagnostics, bench). */
  firstLayout: "final" | "provisional" | undefined;
  /** Groups the first picture opens instead of the automatic choice (the change overlay: groups holding a change). */
  initialExpanded?: number[];
  /** Nodes the first picture draws even when they would fold into a consumer or an edge (the change overlay's). */
  mustShow?: number[];

  constructor(
    readonly g: DisplayGraph,
    private readonly root: HTMLElement,
    private readonly layout: LayoutClient,
    private readonly measure: Measure,
    private readonly post: (m: GraphToHostMessage) => void,
  ) {
    this.model = new GraphModel(g, measure);
    this.inEdges = g.nodes.map(() => []);
    this.outEdges = g.nodes.map(() => []);
    g.edges.forEach((e, i) => {
      this.inEdges[e.t].push(i);
      this.outEdges[e.s].push(i);
    });
    this.css = getComputedStyle(document.documentElement);
    root.replaceChildren();
    const app = document.createElement("div");
    app.id = "app";
    const toolbar = document.createElement("div");
    toolbar.id = "toolbar";
    toolbar.setAttribute("role", "toolbar");
    const title = document.createElement("span");
    // pinned: never in the More menu; shrink: it gives up its width before any button moves there
    title.className = "title pinned shrink";
    title.textContent = g.title;
    title.title = g.defaultReason ? `${g.title}: ${g.defaultReason}` : g.title;
    const picker = this.viewPicker();
    picker?.classList.add("pinned");
    // the picker replaces the title (showToolbar): it carries why this view was chosen
    if (picker && g.defaultReason) picker.title = `${g.title}: ${g.defaultReason}. ${picker.title}`;
    this.title = title;
    this.hasPicker = picker !== undefined;
    this.search = new SearchBox(
      g,
      (hits) => this.showMatches(hits),
      (hit) => void this.reveal(hit.key),
    );
    this.status = document.createElement("span");
    this.status.id = "status";
    this.status.setAttribute("aria-live", "polite");
    const canvas = document.createElement("div");
    canvas.id = "canvas";
    canvas.tabIndex = 0;
    canvas.setAttribute(
      "aria-label",
      "Graph. Arrow keys move the selection, Enter expands or collapses, / searches, F fits.",
    );
    this.details = new DetailsPanel(g, this.inEdges, this.outEdges, {
      selectNode: (n) => void this.reveal(`n${n}`),
      trace: (dir) => this.trace(dir),
      toggle: (gi) => void this.toggle(gi),
      expandAll: (gi) => void this.expandAll(gi),
      openFunction: (fn) => this.post({ type: "graph/openFunction", fn }),
      revealInTree: () => this.announceSelection(),
      openVariable: (n) =>
        this.post({ type: "graph/openVariable", target: { fn: g.nodes[n].fn, node: g.nodes[n].name } }),
    });
    this.details.weights = (key) => this.model.weightsOf(key);
    const legend = document.createElement("div");
    legend.className = "legend";
    legend.setAttribute("aria-label", "Legend: op kinds");
    for (const k of OP_KINDS) {
      const s = document.createElement("span");
      s.textContent = k;
      s.style.setProperty("--c", `var(--kind-${k})`);
      legend.appendChild(s);
    }
    const button = (label: string, titleText: string, fn: () => void) => {
      const b = vscodeButton(label, undefined, fn);
      b.title = titleText;
      return b;
    };
    const flagToggle = (
      label: string,
      titleText: string,
      flag: "showBoiler" | "showWeights" | "showPassThrough",
    ): HTMLElement => {
      const b = toggleButton(
        label,
        titleText,
        () => {
          this.model[flag] = !this.model[flag];
          setPressed(b, this.model[flag]);
          this.model.recount();
          this.model.clearLayouts();
          void this.relayout("expand");
        },
        this.model[flag],
      );
      this.flagButtons[flag] = b;
      return b;
    };
    const boiler = flagToggle("Boilerplate", "Show save/restore, init and NoOp nodes", "showBoiler");
    const weightsBtn = flagToggle(
      "Weights",
      "Show variables, constants and captured resources as their own nodes (otherwise they are listed inside the op that uses them)",
      "showWeights",
    );
    const passBtn = flagToggle(
      "Pass-through",
      "Show Identity, _Retval and call-argument nodes (otherwise they fold into the edge they carry)",
      "showPassThrough",
    );
    const legendBtn = button("Legend", "Show or hide the op colour legend", () => (legend.hidden = !legend.hidden));
    // The minimap starts hidden when the view is small (it would cover the graph); the button toggles it.
    let minimapWanted: boolean | undefined;
    const minimapBtn = button("Minimap", "Show or hide the minimap", () => {
      minimapWanted = this.minimap.el.hidden === true;
      this.minimap.el.hidden = !minimapWanted;
      if (minimapWanted && this.scene) {
        this.minimap.setScene(this.scene);
        this.minimap.setView(this.renderer.currentTransform, ...this.renderer.size());
      }
    });
    toolbar.append(title);
    // The toolbar's controls (@vscode-elements, each rendered by Lit when it connects) join the page once the
    // first picture is painted (showToolbar): their first render and slot handling stay off the picture's path.
    // The toolbar row keeps its height meanwhile (min-height in graph.css), so the canvas does not move.
    const expandAllBtn = button("Expand all", "Expand every group inside the selected group (or everything)", () => {
      const sel = this.selected?.[0] === "g" ? +this.selected.slice(1) : 0;
      void this.expandAll(sel);
    });
    const collapseAllBtn = button("Collapse all", "Collapse every group", () => void this.collapseAll());
    const svgBtn = button("SVG", "Export the current view as SVG", () => void this.exportAs("svg"));
    const pngBtn = button("PNG", "Export the current view as PNG", () => void this.exportAs("png"));
    this.toolbarLater.push(
      ...(picker ? [picker] : []),
      this.search.el,
      button("Fit", "Fit the graph to the window (F)", () => this.renderer.fit(true)),
      expandAllBtn,
      collapseAllBtn,
      weightsBtn,
      passBtn,
      boiler,
      legendBtn,
      minimapBtn,
      svgBtn,
      pngBtn,
    );
    // which go into the More menu first when the row is too narrow (toolbarOverflow.ts): exports, panels,
    // display toggles, expand buttons; Fit and the overlays' buttons (Time, Run…, Next change) last
    const rank = (r: number, ...els: HTMLElement[]) => els.forEach((el) => (el.dataset.overflow = String(r)));
    rank(1, svgBtn, pngBtn);
    rank(2, legendBtn, minimapBtn);
    rank(3, boiler, passBtn, weightsBtn);
    rank(4, expandAllBtn, collapseAllBtn);
    this.search.el.classList.add("pinned");
    app.append(toolbar, canvas, this.details.el);
    root.appendChild(app);
    this.toolbar = toolbar;
    this.renderer = new Renderer(canvas, g, measure, {
      click: (key) => this.onClick(key),
      toggle: (key) => void this.toggle(+key.slice(1)),
      background: () => this.select(undefined),
      viewChanged: (t) => this.minimap.setView(t, canvas.clientWidth, canvas.clientHeight),
    });
    this.renderer.edgeList = this.model.edges;
    this.renderer.weights = (key) => this.model.drawnWeights(key);
    this.renderer.allWeights = (key) => this.model.weightsOf(key);
    this.minimap = new Minimap(
      g,
      (v) => this.colour(v),
      (x, y) => {
        const t = this.renderer.currentTransform;
        const [w, h] = this.renderer.size();
        this.renderer.apply(zoomIdentity.translate(w / 2 - x * t.k, h / 2 - y * t.k).scale(t.k), false);
      },
    );
    // The status sits in the canvas's bottom-left corner, under the legend (graph.css): never over the details
    // pane's heading.
    canvas.append(legend, this.minimap.el, this.status);
    new ResizeObserver(() => {
      if (minimapWanted === undefined) this.minimap.el.hidden = canvas.clientWidth < 720 || canvas.clientHeight < 420;
    }).observe(canvas);
    canvas.addEventListener("keydown", (ev) => this.onKey(ev));
    document.addEventListener("keydown", (ev) => {
      if (
        (ev.key === "/" || (ev.key === "f" && (ev.ctrlKey || ev.metaKey))) &&
        !(ev.target instanceof HTMLInputElement) &&
        !(ev.target instanceof HTMLElement && ev.target.localName === "vscode-textfield")
      ) {
        ev.preventDefault();
        this.search.focus();
      }
    });
  }

  /** "View:" picker of the other views of this export (whole graph, signatures, functions); opens them beside. */
  private viewPicker(): HTMLElement | undefined {
    const views = this.g.views ?? [];
    if (views.length < 2) return undefined;
    const cur = this.g.scope;
    const here = views.findIndex((v) =>
      cur.kind === "graph"
        ? "graph" in v.target
        : cur.kind === "signature"
          ? "signature" in v.target && v.target.signature === cur.name
          : "function" in v.target && v.target.function === cur.name,
    );
    const options: [string, string][] = [["-1", here < 0 ? "other views…" : views[here].label]];
    views.forEach((v, i) => {
      if (i !== here) options.push([String(i), v.nodes ? `${v.label} (${formatCount(v.nodes)} ops)` : v.label]);
    });
    return singleSelect(
      options,
      {
        class: "view-picker",
        title: "Open another view of this export: the whole graph, a signature or a concrete function",
        attrs: { "aria-label": "View" },
      },
      (value, sel) => {
        const v = views[+value];
        if (!v) return;
        sel.value = "-1";
        this.post({ type: "graph/openView", target: v.target });
      },
    );
  }

  colour(v: string): string {
    return this.css.getPropertyValue(v).trim() || "#888";
  }

  /**
   * First picture: auto-expand a readable top level, lay out, fit. Resolves with the elapsed ms. While the
   * ELK worker is still starting, groups are laid out with the fast JS layout so the first picture never
   * waits for it; once ELK is ready those groups are laid out again (the view is kept if the user moved it).
   */
  async open(reveal?: GraphNodeRef): Promise<number> {
    const t0 = performance.now();
    if (this.mustShow?.length) this.unfold(this.mustShow);
    if (this.initialExpanded) for (const gi of this.initialExpanded) this.model.expanded.add(gi);
    else this.autoExpand();
    await this.relayout("first", undefined, false);
    this.fitFirst();
    this.renderer.draw();
    const ms = performance.now() - t0;
    this.post({ type: "graph/rendered", reason: "first", ms, visibleNodes: this.scene?.items.length ?? 0 });
    this.firstLayout = this.provisional.size ? "provisional" : "final";
    if (reveal) this.revealRef(reveal);
    // ELK was not needed for this picture: its worker starts once the picture is on screen (a frame, then a
    // task), not competing with it for the CPU; a hidden page (no frames) starts it after a second.
    requestAnimationFrame(() => setTimeout(() => this.showToolbar(), 0));
    const startElk = () => void this.layout.start();
    requestAnimationFrame(() => setTimeout(startElk, 0));
    setTimeout(startElk, 1000);
    if (this.provisional.size) void this.layout.warmMs.then(() => this.upgrade());
    return ms;
  }

  /**
   * Puts the toolbar's controls in (after the title, before anything added meanwhile); once. With the view
   * picker, the title goes: the picker shows the same name.
   */
  showToolbar(): void {
    const later = this.toolbarLater.splice(0);
    if (!later.length) return;
    this.title.after(...later);
    if (this.hasPicker) this.title.hidden = true;
    this.overflow = new ToolbarOverflow(this.toolbar);
  }

  /** Shows the kinds of folded nodes (weights, pass-through, boilerplate) that hide any of `nodes`. */
  private unfold(nodes: number[]): void {
    const m = this.model;
    let changed = false;
    for (const n of nodes) {
      if (!m.nodeHidden(n)) continue;
      if (m.folding.weight[n]) m.showWeights = true;
      if (m.folding.pass[n]) m.showPassThrough = true;
      if (this.g.nodes[n].boiler) m.showBoiler = true;
      changed = true;
    }
    if (!changed) return;
    for (const f of ["showBoiler", "showWeights", "showPassThrough"] as const)
      if (this.flagButtons[f]) setPressed(this.flagButtons[f], m[f]);
    m.recount();
    m.clearLayouts();
  }

  /** Fits the picture, never below a legible zoom; when that does not fit, the inputs are in view. */
  private fitFirst(): void {
    let sum = 0;
    let count = 0;
    for (const it of this.scene?.items ?? []) {
      if (it.kind !== "leaf") continue;
      const n = this.g.nodes[it.index];
      if (n.role === "sigInput" || (n.role === "arg" && n.fn === this.g.scope.name) || n.op === "Placeholder") {
        sum += it.x + it.w / 2;
        count++;
      }
    }
    this.renderer.fitReadable(undefined, count ? sum / count : undefined);
  }

  /** Replaces the provisional (fast JS) layouts with ELK's. */
  private async upgrade(): Promise<void> {
    if (!this.provisional.size) return;
    const fitted = this.renderer.fitted;
    this.model.dropLayouts(this.provisional);
    this.provisional.clear();
    const [w, h] = this.renderer.size();
    const t = this.renderer.currentTransform;
    const centre = this.itemNear(...t.invert([w / 2, h / 2]));
    await this.relayout("expand", fitted ? undefined : centre);
    if (fitted === "readable") this.fitFirst();
    else if (fitted === "fit") this.renderer.fit(false);
    this.renderer.draw();
    this.upgradedAt = performance.now();
  }

  /** Key of the visible leaf or box closest to a scene point. */
  private itemNear(x: number, y: number): ItemKey | undefined {
    let best: { key: ItemKey; d: number } | undefined;
    for (const it of this.scene?.items ?? []) {
      if (it.kind === "frame") continue;
      const d = Math.hypot(it.x + it.w / 2 - x, it.y + it.h / 2 - y);
      if (!best || d < best.d) best = { key: it.key, d };
    }
    return best?.key;
  }

  private autoExpand(): void {
    const m = this.model;
    const g = this.g;
    const kids = (gi: number) =>
      g.groups[gi].nodes.filter((n) => !m.nodeHidden(n)).length +
      g.groups[gi].groups.filter((c) => !m.groupHidden(c)).length;
    let visible = kids(0);
    const worth = (c: number) => !m.groupHidden(c) && g.groups[c].kind !== "args";
    const queue = g.groups[0].groups.filter(worth);
    while (queue.length) {
      queue.sort((a, b) => g.groups[b].visibleSize - g.groups[a].visibleSize);
      const c = queue.shift()!;
      const add = kids(c) - 1;
      // A wrapper around one box (a call whose body is one call) opens; a box around one op stays (it says it
      // all); small boxes are opened below, nearest the inputs first, only while they fit the first screen.
      const wrapper = add === 0 && g.groups[c].groups.some((cc) => !m.groupHidden(cc));
      if (!wrapper && add + 1 <= AUTO_OPEN_SMALL_KIDS) continue;
      if (visible + add > AUTO_EXPAND_ITEMS) {
        queue.unshift(c);
        break;
      }
      m.expanded.add(c);
      visible += add;
      for (const cc of g.groups[c].groups) if (worth(cc)) queue.push(cc);
    }
    // Still a near-empty picture (a call chain around one big body): open the biggest box if that stays readable.
    while (visible < AUTO_EXPAND_SPARSE && queue.length) {
      queue.sort((a, b) => g.groups[b].visibleSize - g.groups[a].visibleSize);
      const c = queue.shift()!;
      const add = kids(c) - 1;
      if (add > AUTO_EXPAND_MAX_KIDS) break;
      m.expanded.add(c);
      visible += add;
      for (const cc of g.groups[c].groups) if (worth(cc)) queue.push(cc);
    }
    // The first screen shows ops, not only boxes: open the small boxes nearest the inputs (in data-flow order).
    const order: number[] = [];
    const walk = (gi: number) => {
      for (const c of g.groups[gi].groups) {
        if (!worth(c)) continue;
        if (m.expanded.has(c)) walk(c);
        else order.push(c);
      }
    };
    walk(0);
    // Only while the opened boxes still fit the first screen at a legible zoom (estimated as a vertical chain,
    // the tallest case): further down, closed boxes hold more ops per screen than opened ones.
    const budget = (0.9 * this.renderer.size()[1]) / LEGIBLE_SCALE;
    const h = (key: ItemKey) => (m.sizeOf(key)?.[1] ?? 40) + 22;
    let used = 60;
    let opened = 0;
    let added = 0;
    for (const c of order) {
      if (opened >= AUTO_OPEN_SMALL || added > AUTO_EXPAND_ITEMS || used > budget) break;
      const k = kids(c);
      // A box around one op (a layer's scope around its Conv2D) already says it all: no frame for it.
      if (k <= AUTO_OPEN_SMALL_KIDS && k >= 2) {
        let openH = HEADER + 20 + 22;
        for (const n of g.groups[c].nodes) if (!m.nodeHidden(n)) openH += h(`n${n}`);
        for (const cc of g.groups[c].groups) if (!m.groupHidden(cc)) openH += h(`g${cc}`);
        if (used + openH <= budget) {
          m.expanded.add(c);
          added += k - 1;
          opened++;
          used += openH;
          continue;
        }
      }
      used += h(`g${c}`);
    }
  }

  /** Lays out what changed (in the worker), then redraws. Calls are serialised. */
  relayout(
    reason: "first" | "expand" | "collapse" | "expandAll" | "reveal",
    anchor?: ItemKey,
    notify = true,
  ): Promise<number> {
    const run = async () => {
      const t0 = performance.now();
      const before = anchor ? this.scene?.byKey.get(anchor) : undefined;
      this.setStatus("laying out…");
      // Inputs are built and tiny groups laid out here in slices (the UI thread stays free for input);
      // everything bigger goes to the ELK worker, one batch per nesting level.
      let slice = performance.now();
      const breathe = async () => {
        if (performance.now() - slice > 12) {
          await new Promise((r) => setTimeout(r, 0));
          slice = performance.now();
        }
      };
      for (;;) {
        const groups = this.model.pendingGroups();
        if (!groups.length) break;
        await breathe();
        const big: GroupLayoutInput[] = [];
        for (const gi of groups) {
          const inp = this.model.layoutInput(gi);
          if (!inp) continue;
          if (inp.input.children.length > TINY_MAX) big.push(inp);
          else this.model.setLayout(inp, tinyLayout(inp.input));
          await breathe();
        }
        // (data-first-layout="elk" on the body restores waiting for ELK: the bench's anchor)
        if (big.length && this.layout.warmAt === undefined && document.body.dataset.firstLayout !== "elk") {
          // ELK is still starting (about a second on a cold page): never wait for it.
          for (const p of big) {
            this.model.setLayout(p, fastLayout(p.input));
            this.provisional.add(p.group);
            await breathe();
          }
        } else if (big.length) {
          const { results } = await this.layout.run(big.map((p) => p.input));
          results.forEach((r, i) => this.model.setLayout(big[i], r));
        }
        await breathe();
      }
      // The final steps each get their own task (a 10,000-node scene, its renderer index and the minimap
      // together block the UI thread for 150-250 ms on a loaded machine; apart, each stays well under 100 ms).
      await breathe();
      const tScene = performance.now();
      const scene = this.model.scene();
      const sceneEdgeOf = new Map<number, number>();
      scene.edges.forEach((se, si) => se.edges.forEach((ei) => sceneEdgeOf.set(ei, si)));
      const big = scene.items.length > SLICE_ITEMS;
      if (big) await nextTask();
      const tRender = performance.now();
      this.scene = scene;
      this.sceneEdgeOf = sceneEdgeOf;
      this.renderer.setScene(this.scene);
      const after = anchor ? this.scene.byKey.get(anchor) : undefined;
      if (before && after) {
        const t = this.renderer.currentTransform;
        this.renderer.keepInPlace({ x: before.x * t.k, y: before.y * t.k }, { x: after.x * t.k, y: after.y * t.k });
      }
      if (big) await nextTask();
      const tMini = performance.now();
      this.minimap.setScene(this.scene);
      this.minimap.setView(this.renderer.currentTransform, ...this.renderer.size());
      const tClasses = performance.now();
      this.refreshClasses();
      const ms = performance.now() - t0;
      this.lastTimings = {
        layoutMs: tScene - t0,
        sceneMs: tRender - tScene,
        renderMs: tMini - tRender,
        minimapMs: tClasses - tMini,
        classesMs: performance.now() - tClasses,
      };
      const leaves = this.scene.items.filter((i) => i.kind === "leaf").length;
      this.setStatus(`${formatCount(this.g.nodes.length)} nodes · ${formatCount(leaves)} shown · ${Math.round(ms)} ms`);
      if (notify) this.post({ type: "graph/rendered", reason, ms, visibleNodes: this.scene.items.length });
      return ms;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch((e) => this.setStatus(`layout failed: ${(e as Error).message}`));
    return p;
  }

  private setStatus(s: string): void {
    this.status.textContent = s;
  }

  async toggle(gi: number): Promise<number> {
    if (gi <= 0) return 0;
    const m = this.model;
    const was = m.expanded.has(gi);
    if (was) m.expanded.delete(gi);
    else m.expanded.add(gi);
    const ms = await this.relayout(was ? "collapse" : "expand", `g${gi}`);
    if (this.selected === `g${gi}`) this.details.showGroup(gi, m.expanded.has(gi));
    return ms;
  }

  async expandAll(gi: number): Promise<number> {
    const out: number[] = [gi];
    for (let i = 0; i < out.length; i++)
      for (const c of this.g.groups[out[i]].groups) if (!this.model.groupHidden(c)) out.push(c);
    for (const c of out) if (c > 0) this.model.expanded.add(c);
    const ms = await this.relayout("expandAll", gi > 0 ? `g${gi}` : undefined);
    // The whole picture changed size: fit it again (legibly; the minimap shows the rest).
    if (gi <= 0) this.fitFirst();
    return ms;
  }

  async collapseAll(): Promise<number> {
    this.model.expanded.clear();
    this.model.expanded.add(0);
    const ms = await this.relayout("collapse");
    this.renderer.fit(true);
    return ms;
  }

  private onClick(key: ItemKey): void {
    // Clicking a group box expands it; clicking an expanded frame's header collapses it.
    this.select(key);
    if (key[0] === "g") void this.toggle(+key.slice(1));
  }

  select(key: ItemKey | undefined): void {
    this.selected = key;
    if (!key) {
      this.details.clear();
    } else if (key[0] === "n") {
      this.details.showNode(+key.slice(1));
      this.announceSelection();
    } else {
      const gi = +key.slice(1);
      this.details.showGroup(gi, this.model.expanded.has(gi));
    }
    this.refreshClasses();
    // The details pane takes width from the canvas: keep the selection in view beside it.
    if (key) requestAnimationFrame(() => this.keepVisible(key));
  }

  /** Pans (never zooms) so the item showing `key` is inside the canvas. */
  private keepVisible(key: ItemKey): void {
    const it = this.scene?.byKey.get(this.visibleKey(key));
    if (!it || it.kind === "frame") return;
    const t = this.renderer.currentTransform;
    const [w, h] = this.renderer.size();
    const [x0, y0] = t.apply([it.x, it.y]);
    const [x1, y1] = t.apply([it.x + it.w, it.y + Math.min(it.h, 60)]);
    const dx = x1 > w - 16 ? w - 16 - x1 : x0 < 16 ? 16 - x0 : 0;
    const dy = y1 > h - 16 ? h - 16 - y1 : y0 < 16 ? 16 - y0 : 0;
    if (dx || dy) this.renderer.panBy(dx, dy);
  }

  private announceSelection(): void {
    if (!this.selected || this.selected[0] !== "n") return;
    const n = this.g.nodes[+this.selected.slice(1)];
    this.post({ type: "graph/selected", target: { fn: n.fn, node: n.name }, op: n.op });
  }

  /** Maps node/group keys to what is visible for them (the leaf, or its outermost collapsed ancestor). */
  private visibleKey(key: ItemKey): ItemKey {
    if (key[0] === "n") return this.model.visibleOf(+key.slice(1));
    const anc = this.model.ancestors(key);
    for (let k = anc.length - 1; k >= 0; k--) if (!this.model.expanded.has(anc[k])) return `g${anc[k]}`;
    return key;
  }

  private refreshClasses(): void {
    const r = this.renderer;
    r.setClasses("selected", this.selected ? [this.visibleKey(this.selected)] : []);
    r.setClasses(
      "match",
      this.matches.slice(0, 5000).map((h) => this.visibleKey(h.key)),
    );
    if (this.traced) {
      const keys = new Set<ItemKey>();
      for (const n of this.traced.nodes) keys.add(this.model.visibleOf(n));
      r.setClasses("trace", keys);
      const se = new Set<number>();
      for (const e of this.traced.edges) {
        const s = this.sceneEdgeOf.get(e);
        if (s !== undefined) se.add(s);
      }
      r.setEdgeClasses("trace", se);
    } else {
      r.setClasses("trace", []);
      r.setEdgeClasses("trace", []);
    }
    const hl = new Set<number>();
    if (this.selected?.[0] === "n") {
      const n = +this.selected.slice(1);
      for (const e of [...this.inEdges[n], ...this.outEdges[n]]) {
        const s = this.sceneEdgeOf.get(e);
        if (s !== undefined) hl.add(s);
      }
    }
    r.setEdgeClasses("hl", hl);
  }

  private showMatches(hits: SearchHit[]): void {
    this.matches = hits;
    this.refreshClasses();
    this.setStatus(hits.length ? `${formatCount(hits.length)} matches` : "");
  }

  /** Expands the ancestors of a node or group, then selects it and centres it. */
  async reveal(key: ItemKey): Promise<void> {
    let changed = false;
    if (key[0] === "n" && this.model.nodeHidden(+key.slice(1))) {
      const n = +key.slice(1);
      const m = this.model;
      const flag = m.folding.weight[n] ? "showWeights" : m.folding.pass[n] ? "showPassThrough" : "showBoiler";
      m[flag] = true;
      if (this.g.nodes[n].boiler) m.showBoiler = true;
      for (const f of ["showBoiler", "showWeights", "showPassThrough"] as const)
        if (this.flagButtons[f]) setPressed(this.flagButtons[f], m[f]);
      m.recount();
      m.clearLayouts();
      changed = true;
    }
    for (const a of this.model.ancestors(key))
      if (!this.model.expanded.has(a)) {
        this.model.expanded.add(a);
        changed = true;
      }
    if (changed) await this.relayout("reveal");
    this.select(key);
    const it = this.scene?.byKey.get(this.visibleKey(key));
    if (it) this.renderer.centerOn(it);
  }

  revealRef(ref: GraphNodeRef): boolean {
    const i = this.g.nodes.findIndex((n) => n.fn === ref.fn && n.name === ref.node);
    if (i >= 0) {
      void this.reveal(`n${i}`);
      return true;
    }
    const gi = this.g.groups.findIndex((x) => x.call?.fn === ref.fn && x.call.name === ref.node);
    if (gi > 0) {
      void this.reveal(`g${gi}`);
      return true;
    }
    this.setStatus(`${ref.node} is not in this view`);
    return false;
  }

  /** Highlights everything the selected node depends on (up) or feeds (down). */
  trace(dir: "up" | "down" | "none"): void {
    if (dir === "none" || this.selected?.[0] !== "n") {
      this.traced = undefined;
      this.refreshClasses();
      return;
    }
    const start = +this.selected.slice(1);
    const nodes = new Set<number>([start]);
    const edges = new Set<number>();
    const todo = [start];
    while (todo.length) {
      const n = todo.pop()!;
      if (dir === "up" && this.g.nodes[n].role === "sigInput") continue;
      for (const ei of dir === "up" ? this.inEdges[n] : this.outEdges[n]) {
        edges.add(ei);
        const next = dir === "up" ? this.g.edges[ei].s : this.g.edges[ei].t;
        if (!nodes.has(next)) {
          nodes.add(next);
          todo.push(next);
        }
      }
    }
    this.traced = { nodes, edges };
    this.refreshClasses();
    this.setStatus(`trace: ${formatCount(nodes.size)} nodes ${dir === "up" ? "upstream" : "downstream"}`);
  }

  private onKey(ev: KeyboardEvent): void {
    const sel = this.selected;
    const key = ev.key;
    if (key === "f" || key === "F") return this.renderer.fit(true);
    if (key === "+" || key === "=") return this.renderer.zoomBy(1.25);
    if (key === "-") return this.renderer.zoomBy(0.8);
    if (key === "Escape") {
      this.traced = undefined;
      this.select(undefined);
      return;
    }
    if (key === "Enter" && sel?.[0] === "g") {
      ev.preventDefault();
      void this.toggle(+sel.slice(1));
      return;
    }
    if (!key.startsWith("Arrow")) return;
    ev.preventDefault();
    const cur = sel ? this.scene?.byKey.get(this.visibleKey(sel)) : undefined;
    if (!cur || !this.scene) {
      const step = 60;
      this.renderer.panBy(
        key === "ArrowLeft" ? step : key === "ArrowRight" ? -step : 0,
        key === "ArrowUp" ? step : key === "ArrowDown" ? -step : 0,
      );
      return;
    }
    // Move to the nearest visible item in the arrow's direction.
    const cx = cur.x + cur.w / 2;
    const cy = cur.y + cur.h / 2;
    let best: { key: ItemKey; d: number } | undefined;
    for (const it of this.scene.items) {
      if (it.key === cur.key || it.kind === "frame") continue;
      const dx = it.x + it.w / 2 - cx;
      const dy = it.y + it.h / 2 - cy;
      const ok = key === "ArrowDown" ? dy > 4 : key === "ArrowUp" ? dy < -4 : key === "ArrowRight" ? dx > 4 : dx < -4;
      if (!ok) continue;
      const along = key === "ArrowDown" || key === "ArrowUp" ? Math.abs(dy) : Math.abs(dx);
      const across = key === "ArrowDown" || key === "ArrowUp" ? Math.abs(dx) : Math.abs(dy);
      const d = along + 2 * across;
      if (!best || d < best.d) best = { key: it.key, d };
    }
    if (best) {
      this.select(best.key);
      const it = this.scene.byKey.get(best.key)!;
      const t = this.renderer.currentTransform;
      const [w, h] = this.renderer.size();
      const [sx, sy] = t.apply([it.x, it.y]);
      if (sx < 0 || sy < 0 || sx > w - 40 || sy > h - 40) this.renderer.centerOn(it, t.k);
    }
  }

  /** The current layout as a standalone SVG document. */
  svg(): string {
    if (!this.scene) return "";
    const font = this.css.getPropertyValue("--font").trim() || "sans-serif";
    return sceneToSvg(this.g, this.scene, {
      colour: (v) => this.colour(v),
      font,
      measure: this.measure,
      weights: (k) => this.model.drawnWeights(k),
    });
  }

  async exportAs(format: "svg" | "png"): Promise<void> {
    if (!this.scene) return;
    const svg = this.svg();
    const base = (this.g.scope.name || "graph").replace(/[^\w.-]+/g, "_");
    this.setStatus(`exporting ${format.toUpperCase()}…`);
    const data = format === "svg" ? svg : await svgToPngBase64(svg, this.scene.width + 32, this.scene.height + 32);
    this.post({ type: "graph/saveFile", format, suggestedName: `${base}.${format}`, data });
    this.setStatus(`${format.toUpperCase()} export ready`);
  }

  get currentScene(): Scene | undefined {
    return this.scene;
  }

  get transform(): ZoomTransform {
    return this.renderer.currentTransform;
  }
}
