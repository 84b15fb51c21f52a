/**
 * Keras layers as TensorFlow recorded them: the object graph's user objects ("_tf_keras_layer",
 * "_tf_keras_network", ...) whose metadata JSON (in the object graph, or in keras_metadata.pb since TF 2.5)
 * names the layer and its class; a layer's parameter count is the element count of the variables below it.
 * The graph view labels scope and call boxes that are layers with "Conv2D · 896 params".
 */
import type { GraphGroup } from "./model.js";
import type { tensorflow } from "../savedmodel/proto.js";

export interface KerasLayer {
  name: string;
  className: string;
  params: number;
}

const KERAS_ID = /^_tf_keras_/;

function metadataName(json: string | null | undefined): { name?: string; className?: string } {
  if (!json) return {};
  try {
    const m = JSON.parse(json) as { name?: unknown; class_name?: unknown };
    return {
      name: typeof m.name === "string" ? m.name : undefined,
      className: typeof m.class_name === "string" ? m.class_name : undefined,
    };
  } catch {
    return {};
  }
}

function elements(shape: tensorflow.ITensorShapeProto | null | undefined): number {
  if (!shape || shape.unknownRank) return 0;
  let n = 1;
  for (const d of shape.dim ?? []) {
    const s = Number(d.size ?? 0);
    if (s < 0) return 0;
    n *= s;
  }
  return n;
}

/** Layers by name (the name Keras gave them, which is also their name scope). */
export function kerasLayers(
  og: tensorflow.ISavedObjectGraph | null | undefined,
  metadata?: readonly tensorflow.IKerasSavedObject[] | null,
): Map<string, KerasLayer> {
  const out = new Map<string, KerasLayer>();
  const nodes = og?.nodes ?? [];
  if (!nodes.length) return out;
  const meta = new Map<number, tensorflow.IKerasSavedObject>();
  for (const m of metadata ?? []) if (typeof m.nodeId === "number") meta.set(m.nodeId, m);
  const paramsMemo = new Map<number, Set<number>>();
  // Variables below an object (children, depth-first; shared variables counted once per layer).
  const varsBelow = (id: number, seen = new Set<number>()): Set<number> => {
    const hit = paramsMemo.get(id);
    if (hit) return hit;
    const vars = new Set<number>();
    if (seen.has(id) || seen.size > 100_000) return vars;
    seen.add(id);
    for (const c of nodes[id]?.children ?? []) {
      const cid = c.nodeId;
      if (typeof cid !== "number" || !nodes[cid]) continue;
      // Optimizer slots and trackable internals are not the layer's parameters.
      if (/^(optimizer|_|keras_api$|signatures$)/.test(c.localName ?? "")) continue;
      if (nodes[cid].variable) vars.add(cid);
      else for (const v of varsBelow(cid, seen)) vars.add(v);
    }
    paramsMemo.set(id, vars);
    return vars;
  };
  nodes.forEach((n, id) => {
    const identifier = meta.get(id)?.identifier || n.userObject?.identifier || "";
    if (!KERAS_ID.test(identifier)) return;
    const md = metadataName(meta.get(id)?.metadata || n.userObject?.metadata);
    if (!md.name || out.has(md.name)) return;
    let params = 0;
    for (const v of varsBelow(id)) params += elements(nodes[v].variable?.shape);
    out.set(md.name, { name: md.name, className: md.className ?? identifier.replace(KERAS_ID, ""), params });
  });
  return out;
}

/** The layer name a call function is traced for ("__inference_conv2d_layer_call_fn_123" -> "conv2d"). */
function layerOfFunction(fn: string): string | undefined {
  const m = /^__inference_(.+?)_layer_call_(?:fn|and_return_conditional_losses)_\d+$/.exec(fn);
  return m?.[1];
}

/** Sets `layer` on the scope, series and call groups that are Keras layers. */
export function annotateLayers(groups: GraphGroup[], layers: Map<string, KerasLayer>): void {
  if (!layers.size) return;
  for (const g of groups) {
    if (g.kind !== "scope" && g.kind !== "call") continue;
    const last = g.label.slice(g.label.lastIndexOf("/") + 1);
    const byFn = g.fn ? layerOfFunction(g.fn) : undefined;
    const layer = layers.get(last) ?? (byFn ? layers.get(byFn) : undefined);
    if (layer) g.layer = { className: layer.className, params: layer.params };
  }
}
