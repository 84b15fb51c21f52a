/**
 * A frozen-graph export whose weights are one big `Const` (as TF1 Object Detection exports, TF Hub
 * modules and serving exports with weights folded in look): y = x + frozen/kernel[:4]... The
 * constant's tensor_content can be gigabytes, so the file comes as a head (every byte before the
 * content, built by the builder) plus `contentBytes` of content the caller writes (fillContent),
 * e.g. streamed to disk in chunks.
 */
import { DataType as DT } from "../dtypes.js";
import { tensorflow } from "../proto.js";
import { GraphBuilder } from "./graph.js";
import { PREDICT_METHOD, SavedModelBuilder } from "./savedModelBuilder.js";

export interface FrozenConstExport {
  /** Every file but saved_model.pb. */
  files: Map<string, Uint8Array>;
  /** saved_model.pb is `head` followed by `contentBytes` bytes of tensor_content (see fillContent). */
  head: Uint8Array;
  contentBytes: number;
  /** Name of the big Const node. */
  constName: string;
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Deterministic content: float32 values i * 0.5 (mod 1024), little-endian. */
export function fillContent(buf: Uint8Array, byteOffset: number): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const first = Math.ceil(byteOffset / 4) * 4;
  for (let o = first - byteOffset; o + 4 <= buf.length; o += 4)
    view.setFloat32(o, (((byteOffset + o) / 4) % 1024) * 0.5, true);
}

/** The export with a Const of `contentBytes` bytes (a multiple of 4) of float32 weights. */
export function frozenConstExport(contentBytes: number): FrozenConstExport {
  if (contentBytes % 4) throw new Error("contentBytes must be a multiple of 4");
  const constName = "frozen/kernel";
  const g = new GraphBuilder();
  const x = g.placeholder("x", DT.DT_FLOAT, [-1, 4]);
  const w = g.constF(constName, [0, 0.5, 1, 1.5], [4]);
  const y = g.identity("y", g.op("AddV2", "add", [x, w]).output);
  const files = new SavedModelBuilder({ tfVersion: "1.15.0", producer: 134 })
    .addMetaGraph(["serve"], {
      graph: g,
      signatureDefs: { serving_default: { inputs: { x }, outputs: { y }, methodName: PREDICT_METHOD } },
      saver: false,
    })
    .save();
  const sm = tensorflow.SavedModel.decode(files.get("saved_model.pb")!);
  files.delete("saved_model.pb");
  const mg = sm.metaGraphs[0];
  const graph = mg.graphDef!;
  const node = graph.node!.find((n) => n.name === constName)!;
  graph.node = graph.node!.filter((n) => n !== node);
  const tensor = node.attr!.value.tensor!;
  tensor.tensorShape = { dim: [{ size: contentBytes / 4 }] } as tensorflow.TensorShapeProto;
  tensor.tensorContent = new Uint8Array();
  delete (node.attr as Record<string, unknown>).value;
  // nest the headers from the innermost (tensor_content) out to the file
  const tensorHead = [...tensorflow.TensorProto.encode(tensor).finish(), 0x22, ...varint(contentBytes)];
  const tensorLen = tensorHead.length + contentBytes;
  const attrHead = [0x42, ...varint(tensorLen), ...tensorHead];
  const attrLen = attrHead.length + contentBytes;
  const entryHead = [0x0a, 5, ...new TextEncoder().encode("value"), 0x12, ...varint(attrLen), ...attrHead];
  const entryLen = entryHead.length + contentBytes;
  const nodeHead = [...tensorflow.NodeDef.encode(node).finish(), 0x2a, ...varint(entryLen), ...entryHead];
  const nodeLen = nodeHead.length + contentBytes;
  const graphHead = [...tensorflow.GraphDef.encode(graph).finish(), 0x0a, ...varint(nodeLen), ...nodeHead];
  const graphLen = graphHead.length + contentBytes;
  mg.graphDef = null;
  const mgHead = [...tensorflow.MetaGraphDef.encode(mg).finish(), 0x12, ...varint(graphLen), ...graphHead];
  const mgLen = mgHead.length + contentBytes;
  sm.metaGraphs = [];
  const head = Uint8Array.from([...tensorflow.SavedModel.encode(sm).finish(), 0x12, ...varint(mgLen), ...mgHead]);
  return { files, head, contentBytes, constName };
}

/** The whole export in memory (saved_model.pb = head + filled content), for tests of a few MiB. */
export function frozenConstFiles(contentBytes: number): {
  files: Map<string, Uint8Array>;
  constName: string;
  pb: Uint8Array;
  contentOffset: number;
} {
  const e = frozenConstExport(contentBytes);
  const pb = new Uint8Array(e.head.length + contentBytes);
  pb.set(e.head);
  fillContent(pb.subarray(e.head.length), 0);
  const files = new Map(e.files);
  files.set("saved_model.pb", pb);
  return { files, constName: e.constName, pb, contentOffset: e.head.length };
}
