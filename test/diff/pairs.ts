/**
 * Builder-made exports for the diff tests: a tiny TF1 model (y = x·w [+ x2]) and a tiny TF2 model (a Dense layer
 * in a traced function), each with knobs so that two builds differ in exactly one known way.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType } from "../../src/savedmodel/dtypes.js";
import { GraphBuilder, ObjectGraphBuilder, SavedModelBuilder, tensorOf } from "../../src/savedmodel/builder/index.js";
import { writeExportToDir } from "../../src/savedmodel/node/nodeWriter.js";
import { addTf2Saver, addTf2Signatures } from "../../src/savedmodel/builder/tf2.js";

const DT = DataType;

export interface Tf1Knobs {
  extraInput?: boolean;
  dtype?: number;
  xShape?: number[];
  w?: number[];
  asset?: string;
}

/** y = x · w (elementwise, x: [-1, 4]); optional second input x2 added to the result; an asset vocab.txt. */
export function tinyTf1(k: Tf1Knobs = {}): SavedModelBuilder {
  const dtype = k.dtype ?? DT.DT_FLOAT;
  const g = new GraphBuilder();
  const w = g.variable("w", tensorOf(dtype, [4], k.w ?? [1, 2, 3, 4]), { kind: "resource" });
  const x = g.placeholder("x", dtype, k.xShape ?? [-1, 4]);
  x.shape = k.xShape ?? [-1, 4];
  let y = g.op("Mul", "mul", [x, w.read]).output;
  const inputs: Record<string, typeof x> = { x };
  if (k.extraInput) {
    const x2 = g.placeholder("x2", dtype, [-1, 4]);
    x2.shape = [-1, 4];
    inputs.x2 = x2;
    y = g.op("AddV2", "add", [y, x2]).output;
  }
  const out = g.identity("y", y);
  out.shape = [-1, 4];
  g.saver();
  return new SavedModelBuilder({ tfVersion: "1.15.0", producer: 134 }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs, outputs: { y: out } } },
    assets: [{ filename: "vocab.txt", contents: k.asset ?? "a\nb\nc\n" }],
    mainOp: g.initAllVariables(),
  });
}

export interface Tf2Knobs {
  /** The variable's name (TF2 checkpoint keys come from the object path, so this does not change the key). */
  kernelName?: string;
  activation?: "Relu" | "Tanh";
  /** Extra uids taken before tracing, so the functions get other numeric suffixes. */
  uidShift?: number;
  /** An Identity `dense/dropout` between BiasAdd and the activation. */
  dropout?: boolean;
  /** A Neg `dense/scale` after the activation. */
  scale?: boolean;
}

/** A TF2 Dense layer (kernel [3, 2], bias [2]) + activation in a traced function, signature serving_default. */
export function tinyTf2(k: Tf2Knobs = {}): SavedModelBuilder {
  const g = new GraphBuilder();
  for (let i = 0; i < (k.uidShift ?? 0); i++) g.uid();
  const og = new ObjectGraphBuilder();
  const kernel = g.variable(k.kernelName ?? "dense/kernel", tensorOf(DT.DT_FLOAT, [3, 2], [1, 2, 3, 4, 5, 6]), {
    initializer: "none",
  });
  const bias = g.variable("dense/bias", tensorOf(DT.DT_FLOAT, [2], [0.5, -0.5]), { initializer: "none" });
  const layer = og.kerasLayer(og.root, "layer_with_weights-0", "Dense", "dense", { units: 2 });
  og.variable(layer, "kernel", kernel);
  og.variable(layer, "bias", bias);
  const sigs = addTf2Signatures(
    g,
    {
      serving_default: {
        inputs: [{ name: "x", dtype: DT.DT_FLOAT, shape: [-1, 3] }],
        functionName: "call",
        body: (f, [x], read) => {
          const mm = f.op("MatMul", "dense/MatMul", [x, read(kernel)]).output;
          let b = f.op("BiasAdd", "dense/BiasAdd", [mm, read(bias)]).output;
          if (k.dropout) b = f.op("Identity", "dense/dropout", [b]).output;
          let y = f.op(k.activation ?? "Relu", "dense/act", [b]).output;
          if (k.scale) y = f.op("Neg", "dense/scale", [y]).output;
          y.shape = [-1, 2];
          return { y };
        },
      },
    },
    og,
  );
  addTf2Saver(g, og);
  return new SavedModelBuilder({ tfVersion: "2.15.0" }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: sigs.signatureDefs,
    mainOp: g.noOp("NoOp"),
    objectGraph: og,
  });
}

/** Writes a builder's export into a new temp folder and returns its path. */
export async function writeTemp(b: SavedModelBuilder, label: string): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), `smdiff-${label}-`)), "export");
  await writeExportToDir(b.save(), dir);
  return dir;
}

/** A TF1 export with only float32 variables (in this order in the shard) and a saver, written to `dir`. */
export async function writeFloat32Variables(dir: string, vars: [name: string, values: Float32Array][]): Promise<void> {
  const g = new GraphBuilder();
  for (const [name, values] of vars)
    g.variable(name, tensorOf(DataType.DT_FLOAT, [values.length], values), { initializer: "none" });
  g.saver();
  await writeExportToDir(
    new SavedModelBuilder().addMetaGraphAndVariables(["serve"], { graph: g, signatureDefs: {} }).save(),
    dir,
  );
}
