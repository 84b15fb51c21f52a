/** Minimap: the whole scene scaled into a corner, the viewport as a rectangle; click or drag to move. */
import type { ZoomTransform } from "d3";
import type { DisplayGraph } from "../../graph/model.js";
import type { Scene } from "./viewModel.js";

export class Minimap {
  readonly el: HTMLElement;
  private readonly base: HTMLCanvasElement;
  private readonly over: HTMLCanvasElement;
  private scene: Scene | undefined;
  private k = 1;
  private ox = 0;
  private oy = 0;

  constructor(
    private readonly g: DisplayGraph,
    private readonly colour: (v: string) => string,
    private readonly moveTo: (x: number, y: number) => void,
  ) {
    this.el = document.createElement("div");
    this.el.className = "minimap";
    this.el.setAttribute("aria-hidden", "true");
    this.base = document.createElement("canvas");
    this.over = document.createElement("canvas");
    this.el.append(this.base, this.over);
    let dragging = false;
    const go = (ev: PointerEvent) => {
      const r = this.el.getBoundingClientRect();
      this.moveTo((ev.clientX - r.left - this.ox) / this.k, (ev.clientY - r.top - this.oy) / this.k);
    };
    this.el.addEventListener("pointerdown", (ev) => {
      dragging = true;
      this.el.setPointerCapture(ev.pointerId);
      go(ev);
    });
    this.el.addEventListener("pointermove", (ev) => dragging && go(ev));
    this.el.addEventListener("pointerup", () => (dragging = false));
  }

  setScene(scene: Scene): void {
    this.scene = scene;
    const w = this.el.clientWidth || 200;
    const h = this.el.clientHeight || 140;
    for (const c of [this.base, this.over]) {
      c.width = w;
      c.height = h;
    }
    this.k = Math.min((w - 8) / Math.max(1, scene.width), (h - 8) / Math.max(1, scene.height));
    this.ox = (w - scene.width * this.k) / 2;
    this.oy = (h - scene.height * this.k) / 2;
    const ctx = this.base.getContext("2d")!;
    ctx.clearRect(0, 0, w, h);
    ctx.setTransform(this.k, 0, 0, this.k, this.ox, this.oy);
    ctx.lineWidth = 1 / this.k;
    ctx.strokeStyle = this.colour("--border");
    for (const it of scene.items) {
      if (it.kind === "frame") ctx.strokeRect(it.x, it.y, it.w, it.h);
      else {
        const grp = it.kind === "box" ? this.g.groups[it.index] : undefined;
        const kind =
          it.kind === "leaf"
            ? `--kind-${this.g.nodes[it.index].kind}`
            : grp?.kind === "call"
              ? "--kind-call"
              : "--muted";
        ctx.fillStyle = this.colour(kind);
        ctx.fillRect(it.x, it.y, it.w, it.h);
      }
    }
  }

  setView(t: ZoomTransform, vw: number, vh: number): void {
    if (!this.scene) return;
    const ctx = this.over.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.over.width, this.over.height);
    const [x0, y0] = t.invert([0, 0]);
    const [x1, y1] = t.invert([vw, vh]);
    ctx.strokeStyle = this.colour("--select");
    ctx.lineWidth = 1.5;
    ctx.strokeRect(this.ox + x0 * this.k, this.oy + y0 * this.k, (x1 - x0) * this.k, (y1 - y0) * this.k);
  }
}
