/** TensorShapeProto helpers: dims as numbers (-1 = unknown), element counts without overflow. */
import type { ITensorShapeProto } from "./proto.js";

/** Dims of a shape; undefined for unknown rank. Unknown sizes are -1. */
export function shapeDims(shape: ITensorShapeProto | null | undefined): number[] | undefined {
  if (!shape || shape.unknownRank) return undefined;
  return (shape.dim ?? []).map((d) => Number(d.size ?? 0));
}

/** "[-1, 224, 224, 3]", "[]" for scalars, "<unknown>" for unknown rank. */
export function formatDims(dims: number[] | undefined): string {
  return dims === undefined ? "<unknown>" : `[${dims.join(", ")}]`;
}

/** Product of dims; undefined when any dim is unknown; Infinity-safe (never overflows silently). */
export function elementCount(dims: readonly number[] | undefined): number | undefined {
  if (!dims) return undefined;
  let n = 1;
  for (const d of dims) {
    if (d < 0) return undefined;
    n *= d;
  }
  return n;
}

/** TF's `saved_model_cli` spelling: "(-1, 224, 224, 3)", "()" for scalars, "unknown_rank". */
export function formatShapeLikeCli(shape: ITensorShapeProto | null | undefined): string {
  const dims = shapeDims(shape);
  if (!dims) return "unknown_rank";
  if (dims.length === 1) return `(${dims[0]})`;
  return `(${dims.join(", ")})`;
}
