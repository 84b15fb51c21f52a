/** Synthetic exports for benchmarks: a large TF2-style SavedModel built with the generated protobuf classes. */
import { SavedModel, type tensorflow } from "../src/savedmodel/proto.js";

/** A SavedModel with `nodes` nodes spread over a top-level graph and `functions` library functions (~300 B/node). */
export function largeGraph(nodes: number, functions: number): Uint8Array {
  const perFn = Math.floor(nodes / (functions + 1));
  const mkNodes = (prefix: string, n: number): tensorflow.INodeDef[] => {
    const out: tensorflow.INodeDef[] = [
      {
        name: `${prefix}x`,
        op: "Placeholder",
        attr: { dtype: { type: 1 }, shape: { shape: { dim: [{ size: -1 }, { size: 128 }] } } },
      },
    ];
    for (let i = 1; i < n; i++) {
      out.push({
        name: `${prefix}block_${i >> 4}/dense_${i}/MatMul`,
        op: i % 3 === 0 ? "MatMul" : i % 3 === 1 ? "BiasAdd" : "Relu",
        input: [out[i - 1].name!, ...(i % 3 === 0 ? [`${prefix}x`] : [])],
        device: "/device:CPU:0",
        attr: {
          T: { type: 1 },
          _output_shapes: { list: { shape: [{ dim: [{ size: -1 }, { size: 128 }] }] } },
          _class: {
            list: {
              s: [new TextEncoder().encode(`loc:@${prefix}block_${i >> 4}/dense_${i}/kernel/Read/ReadVariableOp`)],
            },
          },
          ...(i % 2 === 0
            ? {
                value: {
                  tensor: {
                    dtype: 1,
                    tensorShape: { dim: [{ size: 128 }] },
                    tensorContent: new Uint8Array(512).fill(i & 255),
                  },
                },
              }
            : {}),
        },
      });
    }
    return out;
  };
  const lib: tensorflow.IFunctionDef[] = [];
  for (let f = 0; f < functions; f++) {
    const body = mkNodes("", perFn).slice(1);
    lib.push({
      signature: {
        name: `__inference_fn_${f}`,
        inputArg: [{ name: "x", type: 1 }],
        outputArg: [{ name: "y", type: 1 }],
      },
      nodeDef: body.map((n, i) => ({ ...n, input: i === 0 ? ["x"] : [`${body[i - 1].name}:product:0`] })),
      ret: { y: `${body[body.length - 1].name}:product:0` },
    });
  }
  return SavedModel.encode({
    savedModelSchemaVersion: 1,
    metaGraphs: [
      {
        metaInfoDef: { tags: ["serve"], tensorflowVersion: "2.15.0" },
        graphDef: {
          node: mkNodes("", nodes - perFn * functions),
          library: { function: lib },
          versions: { producer: 1645 },
        },
        signatureDef: {
          serving_default: {
            inputs: { x: { name: "x:0", dtype: 1 } },
            outputs: { y: { name: "y:0", dtype: 1 } },
            methodName: "tensorflow/serving/predict",
          },
        },
      },
    ],
  }).finish();
}
