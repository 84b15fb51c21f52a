/** Resource variables (VarHandleOp/ReadVariableOp/Assign*VariableOp) and TF1 ref variables (VariableV2/Assign*). */
import * as tf from "@tensorflow/tfjs-core";
import { attrInt, attrShape, attrStr, attrType } from "../attrs.js";
import type { KernelTable, OpContext } from "../kernel.js";
import type { VariableSlot } from "../state.js";
import { RefVar, ResourceHandle, isTensor, tfjsDtype, type Value } from "../values.js";

function varKey(c: OpContext): string {
  const container = attrStr(c.attrs, "container", "");
  const shared = attrStr(c.attrs, "shared_name", "");
  return `${container}|${shared || (c.body.name ? `${c.body.name}/` : "") + c.node.name}`;
}

export function slotOf(c: OpContext, v: Value, what = "resource"): VariableSlot {
  let key: string | undefined;
  if (v instanceof ResourceHandle) key = v.key;
  else if (v instanceof RefVar) key = v.key;
  if (key === undefined) throw new Error(`${what} input is not a variable handle`);
  const s = c.run.session.vars.get(key);
  if (!s) throw new Error(`variable "${key}" does not exist`);
  return s;
}

export function valueOf(c: OpContext, s: VariableSlot): tf.Tensor {
  if (!s.value || s.value.isDisposed) {
    throw new Error(
      `variable "${s.key.split("|")[1]}" is uninitialized (not restored from the checkpoint and not assigned by an init op)`,
    );
  }
  return s.value;
}

function assign(c: OpContext, s: VariableSlot, value: Value): tf.Tensor {
  if (!isTensor(value)) throw new Error("assigned value is not a tensor");
  const want = tfjsDtype(s.dtype);
  let v = want && value.dtype !== want ? tf.cast(value, want) : tf.clone(value);
  if (s.shape && s.shape.length === v.rank && s.shape.some((d, i) => d >= 0 && d !== v.shape[i])) {
    const msg = `shape [${v.shape}] does not match the variable's shape [${s.shape}]`;
    v.dispose();
    throw new Error(msg);
  }
  c.run.session.setVariable(s, v, c.run);
  return v;
}

function update(c: OpContext, s: VariableSlot, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor {
  const next = f(valueOf(c, s), c.inputs[1] as tf.Tensor);
  c.run.session.setVariable(s, next, c.run);
  return next;
}

function varHandle(c: OpContext): Value[] {
  const key = varKey(c);
  c.run.session.variable(key, attrType(c.attrs, "dtype"), attrShape(c.attrs, "shape"));
  return [new ResourceHandle(key, "variable", c.node.name)];
}

function refVariable(c: OpContext): Value[] {
  const key = varKey(c);
  c.run.session.variable(key, attrType(c.attrs, "dtype"), attrShape(c.attrs, "shape"));
  return [new RefVar(key, c.node.name)];
}

export const variableKernels: KernelTable = {
  VarHandleOp: { run: varHandle },
  // The stored tensor itself: it is pinned, and a later assignment only disposes it once no slot holds it.
  ReadVariableOp: { run: (c) => [valueOf(c, slotOf(c, c.inputs[0]))] },
  AssignVariableOp: {
    run: (c) => {
      assign(c, slotOf(c, c.inputs[0]), c.inputs[1]);
      return [];
    },
  },
  AssignAddVariableOp: {
    run: (c) => {
      update(c, slotOf(c, c.inputs[0]), tf.add);
      return [];
    },
  },
  AssignSubVariableOp: {
    run: (c) => {
      update(c, slotOf(c, c.inputs[0]), tf.sub);
      return [];
    },
  },
  VarIsInitializedOp: {
    run: (c) => {
      const s = slotOf(c, c.inputs[0]);
      return [tf.scalar(!!s.value && !s.value.isDisposed, "bool")];
    },
  },
  VariableShape: { run: (c) => [tf.tensor1d(valueOf(c, slotOf(c, c.inputs[0])).shape, "int32")] },
  DestroyResourceOp: { run: () => [] },
  // TF 2.13+: a hint that reads need not copy; our variables are never copied on read.
  DisableCopyOnRead: { run: () => [] },
  ResourceGather: {
    run: (c) => {
      const batchDims = attrInt(c.attrs, "batch_dims", 0);
      return [tf.gather(valueOf(c, slotOf(c, c.inputs[0])), c.inputs[1] as tf.Tensor, batchDims, batchDims)];
    },
  },
  ResourceGatherNd: { run: (c) => [tf.gatherND(valueOf(c, slotOf(c, c.inputs[0])), c.inputs[1] as tf.Tensor)] },
  // TF1 ref variables
  VariableV2: { run: refVariable },
  Variable: { run: refVariable },
  Assign: {
    refInputs: true,
    run: (c) => {
      assign(c, slotOf(c, c.inputs[0], "ref"), c.inputs[1]);
      return [c.inputs[0]];
    },
  },
  AssignAdd: {
    refInputs: true,
    run: (c) => {
      update(c, slotOf(c, c.inputs[0], "ref"), tf.add);
      return [c.inputs[0]];
    },
  },
  AssignSub: {
    refInputs: true,
    run: (c) => {
      update(c, slotOf(c, c.inputs[0], "ref"), tf.sub);
      return [c.inputs[0]];
    },
  },
  IsVariableInitialized: {
    refInputs: true,
    run: (c) => {
      const s = slotOf(c, c.inputs[0], "ref");
      return [tf.scalar(!!s.value && !s.value.isDisposed, "bool")];
    },
  },
};
