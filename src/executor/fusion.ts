/**
 * Inference-time graph rewrites, done when a body is compiled (pure; no tfjs). Like Grappler's
 * remapper: Conv2D/DepthwiseConv2dNative followed by an inference FusedBatchNorm becomes one fused
 * node whose kernel folds the normalization into the filter and a bias (tfjs-wasm's batch norm costs
 * more than the convolution it follows); Conv/MatMul + BiasAdd become tfjs's fused ops; a sole
 * Relu/Relu6 after either is folded in too. Replaced nodes stay in the body, unreferenced, so
 * fetching them as intermediates still works.
 */
import { attrBool, attrStr } from "./attrs.js";
import type { Body } from "./graph.js";

export const FUSED_CONV_BN = "_FusedConvBatchNorm";
export const FUSED_CONV_BIAS = "_FusedConvBias";
export const FUSED_MATMUL_BIAS = "_FusedMatMulBias";
const BN = new Set(["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"]);
const CONV = new Set(["Conv2D", "DepthwiseConv2dNative"]);

export interface ConvBnFusion extends ConvFusion {
  epsilon: number;
}

export interface MatMulBiasFusion {
  transposeA: boolean;
  transposeB: boolean;
  activation?: "relu" | "relu6";
}

type Uses = Map<string, number>;
const ukey = (n: number, i: number) => `${n}:${i}`;

function countUses(body: Body): Uses {
  const uses: Uses = new Map();
  for (const node of body.nodes)
    for (const i of node.inputs)
      if (i.node >= 0) uses.set(ukey(i.node, i.index), (uses.get(ukey(i.node, i.index)) ?? 0) + 1);
  for (const r of body.rets)
    if (r.node >= 0) uses.set(ukey(r.node, r.index), (uses.get(ukey(r.node, r.index)) ?? 0) + 1);
  return uses;
}

/** If `node`'s output 0 feeds exactly one float Relu/Relu6, that node takes over the fused op. */
function absorbActivation(
  body: Body,
  uses: Uses,
  node: Body["nodes"][number],
  op: string,
  fusion: { activation?: "relu" | "relu6" },
): void {
  if ((uses.get(ukey(node.idx, 0)) ?? 0) !== 1) return;
  const act = body.nodes.find(
    (n) =>
      (n.op === "Relu" || n.op === "Relu6") &&
      n.inputs.length === 1 &&
      n.inputs[0].node === node.idx &&
      n.inputs[0].index === 0,
  );
  if (!act || Number(act.attrs["T"]?.type ?? 1) !== 1) return;
  act.cache.fusion = { ...fusion, activation: act.op === "Relu" ? "relu" : "relu6" };
  act.cache.fusedFrom = node.name;
  act.op = op;
  act.inputs = [...node.inputs];
  act.control = [...new Set([...act.control, ...node.control])];
}

/** All inference rewrites, in order. Returns how many nodes were fused. */
export function optimizeBody(body: Body): number {
  return fuseConvBatchNorm(body) + fuseBiasAdd(body);
}

/** Conv2D/DepthwiseConv2dNative or MatMul → BiasAdd (NHWC) [→ Relu/Relu6]: one fused tfjs op. */
export function fuseBiasAdd(body: Body): number {
  const uses = countUses(body);
  let fused = 0;
  for (const ba of body.nodes) {
    if (ba.op !== "BiasAdd" || ba.inputs.length !== 2 || ba.brokenInput) continue;
    if (attrStr(ba.attrs, "data_format", "NHWC") !== "NHWC" || Number(ba.attrs["T"]?.type ?? 1) !== 1) continue;
    const src = ba.inputs[0];
    if (src.node < 0 || src.index !== 0 || (uses.get(ukey(src.node, 0)) ?? 0) !== 1) continue;
    const p = body.nodes[src.node];
    if (p.brokenInput || p.inputs.length !== 2) continue;
    if (CONV.has(p.op)) {
      const conv = convFusion(p);
      if (!conv) continue;
      ba.cache.fusion = conv;
      ba.op = FUSED_CONV_BIAS;
    } else if (p.op === "MatMul" && Number(p.attrs["T"]?.type ?? 1) === 1) {
      const mm: MatMulBiasFusion = {
        transposeA: attrBool(p.attrs, "transpose_a", false),
        transposeB: attrBool(p.attrs, "transpose_b", false),
      };
      ba.cache.fusion = mm;
      ba.op = FUSED_MATMUL_BIAS;
    } else continue;
    ba.inputs = [p.inputs[0], p.inputs[1], ba.inputs[1]];
    ba.control = [...new Set([...ba.control, ...p.control])];
    fused++;
    absorbActivation(body, uses, ba, ba.op, ba.cache.fusion as { activation?: "relu" | "relu6" });
  }
  return fused;
}

export interface ConvFusion {
  convOp: string;
  convNode: string;
  strides: number[];
  dilations: number[];
  padding: "SAME" | "VALID";
  activation?: "relu" | "relu6";
}

function convFusion(conv: Body["nodes"][number]): ConvFusion | undefined {
  if (attrStr(conv.attrs, "data_format", "NHWC") !== "NHWC" || Number(conv.attrs["T"]?.type ?? 1) !== 1)
    return undefined;
  const padding = attrStr(conv.attrs, "padding", "VALID");
  if (padding !== "SAME" && padding !== "VALID") return undefined;
  const strides = (conv.attrs["strides"]?.list?.i ?? [1, 1, 1, 1]).map(Number);
  const dilations = (conv.attrs["dilations"]?.list?.i ?? [1, 1, 1, 1]).map(Number);
  if (strides.length !== 4 || dilations.length !== 4) return undefined;
  return {
    convOp: conv.op,
    convNode: conv.name,
    strides: [strides[1], strides[2]],
    dilations: [dilations[1], dilations[2]],
    padding,
  };
}

/** Rewrites eligible Conv → FusedBatchNorm pairs in place; returns how many were fused. */
export function fuseConvBatchNorm(body: Body): number {
  const uses = countUses(body);
  let fused = 0;
  for (const bn of body.nodes) {
    if (!BN.has(bn.op) || bn.inputs.length !== 5 || bn.brokenInput) continue;
    if (attrBool(bn.attrs, "is_training", true)) continue;
    if (attrStr(bn.attrs, "data_format", "NHWC") !== "NHWC") continue;
    if (Number(bn.attrs["T"]?.type ?? 1) !== 1) continue;
    let otherOutputs = false;
    for (let i = 1; i < 6; i++) if (uses.get(ukey(bn.idx, i))) otherOutputs = true;
    if (otherOutputs) continue;
    const src = bn.inputs[0];
    if (src.node < 0 || src.index !== 0) continue;
    const conv = body.nodes[src.node];
    if (!CONV.has(conv.op) || conv.inputs.length !== 2 || conv.brokenInput) continue;
    if ((uses.get(ukey(conv.idx, 0)) ?? 0) !== 1) continue;
    const cf = convFusion(conv);
    if (!cf) continue;
    const fusion: ConvBnFusion = { ...cf, epsilon: bn.attrs["epsilon"]?.f ?? 1e-4 };
    bn.cache.fusion = fusion;
    bn.op = FUSED_CONV_BN;
    bn.inputs = [conv.inputs[0], conv.inputs[1], ...bn.inputs.slice(1)];
    bn.control = [...new Set([...bn.control, ...conv.control])];
    bn.outputCount = 1;
    fused++;
    // A sole Relu/Relu6 consumer takes the fused node's place (the batch-norm node stays, unreferenced).
    absorbActivation(body, uses, bn, FUSED_CONV_BN, fusion);
  }
  return fused;
}
