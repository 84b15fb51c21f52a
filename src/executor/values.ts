/**
 * Values flowing between nodes: tfjs tensors plus the non-tensor things TensorFlow passes on edges
 * (resource handles, TF1 ref variables, dead tensors of untaken Switch branches). Also the dtype
 * policy between TensorFlow dtypes and tfjs dtypes, with conversions to and from DecodedTensor.
 */
import * as tf from "@tensorflow/tfjs-core";
import { DataType, dtypeShortName } from "../savedmodel/dtypes.js";
import type { DecodedTensor } from "../savedmodel/tensor.js";

const DT = DataType;

/** A DT_RESOURCE value: names a variable, table or other resource in the session's resource store. */
export class ResourceHandle {
  constructor(
    readonly key: string,
    readonly kind: "variable" | "table" | "other",
    /** The node that created the handle, for messages. */
    readonly creator: string,
  ) {}
  toString(): string {
    return `resource(${this.kind} "${this.key}")`;
  }
}

/** The output of a TF1 ref variable (VariableV2): consumers that don't take refs read its value. */
export class RefVar {
  constructor(
    readonly key: string,
    readonly creator: string,
  ) {}
}

/** A dead tensor (output of the untaken side of Switch), propagated by TF1 control flow. */
export class Dead {
  static readonly instance = new Dead();
  private constructor() {}
}

export type Value = tf.Tensor | ResourceHandle | RefVar | Dead;

export function isTensor(v: unknown): v is tf.Tensor {
  return v instanceof tf.Tensor;
}

export function describeValue(v: Value | undefined): string {
  if (v === undefined) return "<missing>";
  if (v instanceof tf.Tensor) return `${v.dtype}[${v.shape.join(",")}]`;
  if (v instanceof ResourceHandle) return v.toString();
  if (v instanceof RefVar) return `ref(${v.key})`;
  return "<dead>";
}

/** The tfjs dtype that computes a TensorFlow dtype; undefined when tfjs cannot hold it. */
export function tfjsDtype(dtype: number): tf.DataType | undefined {
  switch (dtype > 100 ? dtype - 100 : dtype) {
    case DT.DT_FLOAT:
    case DT.DT_DOUBLE:
    case DT.DT_HALF:
    case DT.DT_BFLOAT16:
      return "float32";
    case DT.DT_INT32:
    case DT.DT_INT64:
    case DT.DT_UINT8:
    case DT.DT_INT8:
    case DT.DT_INT16:
    case DT.DT_UINT16:
    case DT.DT_UINT32:
    case DT.DT_UINT64:
    case DT.DT_QINT32:
    case DT.DT_QINT8:
    case DT.DT_QUINT8:
      return "int32";
    case DT.DT_BOOL:
      return "bool";
    case DT.DT_STRING:
      return "string";
    case DT.DT_COMPLEX64:
    case DT.DT_COMPLEX128:
      return "complex64";
    default:
      return undefined;
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Converts a decoded tensor to a tfjs tensor; `warn` hears about narrowing that changed values. */
export function toTfTensor(d: DecodedTensor, warn: (msg: string) => void, what = "tensor"): tf.Tensor {
  const dt = tfjsDtype(d.dtype);
  if (!dt) throw new Error(`${what}: dtype ${dtypeShortName(d.dtype)} is not supported by the executor`);
  const v = d.values;
  if (dt === "string") {
    if (!Array.isArray(v)) throw new Error(`${what}: string tensor without string values`);
    return tf.tensor(v as unknown as string[], d.shape, "string");
  }
  if (Array.isArray(v)) throw new Error(`${what}: ${dtypeShortName(d.dtype)} tensor holds strings`);
  if (dt === "float32") {
    if (v instanceof Float32Array) return tf.tensor(v, d.shape, "float32");
    const out = Float32Array.from(v as Float64Array);
    if (d.dtype === DT.DT_DOUBLE) {
      for (let i = 0; i < out.length; i++) {
        const x = (v as Float64Array)[i];
        if (Number.isFinite(x) && !Number.isFinite(out[i])) {
          warn(`${what}: float64 value ${x} overflows float32 (computed as float32)`);
          break;
        }
      }
    }
    return tf.tensor(out, d.shape, "float32");
  }
  if (dt === "complex64") {
    const f = v instanceof Float32Array ? v : Float32Array.from(v as Float64Array);
    const n = f.length / 2;
    const re = new Float32Array(n);
    const im = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      re[i] = f[2 * i];
      im[i] = f[2 * i + 1];
    }
    return tf.complex(tf.tensor(re, d.shape), tf.tensor(im, d.shape));
  }
  if (dt === "bool")
    return tf.tensor(
      Uint8Array.from(v as Uint8Array, (x) => (x ? 1 : 0)),
      d.shape,
      "bool",
    );
  // int32 family
  if (v instanceof Int32Array) return tf.tensor(v, d.shape, "int32");
  const out = new Int32Array(v.length);
  let bad: number | bigint | undefined;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (bad === undefined && (x > 2147483647n || x < -2147483648n)) bad = x;
      out[i] = Number(BigInt.asIntN(32, x));
    }
  } else {
    for (let i = 0; i < v.length; i++) {
      const x = (v as Uint32Array)[i];
      if (bad === undefined && (x > INT32_MAX || x < INT32_MIN)) bad = x;
      out[i] = x | 0;
    }
  }
  if (bad !== undefined) {
    warn(
      `${what}: ${dtypeShortName(d.dtype)} value ${bad} does not fit int32, which tfjs uses to compute it; it wrapped to ${Number(BigInt.asIntN(32, BigInt(bad)))}`,
    );
  }
  return tf.tensor(out, d.shape, "int32");
}

/** Reads a tfjs tensor back as a DecodedTensor of TensorFlow dtype `dtype` (the signature's dtype). */
export async function fromTfTensor(t: tf.Tensor, dtype: number): Promise<DecodedTensor> {
  const shape = [...t.shape];
  const base = dtype > 100 ? dtype - 100 : dtype;
  if (t.dtype === "string") {
    const vals = (await t.bytes()) as Uint8Array[];
    return { dtype: DT.DT_STRING, shape, values: vals };
  }
  if (t.dtype === "complex64") {
    const re = (await tf.real(t).data()) as Float32Array;
    const im = (await tf.imag(t).data()) as Float32Array;
    const out = base === DT.DT_COMPLEX128 ? new Float64Array(re.length * 2) : new Float32Array(re.length * 2);
    for (let i = 0; i < re.length; i++) {
      out[2 * i] = re[i];
      out[2 * i + 1] = im[i];
    }
    return { dtype: base === DT.DT_COMPLEX128 ? base : DT.DT_COMPLEX64, shape, values: out };
  }
  const data = await t.data();
  switch (base) {
    case DT.DT_DOUBLE:
      return { dtype: base, shape, values: Float64Array.from(data as Float32Array) };
    case DT.DT_FLOAT:
    case DT.DT_HALF:
    case DT.DT_BFLOAT16:
      return {
        dtype: base,
        shape,
        values: data instanceof Float32Array ? data : Float32Array.from(data as Int32Array),
      };
    case DT.DT_INT64:
      return { dtype: base, shape, values: BigInt64Array.from(data as Int32Array, (x) => BigInt(Math.trunc(x))) };
    case DT.DT_UINT64:
      return {
        dtype: base,
        shape,
        values: BigUint64Array.from(data as Int32Array, (x) => BigInt.asUintN(64, BigInt(Math.trunc(x)))),
      };
    case DT.DT_UINT8:
    case DT.DT_QUINT8:
      return { dtype: base, shape, values: Uint8Array.from(data as Int32Array) };
    case DT.DT_INT8:
    case DT.DT_QINT8:
      return { dtype: base, shape, values: Int8Array.from(data as Int32Array) };
    case DT.DT_INT16:
      return { dtype: base, shape, values: Int16Array.from(data as Int32Array) };
    case DT.DT_UINT16:
      return { dtype: base, shape, values: Uint16Array.from(data as Int32Array) };
    case DT.DT_UINT32:
      return { dtype: base, shape, values: Uint32Array.from(data as Int32Array, (x) => x >>> 0) };
    case DT.DT_BOOL:
      return { dtype: base, shape, values: Uint8Array.from(data as Uint8Array) };
    case DT.DT_INT32:
      return { dtype: base, shape, values: data instanceof Int32Array ? data : Int32Array.from(data as Float32Array) };
    default: {
      // Unknown/unset: report in tfjs's own dtype.
      if (t.dtype === "float32") return { dtype: DT.DT_FLOAT, shape, values: data as Float32Array };
      if (t.dtype === "bool") return { dtype: DT.DT_BOOL, shape, values: Uint8Array.from(data as Uint8Array) };
      return { dtype: DT.DT_INT32, shape, values: Int32Array.from(data as Int32Array) };
    }
  }
}
