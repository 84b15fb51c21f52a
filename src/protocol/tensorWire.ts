/**
 * DecodedTensor <-> WireTensor (raw bytes + typed array class name), so int64 and every other dtype
 * crosses the webview message channel exactly. Pure; used by the host and the run webview.
 */
import type { DecodedTensor, TensorValues } from "../savedmodel/tensor.js";
import type { WireTensor } from "./run.js";

type TypedCtor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): Exclude<TensorValues, Uint8Array[]>;
  BYTES_PER_ELEMENT: number;
};

const CTORS: Record<string, TypedCtor> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
} as unknown as Record<string, TypedCtor>;

/** Elements of a tensor's values (complex values count twice: re and im). */
export function valueCount(t: DecodedTensor): number {
  return t.values.length;
}

/** The wire form of `t`; with `maxValues`, only the first values (flat shape) are kept. */
export function toWire(t: DecodedTensor, maxValues = Infinity): { wire: WireTensor; truncated: boolean } {
  const v = t.values;
  const truncated = v.length > maxValues;
  const shape = truncated ? [maxValues] : [...t.shape];
  if (Array.isArray(v))
    return { wire: { dtype: t.dtype, shape, strings: truncated ? v.slice(0, maxValues) : v.slice() }, truncated };
  const part = truncated ? v.subarray(0, maxValues) : v;
  const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength).slice();
  return { wire: { dtype: t.dtype, shape, bytes, array: v.constructor.name }, truncated };
}

export function fromWire(w: WireTensor): DecodedTensor {
  if (w.strings)
    return {
      dtype: w.dtype,
      shape: [...w.shape],
      values: w.strings.map((s) => (s instanceof Uint8Array ? s : new Uint8Array(s))),
    };
  const Ctor = CTORS[w.array ?? ""];
  if (!Ctor || !w.bytes) throw new Error(`tensor on the wire has no values (array type ${JSON.stringify(w.array)})`);
  const b = w.bytes instanceof Uint8Array ? w.bytes : new Uint8Array(w.bytes as ArrayLike<number>);
  if (b.byteLength % Ctor.BYTES_PER_ELEMENT)
    throw new Error(`${b.byteLength} bytes is not a whole number of ${w.array} elements`);
  const copy = b.slice();
  return {
    dtype: w.dtype,
    shape: [...w.shape],
    values: new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT),
  };
}
