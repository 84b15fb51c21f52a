/** Graph plumbing: constants, placeholders, identities, no-ops, assertions, printing. */
import * as tf from "@tensorflow/tfjs-core";
import { tensorFromProto } from "../../savedmodel/tensor.js";
import { attrShape, attrStr, attrType } from "../attrs.js";
import type { KernelTable, OpContext } from "../kernel.js";
import { Dead, isTensor, toTfTensor, type Value } from "../values.js";

function constValue(c: OpContext): Value[] {
  const n = c.node;
  let t = n.cache.const as tf.Tensor | undefined;
  if (!t || t.isDisposed) {
    const proto = c.attrs["value"]?.tensor;
    if (!proto) throw new Error(`Const without a "value" tensor`);
    const decoded = tensorFromProto(proto, "saved_model.pb", { maxElements: c.run.session.maxElements });
    t = toTfTensor(decoded, (m) => c.run.session.warn(m), `Const "${n.name}"`);
    c.run.session.pin(t);
    n.cache.const = t;
  }
  return [t];
}

const passThrough = (c: OpContext): Value[] => [c.inputs[0]];

async function assertOp(c: OpContext): Promise<Value[]> {
  const cond = c.inputs[0];
  if (!isTensor(cond)) return [];
  const ok = (await cond.data())[0];
  if (ok) return [];
  const parts: string[] = [];
  for (const v of c.inputs.slice(1)) {
    if (!isTensor(v)) continue;
    const d =
      v.dtype === "string"
        ? ((await v.bytes()) as Uint8Array[]).map((b) => new TextDecoder().decode(b))
        : Array.from(await v.data());
    parts.push(
      d.length > 10
        ? `[${d.slice(0, 10).join(" ")} ...]`
        : d.length === 1 && v.rank === 0
          ? String(d[0])
          : `[${d.join(" ")}]`,
    );
  }
  throw new Error(`assertion failed: ${parts.join(" ")}`);
}

async function printV2(c: OpContext): Promise<Value[]> {
  const out = attrStr(c.attrs, "output_stream", "stderr");
  if (!/^(stderr|stdout|log\(.*\))$/.test(out)) {
    throw new Error(`refused: PrintV2 writes to "${out}" (the executor never writes files)`);
  }
  const t = c.inputs[0];
  if (isTensor(t)) {
    const b = (await t.bytes()) as Uint8Array[];
    c.run.session.warn(`PrintV2 ${c.node.name}: ${new TextDecoder().decode(b[0] ?? new Uint8Array())}`);
  }
  return [];
}

function placeholder(c: OpContext): Value[] {
  throw new Error(
    `placeholder "${c.node.name}" was not fed (dtype ${attrType(c.attrs, "dtype", 0)}, shape ${JSON.stringify(attrShape(c.attrs, "shape") ?? "unknown")})`,
  );
}

function ensureShape(c: OpContext): Value[] {
  const t = c.inputs[0];
  const want = attrShape(c.attrs, "shape");
  if (isTensor(t) && want) {
    const ok = want.length === t.rank && want.every((d, i) => d < 0 || d === t.shape[i]);
    if (!ok) throw new Error(`EnsureShape: shape [${t.shape}] is not compatible with [${want}]`);
  }
  return [t];
}

export const graphKernels: KernelTable = {
  Const: { run: constValue },
  HostConst: { run: constValue },
  Placeholder: { run: placeholder },
  PlaceholderV2: { run: placeholder },
  PlaceholderWithDefault: { run: passThrough },
  Identity: { run: passThrough },
  Snapshot: { run: passThrough },
  StopGradient: { run: passThrough },
  PreventGradient: { run: passThrough },
  IdentityN: { run: (c) => [...c.inputs] },
  NoOp: { run: () => [] },
  ControlTrigger: { run: () => [] },
  CheckNumerics: {
    run: async (c) => {
      const t = c.inputs[0] as tf.Tensor;
      const bad = (await tf.any(tf.logicalNot(tf.isFinite(t))).data())[0];
      if (bad) throw new Error(`CheckNumerics: ${attrStr(c.attrs, "message", "")} (tensor has NaN or Inf values)`);
      return [t];
    },
  },
  CheckNumericsV2: { run: passThrough },
  EnsureShape: { run: ensureShape },
  Assert: { run: assertOp },
  PrintV2: { run: printV2 },
  Print: { run: passThrough },
  // Dead-tensor aware op used by TF1 control flow when a Switch output is consumed directly.
  ZerosLike: {
    run: (c) => {
      const t = c.inputs[0];
      if (t instanceof Dead || !isTensor(t)) return [t];
      return [tf.zerosLike(t)];
    },
  },
  OnesLike: { run: (c) => [tf.onesLike(c.inputs[0] as tf.Tensor)] },
  _Retval: { run: passThrough },
  DebugIdentity: { run: passThrough },
  DebugIdentityV2: { run: passThrough },
  DeepCopy: { run: (c) => [tf.clone(c.inputs[0] as tf.Tensor)] },
};
