/**
 * A builder-made TF2 export with many top-level nodes (the builder's TF2 half-plus-two, its object graph and
 * signatures, with `extra` MatMul nodes of about 300 bytes each put before its own): the first view has to
 * find the StatefulPartitionedCall behind each signature among them.
 */
import { halfPlusTwo } from "./models.js";
import { tensorflow } from "../proto.js";

export function manyNodeTf2Files(extra: number): Map<string, Uint8Array> {
  const files = halfPlusTwo({ tf2: true }).save();
  const sm = tensorflow.SavedModel.decode(files.get("saved_model.pb")!);
  const g = sm.metaGraphs[0].graphDef!;
  const filler: tensorflow.INodeDef[] = [];
  for (let i = 0; i < extra; i++)
    filler.push({
      name: `block_${i >> 6}/dense_${i}/MatMul`,
      op: "MatMul",
      input: [i ? `block_${(i - 1) >> 6}/dense_${i - 1}/MatMul` : "x", `block_${i >> 6}/dense_${i}/kernel`],
      device: "/device:CPU:0",
      attr: {
        T: { type: 1 },
        _output_shapes: { list: { shape: [{ dim: [{ size: -1 }, { size: 128 }] }] } },
        value: { tensor: { dtype: 1, tensorShape: { dim: [{ size: 32 }] }, tensorContent: new Uint8Array(128) } },
      },
    });
  g.node = [...filler, ...(g.node ?? [])] as tensorflow.NodeDef[];
  files.set("saved_model.pb", tensorflow.SavedModel.encode(sm).finish());
  return files;
}
