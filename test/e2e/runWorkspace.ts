/**
 * Writes the run E2E's workspace (never inside the repo): links to two real exports, two small exports
 * built here (an endless While loop to cancel, a Reshape that fails for the input it gets), and a PNG
 * for the image input. Usage: node --import tsx test/e2e/runWorkspace.ts WS_DIR -> JSON { name: folder }.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { deflateSync } from "node:zlib";
import CRC32 from "crc-32";
import { FIXTURES_DIR } from "../helpers/fixtures.js";
import { tensorflow, type IAttrValue, type IFunctionDef, type INodeDef } from "../../src/savedmodel/proto.js";
import { tensorToProto } from "../../src/savedmodel/tensor.js";
import { encodeNpz } from "../../src/savedmodel/npy.js";

const F = 1;
const I32 = 3;
const BOOL = 10;
const t = (v: number): IAttrValue => ({ type: v });

function savedModel(nodes: INodeDef[], fns: IFunctionDef[], input: { shape: number[] }, out: string): Uint8Array {
  const sm = tensorflow.SavedModel.create({
    savedModelSchemaVersion: 1,
    metaGraphs: [
      {
        metaInfoDef: { tags: ["serve"] },
        graphDef: {
          node: [{ name: "x", op: "Placeholder", attr: { dtype: t(F) } }, ...nodes],
          library: { function: fns },
          versions: { producer: 1000 },
        },
        signatureDef: {
          serving_default: {
            methodName: "tensorflow/serving/predict",
            inputs: { x: { name: "x:0", dtype: F, tensorShape: { dim: input.shape.map((size) => ({ size })) } } },
            outputs: { y: { name: out, dtype: F } },
          },
        },
      },
    ],
  });
  return tensorflow.SavedModel.encode(sm).finish();
}

/** y = While(x) with a condition that is always true: runs until cancelled. */
function endlessLoop(): Uint8Array {
  const constTrue: INodeDef = {
    name: "t",
    op: "Const",
    attr: { dtype: t(BOOL), value: { tensor: tensorToProto({ dtype: BOOL, shape: [], values: Uint8Array.of(1) }) } },
  };
  return savedModel(
    [
      {
        name: "loop",
        op: "While",
        input: ["x"],
        attr: { T: { list: { type: [F] } }, cond: { func: { name: "always" } }, body: { func: { name: "same" } } },
      },
    ],
    [
      {
        signature: { name: "always", inputArg: [{ name: "v", type: F }], outputArg: [{ name: "c", type: BOOL }] },
        nodeDef: [constTrue],
        ret: { c: "t:output:0" },
      },
      {
        signature: { name: "same", inputArg: [{ name: "v", type: F }], outputArg: [{ name: "o", type: F }] },
        nodeDef: [{ name: "id", op: "AddV2", input: ["v", "v"], attr: { T: t(F) } }],
        ret: { o: "id:z:0" },
      },
    ],
    { shape: [] },
    "loop:0",
  );
}

/** y = Reshape(x * 2, [7]): fails for any input that does not have 7 elements. */
function failingReshape(): Uint8Array {
  return savedModel(
    [
      {
        name: "two",
        op: "Const",
        attr: { dtype: t(F), value: { tensor: tensorToProto({ dtype: F, shape: [], values: Float32Array.of(2) }) } },
      },
      { name: "scale/mul", op: "Mul", input: ["x", "two"], attr: { T: t(F) } },
      {
        name: "shape7",
        op: "Const",
        attr: { dtype: t(I32), value: { tensor: tensorToProto({ dtype: I32, shape: [1], values: Int32Array.of(7) }) } },
      },
      { name: "head/reshape_to_7", op: "Reshape", input: ["scale/mul", "shape7"], attr: { T: t(F), Tshape: t(I32) } },
    ],
    [],
    { shape: [-1] },
    "head/reshape_to_7:0",
  );
}

/** y = x * 2 for x: float [-1, 16, 16, 3] (an image-shaped output). */
function doubleImage(): Uint8Array {
  return savedModel(
    [
      {
        name: "two",
        op: "Const",
        attr: { dtype: t(F), value: { tensor: tensorToProto({ dtype: F, shape: [], values: Float32Array.of(2) }) } },
      },
      { name: "double", op: "Mul", input: ["x", "two"], attr: { T: t(F) } },
    ],
    [],
    { shape: [-1, 16, 16, 3] },
    "double:0",
  );
}

/**
 * y = x · dense/kernel + dense/bias for x: float [-1, 512]: a 512×640 kernel (1.25 MiB, left on disk by the range
 * pass until its values are asked for) and a small bias, both Consts (the graph view's constant values).
 */
function denseWeights(): Uint8Array {
  let s = 12345;
  const uniform = () => ((s = (s * 1103515245 + 12345) >>> 0) & 0xffff) / 0x10000;
  const kernel = Float32Array.from({ length: 512 * 640 }, () => 0.05 * (uniform() + uniform() + uniform() - 1.5));
  const bias = Float32Array.from({ length: 640 }, (_, i) => 0.01 * (i % 10) - 0.05);
  return savedModel(
    [
      {
        name: "dense/kernel",
        op: "Const",
        attr: { dtype: t(F), value: { tensor: tensorToProto({ dtype: F, shape: [512, 640], values: kernel }) } },
      },
      {
        name: "dense/bias",
        op: "Const",
        attr: { dtype: t(F), value: { tensor: tensorToProto({ dtype: F, shape: [640], values: bias }) } },
      },
      { name: "dense/MatMul", op: "MatMul", input: ["x", "dense/kernel"], attr: { T: t(F) } },
      { name: "dense/add", op: "AddV2", input: ["dense/MatMul", "dense/bias"], attr: { T: t(F) } },
    ],
    [],
    { shape: [-1, 512] },
    "dense/add:0",
  );
}

/** An RGB PNG (w x h) with a colour gradient and a bright square. */
export function pngImage(w: number, h: number): Uint8Array {
  const raw = new Uint8Array((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const inSquare = x > w / 3 && x < (2 * w) / 3 && y > h / 3 && y < (2 * h) / 3;
      raw[o] = inSquare ? 230 : Math.round((x / w) * 160);
      raw[o + 1] = inSquare ? 200 : Math.round((y / h) * 120) + 40;
      raw[o + 2] = inSquare ? 60 : 90;
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    dv.setInt32(8 + data.length, CRC32.buf(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const png = new Uint8Array(total);
  let off = 0;
  for (const p of parts) png.set(p, (off += p.length) - p.length);
  return png;
}

async function main(): Promise<void> {
  const ws = resolve(process.argv[2] ?? "");
  if (!process.argv[2]) throw new Error("usage: runWorkspace.ts WS_DIR");
  if (ws.startsWith(resolve(__dirname, "..", "..")))
    throw new Error(`the E2E workspace must not be inside the repo: ${ws}`);
  mkdirSync(ws, { recursive: true });
  const out: Record<string, string> = {};
  for (const f of ["serving-half-plus-two-cpu", "potato-cnn-tf29", "textvectorization-tf241"]) {
    const target = join(ws, "fixtures", f);
    mkdirSync(join(target, ".."), { recursive: true });
    if (!existsSync(target)) symlinkSync(join(FIXTURES_DIR, f), target, "dir");
    out[f] = target;
  }
  const write = (name: string, pb: Uint8Array) => {
    const dir = join(ws, "generated", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "saved_model.pb"), pb);
    out[name] = dir;
  };
  write("endless-loop", endlessLoop());
  write("failing-reshape", failingReshape());
  write("double-image", doubleImage());
  write("dense-weights", denseWeights());
  mkdirSync(join(ws, "images"), { recursive: true });
  writeFileSync(join(ws, "images", "potato.png"), pngImage(300, 200));
  out.image = join(ws, "images", "potato.png");
  writeFileSync(join(ws, "images", "potato_labels.txt"), "Early blight\nLate blight\nHealthy\n");
  out.labels = join(ws, "images", "potato_labels.txt");
  // inputs for half_plus_two's serving_default: x (matched by name) and another array
  mkdirSync(join(ws, "inputs"), { recursive: true });
  writeFileSync(
    join(ws, "inputs", "half_plus_two.npz"),
    encodeNpz({
      other: { dtype: F, shape: [2], values: Float32Array.of(7, 8) },
      x: { dtype: F, shape: [3, 1], values: Float32Array.of(1, 2, 5) },
    }),
  );
  out.npz = join(ws, "inputs", "half_plus_two.npz");
  out.root = ws;
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
