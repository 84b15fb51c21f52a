/**
 * AttrValue constructors for built nodes (plain IAttrValue objects, as the generated encoders accept them).
 */
import type { IAttrValue, ITensorShapeProto } from "../proto.js";
import { tensorToProto, type DecodedTensor } from "../tensor.js";

const utf8 = new TextEncoder();

/** A shape for attrs/TensorInfos: dims (-1 = unknown size) or null for unknown rank. */
export type ShapeLike = readonly number[] | null | undefined;

export function shapeProto(shape: ShapeLike): ITensorShapeProto {
  if (shape === null || shape === undefined) return { unknownRank: true };
  return { dim: shape.map((size) => (size === 0 ? {} : { size })) };
}

export function bytesOf(s: string | Uint8Array): Uint8Array {
  return typeof s === "string" ? utf8.encode(s) : s;
}

export const attr = {
  type: (dtype: number): IAttrValue => ({ type: dtype }),
  shape: (shape: ShapeLike): IAttrValue => ({ shape: shapeProto(shape) }),
  i: (v: number | bigint): IAttrValue => ({ i: v }),
  f: (v: number): IAttrValue => ({ f: v }),
  b: (v: boolean): IAttrValue => ({ b: v }),
  s: (v: string | Uint8Array): IAttrValue => ({ s: bytesOf(v) }),
  tensor: (t: DecodedTensor): IAttrValue => ({ tensor: tensorToProto(t) }),
  func: (name: string, attrs: Record<string, IAttrValue> = {}): IAttrValue => ({ func: { name, attr: attrs } }),
  listType: (v: number[]): IAttrValue => ({ list: { type: v } }),
  listI: (v: (number | bigint)[]): IAttrValue => ({ list: { i: v } }),
  listF: (v: number[]): IAttrValue => ({ list: { f: v } }),
  listS: (v: (string | Uint8Array)[]): IAttrValue => ({ list: { s: v.map(bytesOf) } }),
  listShape: (v: ShapeLike[]): IAttrValue => ({ list: { shape: v.map(shapeProto) } }),
  emptyList: (): IAttrValue => ({ list: {} }),
};
