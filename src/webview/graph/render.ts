/**
 * Draws a Scene: SVG (d3) for what fits on screen, culled to the viewport; a canvas level-of-detail
 * pass (boxes and lines, no text) when too many items are visible at once. Selection, search matches and
 * traces are CSS classes, so hovering and selecting never re-lays anything out.
 */
import { select, zoom, zoomIdentity, type Selection, type ZoomBehavior, type ZoomTransform } from "d3";
import type { DisplayGraph } from "../../graph/model.js";
import { ellipsize } from "../shared/escape.js";
import { pathD } from "./paths.js";
import type { GraphEdge } from "../../graph/model.js";
import type { WeightRef } from "./fold.js";
import {
  BOX_H,
  groupSubtitle,
  HEADER,
  LABEL_PX,
  LEAF_H,
  LEAF_H1,
  SUB_PX,
  WEIGHT_LINE,
  weightLines,
  type ItemKey,
  type Scene,
  type SceneEdge,
  type SceneItem,
} from "./viewModel.js";

const SVGNS = "http://www.w3.org/2000/svg";
/** Above this many items in view, draw the canvas level of detail instead of SVG. */
const SVG_LIMIT = 1800;
/** Below this zoom, labels are hidden (CSS) in SVG mode. */
const TEXT_MIN_SCALE = 0.35;
/** Below this zoom, the dtype/shape labels under nodes (10 px) are hidden: they would be drawn under 10 px. */
const SHAPE_MIN_SCALE = 1;
const SHAPE_PX = 10;
/** The smallest zoom of a first picture: 11 px second lines stay at least 10 px on screen. */
export const LEGIBLE_SCALE = 10 / SUB_PX;

export interface RenderCallbacks {
  click(key: ItemKey, ev: MouseEvent): void;
  toggle(key: ItemKey): void;
  background(): void;
  viewChanged(t: ZoomTransform): void;
}

type Measure = (t: string, px: number, bold?: boolean) => number;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export class Renderer {
  readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly viewport: SVGGElement;
  private readonly layers: { frames: SVGGElement; edges: SVGGElement; nodes: SVGGElement };
  private readonly lod: HTMLCanvasElement;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private scene: Scene | undefined;
  private edgeBoxes: Box[] = [];
  private readonly els = new Map<string, SVGElement>();
  private transform: ZoomTransform = zoomIdentity;
  private raf = 0;
  private classes = new Map<ItemKey, Set<string>>();
  private readonly outLabels = new Map<ItemKey, Set<string>>();
  private edgeClasses = new Map<number, Set<string>>();
  mode: "svg" | "canvas" = "svg";
  /** How the view was last fitted, until the user pans or zooms (a re-layout then fits the same way). */
  fitted: "fit" | "readable" | undefined;
  /** Frames drawn per second are counted here (bench). */
  frames = 0;
  /** The edges scene edges index (the display graph's plus the view's pass-through edges). */
  edgeList: readonly GraphEdge[];
  /** Weights drawn inside an item (the view model's folding). */
  weights: (key: ItemKey) => WeightRef[] = () => [];
  /** All weights of an item, for its tooltip (a Keras layer box draws "N params" instead of listing them). */
  allWeights: (key: ItemKey) => WeightRef[] = () => [];
  /** Extra tooltip line per item (the run overlay's times); read when an item is drawn. */
  tooltip?: (key: ItemKey) => string | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly g: DisplayGraph,
    private readonly measure: Measure,
    private readonly cb: RenderCallbacks,
  ) {
    this.edgeList = g.edges;
    this.lod = document.createElement("canvas");
    this.lod.className = "lod";
    host.appendChild(this.lod);
    this.svg = select(host)
      .append("svg")
      .attr("role", "img")
      .attr("aria-label", `graph: ${g.title}`) as unknown as Selection<SVGSVGElement, unknown, null, undefined>;
    const defs = this.svg.append("defs");
    defs
      .append("marker")
      .attr("id", "arrow")
      .attr("viewBox", "0 0 10 10")
      .attr("refX", 9)
      .attr("refY", 5)
      .attr("markerWidth", 7)
      .attr("markerHeight", 7)
      .attr("orient", "auto-start-reverse")
      .append("path")
      .attr("d", "M0,0 L10,5 L0,10 z");
    const vp = this.svg.append("g").attr("class", "viewport");
    this.viewport = vp.node()!;
    this.layers = {
      frames: vp.append("g").attr("class", "frames").node()!,
      edges: vp.append("g").attr("class", "edges").node()!,
      nodes: vp.append("g").attr("class", "nodes").node()!,
    };
    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.02, 4])
      .on("zoom", (ev: { transform: ZoomTransform; sourceEvent?: unknown }) => {
        if (ev.sourceEvent) this.fitted = undefined;
        this.transform = ev.transform;
        this.viewport.setAttribute("transform", ev.transform.toString());
        this.schedule();
        this.cb.viewChanged(ev.transform);
      });
    this.svg.call(this.zoomer).on("dblclick.zoom", null);
    this.svg.on("click", (ev: MouseEvent) => {
      const key = this.keyAt(ev);
      if (key) this.cb.click(key, ev);
      else this.cb.background();
    });
    new ResizeObserver(() => this.schedule()).observe(host);
  }

  get currentTransform(): ZoomTransform {
    return this.transform;
  }

  size(): [number, number] {
    return [this.host.clientWidth || 800, this.host.clientHeight || 600];
  }

  /** Item under the pointer: from the DOM in SVG mode, by hit-testing the scene in canvas mode. */
  private keyAt(ev: MouseEvent): ItemKey | undefined {
    let el = ev.target as Element | null;
    while (el && el !== this.svg.node()) {
      const k = (el as HTMLElement).dataset?.key;
      if (k) return k;
      el = el.parentElement;
    }
    if (this.mode === "canvas" && this.scene) {
      const r = this.host.getBoundingClientRect();
      const [x, y] = this.transform.invert([ev.clientX - r.left, ev.clientY - r.top]);
      let best: SceneItem | undefined;
      for (const it of this.scene.items)
        if (
          x >= it.x &&
          x <= it.x + it.w &&
          y >= it.y &&
          y <= it.y + it.h &&
          (it.kind !== "frame" || y <= it.y + HEADER)
        )
          best = it;
      return best?.key;
    }
    return undefined;
  }

  setScene(scene: Scene): void {
    this.scene = scene;
    // What each visible item's outgoing data edges carry ("float32 [-1, 64]"), shown under it when zoomed in.
    this.outLabels.clear();
    for (const e of scene.edges) {
      if (e.ctl) continue;
      const first = this.edgeList[e.edges.find((i) => !this.edgeList[i].ctl) ?? e.edges[0]];
      const d = [first.dtype, first.shape].filter(Boolean).join(" ");
      if (!d) continue;
      const set = this.outLabels.get(e.from) ?? new Set<string>();
      set.add(d);
      this.outLabels.set(e.from, set);
    }
    this.edgeBoxes = scene.edges.map((e) => bboxOf(e.pts));
    for (const el of this.els.values()) el.remove();
    this.els.clear();
    this.schedule();
  }

  private schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  /** Draws now (used by the bench and after scene changes). */
  draw(): void {
    const scene = this.scene;
    if (!scene) return;
    this.frames++;
    const [w, h] = this.size();
    const t = this.transform;
    const pad = 0.25;
    const [vx0, vy0] = t.invert([-w * pad, -h * pad]);
    const [vx1, vy1] = t.invert([w * (1 + pad), h * (1 + pad)]);
    const inView = (b: Box) => b.x1 >= vx0 && b.x0 <= vx1 && b.y1 >= vy0 && b.y0 <= vy1;
    const items: SceneItem[] = [];
    for (const it of scene.items) if (inView({ x0: it.x, y0: it.y, x1: it.x + it.w, y1: it.y + it.h })) items.push(it);
    const edges: number[] = [];
    scene.edges.forEach((_, i) => {
      if (inView(this.edgeBoxes[i])) edges.push(i);
    });
    const canvasMode = items.length + edges.length / 2 > SVG_LIMIT;
    this.mode = canvasMode ? "canvas" : "svg";
    this.viewport.style.display = canvasMode ? "none" : "";
    this.lod.style.display = canvasMode ? "" : "none";
    if (canvasMode) {
      this.drawCanvas(
        items,
        edges.map((i) => scene.edges[i]),
      );
      return;
    }
    this.viewport.classList.toggle("lod-low", t.k < TEXT_MIN_SCALE);
    this.viewport.classList.toggle("lod-mid", t.k < SHAPE_MIN_SCALE);
    const want = new Set<string>();
    for (const it of items) want.add(it.key);
    for (const i of edges) want.add(`e${i}`);
    for (const [k, el] of this.els)
      if (!want.has(k)) {
        el.remove();
        this.els.delete(k);
      }
    for (const it of items) if (!this.els.has(it.key)) this.els.set(it.key, this.makeItem(it));
    for (const i of edges) if (!this.els.has(`e${i}`)) this.els.set(`e${i}`, this.makeEdge(scene.edges[i], i));
  }

  private makeItem(it: SceneItem): SVGElement {
    const g = document.createElementNS(SVGNS, "g");
    g.dataset.key = it.key;
    g.setAttribute("transform", `translate(${it.x},${it.y})`);
    const rect = (cls: string, x: number, y: number, w: number, h: number, rx = 3) => {
      const r = document.createElementNS(SVGNS, "rect");
      r.setAttribute("class", cls);
      r.setAttribute("x", String(x));
      r.setAttribute("y", String(y));
      r.setAttribute("width", String(Math.max(0, w)));
      r.setAttribute("height", String(Math.max(0, h)));
      if (rx) r.setAttribute("rx", String(rx));
      g.appendChild(r);
    };
    const text = (cls: string, x: number, y: number, s: string, anchor?: string) => {
      const t = document.createElementNS(SVGNS, "text");
      t.setAttribute("class", cls);
      t.setAttribute("x", String(x));
      t.setAttribute("y", String(y));
      if (anchor) t.setAttribute("text-anchor", anchor);
      t.textContent = s;
      g.appendChild(t);
    };
    const title = document.createElementNS(SVGNS, "title");
    const out = it.kind === "frame" ? undefined : this.outLabels.get(it.key);
    if (out?.size) {
      const txt = [...out].slice(0, 2).join(" | ") + (out.size > 2 ? ` +${out.size - 2}` : "");
      text(
        "shape",
        6,
        it.h + 10,
        ellipsize(txt, Math.max(it.w, 60), (x) => this.measure(x, SHAPE_PX)),
      );
    }
    if (it.kind === "leaf") {
      const n = this.g.nodes[it.index];
      g.setAttribute("class", `node k-${n.kind}`);
      rect("body", 0, 0, it.w, it.h);
      rect("stripe", 0, 0, 4, it.h, 0);
      const fit = (s: string, px: number) => ellipsize(s, it.w - 16, (x) => this.measure(x, px));
      const ws = this.weights(it.key);
      const one = n.label === n.op;
      if (one) text("label", 10, 16, fit(n.label, LABEL_PX));
      else {
        text("label", 10, 15, fit(n.label, LABEL_PX));
        text("op", 10, 29, fit(n.op, SUB_PX));
      }
      this.weightText(g, ws, one ? LEAF_H1 : LEAF_H, it.w, fit);
      title.textContent = `${n.name}\n${n.op}${n.fn ? `\nin ƒ ${n.fn}` : ""}${weightTitle(ws)}`;
    } else {
      const grp = this.g.groups[it.index];
      const kind = grp.kind === "call" || grp.kind === "body" ? "call" : "group";
      const fit = (s: string, px: number, bold = false) => ellipsize(s, it.w - 34, (x) => this.measure(x, px, bold));
      if (it.kind === "box") {
        g.setAttribute("class", `box k-${kind}`);
        rect("body", 0, 0, it.w, it.h, 5);
        rect("stripe", 0, 0, 4, it.h, 0);
        text("label", 10, 15, fit(grp.label, LABEL_PX, true));
        text("sub", 10, 29, fit(groupSubtitle(this.g, it.index), SUB_PX));
        text("toggle", it.w - 8, 16, "+", "end");
        this.weightText(
          g,
          this.weights(it.key),
          BOX_H,
          it.w,
          (s, px) => ellipsize(s, it.w - 16, (x) => this.measure(x, px)),
          1,
        );
      } else {
        g.setAttribute("class", `frame k-${kind}`);
        rect("body", 0, 0, it.w, it.h, 5);
        rect("head", 0, 0, it.w, HEADER, 5);
        rect("stripe", 0, 0, 4, HEADER, 0);
        text("label", 10, 16, fit(`${grp.label}  ·  ${groupSubtitle(this.g, it.index)}`, LABEL_PX, true));
        text("toggle", it.w - 8, 16, "−", "end");
      }
      title.textContent = `${grp.id || grp.label}\n${groupSubtitle(this.g, it.index)}${grp.fn ? `\nƒ ${grp.fn}` : ""}${it.kind === "box" ? weightTitle(this.allWeights(it.key)) : ""}`;
    }
    const extra = this.tooltip?.(it.key);
    if (extra) title.textContent += `\n${extra}`;
    g.appendChild(title);
    for (const c of this.classes.get(it.key) ?? []) g.classList.add(c);
    (it.kind === "frame" ? this.layers.frames : this.layers.nodes).appendChild(g);
    return g;
  }

  /** The weight lines inside a node, below its first `top` pixels. */
  private weightText(
    g: SVGGElement,
    ws: WeightRef[],
    top: number,
    w: number,
    fit: (s: string, px: number) => string,
    max?: number,
  ) {
    if (!ws.length) return;
    const sep = document.createElementNS(SVGNS, "line");
    sep.setAttribute("class", "wsep");
    sep.setAttribute("x1", "4");
    sep.setAttribute("x2", String(w));
    sep.setAttribute("y1", String(top));
    sep.setAttribute("y2", String(top));
    g.appendChild(sep);
    weightLines(ws, max).forEach((line, i) => {
      const t = document.createElementNS(SVGNS, "text");
      t.setAttribute("class", "weight");
      t.setAttribute("x", "10");
      t.setAttribute("y", String(top + 12 + i * WEIGHT_LINE));
      t.textContent = fit(line, SUB_PX);
      g.appendChild(t);
    });
  }

  private makeEdge(e: SceneEdge, i: number): SVGElement {
    const p = document.createElementNS(SVGNS, "path");
    p.setAttribute("class", e.ctl ? "edge ctl" : "edge");
    p.setAttribute("d", pathD(e.pts));
    p.setAttribute("marker-end", "url(#arrow)");
    const first = this.edgeList[e.edges[0]];
    const title = document.createElementNS(SVGNS, "title");
    const desc = e.ctl ? "control" : [first.dtype, first.shape].filter(Boolean).join(" ") || "tensor";
    title.textContent = `${desc}${e.edges.length > 1 ? ` (${e.edges.length} edges)` : ""}`;
    p.appendChild(title);
    for (const c of this.edgeClasses.get(i) ?? []) p.classList.add(c);
    this.layers.edges.appendChild(p);
    return p;
  }

  private drawCanvas(items: SceneItem[], edges: SceneEdge[]): void {
    const [w, h] = this.size();
    const dpr = window.devicePixelRatio || 1;
    if (this.lod.width !== Math.round(w * dpr) || this.lod.height !== Math.round(h * dpr)) {
      this.lod.width = Math.round(w * dpr);
      this.lod.height = Math.round(h * dpr);
    }
    const ctx = this.lod.getContext("2d")!;
    const css = getComputedStyle(this.host);
    const resolved = new Map<string, string>();
    const v = (n: string) => {
      let c = resolved.get(n);
      if (c === undefined) resolved.set(n, (c = css.getPropertyValue(n).trim() || "#888"));
      return c;
    };
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const t = this.transform;
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    ctx.lineWidth = 1 / t.k;
    ctx.strokeStyle = v("--border");
    ctx.fillStyle = v("--frame-bg");
    for (const it of items) if (it.kind === "frame") ctx.strokeRect(it.x, it.y, it.w, it.h);
    ctx.strokeStyle = v("--edge");
    ctx.beginPath();
    for (const e of edges) {
      ctx.moveTo(e.pts[0], e.pts[1]);
      for (let k = 2; k < e.pts.length; k += 2) ctx.lineTo(e.pts[k], e.pts[k + 1]);
    }
    ctx.stroke();
    const colours = new Map<string, string>();
    const colour = (k: string) => {
      let c = colours.get(k);
      if (!c) colours.set(k, (c = v(`--kind-${k}`)));
      return c;
    };
    for (const it of items) {
      if (it.kind === "frame") continue;
      const k = it.kind === "leaf" ? this.g.nodes[it.index].kind : "call";
      const heat = this.classes.get(it.key);
      const bin = heat?.has("heat") ? [...heat].find((c) => /^heat-\d+$/.test(c)) : undefined;
      // the change overlay (diffOverlay.ts): added / removed / changed in their --diff-* colours
      const diff = heat && ["diff-added", "diff-removed", "diff-changed"].find((c) => heat.has(c));
      ctx.fillStyle = diff ? v(`--${diff}`) : bin ? v(`--${bin}`) : it.kind === "box" ? v("--frame-bg") : colour(k);
      ctx.fillRect(it.x, it.y, it.w, it.h);
      const cls = this.classes.get(it.key);
      // a node's own diff colour is its fill: only other classes (and a group holding changes) are outlined
      if (cls?.size && [...cls].some((c) => !c.startsWith("diff-") || c === "diff-inside")) {
        ctx.strokeStyle = cls.has("selected")
          ? v("--select")
          : cls.has("trace")
            ? v("--trace")
            : cls.has("diff-inside") && !cls.has("match")
              ? v("--diff-changed")
              : v("--match");
        ctx.lineWidth = 3 / t.k;
        ctx.strokeRect(it.x, it.y, it.w, it.h);
        ctx.lineWidth = 1 / t.k;
      } else if (it.kind === "box") {
        ctx.strokeStyle = v("--border");
        ctx.strokeRect(it.x, it.y, it.w, it.h);
      }
    }
  }

  /** Sets CSS classes on items (selected, match, trace, dim); replaces any previous use of these classes. */
  setClasses(cls: string, keys: Iterable<ItemKey>): void {
    for (const [k, set] of this.classes) if (set.delete(cls)) this.els.get(k)?.classList.remove(cls);
    for (const k of keys) {
      let set = this.classes.get(k);
      if (!set) this.classes.set(k, (set = new Set()));
      set.add(cls);
      this.els.get(k)?.classList.add(cls);
    }
    if (this.mode === "canvas") this.schedule();
  }

  setEdgeClasses(cls: string, edgeIdx: Iterable<number>): void {
    for (const [i, set] of this.edgeClasses) if (set.delete(cls)) this.els.get(`e${i}`)?.classList.remove(cls);
    for (const i of edgeIdx) {
      let set = this.edgeClasses.get(i);
      if (!set) this.edgeClasses.set(i, (set = new Set()));
      set.add(cls);
      this.els.get(`e${i}`)?.classList.add(cls);
    }
  }

  fit(animate = false): void {
    if (!this.scene) return;
    const [w, h] = this.size();
    const sw = Math.max(1, this.scene.width);
    const sh = Math.max(1, this.scene.height);
    const k = Math.min(1.2, Math.max(0.02, Math.min((w - 40) / sw, (h - 40) / sh)));
    const t = zoomIdentity.translate((w - sw * k) / 2, Math.max(20, (h - sh * k) / 2)).scale(k);
    this.apply(t, animate);
    this.fitted = "fit";
  }

  /**
   * Fits the whole graph when that keeps labels readable; otherwise shows its top (the inputs) at a
   * readable zoom, centred horizontally — the minimap shows the rest.
   */
  fitReadable(minScale = LEGIBLE_SCALE, focusX?: number): void {
    if (!this.scene) return;
    const [w, h] = this.size();
    const sw = Math.max(1, this.scene.width);
    const sh = Math.max(1, this.scene.height);
    const k = Math.min(1.2, (w - 40) / sw, (h - 40) / sh);
    if (k < minScale) {
      const k2 = Math.max(minScale, Math.min(minScale, (w - 40) / sw));
      // Too wide to fit legibly: keep the inputs (focusX, the top of a top-down layout) in view.
      let x = (w - sw * k2) / 2;
      if (sw * k2 > w - 40) {
        x = focusX === undefined ? 20 : w / 2 - focusX * k2;
        x = Math.min(20, Math.max(w - 20 - sw * k2, x));
      }
      this.apply(zoomIdentity.translate(x, 20).scale(k2), false);
    } else this.fit(false);
    this.fitted = "readable";
  }

  /** Centres an item, zooming in to at least `minScale`. */
  centerOn(it: SceneItem, minScale = 0.8, animate = true): void {
    const [w, h] = this.size();
    const k = Math.max(this.transform.k, minScale);
    const t = zoomIdentity
      .translate(w / 2 - (it.x + it.w / 2) * k, h / 2 - (it.y + Math.min(it.h, 60) / 2) * k)
      .scale(k);
    this.apply(t, animate);
  }

  /** Keeps an item at the same screen position after a re-layout moved it from `before` to `after`. */
  keepInPlace(before: { x: number; y: number }, after: { x: number; y: number }): void {
    const t = this.transform;
    this.apply(t.translate(before.x - after.x, before.y - after.y), false);
  }

  apply(t: ZoomTransform, animate: boolean): void {
    if (animate) this.svg.transition().duration(250).call(this.zoomer.transform, t);
    else this.svg.call(this.zoomer.transform, t);
  }

  /** Pans by screen pixels (keyboard). */
  panBy(dx: number, dy: number): void {
    this.svg.call(this.zoomer.translateBy, dx / this.transform.k, dy / this.transform.k);
  }

  zoomBy(f: number): void {
    this.svg.call(this.zoomer.scaleBy, f);
  }
}

function bboxOf(pts: number[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < pts.length; i += 2) {
    x0 = Math.min(x0, pts[i]);
    x1 = Math.max(x1, pts[i]);
    y0 = Math.min(y0, pts[i + 1]);
    y1 = Math.max(y1, pts[i + 1]);
  }
  return { x0, y0, x1, y1 };
}

function weightTitle(ws: WeightRef[]): string {
  if (!ws.length) return "";
  const lines = ws.slice(0, 12).map((w) => `  ${[w.name, w.dtype, w.shape].filter(Boolean).join(" ")}`);
  return `\nweights (${ws.length}):\n${lines.join("\n")}${ws.length > 12 ? "\n  …" : ""}`;
}
