/**
 * The graph view's layout worker: runs elkjs `layered` (in this worker's thread, never the UI's) on one
 * group's children at a time. Requests/replies use src/protocol/rpc.ts with LayoutMethods.
 */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import type { LayoutInput, LayoutMethods, LayoutOutput } from "../../protocol/graph.js";
import { serveRpc } from "../../protocol/rpc.js";
import { FAST_OPTION, fastLayout } from "./fastLayout.js";
import { TINY_MAX, tinyLayout } from "./tinyLayout.js";

interface WorkerScope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(msg: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", fn: (ev: MessageEvent) => void): void;
}
declare const self: WorkerScope;

// elk's bundled worker code installs its own onmessage when it sees a worker scope; we talk rpc instead.
self.onmessage = null;

export const DEFAULT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.layered.crossingMinimization.strategy": "NONE",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.edgeRouting": "POLYLINE",
  "elk.spacing.nodeNode": "18",
  "elk.layered.spacing.nodeNodeBetweenLayers": "22",
  "elk.spacing.edgeNode": "10",
  "elk.spacing.edgeEdge": "5",
  "elk.layered.spacing.edgeNodeBetweenLayers": "8",
  "elk.layered.spacing.edgeEdgeBetweenLayers": "5",
  "elk.padding": "[top=10,left=12,bottom=10,right=12]",
  "elk.separateConnectedComponents": "false",
};

const elk = new ELK();

async function layoutOne(g: LayoutInput): Promise<LayoutOutput> {
  if (g.children.length <= TINY_MAX && !g.options?.["elk.force"]) return tinyLayout(g);
  if (g.options?.[FAST_OPTION]) return fastLayout(g);
  const t0 = performance.now();
  const graph: ElkNode = {
    id: "root",
    layoutOptions: {
      ...DEFAULT_OPTIONS,
      ...Object.fromEntries(Object.entries(g.options ?? {}).filter(([k]) => k !== "elk.force")),
    },
    children: g.children.map((c) => ({ id: c.id, width: c.width, height: c.height })),
    edges: g.edges.filter((e) => !e.free).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const out = await elk.layout(graph);
  const pos = new Map<string, ElkNode>();
  for (const c of out.children ?? []) pos.set(c.id, c);
  const xy = new Float64Array(g.children.length * 2);
  g.children.forEach((c, i) => {
    const p = pos.get(c.id);
    xy[2 * i] = p?.x ?? 0;
    xy[2 * i + 1] = p?.y ?? 0;
  });
  const byId = new Map<string, ElkExtendedEdge>();
  for (const e of (out.edges ?? []) as ElkExtendedEdge[]) byId.set(e.id, e);
  const routes = g.edges.map((e) => {
    const s = byId.get(e.id)?.sections?.[0];
    if (!s) return [];
    const pts = [s.startPoint.x, s.startPoint.y];
    for (const b of s.bendPoints ?? []) pts.push(b.x, b.y);
    pts.push(s.endPoint.x, s.endPoint.y);
    return pts;
  });
  return { key: g.key, width: out.width ?? 0, height: out.height ?? 0, xy, routes, ms: performance.now() - t0 };
}

const handle = serveRpc<LayoutMethods>(
  {
    "layout/warm": async () => {
      const t0 = performance.now();
      await layoutOne({
        key: "warm",
        options: { "elk.force": "true" },
        children: [
          { id: "a", width: 40, height: 20 },
          { id: "b", width: 40, height: 20 },
          { id: "c", width: 40, height: 20 },
        ],
        edges: [
          { id: "e1", source: "a", target: "b" },
          { id: "e2", source: "a", target: "c" },
        ],
      });
      return { ms: performance.now() - t0 };
    },
    "layout/run": async ({ graphs }) => {
      const results: LayoutOutput[] = [];
      for (const g of graphs) results.push(await layoutOne(g));
      return { results };
    },
  },
  (msg, transfer) => self.postMessage(msg, transfer ?? []),
  (r) => (r as { results?: LayoutOutput[] }).results?.map((x) => x.xy.buffer as ArrayBuffer),
);

self.addEventListener("message", (ev: MessageEvent) => {
  handle(ev.data);
});
