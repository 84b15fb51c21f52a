/**
 * The graph view's run overlay: after a run of the export, a "Time" toolbar toggle (or T) colours nodes
 * and collapsed groups by measured time (sequential scale from theme colours, legend with the ms range,
 * tooltips with self/inclusive time and count), the details pane gains a "Last run" section (time) and a
 * "Value" section (the tensor the node produced, fetched from the host on selection), and signature
 * views get "Run…" (opens the run form). Pure scale and aggregation in ./runTimes.ts.
 *
 *   const overlay = new RunOverlay(host);        // main.ts: overlay.handle(msg) first, for every message
 *   overlay.attach(view);                          // each new GraphView
 *   overlay.rendered();                            // after each relayout (graph/rendered)
 */
import type { GraphRunData, GraphRunMethods, GraphValuePreview } from "../../protocol/graph.js";
import { RpcClient } from "../../protocol/rpc.js";
import type { HostChannel } from "../shared/host.js";
import { button, h, kvTable as table, setPressed, singleSelect, toggleButton } from "../shared/dom.js";
import { tensorView } from "../shared/tensorView.js";
import type { GraphView } from "./view.js";
import type { ItemKey } from "./viewModel.js";
import {
  aggregateTimes,
  binStarts,
  formatMs,
  heatBin,
  heatPalette,
  heatScale,
  HEAT_BINS,
  opaque,
  parseColour,
  rgbText,
  valueSource,
  type HeatScale,
  type RGB,
  type RunTimes,
} from "./runTimes.js";

const HEAT_CLASSES = [...Array.from({ length: HEAT_BINS }, (_, i) => `heat-${i}`), "heat", "heat-none"];
/** Wait this long after a selection before fetching its value (arrow keys move fast). */
const FETCH_DELAY_MS = 200;

export class RunOverlay {
  private readonly rpc: RpcClient<GraphRunMethods>;
  private run: GraphRunData | undefined;
  private times: RunTimes | undefined;
  private view: GraphView | undefined;
  private inEdges: number[][] = [];
  private on = false;
  private scale: HeatScale | undefined;
  private timeBtn: HTMLElement | undefined;
  private legend: HTMLElement | undefined;
  /** Details sections currently shown, refreshed when a run arrives. */
  private shown: { el: HTMLElement; build: () => Node[] } | undefined;
  private readonly values = new Map<string, Promise<GraphValuePreview>>();
  private themeObserver: MutationObserver | undefined;

  constructor(private readonly host: HostChannel) {
    this.rpc = new RpcClient<GraphRunMethods>((m) => host.post(m), { timeoutMs: 10 * 60_000 });
  }

  /** Feed every host message here first; true when it was for the overlay. */
  handle(msg: unknown): boolean {
    if (this.rpc.handle(msg)) return true;
    const m = msg as { type?: string; run?: GraphRunData };
    if (m?.type === "graph/runData" && m.run) {
      this.setRun(m.run);
      return true;
    }
    return false;
  }

  /** The run data (what tests and the bench read). */
  get lastRun(): GraphRunData | undefined {
    return this.run;
  }

  get timeMode(): boolean {
    return this.on;
  }

  attach(view: GraphView): void {
    this.view = view;
    const g = view.g;
    this.inEdges = g.nodes.map(() => []);
    g.edges.forEach((e, i) => this.inEdges[e.t].push(i));
    this.times = this.run ? aggregateTimes(g, this.run.nodeTimes) : undefined;
    const app = view.renderer.svg.node()?.closest("#app");
    const toolbar = app?.querySelector("#toolbar");
    const canvas = app?.querySelector("#canvas");
    const status = toolbar?.querySelector("#status") ?? null;
    this.timeBtn = toggleButton("Time", "", () => this.toggle(), this.on);
    this.timeBtn.classList.add("time-toggle");
    const buttons: HTMLElement[] = [this.timeBtn];
    if (g.scope.kind === "signature") {
      const sig = g.scope.name;
      const run = button("Run…", undefined, () => this.host.post({ type: "graph/runSignature", signature: sig }));
      run.classList.add("run-signature");
      run.title = `Run signature ${sig}: opens the run form (node times and values then show here)`;
      buttons.push(run);
    }
    for (const b of buttons) toolbar?.insertBefore(b, status);
    this.legend = h("div", { class: "time-legend", attrs: { role: "group", "aria-label": "Time legend" } });
    this.legend.hidden = true;
    canvas?.appendChild(this.legend);
    canvas?.addEventListener("keydown", (ev) => {
      const e = ev as KeyboardEvent;
      if ((e.key === "t" || e.key === "T") && !e.ctrlKey && !e.metaKey && !e.altKey) this.toggle();
    });
    view.renderer.tooltip = (key) => this.tooltip(key);
    // a Const's values (the details pane): asked of the host on this overlay's channel
    view.details.constValue = (n, read) =>
      this.rpc.request("graph/constValue", { fn: g.nodes[n].fn, node: g.nodes[n].name, read });
    view.details.extra = {
      node: (n) => this.sections(() => this.nodeSections(n)),
      group: (gi) => this.sections(() => this.groupSections(gi)),
    };
    if (!this.themeObserver) {
      // VS Code changes the theme variables (html style) and body class when the theme changes
      this.themeObserver = new MutationObserver(() => this.palette() && this.apply(true));
      this.themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });
      this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ["class"] });
    }
    this.palette();
    this.updateButton();
    if (!this.run)
      void this.rpc.request("graph/lastRun", {}).then(
        (r) => r && !this.run && this.setRun(r),
        () => undefined,
      );
  }

  /** After each relayout: colour what is visible now. */
  rendered(): void {
    this.apply(false);
  }

  /** Turns time colouring on or off. */
  toggle(on = !this.on): void {
    this.on = on;
    this.updateButton();
    this.apply(true);
  }

  private setRun(r: GraphRunData): void {
    const prev = this.run;
    this.run = r;
    if (prev?.runId !== r.runId) this.values.clear();
    if (this.view) this.times = aggregateTimes(this.view.g, r.nodeTimes);
    this.updateButton();
    this.apply(true);
    if (this.shown?.el.isConnected) this.shown.el.replaceChildren(...this.shown.build());
  }

  private updateButton(): void {
    const b = this.timeBtn;
    if (!b) return;
    setPressed(b, this.on);
    const r = this.run;
    b.title = r
      ? `Colour nodes by their measured time in the last run (signature ${r.signature}, ${formatMs(this.times?.totalMs ?? NaN)} of kernels) (T)`
      : "Colour nodes by measured time: run a signature first (Run…) (T)";
  }

  /** Resolves the theme into the --heat-N colours (fill and text). */
  private palette(): boolean {
    const css = getComputedStyle(document.documentElement);
    const get = (...names: string[]) => {
      for (const n of names) {
        const c = parseColour(css.getPropertyValue(n));
        if (c) return c;
      }
      return undefined;
    };
    const bg = opaque(get("--bg", "--vscode-editor-background") ?? [30, 30, 30, 1], [30, 30, 30]);
    const base = opaque(get("--node-bg", "--vscode-editorWidget-background") ?? [...bg, 1], bg);
    const hot = opaque(get("--vscode-charts-red", "--vscode-errorForeground") ?? [241, 76, 76, 1], bg);
    const fg = opaque(get("--fg", "--vscode-editor-foreground") ?? [212, 212, 212, 1], bg);
    const steps = heatPalette(base, hot, [fg, bg, [0, 0, 0] as RGB, [255, 255, 255] as RGB]);
    // on body: the observer above watches the html element (a change here must not trigger it)
    const root = document.body.style;
    steps.forEach((s, i) => {
      root.setProperty(`--heat-${i}`, rgbText(s.fill));
      root.setProperty(`--heat-${i}-fg`, rgbText(s.text));
    });
    return true;
  }

  /** Sets the heat classes on the visible items and the legend; `retitle` redraws (new tooltips). */
  private apply(retitle: boolean): void {
    const view = this.view;
    const scene = view?.currentScene;
    if (!view || !scene) return;
    const r = view.renderer;
    const lists = new Map<string, ItemKey[]>(HEAT_CLASSES.map((c) => [c, []]));
    const t = this.times;
    this.scale = undefined;
    if (this.on && t) {
      const vals: [ItemKey, number][] = [];
      for (const it of scene.items) {
        if (it.kind === "frame") continue;
        const ms = it.kind === "leaf" ? t.self[it.index] : t.group[it.index];
        if (!Number.isNaN(ms)) vals.push([it.key, ms]);
        else if (it.kind === "box" || !view.g.nodes[it.index].role) lists.get("heat-none")!.push(it.key);
      }
      this.scale = heatScale(vals.map((v) => v[1]));
      const s = this.scale;
      if (s)
        for (const [key, ms] of vals) {
          lists.get(`heat-${heatBin(ms, s)}`)!.push(key);
          lists.get("heat")!.push(key);
        }
    }
    for (const [cls, keys] of lists) r.setClasses(cls, keys);
    this.updateLegend();
    if (retitle) r.setScene(scene);
  }

  private updateLegend(): void {
    const el = this.legend;
    if (!el) return;
    el.hidden = !this.on;
    if (!this.on) return;
    const run = this.run;
    if (!run) {
      el.replaceChildren(
        h("div", { class: "time-legend-title" }, "Time"),
        h("div", null, "No run yet: Run… runs a signature; its nodes are then coloured by time."),
      );
      return;
    }
    const s = this.scale;
    const head = h(
      "div",
      { class: "time-legend-title" },
      `Time · ${run.signature} · ${formatMs(this.times?.totalMs ?? NaN)} total`,
    );
    if (!s) {
      el.replaceChildren(head, h("div", null, "Nothing on screen ran in the last run."));
      return;
    }
    const starts = binStarts(s);
    const bar = h(
      "div",
      { class: "time-legend-bar" },
      ...starts.map((st, i) =>
        h("span", {
          class: `heat-swatch heat-${i}`,
          title: `${formatMs(st)} – ${formatMs(i + 1 < starts.length ? starts[i + 1] : s.hi)}`,
        }),
      ),
    );
    el.replaceChildren(
      head,
      bar,
      h(
        "div",
        { class: "time-legend-range" },
        h("span", null, formatMs(s.lo)),
        h("span", null, s.log ? "log scale" : "linear"),
        h("span", null, formatMs(s.hi)),
      ),
      h("div", { class: "time-legend-note" }, h("span", { class: "heat-swatch heat-none-swatch" }), "did not run"),
    );
  }

  private tooltip(key: ItemKey): string | undefined {
    const t = this.times;
    const run = this.run;
    if (!t || !run || !this.on || !this.view) return undefined;
    const i = +key.slice(1);
    if (key[0] === "n") {
      if (this.view.g.nodes[i].role && Number.isNaN(t.self[i])) return undefined;
      return timeLine(t, i) ?? `did not run in the last run (${run.signature})`;
    }
    const ms = t.group[i];
    if (Number.isNaN(ms)) return `nothing inside ran in the last run (${run.signature})`;
    return `time: ${formatMs(ms)}${t.groupMeasured[i] ? ` (call, ×${t.groupCount[i]})` : " (sum of the nodes inside)"}`;
  }

  private sections(build: () => Node[]): Node[] {
    const el = h("div", { class: "run-sections" });
    el.replaceChildren(...build());
    this.shown = { el, build };
    return [el];
  }

  private nodeSections(n: number): Node[] {
    const run = this.run;
    const t = this.times;
    const view = this.view;
    if (!run || !t || !view) return [];
    const node = view.g.nodes[n];
    const out: Node[] = [];
    const ran = !Number.isNaN(t.measured[n]);
    const synthetic = !!node.role && !ran;
    if (!synthetic) {
      out.push(h("h3", null, "Last run"));
      const rows: [string, string][] = [["signature", run.signature]];
      if (ran) {
        rows.push(["self time", formatMs(t.self[n])]);
        if (t.inclusive[n]) rows.push(["inclusive", `${formatMs(t.measured[n])} (with the nodes it ran)`]);
        rows.push(["executions", String(t.count[n])]);
        if (t.totalMs > 0 && !t.inclusive[n])
          rows.push(["share", `${((100 * t.self[n]) / t.totalMs).toFixed(1)} % of kernel time`]);
      } else rows.push(["time", "did not run"]);
      out.push(table(rows));
    }
    const outputs = Math.max(1, node.outputs.length);
    const src = (o: number) => {
      const s = valueSource(view.g, this.inEdges, n, o);
      const sn = view.g.nodes[s.n];
      return { fn: sn.fn, node: sn.name, output: s.output, ran: !Number.isNaN(t.measured[s.n]) };
    };
    // a constant's value is shown by the details pane itself (its "Value" section), not again as a run value
    if (!(node.value && view.details.constValue)) out.push(...this.valueSection(outputs, src));
    return out;
  }

  private groupSections(gi: number): Node[] {
    const run = this.run;
    const t = this.times;
    const view = this.view;
    if (!run || !t || !view) return [];
    const grp = view.g.groups[gi];
    const ms = t.group[gi];
    const rows: [string, string][] = [["signature", run.signature]];
    if (Number.isNaN(ms)) rows.push(["time", "nothing inside ran"]);
    else if (t.groupMeasured[gi])
      rows.push(
        ["time", `${formatMs(ms)} (the call, with everything it ran)`],
        ["executions", String(t.groupCount[gi])],
      );
    else rows.push(["time", `${formatMs(ms)} (sum of the nodes inside)`]);
    const out: Node[] = [h("h3", null, "Last run"), table(rows)];
    const call = grp.call;
    if (call && grp.kind === "call") {
      const ran = t.groupMeasured[gi] === 1;
      out.push(
        ...this.valueSection(Math.max(1, call.outputs.length), (o) => ({
          fn: call.fn,
          node: call.name,
          output: o,
          ran,
        })),
      );
    }
    return out;
  }

  /** "Value" heading, an output picker when there are several, and the preview (fetched after a short delay). */
  private valueSection(
    outputs: number,
    src: (o: number) => { fn: string; node: string; output: number; ran: boolean },
  ): Node[] {
    const box = h("div", { class: "run-value", attrs: { "aria-live": "polite" } });
    const show = (o: number) => {
      box.replaceChildren(h("div", { class: "muted" }, "fetching the value…"));
      const s = src(o);
      setTimeout(() => {
        if (!box.isConnected) return;
        void this.fetch(s).then(
          (v) => box.isConnected && box.replaceChildren(...preview(v, s.ran, this.run?.signature ?? "")),
          (e: Error) =>
            box.isConnected &&
            box.replaceChildren(
              h(
                "div",
                { class: "error" },
                s.ran
                  ? `Could not fetch the value: ${e.message}`
                  : `${s.node} did not run in the last run (${this.run?.signature}): ${e.message}`,
              ),
            ),
        );
      }, FETCH_DELAY_MS);
    };
    const head = h("h3", null, "Value (last run)");
    const parts: Node[] = [head];
    if (outputs > 1) {
      const options = Array.from({ length: outputs }, (_, o): [string, string] => [String(o), `output ${o}`]);
      parts.push(singleSelect(options, { class: "run-output", attrs: { "aria-label": "Output" } }, (v) => show(+v)));
    }
    parts.push(box);
    show(0);
    return parts;
  }

  private fetch(s: { fn: string; node: string; output: number }): Promise<GraphValuePreview> {
    const k = `${this.run?.runId}\u0000${s.fn}\u0000${s.node}\u0000${s.output}`;
    let p = this.values.get(k);
    if (!p) {
      p = this.rpc.request("graph/nodeValue", { fn: s.fn, node: s.node, output: s.output });
      p.catch(() => this.values.delete(k));
      if (this.values.size > 200) this.values.clear();
      this.values.set(k, p);
    }
    return p;
  }
}

function timeLine(t: RunTimes, i: number): string | undefined {
  if (Number.isNaN(t.measured[i])) return undefined;
  const x = t.count[i] > 1 ? ` ×${t.count[i]}` : "";
  if (t.inclusive[i]) return `time: ${formatMs(t.self[i])} self, ${formatMs(t.measured[i])} inclusive${x}`;
  return `time: ${formatMs(t.self[i])}${x}`;
}

function preview(v: GraphValuePreview, ran: boolean, signature: string): Node[] {
  const out: Node[] = [];
  out.push(
    h(
      "div",
      { class: "mono" },
      `${v.dtype} [${v.shape.join(", ")}] · ${v.totalElements.toLocaleString("en-US")} value${v.totalElements === 1 ? "" : "s"}`,
    ),
  );
  if (!ran) out.push(h("div", { class: "muted" }, `computed on request (not part of the last run of ${signature})`));
  out.push(
    tensorView({
      label: "value",
      stats: v.stats,
      histogram: v.histogram,
      first: { values: v.values, truncated: v.truncated },
    }),
  );
  return out;
}
