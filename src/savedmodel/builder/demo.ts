/**
 * The demo export opened by `npm start` with no folder: a small Keras-like TF2 digit classifier (Conv2D +
 * MaxPool ×2, Flatten, Dense ×2) with a Sequential layer tree in the object graph, three signatures
 * (serving_default, embed, predict_labels — the last through a lookup table the init op fills from the labels
 * asset), a labels asset tracked by the object graph, variables in two
 * shards, a fingerprint and an assets.extra marker that identifies the folder as a demo export.
 */
import { DataType } from "../dtypes.js";
import { attr } from "./attrs.js";
import { GraphBuilder, tensorOf, type FunctionBuilder, type VariableRecord } from "./graph.js";
import type { Tensor } from "./nodeScope.js";
import { ObjectGraphBuilder } from "./objects.js";
import { SavedModelBuilder, type SaveOptions } from "./savedModelBuilder.js";
import { addTf2Saver, addTf2Signatures, filledTensor, randomTensor, rng } from "./tf2.js";

const DT = DataType;

/** Written to assets.extra/ so tools can tell a generated demo folder from a user's export. */
export const DEMO_MARKER_FILE = "assets.extra/savedmodel-explorer-demo.json";
export const DEMO_LABELS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
export const DEMO_SAVE_OPTIONS: SaveOptions = { format: "binary", numShards: 2, fingerprint: true, sharding: "size" };

interface DenseLayer {
  name: string;
  kernel: VariableRecord;
  bias: VariableRecord;
}

/** The demo model's builder (save with DEMO_SAVE_OPTIONS, or use demoExportFiles()). */
export function demoExport(): SavedModelBuilder {
  const F = DT.DT_FLOAT;
  const next = rng(2024);
  const g = new GraphBuilder();
  const keras = (name: string, cls: string) =>
    JSON.stringify({ name, class_name: cls, trainable: true, dtype: "float32" });
  const og = new ObjectGraphBuilder("_tf_keras_sequential", keras("digits_cnn", "Sequential"));
  const layer = (
    index: number,
    weighted: number | undefined,
    cls: string,
    name: string,
    config: Record<string, unknown>,
  ) => {
    const id = og.kerasLayer(
      og.root,
      weighted === undefined ? `layer-${index}` : `layer_with_weights-${weighted}`,
      cls,
      name,
      config,
    );
    if (weighted !== undefined) og.addChild(og.root, `layer-${index}`, id);
    return id;
  };
  const weights = (lid: number, name: string, kshape: number[], units: number): DenseLayer => {
    const fanIn = kshape.slice(0, -1).reduce((a, b) => a * b, 1);
    const kernel = g.variable(`${name}/kernel`, randomTensor(F, kshape, Math.sqrt(6 / (fanIn + units)), next), {
      initializer: "none",
    });
    const bias = g.variable(`${name}/bias`, filledTensor(F, [units], 0.01), { initializer: "none" });
    og.variable(lid, "kernel", kernel);
    og.variable(lid, "bias", bias);
    return { name, kernel, bias };
  };
  const conv1 = weights(
    layer(0, 0, "Conv2D", "conv2d", { filters: 8, kernel_size: [3, 3], activation: "relu", padding: "same" }),
    "conv2d",
    [3, 3, 1, 8],
    8,
  );
  layer(1, undefined, "MaxPooling2D", "max_pooling2d", { pool_size: [2, 2] });
  const conv2 = weights(
    layer(2, 1, "Conv2D", "conv2d_1", { filters: 16, kernel_size: [3, 3], activation: "relu", padding: "same" }),
    "conv2d_1",
    [3, 3, 8, 16],
    16,
  );
  layer(3, undefined, "MaxPooling2D", "max_pooling2d_1", { pool_size: [2, 2] });
  layer(4, undefined, "Flatten", "flatten", {});
  const dense = weights(layer(5, 2, "Dense", "dense", { units: 32, activation: "relu" }), "dense", [784, 32], 32);
  const logitsLayer = weights(
    layer(6, 3, "Dense", "dense_1", { units: 10, activation: "linear" }),
    "dense_1",
    [32, 10],
    10,
  );
  og.asset(og.root, "labels_file", 0);
  // class id -> label: a StaticHashTable filled from the labels asset by the init op (line number -> line)
  const assetPath = g.constStr("asset_path_initializer", "labels.txt");
  const table = g.op("HashTableV2", "hash_table", [], {
    key_dtype: attr.type(DT.DT_INT64),
    value_dtype: attr.type(DT.DT_STRING),
    shared_name: attr.s(`hash_table_labels_txt_-1_-2_${g.uid()}`),
  }).output;
  const tableId = og.resource(og.root, "label_table");
  const initFn = g.function(`__inference__initializer_${g.uid()}`, {
    inputs: [
      { name: "asset_path", dtype: DT.DT_STRING, shape: [] },
      { name: "table", dtype: DT.DT_RESOURCE, shape: [] },
    ],
    body: (f, path, t) => {
      f.op("InitializeTableFromTextFileV2", "text_file_init/InitializeTableFromTextFileV2", [t, path], {
        key_index: attr.i(-1), // TextFileIndex.LINE_NUMBER
        value_index: attr.i(-2), // TextFileIndex.WHOLE_LINE
      });
      return {};
    },
  });
  const tableInit = g.call(initFn, [assetPath, table]);

  const features = (f: FunctionBuilder, image: Tensor, read: (v: VariableRecord) => Tensor): Tensor => {
    const convBlock = (l: DenseLayer, x: Tensor, pool: string) => {
      const y = f.scope(l.name, () => {
        const c = f.op("Conv2D", "Conv2D", [x, read(l.kernel)], {
          strides: attr.listI([1, 1, 1, 1]),
          padding: attr.s("SAME"),
        }).output;
        const b = f.op("BiasAdd", "BiasAdd", [c, read(l.bias)]).output;
        return f.op("Relu", "Relu", [b]).output;
      });
      const k = attr.listI([1, 2, 2, 1]);
      return f.scope(
        pool,
        () => f.op("MaxPool", "MaxPool", [y], { ksize: k, strides: k, padding: attr.s("VALID") }).output,
      );
    };
    const p1 = convBlock(conv1, image, "max_pooling2d");
    const p2 = convBlock(conv2, p1, "max_pooling2d_1");
    const flat = f.scope("flatten", () => f.op("Reshape", "Reshape", [p2, f.constI32("Const", [-1, 784])]).output);
    const emb = f.scope("dense", () => {
      const mm = f.op("MatMul", "MatMul", [flat, read(dense.kernel)]).output;
      return f.op("Relu", "Relu", [f.op("BiasAdd", "BiasAdd", [mm, read(dense.bias)]).output]).output;
    });
    emb.shape = [-1, 32];
    return emb;
  };
  const head = (f: FunctionBuilder, emb: Tensor, read: (v: VariableRecord) => Tensor) => {
    const logits = f.scope("dense_1", () => {
      const mm = f.op("MatMul", "MatMul", [emb, read(logitsLayer.kernel)]).output;
      return f.op("BiasAdd", "BiasAdd", [mm, read(logitsLayer.bias)]).output;
    });
    logits.shape = [-1, 10];
    const probabilities = f.op("Softmax", "Softmax", [logits]).output;
    probabilities.shape = [-1, 10];
    const classIds = f.op("ArgMax", "ArgMax", [probabilities, f.constI32("ArgMax/dimension", -1)], {
      output_type: attr.type(DT.DT_INT64),
    }).output;
    classIds.shape = [-1];
    return { logits, probabilities, class_ids: classIds };
  };
  const image = [{ name: "image", dtype: F, shape: [-1, 28, 28, 1] }];
  const sigs = addTf2Signatures(
    g,
    {
      serving_default: {
        inputs: image,
        functionName: "call",
        body: (f, [x], read) => head(f, features(f, x, read), read),
      },
      embed: {
        inputs: image,
        functionName: "embed",
        variables: [conv1, conv2, dense].flatMap((l) => [l.kernel, l.bias]),
        body: (f, [x], read) => ({ embedding: features(f, x, read) }),
      },
      predict_labels: {
        inputs: image,
        functionName: "predict_labels",
        body: (f, [x], read, capture) => {
          const { class_ids, probabilities } = head(f, features(f, x, read), read);
          const handle = capture(table, "lookuptablefindv2_table_handle", tableId);
          const label = f.op("LookupTableFindV2", "label_lookup/LookupTableFindV2", [
            handle,
            class_ids,
            f.constStr("label_lookup/Const", "unknown"),
          ]).output;
          label.shape = [-1];
          const score = f.op("Max", "Max", [probabilities, f.constI32("Max/reduction_indices", -1)]).output;
          score.shape = [-1];
          return { label, score };
        },
      },
    },
    og,
  );
  og.function(og.root, "__call__", [sigs.bodies.serving_default.name], {
    args: [{ name: "inputs", dtype: F, shape: [-1, 28, 28, 1] }],
    argNames: ["inputs"],
  });
  const init = g.noOp("NoOp", [tableInit]);
  addTf2Saver(g, og);
  return new SavedModelBuilder({ tfVersion: "2.15.0" }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: sigs.signatureDefs,
    assets: [{ filename: "labels.txt", contents: DEMO_LABELS.join("\n") + "\n", tensorName: `${assetPath.ref}:0` }],
    assetsExtra: [
      {
        filename: DEMO_MARKER_FILE.slice("assets.extra/".length),
        contents:
          JSON.stringify({ generator: "savedmodel-explorer demoExport()", model: "digits_cnn", version: 1 }, null, 2) +
          "\n",
      },
    ],
    mainOp: init,
    objectGraph: og,
  });
}

/** The demo export's files, saved with DEMO_SAVE_OPTIONS. */
export function demoExportFiles(): Map<string, Uint8Array> {
  return demoExport().save(DEMO_SAVE_OPTIONS);
}

/** A sample input for the demo's image signatures: a blurry "1" stroke, shape [1, 28, 28, 1]. */
export function demoSampleImage(): ReturnType<typeof tensorOf> {
  const v = new Float32Array(28 * 28);
  for (let r = 4; r < 24; r++) for (let c = 12; c < 16; c++) v[r * 28 + c] = c === 12 || c === 15 ? 0.5 : 1;
  return tensorOf(DT.DT_FLOAT, [1, 28, 28, 1], v);
}
