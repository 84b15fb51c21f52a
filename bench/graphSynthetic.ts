/**
 * Synthetic exports for the graph bench, written directly with the generated protobuf classes:
 *  - `manyFunctions`: ~50,000 nodes over 2,000 functions (20 stage functions each calling 99 layer
 *    functions of 24 ops), called from a signature;
 *  - `bigFunction`: one function of ~10,000 nodes in nested name scopes plus a 3,000-op flat scope.
 */
import { SavedModel, tensorflow, type IFunctionDef, type INodeDef } from "../src/savedmodel/proto.js";

const DT = tensorflow.DataType;
const f32 = { type: DT.DT_FLOAT };
const shape = (dims: number[]) => ({ list: { shape: [{ dim: dims.map((size) => ({ size })) }] } });

const STRIPPED = [
  {
    name: "MatMul",
    inputArg: [
      { name: "a", typeAttr: "T" },
      { name: "b", typeAttr: "T" },
    ],
    outputArg: [{ name: "product", typeAttr: "T" }],
    attr: [{ name: "T", type: "type" }],
  },
  {
    name: "AddV2",
    inputArg: [
      { name: "x", typeAttr: "T" },
      { name: "y", typeAttr: "T" },
    ],
    outputArg: [{ name: "z", typeAttr: "T" }],
    attr: [{ name: "T", type: "type" }],
  },
  {
    name: "Relu",
    inputArg: [{ name: "features", typeAttr: "T" }],
    outputArg: [{ name: "activations", typeAttr: "T" }],
    attr: [{ name: "T", type: "type" }],
  },
  {
    name: "Mul",
    inputArg: [
      { name: "x", typeAttr: "T" },
      { name: "y", typeAttr: "T" },
    ],
    outputArg: [{ name: "z", typeAttr: "T" }],
    attr: [{ name: "T", type: "type" }],
  },
  {
    name: "Const",
    outputArg: [{ name: "output", typeAttr: "dtype" }],
    attr: [
      { name: "value", type: "tensor" },
      { name: "dtype", type: "type" },
    ],
  },
  {
    name: "Identity",
    inputArg: [{ name: "input", typeAttr: "T" }],
    outputArg: [{ name: "output", typeAttr: "T" }],
    attr: [{ name: "T", type: "type" }],
  },
  {
    name: "Placeholder",
    outputArg: [{ name: "output", typeAttr: "dtype" }],
    attr: [
      { name: "dtype", type: "type" },
      { name: "shape", type: "shape" },
    ],
  },
  {
    name: "StatefulPartitionedCall",
    inputArg: [{ name: "args", typeListAttr: "Tin" }],
    outputArg: [{ name: "output", typeListAttr: "Tout" }],
    attr: [
      { name: "Tin", type: "list(type)" },
      { name: "Tout", type: "list(type)" },
      { name: "f", type: "func" },
    ],
  },
];

function call(name: string, fn: string, input: string[]): INodeDef {
  return {
    name,
    op: "StatefulPartitionedCall",
    input,
    attr: {
      f: { func: { name: fn } },
      Tin: { list: { type: input.map(() => DT.DT_FLOAT) } },
      Tout: { list: { type: [DT.DT_FLOAT] } },
      _output_shapes: shape([-1, 64]),
    },
  };
}

/** A layer body of `ops` nodes: const weights, matmul, bias, activation, in a few scopes. */
function layerBody(fnName: string, ops: number): IFunctionDef {
  const nodes: INodeDef[] = [];
  let prev = "x";
  let prevRef = "x";
  for (let i = 0; nodes.length < ops - 1; i++) {
    const s = `dense_${i}`;
    nodes.push({
      name: `${s}/w`,
      op: "Const",
      attr: {
        dtype: f32,
        value: { tensor: { dtype: DT.DT_FLOAT, tensorShape: { dim: [{ size: 64 }, { size: 64 }] } } },
      },
    });
    nodes.push({
      name: `${s}/MatMul`,
      op: "MatMul",
      input: [prevRef, `${s}/w:output:0`],
      attr: { T: f32, _output_shapes: shape([-1, 64]) },
    });
    nodes.push({
      name: `${s}/add`,
      op: "AddV2",
      input: [`${s}/MatMul:product:0`, prevRef],
      attr: { T: f32, _output_shapes: shape([-1, 64]) },
    });
    nodes.push({
      name: `${s}/Relu`,
      op: "Relu",
      input: [`${s}/add:z:0`],
      attr: { T: f32, _output_shapes: shape([-1, 64]) },
    });
    prev = `${s}/Relu`;
    prevRef = `${prev}:activations:0`;
  }
  nodes.push({ name: "Identity", op: "Identity", input: [prevRef], attr: { T: f32 } });
  void prev;
  return {
    signature: {
      name: fnName,
      inputArg: [{ name: "x", type: DT.DT_FLOAT }],
      outputArg: [{ name: "identity", type: DT.DT_FLOAT }],
    },
    nodeDef: nodes.slice(0, ops),
    ret: { identity: "Identity:output:0" },
  };
}

/** ~50,000 nodes over 2,000 functions, encoded as a real saved_model.pb (bytes). */
export function manyFunctions(stages = 20, layersPerStage = 99, opsPerLayer = 24): Uint8Array {
  const fns: IFunctionDef[] = [];
  for (let s = 0; s < stages; s++) {
    const nodes: INodeDef[] = [];
    let prev = "x";
    for (let l = 0; l < layersPerStage; l++) {
      const fn = `__inference_stage${s}_layer${l}_call_${1000 + s * 100 + l}`;
      fns.push(layerBody(fn, opsPerLayer));
      nodes.push(call(`layer_${l}/StatefulPartitionedCall`, fn, [prev]));
      prev = `layer_${l}/StatefulPartitionedCall:output:0`;
    }
    nodes.push({ name: "Identity", op: "Identity", input: [prev], attr: { T: f32 } });
    fns.push({
      signature: {
        name: `__inference_stage${s}_call_${s}`,
        inputArg: [{ name: "x", type: DT.DT_FLOAT }],
        outputArg: [{ name: "identity", type: DT.DT_FLOAT }],
      },
      nodeDef: nodes,
      ret: { identity: "Identity:output:0" },
    });
  }
  const top: INodeDef[] = [
    {
      name: "serving_default_x",
      op: "Placeholder",
      attr: { dtype: f32, shape: { shape: { dim: [{ size: -1 }, { size: 64 }] } } },
    },
  ];
  let prev = "serving_default_x";
  for (let s = 0; s < stages; s++) {
    top.push(call(`model/stage_${s}/StatefulPartitionedCall`, `__inference_stage${s}_call_${s}`, [prev]));
    prev = `model/stage_${s}/StatefulPartitionedCall`;
  }
  const sm = {
    savedModelSchemaVersion: 1,
    metaGraphs: [
      {
        metaInfoDef: { tags: ["serve"], strippedOpList: { op: STRIPPED } },
        graphDef: { node: top, library: { function: fns } },
        signatureDef: {
          serving_default: {
            inputs: {
              x: {
                name: "serving_default_x:0",
                dtype: DT.DT_FLOAT,
                tensorShape: { dim: [{ size: -1 }, { size: 64 }] },
              },
            },
            outputs: { y: { name: `${prev}:0`, dtype: DT.DT_FLOAT } },
            methodName: "tensorflow/serving/predict",
          },
        },
      },
    ],
  };
  return SavedModel.encode(sm).finish();
}

/** One function of ~10,000 nodes: 8 blocks x 8 layers x 27 parallel units (~110 ops per layer) in scopes, plus a flat 3,000-op scope. */
export function bigFunction(): Uint8Array {
  const nodes: INodeDef[] = [];
  let prevRef = "x";
  // 64 layers of 27 parallel units (const, matmul, residual add, relu) summed into the next layer's input.
  for (let b = 0; b < 8; b++)
    for (let l = 0; l < 8; l++) {
      const outs: string[] = [];
      for (let i = 0; i < 27; i++) {
        const s = `block_${b}/layer_${l}/unit_${i}`;
        nodes.push({ name: `${s}/w`, op: "Const", attr: { dtype: f32 } });
        nodes.push({ name: `${s}/MatMul`, op: "MatMul", input: [prevRef, `${s}/w:output:0`], attr: { T: f32 } });
        nodes.push({ name: `${s}/add`, op: "AddV2", input: [`${s}/MatMul:product:0`, prevRef], attr: { T: f32 } });
        nodes.push({ name: `${s}/Relu`, op: "Relu", input: [`${s}/add:z:0`], attr: { T: f32 } });
        outs.push(`${s}/Relu:activations:0`);
      }
      nodes.push({
        name: `block_${b}/layer_${l}/sum`,
        op: "AddN",
        input: outs,
        attr: { T: f32, N: { i: outs.length } },
      });
      prevRef = `block_${b}/layer_${l}/sum:sum:0`;
    }
  for (let i = 0; i < 3000; i++) {
    const ins = [prevRef];
    if (i >= 7) ins.push(`flat/op_${i - 7}:z:0`);
    else ins.push(prevRef);
    nodes.push({ name: `flat/op_${i}`, op: "Mul", input: ins, attr: { T: f32 } });
    prevRef = `flat/op_${i}:z:0`;
  }
  nodes.push({ name: "Identity", op: "Identity", input: [prevRef], attr: { T: f32 } });
  const fn: IFunctionDef = {
    signature: {
      name: "__inference_big_function_10000",
      inputArg: [{ name: "x", type: DT.DT_FLOAT }],
      outputArg: [{ name: "identity", type: DT.DT_FLOAT }],
    },
    nodeDef: nodes,
    ret: { identity: "Identity:output:0" },
  };
  return SavedModel.encode({
    savedModelSchemaVersion: 1,
    metaGraphs: [
      {
        metaInfoDef: { tags: ["serve"], strippedOpList: { op: STRIPPED } },
        graphDef: { node: [], library: { function: [fn] } },
      },
    ],
  }).finish();
}
