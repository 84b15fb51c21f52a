/**
 * Allocation guards, checked at the one place every kernel is dispatched (interpreter.runNode) BEFORE it runs:
 * per op family, the output size is computed from the input shapes, the shape-giving input values (Fill's dims,
 * Tile's multiples, Range's bounds, ... — shape vectors of any length) and attributes. A node is refused when
 * one output would exceed the tensor-size limit (maxElements) or when it would take the process past the memory
 * budget (maxMemoryBytes), which counts the JS heap, ArrayBuffers (tfjs-cpu tensors) and wasm memory together.
 * A refusal names the node, its op and the size it asked for (the caller wraps it in a NodeError).
 */
import * as tf from "@tensorflow/tfjs-core";
import { getHeapStatistics } from "node:v8";
import { attrStr, type Attrs } from "./attrs.js";
import { isTensor, type Value } from "./values.js";

/** What one node is about to create: elements of its largest output and bytes of all outputs (estimates). */
export interface Allocation {
  elements: number;
  bytes: number;
  /** The shape when known (for the message). */
  shape?: number[];
}

type ShapeFn = (inputs: Value[], attrs: Attrs) => Promise<Allocation | undefined>;

const tensorAt = (inputs: Value[], i: number): tf.Tensor | undefined => {
  const v = inputs[i];
  return isTensor(v) ? v : undefined;
};

/** The values of a small integer/float tensor (a shape vector, multiples, a scalar bound) — any length. */
async function values(v: Value | undefined): Promise<number[]> {
  if (!isTensor(v) || v.dtype === "string") return [];
  return Array.from(await v.data(), Number);
}

/** Product of dims; a 0 (or negative) dim makes it 0, however large the others are. */
export function product(dims: number[]): number {
  let p = 1;
  for (const d of dims) {
    if (!(d > 0)) return 0;
    p *= d;
  }
  return p;
}

const bytesPerElement = (t: tf.Tensor | undefined): number =>
  t?.dtype === "complex64" ? 8 : t?.dtype === "string" ? 16 : 4;

const sized = (shape: number[], like?: tf.Tensor, extraBytesPerElement = 0): Allocation => {
  const elements = product(shape);
  return { elements, bytes: elements * (bytesPerElement(like) + extraBytesPerElement), shape };
};

const count = (elements: number, like?: tf.Tensor): Allocation => ({
  elements,
  bytes: elements * bytesPerElement(like),
});

/** numpy broadcasting of shapes (right-aligned; the larger dim wins; a 0 dim gives 0 elements). */
export function broadcastShape(shapes: number[][]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array(rank).fill(1);
  for (const s of shapes)
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      out[j] = s[i] === 0 || out[j] === 0 ? 0 : Math.max(out[j], s[i]);
    }
  return out;
}

const shapeFromInput =
  (i: number, like?: number): ShapeFn =>
  async (inputs) =>
    sized(await values(inputs[i]), like === undefined ? undefined : tensorAt(inputs, like));

const broadcast: ShapeFn = async (inputs) => {
  const ts = inputs.filter(isTensor) as tf.Tensor[];
  if (ts.length < 2) return undefined;
  return sized(broadcastShape(ts.map((t) => t.shape)), ts[ts.length - 1]);
};

/** Sum of the sizes of the value inputs (Concat, Pack): [first, end). */
const sumOf =
  (first: number, endFromLast = 0): ShapeFn =>
  async (inputs) => {
    let n = 0;
    let like: tf.Tensor | undefined;
    for (let i = first; i < inputs.length - endFromLast; i++) {
      const t = tensorAt(inputs, i);
      if (t) {
        n += t.size;
        like ??= t;
      }
    }
    return count(n, like);
  };

const padded: ShapeFn = async (inputs) => {
  const t = tensorAt(inputs, 0);
  if (!t) return undefined;
  const p = await values(inputs[1]);
  return sized(
    t.shape.map((d, i) => d + Math.max(0, p[2 * i] ?? 0) + Math.max(0, p[2 * i + 1] ?? 0)),
    t,
  );
};

const resized: ShapeFn = async (inputs) => {
  const t = tensorAt(inputs, 0);
  if (!t) return undefined;
  const [h, w] = await values(inputs[1]);
  return sized([t.shape[0] ?? 1, h ?? 1, w ?? 1, t.shape[3] ?? 1], t);
};

const matMul =
  (ta: string, tb: string): ShapeFn =>
  async (inputs, attrs) => {
    const a = tensorAt(inputs, 0);
    const b = tensorAt(inputs, 1);
    if (!a || !b || a.rank < 2 || b.rank < 2) return undefined;
    const m = attrs[ta]?.b ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
    const n = attrs[tb]?.b ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
    const batch = broadcastShape([a.shape.slice(0, -2), b.shape.slice(0, -2)]);
    return sized([...batch, m, n], a);
  };

const conv: ShapeFn = async (inputs, attrs) => {
  const x = tensorAt(inputs, 0);
  const f = tensorAt(inputs, 1);
  if (!x || !f || x.rank !== 4 || f.rank !== 4) return undefined;
  const nchw = attrStr(attrs, "data_format", "NHWC").toUpperCase().startsWith("NC");
  const st = (attrs["strides"]?.list?.i ?? []).map(Number);
  const [sh, sw] = nchw ? [st[2] ?? 1, st[3] ?? 1] : [st[1] ?? 1, st[2] ?? 1];
  const xs = x.shape as number[];
  const [n, h, w] = nchw ? [xs[0], xs[2], xs[3]] : [xs[0], xs[1], xs[2]];
  return sized([n, Math.ceil(h / Math.max(1, sh)), Math.ceil(w / Math.max(1, sw)), (f.shape as number[])[3]], x);
};

const depthwise: ShapeFn = async (inputs, attrs) => {
  const f = tensorAt(inputs, 1);
  const a = await conv(inputs, attrs);
  if (!a || !f) return a;
  const shape = [...(a.shape ?? [])];
  const fs = f.shape as number[];
  shape[3] = fs[2] * fs[3];
  return sized(shape, tensorAt(inputs, 0));
};

const gather =
  (axisInput?: number): ShapeFn =>
  async (inputs) => {
    const p = tensorAt(inputs, 0);
    const idx = tensorAt(inputs, 1);
    if (!p || !idx) return undefined;
    let axis = axisInput === undefined ? 0 : ((await values(inputs[axisInput]))[0] ?? 0);
    if (axis < 0) axis += p.rank;
    const along = p.shape[axis] ?? 1;
    return count(along > 0 ? (p.size / along) * idx.size : 0, p);
  };

const gatherNd: ShapeFn = async (inputs) => {
  const p = tensorAt(inputs, 0);
  const idx = tensorAt(inputs, 1);
  if (!p || !idx || idx.rank < 1) return undefined;
  const depth = idx.shape[idx.rank - 1];
  return count(product(idx.shape.slice(0, -1)) * product(p.shape.slice(depth)), p);
};

/** String outputs: elements of the broadcast shape × the longest inputs joined (StringJoin). */
const stringJoin: ShapeFn = async (inputs) => {
  const ts = inputs.filter(isTensor) as tf.Tensor[];
  if (!ts.length) return undefined;
  let perElement = 0;
  for (const t of ts) {
    if (t.dtype !== "string") continue;
    let longest = 0;
    for (const b of (await t.data()) as unknown as Uint8Array[]) longest = Math.max(longest, b.length);
    perElement += longest;
  }
  return sized(broadcastShape(ts.map((t) => t.shape)), ts[0], perElement);
};

const BROADCASTING = [
  "Add",
  "AddV2",
  "Sub",
  "Mul",
  "Div",
  "RealDiv",
  "DivNoNan",
  "MulNoNan",
  "FloorDiv",
  "FloorMod",
  "TruncateDiv",
  "TruncateMod",
  "Mod",
  "Maximum",
  "Minimum",
  "Pow",
  "SquaredDifference",
  "Atan2",
  "Xdivy",
  "Xlogy",
  "Xlog1py",
  "Equal",
  "NotEqual",
  "Less",
  "LessEqual",
  "Greater",
  "GreaterEqual",
  "LogicalAnd",
  "LogicalOr",
  "BitwiseAnd",
  "BitwiseOr",
  "BitwiseXor",
  "LeftShift",
  "RightShift",

  "SelectV2",
  "ApproximateEqual",
  "Complex",
  "Igamma",
  "Igammac",
  "Zeta",
  "Polygamma",
  "Betainc",
  "ClipByValue",
  "AddN",
  "Substr",
  "BiasAdd",
];

/** op → what it is about to create. Ops not listed are bounded by their inputs (and the periodic budget check). */
export const SHAPE_FNS: Record<string, ShapeFn> = {
  ...Object.fromEntries(BROADCASTING.map((op) => [op, broadcast])),
  Fill: shapeFromInput(0, 1),
  Empty: shapeFromInput(0),
  BroadcastTo: shapeFromInput(1, 0),
  RandomUniform: shapeFromInput(0),
  RandomUniformInt: shapeFromInput(0),
  RandomStandardNormal: shapeFromInput(0),
  TruncatedNormal: shapeFromInput(0),
  StatelessRandomUniform: shapeFromInput(0),
  StatelessRandomUniformV2: shapeFromInput(0),
  StatelessRandomNormal: shapeFromInput(0),
  StatelessRandomNormalV2: shapeFromInput(0),
  StatelessTruncatedNormal: shapeFromInput(0),
  StatelessRandomUniformInt: shapeFromInput(0),
  ScatterNd: shapeFromInput(2, 1),
  SparseToDense: shapeFromInput(1, 2),
  Conv2DBackpropInput: shapeFromInput(0, 2),
  Tile: async (inputs) => {
    const t = tensorAt(inputs, 0);
    const m = await values(inputs[1]);
    return t
      ? sized(
          t.shape.map((d, i) => d * (m[i] ?? 1)),
          t,
        )
      : undefined;
  },
  Range: async (inputs) => {
    const [s] = await values(inputs[0]);
    const [l] = await values(inputs[1]);
    const [d] = await values(inputs[2]);
    return count(d ? Math.max(0, Math.ceil((l - s) / d)) : Infinity);
  },
  LinSpace: async (inputs) => count(Math.max(0, (await values(inputs[2]))[0] ?? 0)),
  OneHot: async (inputs) => count((tensorAt(inputs, 0)?.size ?? 1) * Math.max(0, (await values(inputs[1]))[0] ?? 0)),
  Pad: padded,
  PadV2: padded,
  MirrorPad: padded,
  ResizeBilinear: resized,
  ResizeNearestNeighbor: resized,
  ResizeBicubic: resized,
  ResizeArea: resized,
  ScaleAndTranslate: resized,
  CropAndResize: async (inputs) => {
    const img = tensorAt(inputs, 0);
    const boxes = tensorAt(inputs, 1);
    const [h, w] = await values(inputs[3]);
    return img && boxes ? sized([boxes.shape[0], h ?? 1, w ?? 1, img.shape[3] ?? 1], img) : undefined;
  },
  ConcatV2: sumOf(0, 1),
  Concat: sumOf(1),
  Pack: sumOf(0),
  ParallelConcat: sumOf(0),
  MatMul: matMul("transpose_a", "transpose_b"),
  _FusedMatMul: matMul("transpose_a", "transpose_b"),
  BatchMatMul: matMul("adj_x", "adj_y"),
  BatchMatMulV2: matMul("adj_x", "adj_y"),
  BatchMatMulV3: matMul("adj_x", "adj_y"),
  Conv2D: conv,
  _FusedConv2D: conv,
  DepthwiseConv2dNative: depthwise,
  FusedDepthwiseConv2dNative: depthwise,
  Gather: gather(),
  GatherV2: gather(2),
  GatherNd: gatherNd,
  Multinomial: async (inputs) =>
    count((tensorAt(inputs, 0)?.shape[0] ?? 1) * Math.max(0, (await values(inputs[1]))[0] ?? 0)),
  Diag: async (inputs) => {
    const t = tensorAt(inputs, 0);
    return t ? count(t.size * t.size, t) : undefined;
  },
  MatrixDiag: async (inputs) => {
    const t = tensorAt(inputs, 0);
    return t ? count(t.size * (t.shape[t.rank - 1] ?? 1), t) : undefined;
  },
  MatrixDiagV3: async (inputs) => {
    const t = tensorAt(inputs, 0);
    if (!t) return undefined;
    const last = t.shape[t.rank - 1] ?? 1;
    const rows = Math.max(last, (await values(inputs[2]))[0] ?? 0);
    const cols = Math.max(last, (await values(inputs[3]))[0] ?? 0);
    return count((last ? t.size / last : 0) * rows * cols, t);
  },
  StringJoin: stringJoin,
  AsString: async (inputs, attrs) => {
    const t = tensorAt(inputs, 0);
    return t ? { elements: t.size, bytes: t.size * (16 + Math.max(0, Number(attrs["width"]?.i ?? 0))) } : undefined;
  },
  TensorListReserve: async (inputs) =>
    count(((await values(inputs[1]))[0] ?? 0) * Math.max(1, product(await values(inputs[0])))),
  TensorArrayV3: async (inputs) => count((await values(inputs[0]))[0] ?? 0),
  UnsortedSegmentSum: segments,
  UnsortedSegmentMax: segments,
  UnsortedSegmentMin: segments,
  UnsortedSegmentProd: segments,
};

async function segments(inputs: Value[]): Promise<Allocation | undefined> {
  const data = tensorAt(inputs, 0);
  const ids = tensorAt(inputs, 1);
  const n = (await values(inputs[2]))[0] ?? 0;
  if (!data || !ids) return undefined;
  return count(n * (ids.size ? data.size / ids.size : 0), data);
}

/** Memory in use by the process as the budget counts it: JS heap + ArrayBuffers + wasm memory. */
export function memoryInUse(): { heap: number; arrayBuffers: number; wasm: number; total: number } {
  const heap = getHeapStatistics().used_heap_size;
  const arrayBuffers = process.memoryUsage().arrayBuffers;
  let wasm = 0;
  try {
    const b = tf.engine().registry["wasm"] as unknown as { wasm?: { HEAPU8?: Uint8Array } } | undefined;
    wasm = b?.wasm?.HEAPU8?.buffer.byteLength ?? 0;
  } catch {
    /* no wasm backend */
  }
  return { heap, arrayBuffers, wasm, total: heap + arrayBuffers + wasm };
}

const big = (n: number) => (n < 1e6 ? String(Math.round(n)) : n.toExponential(2));
const mib = (n: number) => `${n < 2 ** 20 ? (n / 2 ** 20).toFixed(2) : big(n / 2 ** 20)} MiB`;
/** A shape for a message: long ones abbreviated (a hostile shape vector may have thousands of entries). */
const shapeText = (s: number[]) =>
  s.length <= 8
    ? `[${s.map(big).join(", ")}]`
    : `[${s.slice(0, 3).map(big).join(", ")}, …, ${s.slice(-2).map(big).join(", ")}] (rank ${s.length})`;

/** Allocations below this are not measured against the budget one by one (the periodic check covers them). */
const BUDGET_CHECK_FROM = 2 ** 20;

/**
 * Throws (a message for a NodeError) when the op would create a tensor over `maxElements`, or when what it would
 * create does not fit the memory budget.
 */
export async function checkAllocation(
  op: string,
  inputs: Value[],
  attrs: Attrs,
  limits: { maxElements: number; maxMemoryBytes: number },
): Promise<void> {
  const fn = SHAPE_FNS[op];
  if (!fn) return;
  const a = await fn(inputs, attrs);
  if (!a) return;
  const what = `${a.shape ? `shape ${shapeText(a.shape)}, ` : ""}${big(a.elements)} elements, ~${mib(a.bytes)}`;
  if (!(a.elements <= limits.maxElements))
    throw new AllocationRefused(
      `refused before allocating: would create a tensor of ${what}, over the limit of ${big(limits.maxElements)} elements per tensor`,
    );
  if (a.bytes >= BUDGET_CHECK_FROM) {
    const m = memoryInUse();
    if (m.total + a.bytes > limits.maxMemoryBytes)
      throw new AllocationRefused(
        `refused before allocating: would create a tensor of ${what} while the executor already uses ${mib(m.total)} ` +
          `(JS heap ${mib(m.heap)}, ArrayBuffers ${mib(m.arrayBuffers)}, wasm memory ${mib(m.wasm)}), over the memory budget of ${mib(limits.maxMemoryBytes)}`,
      );
  }
}

/** The budget check between nodes (loops that creep up without any single large allocation). */
export function checkMemoryBudget(maxMemoryBytes: number): void {
  const m = memoryInUse();
  if (m.total > maxMemoryBytes)
    throw new AllocationRefused(
      `the executor uses ${mib(m.total)} (JS heap ${mib(m.heap)}, ArrayBuffers ${mib(m.arrayBuffers)}, wasm memory ${mib(m.wasm)}), over the memory budget of ${mib(maxMemoryBytes)}`,
    );
}

export class AllocationRefused extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = "AllocationRefused";
  }
}
