/**
 * Inference-time graph rewrites, done when a body is compiled (pure; no tfjs). Like Grappler's
 * remapper: Conv2D/DepthwiseConv2dNative followed by an inference FusedBatchNorm becomes one fused
 * node whose kernel folds the normalization into the filter and a bias (tfjs-wasm's batch norm costs
 * more than the convolution it follows). The conv node stays in the body, unreferenced, so fetching
 * it as an intermediate still works.
 */
import { attrBool, attrStr } from "./attrs.js";
import type { Body } from "./graph.js";

export const FUSED_CONV_BN = "_FusedConvBatchNorm";
const BN = new Set(["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"]);
const CONV = new Set(["Conv2D", "DepthwiseConv2dNative"]);

export interface ConvBnFusion {
  convOp: string;
  convNode: string;
  strides: number[];
  dilations: number[];
  padding: "SAME" | "VALID";
  epsilon: number;
  /** A following Relu/Relu6 folded in too. */
  activation?: "relu" | "relu6";
}

/** Rewrites eligible Conv → FusedBatchNorm pairs in place; returns how many were fused. */
export function fuseConvBatchNorm(body: Body): number {
  const uses = new Map<string, number>();
  const key = (n: number, i: number) => `${n}:${i}`;
  for (const node of body.nodes)
    for (const i of node.inputs)
      if (i.node >= 0) uses.set(key(i.node, i.index), (uses.get(key(i.node, i.index)) ?? 0) + 1);
  for (const r of body.rets) if (r.node >= 0) uses.set(key(r.node, r.index), (uses.get(key(r.node, r.index)) ?? 0) + 1);
  let fused = 0;
  for (const bn of body.nodes) {
    if (!BN.has(bn.op) || bn.inputs.length !== 5 || bn.brokenInput) continue;
    if (attrBool(bn.attrs, "is_training", true)) continue;
    if (attrStr(bn.attrs, "data_format", "NHWC") !== "NHWC") continue;
    if (Number(bn.attrs["T"]?.type ?? 1) !== 1) continue;
    let otherOutputs = false;
    for (let i = 1; i < 6; i++) if (uses.get(key(bn.idx, i))) otherOutputs = true;
    if (otherOutputs) continue;
    const src = bn.inputs[0];
    if (src.node < 0 || src.index !== 0) continue;
    const conv = body.nodes[src.node];
    if (!CONV.has(conv.op) || conv.inputs.length !== 2 || conv.brokenInput) continue;
    if ((uses.get(key(conv.idx, 0)) ?? 0) !== 1) continue;
    if (attrStr(conv.attrs, "data_format", "NHWC") !== "NHWC") continue;
    const padding = attrStr(conv.attrs, "padding", "VALID");
    if (padding !== "SAME" && padding !== "VALID") continue;
    const strides = (conv.attrs["strides"]?.list?.i ?? [1, 1, 1, 1]).map(Number);
    const dilations = (conv.attrs["dilations"]?.list?.i ?? [1, 1, 1, 1]).map(Number);
    if (strides.length !== 4 || dilations.length !== 4) continue;
    const fusion: ConvBnFusion = {
      convOp: conv.op,
      convNode: conv.name,
      strides: [strides[1], strides[2]],
      dilations: [dilations[1], dilations[2]],
      padding,
      epsilon: bn.attrs["epsilon"]?.f ?? 1e-4,
    };
    bn.cache.fusion = fusion;
    bn.op = FUSED_CONV_BN;
    bn.inputs = [conv.inputs[0], conv.inputs[1], ...bn.inputs.slice(1)];
    bn.control = [...new Set([...bn.control, ...conv.control])];
    bn.outputCount = 1;
    fused++;
    // A sole Relu/Relu6 consumer takes the fused node's place (the batch-norm node stays, unreferenced).
    if ((uses.get(key(bn.idx, 0)) ?? 0) === 1) {
      const act = body.nodes.find(
        (n) =>
          (n.op === "Relu" || n.op === "Relu6") &&
          n.inputs.length === 1 &&
          n.inputs[0].node === bn.idx &&
          n.inputs[0].index === 0,
      );
      if (act && Number(act.attrs["T"]?.type ?? 1) === 1) {
        act.cache.fusion = { ...fusion, activation: act.op === "Relu" ? "relu" : "relu6" };
        act.cache.fusedFrom = bn.name;
        act.op = FUSED_CONV_BN;
        act.inputs = [...bn.inputs];
        act.control = [...new Set([...act.control, ...bn.control])];
      }
    }
  }
  return fused;
}
