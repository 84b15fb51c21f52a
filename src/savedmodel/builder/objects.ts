/**
 * ObjectGraphBuilder: the TF2 SavedObjectGraph (user objects / Keras layers, variables, functions, concrete
 * functions, signature map, assets) together with the checkpoint's TrackableObjectGraph, which uses the same
 * node ids so the reader can join checkpoint keys to variable names and object paths.
 */
import { SavedModelError } from "../errors.js";
import { tensorflow, type ISavedObject, type ISavedObjectGraph, type IStructuredValue } from "../proto.js";
import { shapeProto, type ShapeLike } from "./attrs.js";
import type { FunctionHandle, VariableRecord } from "./graph.js";

type TrackableNode = tensorflow.TrackableObjectGraph.ITrackableObject;

export interface SpecLike {
  name?: string;
  dtype: number;
  shape?: ShapeLike;
}

/** TF's escaping of local names inside checkpoint keys ("/" → ".S", "." → ".."). */
export function escapeLocalName(name: string): string {
  return name.replace(/\./g, "..").replace(/\//g, ".S");
}

export const VARIABLE_VALUE_SUFFIX = ".ATTRIBUTES/VARIABLE_VALUE";

const VERSION = { producer: 1, minConsumer: 1 };

export function tensorSpecValue(s: SpecLike, name?: string): IStructuredValue {
  const spec: tensorflow.ITensorSpecProto = { shape: shapeProto(s.shape ?? null), dtype: s.dtype };
  const n = name ?? s.name;
  if (n) spec.name = n;
  return { tensorSpecValue: spec };
}

export function tupleValue(values: IStructuredValue[]): IStructuredValue {
  return { tupleValue: { values } };
}

export function dictValue(fields: Record<string, IStructuredValue>): IStructuredValue {
  return { dictValue: { fields } };
}

const none = (): IStructuredValue => ({ noneValue: {} });

/** FullArgSpec(args=[self?, ...], varargs=None, ...) as TF's nested_structure_coder writes it. */
export function fullArgSpec(args: string[]): IStructuredValue {
  return {
    namedTupleValue: {
      name: "FullArgSpec",
      values: [
        { key: "args", value: { listValue: { values: args.map((a) => ({ stringValue: a })) } } },
        { key: "varargs", value: none() },
        { key: "varkw", value: none() },
        { key: "defaults", value: none() },
        { key: "kwonlyargs", value: { listValue: {} } },
        { key: "kwonlydefaults", value: none() },
        { key: "annotations", value: { dictValue: {} } },
      ],
    },
  };
}

export class ObjectGraphBuilder {
  readonly nodes: ISavedObject[] = [];
  private readonly trackable: TrackableNode[] = [];
  private readonly paths: string[] = [];
  private readonly checkpointable: boolean[] = [];
  readonly concreteFunctions: Record<string, tensorflow.ISavedConcreteFunction> = {};
  /** Variables placed in the graph, by node id. */
  readonly variables = new Map<number, VariableRecord>();

  constructor(rootIdentifier = "_generic_user_object", rootMetadata?: string) {
    this.add(
      { userObject: { identifier: rootIdentifier, version: VERSION, metadata: rootMetadata } },
      undefined,
      "",
      true,
    );
  }

  readonly root = 0;

  private add(o: ISavedObject, parent: number | undefined, localName: string, checkpointable: boolean): number {
    const id = this.nodes.length;
    this.nodes.push({ ...o, children: [] });
    this.trackable.push({ children: [], attributes: [] });
    this.checkpointable.push(checkpointable);
    this.paths.push(parent === undefined ? "" : this.childPath(parent, localName));
    if (parent !== undefined) this.addChild(parent, localName, id);
    return id;
  }

  private childPath(parent: number, localName: string): string {
    const p = this.paths[parent];
    return p ? `${p}/${escapeLocalName(localName)}` : escapeLocalName(localName);
  }

  /** An extra edge (e.g. Keras "variables" lists, "keras_api"). Checkpoint-graph edges join checkpointable nodes. */
  addChild(parent: number, localName: string, child: number): void {
    if (parent < 0 || parent >= this.nodes.length || child < 0 || child >= this.nodes.length) {
      throw new SavedModelError("<builder>", `object graph edge ${parent} -> ${child} out of range`);
    }
    (this.nodes[parent].children as tensorflow.TrackableObjectGraph.TrackableObject.IObjectReference[]).push({
      nodeId: child,
      localName,
    });
    if (this.checkpointable[parent] && this.checkpointable[child])
      this.trackable[parent].children!.push({ nodeId: child, localName });
  }

  /** A user object (a Keras layer/model, a tf.Module, a dict wrapper). `metadata` is Keras's JSON. */
  userObject(parent: number, localName: string, identifier = "_generic_user_object", metadata?: string): number {
    const uo: tensorflow.ISavedUserObject = { identifier, version: VERSION };
    if (metadata) uo.metadata = metadata;
    return this.add({ userObject: uo }, parent, localName, true);
  }

  /** A Keras layer with the metadata the explorer reads (class_name, name). */
  kerasLayer(
    parent: number,
    localName: string,
    className: string,
    layerName: string,
    config: Record<string, unknown> = {},
    identifier = "_tf_keras_layer",
  ): number {
    const metadata = JSON.stringify({
      name: layerName,
      trainable: true,
      expects_training_arg: false,
      dtype: "float32",
      batch_input_shape: null,
      stateful: false,
      must_restore_from_config: false,
      class_name: className,
      config: { name: layerName, ...config },
    });
    return this.userObject(parent, localName, identifier, metadata);
  }

  /** A variable: SavedVariable node and checkpoint attribute; sets the variable's TF2 checkpoint key. */
  variable(parent: number, localName: string, v: VariableRecord): number {
    const id = this.add(
      { variable: { dtype: v.value.dtype, shape: shapeProto(v.value.shape), trainable: v.trainable, name: v.name } },
      parent,
      localName,
      true,
    );
    v.checkpointKey = `${this.paths[id]}/${VARIABLE_VALUE_SUFFIX}`;
    v.objectId = id;
    this.trackable[id].attributes!.push({ name: "VARIABLE_VALUE", fullName: v.name, checkpointKey: v.checkpointKey });
    this.variables.set(id, v);
    return id;
  }

  /** A tf.function with its concrete functions (argument names for FullArgSpec; isMethod adds "self"). */
  function(
    parent: number,
    localName: string,
    concrete: string[],
    spec?: { args: SpecLike[]; argNames?: string[]; isMethod?: boolean },
  ): number {
    const fn: tensorflow.ISavedFunction = { concreteFunctions: concrete };
    if (spec) {
      const names = spec.argNames ?? spec.args.map((a, i) => a.name ?? `arg_${i}`);
      fn.functionSpec = {
        fullargspec: fullArgSpec(spec.isMethod === false ? names : ["self", ...names]),
        isMethod: spec.isMethod !== false,
        inputSignature: tupleValue(spec.args.map((a) => tensorSpecValue(a, ""))),
      };
    }
    return this.add({ function: fn }, parent, localName, false);
  }

  /** A signature's concrete function as TF saves it (keyword arguments only). */
  bareConcreteFunction(parent: number, localName: string, fn: string, argumentKeywords: string[]): number {
    return this.add(
      { bareConcreteFunction: { concreteFunctionName: fn, argumentKeywords, allowedPositionalArguments: 0 } },
      parent,
      localName,
      false,
    );
  }

  /** The `signatures` map object: one bare concrete function per signature key. */
  signatureMap(entries: Record<string, { fn: string; argumentKeywords: string[] }>, parent = 0): number {
    const id = this.userObject(parent, "signatures", "signature_map");
    for (const [key, e] of Object.entries(entries)) this.bareConcreteFunction(id, key, e.fn, e.argumentKeywords);
    return id;
  }

  /** A captured resource (e.g. a lookup table), not part of the checkpoint. */
  resource(parent: number, localName: string, device = ""): number {
    return this.add({ resource: device ? { device } : {} }, parent, localName, false);
  }

  /** A tracked asset (index into the meta graph's asset_file_def). */
  asset(parent: number, localName: string, assetFileDefIndex: number): number {
    return this.add({ asset: { assetFileDefIndex } }, parent, localName, false);
  }

  /**
   * Records a concrete function's structured signature: positional args (by name), keyword outputs, and the
   * object ids of the captured inputs (variables) passed after the arguments.
   */
  concreteFunction(
    fn: FunctionHandle | string,
    spec: { args: SpecLike[]; kwargs?: boolean; outputs: Record<string, SpecLike> | SpecLike; boundInputs?: number[] },
  ): void {
    const name = typeof fn === "string" ? fn : fn.name;
    const args = spec.kwargs
      ? tupleValue([
          tupleValue([]),
          dictValue(Object.fromEntries(spec.args.map((a) => [a.name ?? "", tensorSpecValue(a)]))),
        ])
      : tupleValue([tupleValue(spec.args.map((a) => tensorSpecValue(a))), dictValue({})]);
    const out =
      "dtype" in spec.outputs && typeof spec.outputs.dtype === "number"
        ? tensorSpecValue(spec.outputs as SpecLike, "")
        : dictValue(
            Object.fromEntries(
              Object.entries(spec.outputs as Record<string, SpecLike>).map(([k, s]) => [k, tensorSpecValue(s, k)]),
            ),
          );
    this.concreteFunctions[name] = {
      boundInputs: spec.boundInputs ?? [],
      canonicalizedInputSignature: args,
      outputSignature: out,
    };
  }

  /** Object path (checkpoint form, "/"-joined escaped local names) of a node. */
  pathOf(id: number): string {
    return this.paths[id];
  }

  build(): ISavedObjectGraph {
    return { nodes: this.nodes, concreteFunctions: this.concreteFunctions };
  }

  /** The checkpoint's object graph (same ids; non-checkpointable nodes stay empty). */
  trackableGraph(): tensorflow.ITrackableObjectGraph {
    return { nodes: this.trackable };
  }
}
