/**
 * Gradient and optimizer ops of training signatures (TensorFlow's on-device training exports, Keras
 * train steps, TF1 train_ops), composed from tfjs-core ops. Optimizer updates follow the formulas of
 * TensorFlow's training_ops kernels and replace the variable's value in the session, so a later run
 * sees them. Resource variants take variable handles; the TF1 Apply* variants take ref variables.
 */
import * as tf from "@tensorflow/tfjs-core";
import { attrBool, attrStr } from "../attrs.js";
import type { KernelDef, KernelTable, OpContext } from "../kernel.js";
import { isTensor, RefVar, type Value } from "../values.js";
import { slotOf, valueOf } from "./variables.js";

const T = (c: OpContext, i: number): tf.Tensor => {
  const v = c.inputs[i];
  if (!isTensor(v)) throw new Error(`input ${i} is not a tensor`);
  return v;
};

/** TF's BCast reduction indices for the gradient of a broadcast: dims where the (left-padded) shape is 1. */
export function broadcastGradientArgs(s0: number[], s1: number[]): [number[], number[]] {
  if (s0.length === s1.length && s0.every((d, i) => d === s1[i])) return [[], []];
  const rank = Math.max(s0.length, s1.length);
  const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [a, b] = [pad(s0), pad(s1)];
  const r0: number[] = [];
  const r1: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (a[i] !== b[i] && a[i] !== 1 && b[i] !== 1)
      throw new Error(`incompatible shapes for broadcasting: [${s0.join(", ")}] and [${s1.join(", ")}]`);
    if (a[i] === 1) r0.push(i);
    if (b[i] === 1) r1.push(i);
  }
  return [r0, r1];
}

/** One optimizer: `vars` handle inputs (variable, then slots), the rest tensors; returns the new values. */
function optimizer(
  nVars: number,
  update: (vars: tf.Tensor[], ins: (i: number) => tf.Tensor, c: OpContext) => tf.Tensor[],
  ref: boolean,
): KernelDef {
  return {
    refInputs: ref,
    compute: true,
    run: (c) => {
      const slots = Array.from({ length: nVars }, (_, i) => slotOf(c, c.inputs[i], ref ? "ref" : "resource"));
      const cur = slots.map((s) => valueOf(c, s));
      const next = tf.tidy(() =>
        update(
          cur,
          (i) => {
            const t = T(c, nVars + i);
            return t.dtype === cur[0].dtype ? t : tf.cast(t, cur[0].dtype);
          },
          c,
        ),
      );
      next.forEach((t, i) => {
        if (t.shape.join() !== cur[i].shape.join()) {
          next.forEach((n) => n.dispose());
          throw new Error(`update of shape [${t.shape}] does not match the variable's [${cur[i].shape}]`);
        }
      });
      next.forEach((t, i) => c.run.session.setVariable(slots[i], t, c.run));
      // Resource ops have no output; the ref ops output the variable (a ref).
      return ref ? [c.inputs[0] as RefVar] : [];
    },
  };
}

type Update = (vars: tf.Tensor[], x: (i: number) => tf.Tensor, c: OpContext) => tf.Tensor[];

// var -= alpha * delta
const gradientDescent: Update = ([v], x) => [tf.sub(v, tf.mul(x(0), x(1)))];
// accum = accum * momentum + grad; var -= lr * accum  (Nesterov: var -= grad * lr + accum * momentum * lr)
const momentum: Update = ([v, acc], x, c) => {
  const [lr, g, mom] = [x(0), x(1), x(2)];
  const a = tf.add(tf.mul(acc, mom), g);
  const step = attrBool(c.attrs, "use_nesterov", false)
    ? tf.add(tf.mul(g, lr), tf.mul(tf.mul(a, mom), lr))
    : tf.mul(lr, a);
  return [tf.sub(v, step), a];
};
// accum = accum * momentum - lr * grad; var += accum  (Nesterov: var += accum * momentum - lr * grad)
const kerasMomentum: Update = ([v, acc], x, c) => {
  const [lr, g, mom] = [x(0), x(1), x(2)];
  const a = tf.sub(tf.mul(acc, mom), tf.mul(lr, g));
  const step = attrBool(c.attrs, "use_nesterov", false) ? tf.sub(tf.mul(a, mom), tf.mul(lr, g)) : a;
  return [tf.add(v, step), a];
};
// lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2);
// var -= lr_t * m / (sqrt(v) + eps)   (Nesterov: lr_t * (m * beta1 + (1 - beta1) g) / (sqrt(v) + eps))
const adam: Update = ([w, m, v], x, c) => {
  const [b1p, b2p, lr, b1, b2, eps, g] = [0, 1, 2, 3, 4, 5, 6].map(x);
  const lrT = tf.div(tf.mul(lr, tf.sqrt(tf.sub(1, b2p))), tf.sub(1, b1p));
  const m1 = tf.add(m, tf.mul(tf.sub(g, m), tf.sub(1, b1)));
  const v1 = tf.add(v, tf.mul(tf.sub(tf.square(g), v), tf.sub(1, b2)));
  const num = attrBool(c.attrs, "use_nesterov", false) ? tf.add(tf.mul(m1, b1), tf.mul(tf.sub(1, b1), g)) : m1;
  return [tf.sub(w, tf.div(tf.mul(lrT, num), tf.add(tf.sqrt(v1), eps))), m1, v1];
};
// AMSGrad: Adam's m and v; vhat = max(vhat, v); var -= lr_t * m / (sqrt(vhat) + eps)
const adamAmsgrad: Update = ([w, m, v, vhat], x) => {
  const [b1p, b2p, lr, b1, b2, eps, g] = [0, 1, 2, 3, 4, 5, 6].map(x);
  const lrT = tf.div(tf.mul(lr, tf.sqrt(tf.sub(1, b2p))), tf.sub(1, b1p));
  const m1 = tf.add(m, tf.mul(tf.sub(g, m), tf.sub(1, b1)));
  const v1 = tf.add(v, tf.mul(tf.sub(tf.square(g), v), tf.sub(1, b2)));
  const vh = tf.maximum(vhat, v1);
  return [tf.sub(w, tf.div(tf.mul(lrT, m1), tf.add(tf.sqrt(vh), eps))), m1, v1, vh];
};
// AdaMax: m = b1 m + (1 - b1) g; v = max(b2 v, |g|); var -= lr / (1 - beta1^t) * m / (v + eps)
const adaMax: Update = ([w, m, v], x) => {
  const [b1p, lr, b1, b2, eps, g] = [0, 1, 2, 3, 4, 5].map(x);
  const m1 = tf.add(tf.mul(b1, m), tf.mul(tf.sub(1, b1), g));
  const v1 = tf.maximum(tf.mul(b2, v), tf.abs(g));
  return [tf.sub(w, tf.mul(tf.div(lr, tf.sub(1, b1p)), tf.div(m1, tf.add(v1, eps)))), m1, v1];
};
// Adadelta: accum = rho accum + (1 - rho) g²; update = sqrt(accum_update + eps) / sqrt(accum + eps) · g;
// accum_update = rho accum_update + (1 - rho) update²; var -= lr · update
const adadelta: Update = ([w, acc, accUpd], x) => {
  const [lr, rho, eps, g] = [0, 1, 2, 3].map(x);
  const a = tf.add(tf.mul(rho, acc), tf.mul(tf.sub(1, rho), tf.square(g)));
  const upd = tf.mul(tf.div(tf.sqrt(tf.add(accUpd, eps)), tf.sqrt(tf.add(a, eps))), g);
  const au = tf.add(tf.mul(rho, accUpd), tf.mul(tf.sub(1, rho), tf.square(upd)));
  return [tf.sub(w, tf.mul(lr, upd)), a, au];
};
// ms += (g² - ms)(1 - rho); mom = mom * momentum + lr * g / sqrt(ms + eps); var -= mom
const rmsProp: Update = ([w, ms, mom], x) => {
  const [lr, rho, momentum_, eps, g] = [0, 1, 2, 3, 4].map(x);
  const ms1 = tf.add(ms, tf.mul(tf.sub(tf.square(g), ms), tf.sub(1, rho)));
  const mom1 = tf.add(tf.mul(mom, momentum_), tf.div(tf.mul(lr, g), tf.sqrt(tf.add(ms1, eps))));
  return [tf.sub(w, mom1), ms1, mom1];
};
// mg += (g - mg)(1 - rho); ms as RMSProp; mom = mom * momentum + lr * g / sqrt(ms - mg² + eps); var -= mom
const centeredRmsProp: Update = ([w, mg, ms, mom], x) => {
  const [lr, rho, momentum_, eps, g] = [0, 1, 2, 3, 4].map(x);
  const mg1 = tf.add(mg, tf.mul(tf.sub(g, mg), tf.sub(1, rho)));
  const ms1 = tf.add(ms, tf.mul(tf.sub(tf.square(g), ms), tf.sub(1, rho)));
  const denom = tf.sqrt(tf.add(tf.sub(ms1, tf.square(mg1)), eps));
  const mom1 = tf.add(tf.mul(mom, momentum_), tf.div(tf.mul(lr, g), denom));
  return [tf.sub(w, mom1), mg1, ms1, mom1];
};
// accum += g² (update_slots); var -= lr * g / sqrt(accum)
const adagrad: Update = ([w, acc], x, c) => {
  const [lr, g] = [x(0), x(1)];
  const a = attrBool(c.attrs, "update_slots", true) ? tf.add(acc, tf.square(g)) : tf.clone(acc);
  return [tf.sub(w, tf.div(tf.mul(lr, g), tf.sqrt(a))), a];
};
// Adagrad V2: var -= lr * g / (sqrt(accum) + eps)
const adagradV2: Update = ([w, acc], x, c) => {
  const [lr, eps, g] = [x(0), x(1), x(2)];
  const a = attrBool(c.attrs, "update_slots", true) ? tf.add(acc, tf.square(g)) : tf.clone(acc);
  return [tf.sub(w, tf.div(tf.mul(lr, g), tf.add(tf.sqrt(a), eps))), a];
};

/** Softmax cross entropy over the last axis: loss = -Σ labels·log_softmax(logits), backprop = softmax - labels. */
function softmaxXent(logits: tf.Tensor, labels: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const loss = tf.neg(tf.sum(tf.mul(labels, logp), -1));
    return [loss, tf.sub(tf.exp(logp), labels)];
  });
}

const OPTIMIZERS: [string, number, Update][] = [
  ["ApplyGradientDescent", 1, gradientDescent],
  ["ApplyMomentum", 2, momentum],
  ["ApplyKerasMomentum", 2, kerasMomentum],
  ["ApplyAdam", 3, adam],
  ["ApplyAdamWithAmsgrad", 4, adamAmsgrad],
  ["ApplyAdaMax", 3, adaMax],
  ["ApplyAdadelta", 3, adadelta],
  ["ApplyRMSProp", 3, rmsProp],
  ["ApplyCenteredRMSProp", 4, centeredRmsProp],
  ["ApplyAdagrad", 2, adagrad],
  ["ApplyAdagradV2", 2, adagradV2],
];

export const trainingKernels: KernelTable = {
  ...Object.fromEntries(
    OPTIMIZERS.flatMap(([name, n, u]) => [
      [`Resource${name}`, optimizer(n, u, false)],
      // TF1 ref-variable variants (TF has no ref KerasMomentum or AdamWithAmsgrad)
      ...(name === "ApplyKerasMomentum" || name === "ApplyAdamWithAmsgrad" ? [] : [[name, optimizer(n, u, true)]]),
    ]),
  ),
  ReluGrad: { compute: true, run: (c) => [tf.tidy(() => tf.mul(T(c, 0), tf.step(T(c, 1))))] },
  Relu6Grad: {
    compute: true,
    run: (c) => [
      tf.tidy(() => {
        const f = T(c, 1);
        return tf.mul(T(c, 0), tf.cast(tf.logicalAnd(tf.greater(f, 0), tf.less(f, 6)), T(c, 0).dtype));
      }),
    ],
  },
  // SigmoidGrad(y, dy) = dy·y·(1 - y); TanhGrad(y, dy) = dy·(1 - y²) (y is the forward output)
  SigmoidGrad: {
    compute: true,
    run: (c) => [tf.tidy(() => tf.mul(T(c, 1), tf.mul(T(c, 0), tf.sub(1, T(c, 0)))))],
  },
  TanhGrad: { compute: true, run: (c) => [tf.tidy(() => tf.mul(T(c, 1), tf.sub(1, tf.square(T(c, 0)))))] },
  InvertPermutation: {
    run: (c) => {
      const p = Array.from(T(c, 0).dataSync(), Number);
      const inv = new Array<number>(p.length).fill(-1);
      p.forEach((v, i) => {
        if (v < 0 || v >= p.length || inv[v] !== -1) throw new Error(`${p.join(",")} is not a permutation`);
        inv[v] = i;
      });
      return [tf.tensor1d(inv, "int32")];
    },
  },
  // ConcatOffset(concat_dim, shapes...): where each input starts along concat_dim in the concatenation.
  ConcatOffset: {
    run: (c) => {
      const shapes = c.inputs.slice(1).map((_, i) => Array.from(T(c, i + 1).dataSync(), Number));
      let dim = T(c, 0).dataSync()[0];
      if (dim < 0) dim += shapes[0].length;
      let at = 0;
      return shapes.map((s) => {
        const off = s.map((_, d) => (d === dim ? at : 0));
        at += s[dim];
        return tf.tensor1d(off, "int32");
      });
    },
  },
  // StridedSliceGrad(shape, begin, end, strides, dy): dy put back where the slice took it from, found by
  // slicing the element numbers of `shape` with the same arguments and masks (tfjs's stridedSlice).
  StridedSliceGrad: {
    compute: true,
    run: (c) => {
      const shape = Array.from(T(c, 0).dataSync(), Number);
      const [begin, end, strides] = [1, 2, 3].map((i) => Array.from(T(c, i).dataSync(), Number));
      const dy = T(c, 4);
      const mask = (n: string) => Number(c.attrs[n]?.i ?? 0);
      const size = shape.reduce((a, b) => a * b, 1);
      // float32 element numbers: tfjs-wasm slices int32 as float32; exact below 2^24 elements
      if (size > 2 ** 24) throw new Error(`StridedSliceGrad of ${size} elements is over the 2^24 this kernel handles`);
      const where = tf.tidy(() =>
        tf.stridedSlice(
          tf.reshape(tf.range(0, size, 1, "float32"), shape),
          begin,
          end,
          strides,
          mask("begin_mask"),
          mask("end_mask"),
          mask("ellipsis_mask"),
          mask("new_axis_mask"),
          mask("shrink_axis_mask"),
        ),
      );
      try {
        const at = where.dataSync();
        const g = dy.dataSync();
        if (at.length !== g.length) throw new Error(`dy has ${g.length} values but the slice takes ${at.length}`);
        const dx = new Float32Array(size);
        for (let i = 0; i < at.length; i++) dx[at[i]] += g[i];
        return [tf.tensor(dx, shape, dy.dtype === "int32" ? "int32" : "float32")];
      } finally {
        where.dispose();
      }
    },
  },
  BiasAddGrad: {
    compute: true,
    run: (c) => {
      const g = T(c, 0);
      const nchw = attrStr(c.attrs, "data_format", "NHWC").startsWith("NC") && g.rank >= 3;
      const keep = nchw ? 1 : g.rank - 1;
      const axes = Array.from({ length: g.rank }, (_, i) => i).filter((i) => i !== keep);
      return [axes.length ? tf.sum(g, axes) : tf.clone(g)];
    },
  },
  SoftmaxCrossEntropyWithLogits: { compute: true, run: (c) => softmaxXent(T(c, 0), T(c, 1)) },
  SparseSoftmaxCrossEntropyWithLogits: {
    compute: true,
    run: (c) => {
      const logits = T(c, 0);
      const labels = T(c, 1);
      const classes = logits.shape[logits.rank - 1] as number;
      const bad = Array.from(labels.dataSync()).find((l) => l < 0 || l >= classes);
      if (bad !== undefined) throw new Error(`label ${bad} is outside [0, ${classes})`);
      const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.cast(labels, "int32"), classes), logits.dtype));
      try {
        return softmaxXent(logits, onehot);
      } finally {
        onehot.dispose();
      }
    },
  },
  BroadcastGradientArgs: {
    run: (c) => {
      const [r0, r1] = broadcastGradientArgs(Array.from(T(c, 0).dataSync()), Array.from(T(c, 1).dataSync()));
      return [tf.tensor1d(r0, "int32"), tf.tensor1d(r1, "int32")];
    },
  },
};
