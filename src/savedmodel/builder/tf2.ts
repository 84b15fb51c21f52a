/**
 * TF2-style export pieces, as tf.saved_model.save lays them out: signature functions (a
 * `__inference_signature_wrapper_N` calling the traced `__inference_<name>_M` body, variables passed as
 * captured DT_RESOURCE inputs), the top-level Placeholder + StatefulPartitionedCall per signature, the
 * object graph's signature map and concrete functions, and the traced save/restore functions of the SaverDef.
 */
import { DataType } from "../dtypes.js";
import { tensorflow } from "../proto.js";
import type { DecodedTensor } from "../tensor.js";
import { attr, type ShapeLike } from "./attrs.js";
import { canonical } from "./canonical.js";
import {
  tensorOf,
  type FunctionBuilder,
  type FunctionHandle,
  type GraphBuilder,
  type VariableRecord,
} from "./graph.js";
import type { Tensor } from "./nodeScope.js";
import type { ObjectGraphBuilder } from "./objects.js";
import type { SignatureSpec } from "./savedModelBuilder.js";

const DT = DataType;

export interface Tf2Input {
  name: string;
  dtype: number;
  shape: ShapeLike;
}

export interface Tf2SignatureSpec {
  inputs: Tf2Input[];
  methodName?: string;
  /** Variables the computation may read (captured on first read); default: every variable of the graph. */
  variables?: VariableRecord[];
  /** Name for the traced body function (`__inference_<name>_<n>`); default the signature key. */
  functionName?: string;
  /**
   * The computation: `read(v)` gives the value of captured variable `v` (a ReadVariableOp made on first use in
   * the current name scope); `capture(t, argName)` passes any other top-level tensor (e.g. a table handle) in as
   * an extra input. Returns the outputs by key.
   */
  body: (
    f: FunctionBuilder,
    inputs: Tensor[],
    read: (v: VariableRecord) => Tensor,
    capture: (outer: Tensor, argName: string, objectId?: number) => Tensor,
  ) => Record<string, Tensor>;
}

interface Capture {
  outer: Tensor;
  spec: { name: string; dtype: number; shape: number[] };
  objectId?: number;
}

export interface Tf2Signatures {
  signatureDefs: Record<string, SignatureSpec>;
  /** The traced body function per signature key. */
  bodies: Record<string, FunctionHandle>;
  wrappers: Record<string, FunctionHandle>;
}

function resourceArgName(v: VariableRecord): string {
  return `${v.name.replace(/[^A-Za-z0-9_]/g, "_").toLowerCase()}_readvariableop_resource`;
}

/**
 * Adds one traced body + signature wrapper per signature, the serving Placeholders and call nodes to the graph,
 * and (when `og` is given) the signature map and concrete function specs to the object graph. Variables must
 * already be in the object graph for their bound-input ids.
 */
export function addTf2Signatures(
  graph: GraphBuilder,
  sigs: Record<string, Tf2SignatureSpec>,
  og?: ObjectGraphBuilder,
): Tf2Signatures {
  const out: Tf2Signatures = { signatureDefs: {}, bodies: {}, wrappers: {} };
  const mapEntries: Record<string, { fn: string; argumentKeywords: string[] }> = {};
  for (const [key, s] of Object.entries(sigs)) {
    const allowed = s.variables ?? graph.variables;
    // captured resources (variables, tables) become extra inputs in the order the body first uses them, as
    // tf.function does; the call node passes the outer handles
    const captures: Capture[] = [];
    const body = graph.function(`__inference_${s.functionName ?? key}_${graph.uid()}`, {
      inputs: s.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape })),
      body: (f, ...args) => {
        const byOuter = new Map<Tensor, Tensor>();
        const capture = (outer: Tensor, argName: string, objectId?: number): Tensor => {
          let t = byOuter.get(outer);
          if (!t) {
            const spec = {
              name: argName,
              dtype: outer.dtype > 100 ? outer.dtype - 100 : outer.dtype,
              shape: [] as number[],
            };
            t = f.addInput(spec);
            captures.push({ outer, spec, objectId });
            byOuter.set(outer, t);
          }
          return t;
        };
        const reads = new Map<VariableRecord, Tensor>();
        const read = (v: VariableRecord): Tensor => {
          let t = reads.get(v);
          if (!t) {
            if (!allowed.includes(v)) throw new Error(`variable ${v.name} is not captured by signature ${key}`);
            const res = capture(v.handle, resourceArgName(v), v.objectId);
            t = f.op(
              "ReadVariableOp",
              "ReadVariableOp",
              [res],
              { dtype: attr.type(v.value.dtype) },
              { outputShapes: [v.value.shape] },
            ).output;
            t.shape = [...v.value.shape];
            reads.set(v, t);
          }
          return t;
        };
        return s.body(f, args, read, capture);
      },
    });
    const wrapper = graph.function(`__inference_signature_wrapper_${graph.uid()}`, {
      inputs: [
        ...s.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape })),
        ...captures.map((c) => c.spec),
      ],
      body: (f, ...args) => {
        const c = f.call(body, args);
        return Object.fromEntries(body.outputs.map((o, i) => [o.name, c.outputs[i]]));
      },
    });
    const placeholders = s.inputs.map((i) => graph.placeholder(`${key}_${i.name}`, i.dtype, i.shape));
    const node = graph.call(wrapper, [...placeholders, ...captures.map((c) => c.outer)]);
    out.signatureDefs[key] = {
      methodName: s.methodName,
      inputs: Object.fromEntries(s.inputs.map((i, k) => [i.name, placeholders[k]])),
      outputs: Object.fromEntries(wrapper.outputs.map((o, k) => [o.name, node.outputs[k]])),
    };
    out.bodies[key] = body;
    out.wrappers[key] = wrapper;
    mapEntries[key] = { fn: wrapper.name, argumentKeywords: s.inputs.map((i) => i.name) };
    if (og) {
      const bound = captures.map((c) => c.objectId ?? -1).filter((id) => id >= 0);
      og.concreteFunction(wrapper, {
        args: s.inputs,
        kwargs: true,
        outputs: Object.fromEntries(wrapper.outputs.map((o) => [o.name, { dtype: o.dtype, shape: o.shape ?? null }])),
        boundInputs: bound,
      });
      og.concreteFunction(body, {
        args: s.inputs,
        outputs: Object.fromEntries(body.outputs.map((o) => [o.name, { dtype: o.dtype, shape: o.shape ?? null }])),
        boundInputs: bound,
      });
    }
  }
  if (og) og.signatureMap(mapEntries);
  return out;
}

/**
 * TF2's saver: `saver_filename` Placeholder, a traced save function (SaveV2 of every variable plus the
 * serialized checkpoint object graph) and a traced restore function (RestoreV2 + AssignVariableOp), called
 * by StatefulPartitionedCall nodes named in the SaverDef. Call once the object graph is complete.
 */
export function addTf2Saver(graph: GraphBuilder, og: ObjectGraphBuilder): tensorflow.ISaverDef {
  const vars = [...graph.variables].sort((a, b) => (a.checkpointKey < b.checkpointKey ? -1 : 1));
  const S = DT.DT_STRING;
  const tog = tensorflow.TrackableObjectGraph.encode(
    canonical(og.trackableGraph(), "tensorflow.TrackableObjectGraph"),
  ).finish();
  const togConst = graph.const_("Const", { dtype: S, shape: [], values: [tog] });
  const filename = graph.placeholder("saver_filename", S, []);
  const keys = [...vars.map((v) => v.checkpointKey), "_CHECKPOINTABLE_OBJECT_GRAPH"].sort();
  const save = graph.function(`__inference__traced_save_${graph.uid()}`, {
    inputs: [
      { name: "file_prefix", dtype: S, shape: [] },
      ...vars.map((v, i) => ({ name: `savev2_${i}`, dtype: v.value.dtype, shape: v.value.shape })),
      { name: "savev2_const", dtype: S, shape: [] },
    ],
    body: (f, file, ...rest) => {
      const byKey = new Map<string, Tensor>(vars.map((v, i) => [v.checkpointKey, rest[i]]));
      byKey.set("_CHECKPOINTABLE_OBJECT_GRAPH", rest[rest.length - 1]);
      const names = f.const_("SaveV2/tensor_names", tensorOf(S, [keys.length], keys));
      const slices = f.const_(
        "SaveV2/shape_and_slices",
        tensorOf(
          S,
          [keys.length],
          keys.map(() => ""),
        ),
      );
      const sv = f.op("SaveV2", "SaveV2", [file, names, slices, ...keys.map((k) => byKey.get(k)!)]);
      return { identity: f.identity("Identity_1", file, { control: [sv] }) };
    },
  });
  const restore = graph.function(`__inference__traced_restore_${graph.uid()}`, {
    inputs: [
      { name: "file_prefix", dtype: S, shape: [] },
      ...vars.map((v, i) => ({ name: `assignvariableop_${i}_resource`, dtype: DT.DT_RESOURCE, shape: [] })),
    ],
    body: (f, file, ...res) => {
      const vkeys = vars.map((v) => v.checkpointKey);
      const names = f.const_("RestoreV2/tensor_names", tensorOf(S, [vkeys.length], vkeys));
      const slices = f.const_(
        "RestoreV2/shape_and_slices",
        tensorOf(
          S,
          [vkeys.length],
          vkeys.map(() => ""),
        ),
      );
      const rv = f.op("RestoreV2", "RestoreV2", [file, names, slices], {
        dtypes: attr.listType(vars.map((v) => v.value.dtype)),
      });
      const assigns = vars.map((v, i) => {
        const id = f.identity("Identity", rv.outputs[i]);
        return f.op("AssignVariableOp", "AssignVariableOp", [res[i], id], { dtype: attr.type(v.value.dtype) });
      });
      const noop = f.noOp("NoOp", assigns);
      return { identity: f.identity("Identity_1", file, { control: [noop] }) };
    },
  });
  const saveCall = graph.call(save, [filename, ...vars.map((v) => v.read), togConst], {
    name: "StatefulPartitionedCall_save",
  });
  const restoreCall = graph.call(restore, [filename, ...vars.map((v) => v.handle)], {
    name: "StatefulPartitionedCall_restore",
  });
  graph.saverDef = {
    filenameTensorName: `${filename.ref}:0`,
    saveTensorName: `${saveCall.name}:0`,
    restoreOpName: restoreCall.name,
    version: tensorflow.SaverDef.CheckpointFormatVersion.V2,
  };
  return graph.saverDef;
}

// ---- deterministic values ----

/** A small seeded PRNG (mulberry32) so built models are reproducible. */
export { mulberry32 as rng } from "../random.js";

/** A float tensor with uniform values in [-scale, scale). */
export function randomTensor(dtype: number, shape: number[], scale: number, next: () => number): DecodedTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = dtype === DT.DT_DOUBLE ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (next() * 2 - 1) * scale;
  return { dtype, shape, values: v };
}

/** A float tensor filled with one value. */
export function filledTensor(dtype: number, shape: number[], value: number): DecodedTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = dtype === DT.DT_DOUBLE ? new Float64Array(n) : new Float32Array(n);
  v.fill(value);
  return { dtype, shape, values: v };
}
