/**
 * The graph view's run overlay, pure part: per-node times of a run mapped onto a DisplayGraph (self time
 * of every leaf, time of every group), the sequential colour scale (log when times spread wide), colour
 * mixing from theme colours with readable text, and where a synthetic node's value comes from.
 * No DOM; tested in Node (test/graph/runOverlay.test.ts).
 */
import type { DisplayGraph } from "../../graph/model.js";
import type { GraphNodeTime } from "../../protocol/graph.js";

/** Colour steps of the time scale. */
export const HEAT_BINS = 8;

/** Call and control-flow ops: their measured time includes the nodes they ran (as the run feature counts them). */
const CONTAINER_OPS = /^(?:(?:Stateful)?PartitionedCall|(?:Stateless)?(?:While|If|Case)|RemoteCall|For)$/;

export interface RunTimes {
  /** Per leaf node: time spent in the node itself (NaN: the node did not run). */
  self: Float64Array;
  /** Per leaf node: the measured time (inclusive for calls and loops; NaN: did not run). */
  measured: Float64Array;
  /** Per leaf node: executions (0: did not run). */
  count: Int32Array;
  /** Per leaf node: 1 when its measured time includes other nodes (a call or loop). */
  inclusive: Uint8Array;
  /** Per group: time of everything below it (NaN: nothing below ran). */
  group: Float64Array;
  /** Per group: 1 when `group` is the call node's measured time, 0 when the sum of its children. */
  groupMeasured: Uint8Array;
  /** Per group: executions of its call node (0 when not a measured call). */
  groupCount: Int32Array;
  /** Kernel time of the whole run (calls and loops not counted twice). */
  totalMs: number;
}

const keyOf = (fn: string, node: string) => `${fn}\u0000${node}`;

function isContainer(t: GraphNodeTime): boolean {
  return !!t.inclusive || CONTAINER_OPS.test(t.op);
}

/**
 * Maps a run's node times onto the graph. A leaf's self time is its measured time, except for the op node
 * of an If/While/Case group whose bodies are drawn: that one keeps what its bodies do not account for.
 * A group's time is its call node's measured time when the group is a measured call, else the sum of
 * its children. A function drawn twice (two calls) shows the time summed over both calls in each copy.
 */
export function aggregateTimes(g: DisplayGraph, times: readonly GraphNodeTime[]): RunTimes {
  const byKey = new Map<string, GraphNodeTime>();
  let totalMs = 0;
  for (const t of times) {
    const k = keyOf(t.fn, t.node);
    const prev = byKey.get(k);
    // entries are per node already; merge defensively if a list repeats one
    byKey.set(k, prev ? { ...prev, ms: prev.ms + t.ms, count: prev.count + t.count } : t);
    if (!isContainer(t) && Number.isFinite(t.ms)) totalMs += t.ms;
  }
  const N = g.nodes.length;
  const G = g.groups.length;
  const self = new Float64Array(N).fill(NaN);
  const measured = new Float64Array(N).fill(NaN);
  const count = new Int32Array(N);
  const inclusive = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const nd = g.nodes[i];
    if (nd.role === "sigOutput" || nd.role === "arg" || nd.role === "retval") continue;
    const t = byKey.get(keyOf(nd.fn, nd.name));
    if (!t) continue;
    measured[i] = self[i] = Math.max(0, t.ms);
    count[i] = t.count;
    if (isContainer(t)) inclusive[i] = 1;
  }
  const group = new Float64Array(G).fill(NaN);
  const groupMeasured = new Uint8Array(G);
  const groupCount = new Int32Array(G);
  if (!G) return { self, measured, count, inclusive, group, groupMeasured, groupCount, totalMs };
  // children before parents
  const order: number[] = [0];
  for (let i = 0; i < order.length; i++) for (const c of g.groups[order[i]].groups) order.push(c);
  for (let k = order.length - 1; k >= 0; k--) {
    const gi = order[k];
    const grp = g.groups[gi];
    let sum = 0;
    let any = false;
    for (const c of grp.groups)
      if (!Number.isNaN(group[c])) {
        sum += group[c];
        any = true;
      }
    const call = grp.call;
    for (const n of grp.nodes) {
      // the If/While/Case op node inside its own group, next to its drawn bodies
      if (inclusive[n] && call && g.nodes[n].name === call.name && g.nodes[n].fn === call.fn && grp.groups.length)
        self[n] = Math.max(0, measured[n] - sum);
      if (!Number.isNaN(self[n])) {
        sum += self[n];
        any = true;
      }
    }
    const callTime = call ? byKey.get(keyOf(call.fn, call.name)) : undefined;
    if (callTime) {
      group[gi] = Math.max(0, callTime.ms);
      groupMeasured[gi] = 1;
      groupCount[gi] = callTime.count;
    } else if (any) group[gi] = sum;
  }
  return { self, measured, count, inclusive, group, groupMeasured, groupCount, totalMs };
}

export interface HeatScale {
  lo: number;
  hi: number;
  /** Logarithmic between lo and hi (times spread over more than 20x), else linear from 0. */
  log: boolean;
}

/** The scale for the times on screen (NaN and negative values are ignored); undefined when none is finite. */
export function heatScale(values: Iterable<number>): HeatScale | undefined {
  let hi = -Infinity;
  let minPos = Infinity;
  let any = false;
  for (const v of values) {
    if (!Number.isFinite(v) || v < 0) continue;
    any = true;
    if (v > hi) hi = v;
    if (v > 0 && v < minPos) minPos = v;
  }
  if (!any) return undefined;
  if (hi <= 0) return { lo: 0, hi: 0, log: false };
  const lo = Math.max(minPos, hi / 1000);
  if (hi / lo > 20) return { lo, hi, log: true };
  return { lo: 0, hi, log: false };
}

/** Where `ms` sits on the scale, 0 (fastest) .. 1 (slowest). */
export function heatPosition(ms: number, s: HeatScale): number {
  if (!(s.hi > s.lo)) return ms > 0 ? 1 : 0;
  const t = s.log ? Math.log(Math.max(ms, s.lo) / s.lo) / Math.log(s.hi / s.lo) : (ms - s.lo) / (s.hi - s.lo);
  return Math.min(1, Math.max(0, t));
}

/** Colour step of `ms`: 0 .. bins-1. */
export function heatBin(ms: number, s: HeatScale, bins = HEAT_BINS): number {
  return Math.min(bins - 1, Math.floor(heatPosition(ms, s) * bins));
}

/** Lower bound (ms) of each colour step, for the legend. */
export function binStarts(s: HeatScale, bins = HEAT_BINS): number[] {
  const out: number[] = [];
  for (let i = 0; i < bins; i++) {
    const t = i / bins;
    out.push(s.log ? s.lo * Math.pow(s.hi / s.lo, t) : s.lo + (s.hi - s.lo) * t);
  }
  return out;
}

export type RGB = [number, number, number];

/** #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(), rgba() -> [r, g, b, a] (0..255, alpha 0..1). */
export function parseColour(s: string): [number, number, number, number] | undefined {
  const t = s.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(t);
  if (m) {
    let h = m[1];
    if (h.length <= 4) h = [...h].map((c) => c + c).join("");
    const v = (i: number) => parseInt(h.slice(i, i + 2), 16);
    return [v(0), v(2), v(4), h.length === 8 ? v(6) / 255 : 1];
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(t);
  if (m) {
    const a = m[4] === undefined ? 1 : m[4].endsWith("%") ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return [+m[1], +m[2], +m[3], Math.min(1, Math.max(0, a))];
  }
  return undefined;
}

/** A theme colour as opaque RGB (translucent colours composed over `over`). */
export function opaque(c: [number, number, number, number], over: RGB): RGB {
  const a = c[3];
  return [0, 1, 2].map((i) => Math.round(c[i] * a + over[i] * (1 - a))) as RGB;
}

export function mix(a: RGB, b: RGB, t: number): RGB {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as RGB;
}

function luminance(c: RGB): number {
  const ch = c.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

/** WCAG contrast ratio (1 .. 21). */
export function contrastRatio(a: RGB, b: RGB): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export const rgbText = (c: RGB) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

/**
 * Fill and text colour of each step: from a tint of `hot` over `base` (fast) to `hot` (slow); the text
 * is whichever of `texts` reads best on the fill.
 */
export function heatPalette(base: RGB, hot: RGB, texts: RGB[], bins = HEAT_BINS): { fill: RGB; text: RGB }[] {
  const out: { fill: RGB; text: RGB }[] = [];
  for (let i = 0; i < bins; i++) {
    const fill = mix(base, hot, 0.1 + (0.9 * i) / Math.max(1, bins - 1));
    let text = texts[0];
    for (const c of texts) if (contrastRatio(c, fill) > contrastRatio(text, fill)) text = c;
    out.push({ fill, text });
  }
  return out;
}

/** "1.25 ms", "85 µs", "2.31 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms === 0) return "0 ms";
  return `${(ms * 1000).toFixed(ms >= 0.1 ? 0 : 1)} µs`;
}

/**
 * The real tensor behind a node's output: synthetic nodes (signature outputs, function args/results)
 * pass their input through, so their value is their data input's. Returns the node and output to fetch.
 */
export function valueSource(
  g: DisplayGraph,
  inEdges: readonly (readonly number[])[],
  n: number,
  output: number,
): { n: number; output: number } {
  const seen = new Set<number>();
  while (!seen.has(n)) {
    seen.add(n);
    const role = g.nodes[n].role;
    if (role !== "sigOutput" && role !== "retval" && role !== "arg") break;
    const e = inEdges[n].map((i) => g.edges[i]).find((x) => !x.ctl);
    if (!e) break;
    n = e.s;
    output = e.so;
  }
  return { n, output };
}
