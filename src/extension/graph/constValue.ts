/**
 * A Const node's value for the graph view's details pane, read in the decode worker next to the data: the
 * tensor view's preview (statistics, histogram of all values, first values) and, for tensors up to
 * CONST_TABLE_MAX elements, the values for the paged table. Content the range pass left on disk (constants of
 * 1 MiB and more) is read by range only when asked (`read`), and left on disk again afterwards so the worker
 * does not keep it. Pure (no vscode): runs in the decode worker, tested in Node.
 *
 *   const v = await constValue(mg, "", "dense/kernel", { read: false, maxElements });  // { onDisk: bytes } or a preview
 */
import type { MetaGraph } from "../../savedmodel/savedModel.js";
import { applyDeferred, deferredContentOf } from "../../savedmodel/deferredContent.js";
import { shapeDims } from "../../savedmodel/shape.js";
import { dtypeShortName } from "../../savedmodel/dtypes.js";
import { tensorFromProto } from "../../savedmodel/tensor.js";
import { toWire } from "../../protocol/tensorWire.js";
import type { GraphConstValue } from "../../protocol/graph.js";
import { valuePreview } from "./runPreview.js";

/** Largest constant sent whole to the webview for its paged table (elements); larger ones show first values. */
export const CONST_TABLE_MAX = 65_536;

export interface ConstValueOptions {
  /** Read content left on disk (the "Show values" action); otherwise answer `{ onDisk }` for it. */
  read: boolean;
  /** The preview limit (setting savedModelExplorer.preview.maxElements): larger constants are not decoded. */
  maxElements: number;
  tableMax?: number;
}

export async function constValue(
  mg: MetaGraph,
  fn: string,
  node: string,
  opts: ConstValueOptions,
): Promise<GraphConstValue> {
  const nodes = fn ? mg.functionDef(fn)?.nodeDef : mg.graphDef().node;
  if (!nodes) throw new Error(`no function ${fn} in this meta graph`);
  const nd = nodes.find((n) => n.name === node);
  if (!nd) throw new Error(`no node ${node} in ${fn ? `function ${fn}` : "the meta graph's GraphDef"}`);
  const proto = nd.attr?.value?.tensor;
  if (!proto) throw new Error(`${node} (${nd.op}) holds no constant tensor`);
  const shape = shapeDims(proto.tensorShape);
  const dtype = dtypeShortName(proto.dtype);
  if (!shape) return { reason: `${dtype} of unknown rank` };
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements > opts.maxElements)
    return {
      reason: `${elements.toLocaleString("en-US")} elements is over the preview limit of ${opts.maxElements.toLocaleString("en-US")} (setting savedModelExplorer.preview.maxElements)`,
    };
  const onDisk = deferredContentOf(proto);
  if (onDisk && !opts.read) return { onDisk: onDisk.length };
  let p = proto;
  if (onDisk) {
    const before = proto.tensorContent;
    const bytes = await mg.readTensorContent(proto);
    // decode from a copy and leave the content on disk again: the worker keeps no big constant
    p = { ...proto, tensorContent: bytes };
    proto.tensorContent = before;
    applyDeferred({ t: proto }, [{ path: ["t", "tensorContent"], content: onDisk }]);
  }
  const t = tensorFromProto(p, "saved_model.pb", { maxElements: opts.maxElements });
  const out: GraphConstValue = { preview: valuePreview(t) };
  if (t.values.length <= (opts.tableMax ?? CONST_TABLE_MAX)) out.table = toWire(t).wire;
  return out;
}
