/**
 * GraphBuilder: a TF GraphDef under construction (placeholders, constants, any op, variables with their
 * initializers and checkpoint keys, a TF1 saver, library functions and calls into them). FunctionBuilder:
 * a FunctionDef body built with the same calls, outputs named "node:out_arg:i" as TF does inside functions.
 */
import { DataType } from "../dtypes.js";
import { SavedModelError } from "../errors.js";
import type { OpSchema } from "../opRegistry/index.js";
import { tensorflow, type IAttrValue, type ICollectionDef, type IFunctionDef, type IGraphDef } from "../proto.js";
import { shapeElementCount, type DecodedTensor, type TensorValues } from "../tensor.js";
import { attr, shapeProto, type ShapeLike } from "./attrs.js";
import { canonical } from "./canonical.js";
import { NodeScope, STATEFUL_OPS, type BuiltNode, type OpOptions, type Tensor, type TensorLike } from "./nodeScope.js";

const DT = DataType;

export interface VariableOptions {
  /** "resource" (VarHandleOp/AssignVariableOp/ReadVariableOp, default) or "ref" (TF1 VariableV2/Assign/Identity). */
  kind?: "resource" | "ref";
  trainable?: boolean;
  /** Checkpoint key (default: the variable name; the object graph sets TF2 keys). */
  checkpointKey?: string;
  /**
   * Initializer written into the graph: "value" (a Const with the value), "zeros" (a Const of the shape with no
   * values), "none" (TF2 top-level graphs: just the handle). Default: "value" up to 4096 elements, else "zeros".
   */
  initializer?: "value" | "zeros" | "none";
  /** Add the VariableDef to the "variables"/"trainable_variables" collections (default: unless initializer "none"). */
  collect?: boolean;
  /** Put the value in this checkpoint shard. */
  shard?: number;
}

export interface VariableRecord {
  /** Graph name of the variable (its VarHandleOp/VariableV2 node). */
  name: string;
  checkpointKey: string;
  value: DecodedTensor;
  kind: "resource" | "ref";
  trainable: boolean;
  /** VarHandleOp output (DT_RESOURCE) or VariableV2 output (*_REF). */
  handle: Tensor;
  /** The value as read in the graph (ReadVariableOp or the `/read` Identity). */
  read: Tensor;
  initializer?: BuiltNode;
  shard?: number;
  /** SavedObjectGraph node id, once the object graph has it. */
  objectId?: number;
}

export interface FunctionArgSpec {
  name: string;
  dtype: number;
  shape?: ShapeLike;
}

export interface FunctionSpec {
  inputs: FunctionArgSpec[];
  /** Builds the body: returns the outputs, by output-arg name (or positionally as "identity", "identity_1", ...). */
  body: (f: FunctionBuilder, ...args: Tensor[]) => Record<string, Tensor> | Tensor[];
  /** Wrap each output in an Identity node first, like tf.function (default true). */
  identityOutputs?: boolean;
  /** Function attrs (e.g. `_input_shapes`, `_api_implements`). */
  attrs?: Record<string, IAttrValue>;
  /** Record `_output_shapes` on body nodes given outputShapes. */
  recordShapes?: boolean;
}

export interface FunctionHandle {
  name: string;
  def: IFunctionDef;
  inputs: FunctionArgSpec[];
  outputs: FunctionArgSpec[];
  stateful: boolean;
}

export interface CallOptions extends OpOptions {
  /** Node name (default "StatefulPartitionedCall" / "PartitionedCall"). */
  name?: string;
  /** StatefulPartitionedCall (default when the function is stateful) or PartitionedCall. */
  stateful?: boolean;
}

/** TF2's usual config_proto on call nodes (CPU/GPU device counts, allow soft placement). */
const CONFIG_PROTO = new Uint8Array([
  10, 7, 10, 3, 71, 80, 85, 16, 0, 10, 7, 10, 3, 67, 80, 85, 16, 1, 50, 2, 74, 0, 56, 1,
]);

/** Builds `{dtype, shape, values}` with checks that values fit the shape. */
export function tensorOf(dtype: number, shape: number[], values: TensorValues | number[] | string[]): DecodedTensor {
  const n = shapeElementCount(shape);
  let v: TensorValues;
  if (Array.isArray(values) && values.length === 0) {
    v = dtype === DT.DT_STRING ? [] : typedArrayFor(dtype, []);
  } else if (Array.isArray(values) && typeof values[0] === "string") {
    if (dtype !== DT.DT_STRING) throw new SavedModelError("<builder>", "string values need DT_STRING");
    v = (values as string[]).map((s) => new TextEncoder().encode(s));
  } else if (Array.isArray(values) && typeof values[0] === "number") {
    v = typedArrayFor(dtype, values as number[]);
  } else v = values as TensorValues;
  const lanes = dtype === DT.DT_COMPLEX64 || dtype === DT.DT_COMPLEX128 ? 2 : 1;
  if (v.length !== n * lanes)
    throw new SavedModelError("<builder>", `${v.length} values for shape [${shape.join(", ")}]`);
  return { dtype, shape, values: v };
}

function typedArrayFor(dtype: number, v: number[]): TensorValues {
  switch (dtype) {
    case DT.DT_FLOAT:
    case DT.DT_HALF:
    case DT.DT_BFLOAT16:
    case DT.DT_COMPLEX64:
      return Float32Array.from(v);
    case DT.DT_DOUBLE:
    case DT.DT_COMPLEX128:
      return Float64Array.from(v);
    case DT.DT_INT32:
      return Int32Array.from(v);
    case DT.DT_INT64:
      return BigInt64Array.from(v.map((x) => BigInt(x)));
    case DT.DT_UINT64:
      return BigUint64Array.from(v.map((x) => BigInt(x)));
    case DT.DT_INT16:
      return Int16Array.from(v);
    case DT.DT_INT8:
      return Int8Array.from(v);
    case DT.DT_UINT8:
    case DT.DT_BOOL:
      return Uint8Array.from(v);
    case DT.DT_UINT16:
      return Uint16Array.from(v);
    case DT.DT_UINT32:
      return Uint32Array.from(v);
    default:
      throw new SavedModelError("<builder>", `no array type for dtype ${dtype}`);
  }
}

/** Ops shared by graph and function bodies. */
abstract class Ops extends NodeScope {
  abstract readonly graph: GraphBuilder;

  protected libraryFunction(name: string): IFunctionDef | undefined {
    return this.graph.library.get(name)?.def;
  }

  placeholder(name: string, dtype: number, shape: ShapeLike = null): Tensor {
    const n = this.op(
      "Placeholder",
      name,
      [],
      { dtype: attr.type(dtype), shape: attr.shape(shape) },
      { outputShapes: [shape] },
    );
    return n.output;
  }

  const_(name: string, t: DecodedTensor): Tensor {
    return this.op("Const", name, [], { value: attr.tensor(t), dtype: attr.type(t.dtype) }, { outputShapes: [t.shape] })
      .output;
  }

  /** A float32 constant (scalar when shape is omitted). */
  constF(name: string, values: number | number[], shape?: number[]): Tensor {
    const v = typeof values === "number" ? [values] : values;
    return this.const_(name, tensorOf(DT.DT_FLOAT, shape ?? (typeof values === "number" ? [] : [v.length]), v));
  }

  constI32(name: string, values: number | number[], shape?: number[]): Tensor {
    const v = typeof values === "number" ? [values] : values;
    return this.const_(name, tensorOf(DT.DT_INT32, shape ?? (typeof values === "number" ? [] : [v.length]), v));
  }

  constStr(name: string, values: string | string[], shape?: number[]): Tensor {
    const v = typeof values === "string" ? [values] : values;
    return this.const_(name, tensorOf(DT.DT_STRING, shape ?? (typeof values === "string" ? [] : [v.length]), v));
  }

  identity(name: string, x: TensorLike, opts?: OpOptions): Tensor {
    return this.op("Identity", name, [x], {}, opts).output;
  }

  noOp(name: string, control: (string | BuiltNode)[] = []): BuiltNode {
    return this.op("NoOp", name, [], {}, { control });
  }

  /** A call node into a library function: StatefulPartitionedCall (f, Tin, Tout) or PartitionedCall. */
  call(fn: FunctionHandle, inputs: TensorLike[], opts: CallOptions = {}): BuiltNode {
    const stateful = opts.stateful ?? fn.stateful;
    const opType = stateful ? "StatefulPartitionedCall" : "PartitionedCall";
    if (inputs.length !== fn.inputs.length) {
      throw new SavedModelError(
        "<builder>",
        `function ${fn.name} takes ${fn.inputs.length} inputs, ${inputs.length} given`,
      );
    }
    return this.op(
      opType,
      opts.name ?? opType,
      inputs,
      {
        f: attr.func(fn.name),
        Tin: attr.listType(fn.inputs.map((a) => a.dtype)),
        Tout: attr.listType(fn.outputs.map((a) => a.dtype)),
        config: attr.s(""),
        config_proto: attr.s(CONFIG_PROTO),
        executor_type: attr.s(""),
      },
      { outputShapes: fn.outputs.map((o) => o.shape ?? null), ...opts },
    );
  }
}

export class GraphBuilder extends Ops {
  readonly library = new Map<string, FunctionHandle>();
  readonly variables: VariableRecord[] = [];
  readonly collections: Record<string, ICollectionDef> = {};
  saverDef?: tensorflow.ISaverDef;
  private fnCounter = 0;

  get graph(): GraphBuilder {
    return this;
  }
  protected get containerName(): string {
    return "graph_def";
  }

  protected outputRef(node: string, _s: OpSchema | undefined, _a: Record<string, IAttrValue>, flat: number): string {
    return flat === 0 ? node : `${node}:${flat}`;
  }

  /** A fresh number for TF-style function names (`__inference_call_42`). */
  uid(): number {
    return ++this.fnCounter;
  }

  addToCollection(key: string, kind: "nodeList" | "bytesList", value: string | Uint8Array): void {
    const c = (this.collections[key] ??=
      kind === "nodeList" ? { nodeList: { value: [] } } : { bytesList: { value: [] } });
    if (kind === "nodeList") c.nodeList!.value!.push(value as string);
    else c.bytesList!.value!.push(value as Uint8Array);
  }

  /** A PlaceholderWithDefault fed by `input`. */
  placeholderWithDefault(name: string, input: TensorLike, shape: ShapeLike): Tensor {
    return this.op("PlaceholderWithDefault", name, [input], { shape: attr.shape(shape) }).output;
  }

  /**
   * A variable: TF1 ref (VariableV2 + Assign + `/read` Identity) or resource (VarHandleOp + AssignVariableOp +
   * ReadVariableOp). Its value is saved in the checkpoint under `checkpointKey`.
   */
  variable(name: string, value: DecodedTensor, opts: VariableOptions = {}): VariableRecord {
    const kind = opts.kind ?? "resource";
    const trainable = opts.trainable ?? true;
    const elements = value.shape.reduce((a, b) => a * b, 1);
    const init = opts.initializer ?? (elements <= 4096 ? "value" : "zeros");
    const shape = attr.shape(value.shape);
    const dtype = value.dtype;
    const vname = this.uniqueName(name);
    const initValue = (): Tensor =>
      init === "value"
        ? this.absScope(vname, () => this.const_(kind === "ref" ? "initial_value" : "Initializer/initial_value", value))
        : this.absScope(
            vname,
            () =>
              this.op(
                "Const",
                kind === "ref" ? "initial_value" : "Initializer/zeros",
                [],
                { value: { tensor: { dtype, tensorShape: shapeProto(value.shape) } }, dtype: attr.type(dtype) },
                { outputShapes: [value.shape] },
              ).output,
          );
    let rec: VariableRecord;
    const cls = attr.listS([`loc:@${vname}`]);
    if (kind === "ref") {
      const iv = init === "none" ? undefined : initValue();
      const v = this.opReserved(
        "VariableV2",
        vname,
        [],
        { shape, dtype: attr.type(dtype), container: attr.s(""), shared_name: attr.s("") },
        { outputShapes: [value.shape] },
      );
      const assign = iv
        ? this.absScope(vname, () =>
            this.op("Assign", "Assign", [v.output, iv], {
              validate_shape: attr.b(true),
              use_locking: attr.b(true),
              _class: cls,
            }),
          )
        : undefined;
      const read = this.absScope(vname, () =>
        this.op("Identity", "read", [v.output], { _class: cls }, { outputShapes: [value.shape] }),
      );
      rec = {
        name: vname,
        checkpointKey: opts.checkpointKey ?? vname,
        value,
        kind,
        trainable,
        handle: v.output,
        read: read.output,
        initializer: assign,
      };
    } else {
      const h = this.opReserved(
        "VarHandleOp",
        vname,
        [],
        { shape, dtype: attr.type(dtype), shared_name: attr.s(vname), container: attr.s("") },
        { outputShapes: [[]] },
      );
      let assign: BuiltNode | undefined;
      if (init !== "none") {
        const iv = initValue();
        assign = this.absScope(vname, () =>
          this.op("AssignVariableOp", "Assign", [h.output, iv], { dtype: attr.type(dtype) }),
        );
      }
      const read = this.absScope(vname, () =>
        this.op(
          "ReadVariableOp",
          "Read/ReadVariableOp",
          [h.output],
          { dtype: attr.type(dtype) },
          { outputShapes: [value.shape] },
        ),
      );
      rec = {
        name: vname,
        checkpointKey: opts.checkpointKey ?? vname,
        value,
        kind,
        trainable,
        handle: h.output,
        read: read.output,
        initializer: assign,
      };
    }
    rec.read.shape = [...value.shape];
    if (opts.shard !== undefined) rec.shard = opts.shard;
    this.variables.push(rec);
    if (opts.collect ?? init !== "none") {
      const vd = tensorflow.VariableDef.encode(
        canonical(
          {
            variableName: `${vname}:0`,
            initialValueName: rec.initializer
              ? `${rec.initializer.def.input![1]}${rec.initializer.def.input![1].includes(":") ? "" : ":0"}`
              : "",
            initializerName: rec.initializer?.name ?? "",
            snapshotName: `${rec.read.ref}${rec.read.ref.includes(":") ? "" : ":0"}`,
            trainable,
            isResource: kind === "resource",
          },
          "tensorflow.VariableDef",
        ),
      ).finish();
      this.addToCollection("variables", "bytesList", vd);
      if (trainable) this.addToCollection("trainable_variables", "bytesList", vd);
    }
    return rec;
  }

  /** A NoOp running every variable initializer (TF1 `init`). */
  initAllVariables(name = "init"): BuiltNode {
    return this.noOp(
      name,
      this.variables.filter((v) => v.initializer).map((v) => v.initializer!),
    );
  }

  /**
   * A TF1 Saver (non-sharded, V2): `save/Const` filename, `save/SaveV2`, `save/control_dependency`,
   * `save/RestoreV2` + one assign per variable, `save/restore_all`; sets the SaverDef. Call after the
   * variables (and their checkpoint keys) are final.
   */
  saver(): tensorflow.ISaverDef {
    const vars = [...this.variables].sort((a, b) =>
      a.checkpointKey < b.checkpointKey ? -1 : a.checkpointKey > b.checkpointKey ? 1 : 0,
    );
    const S = DT.DT_STRING;
    const str = (v: string[]) => tensorOf(S, [v.length], v);
    return this.scope("save", () => {
      const fin = this.const_("filename/input", tensorOf(S, [], ["model"]));
      const fname = this.op("PlaceholderWithDefault", "filename", [fin], { shape: attr.shape([]) }).output;
      const file = this.op("PlaceholderWithDefault", "Const", [fname], { shape: attr.shape([]) }).output;
      const keys = vars.map((v) => v.checkpointKey);
      const blanks = vars.map(() => "");
      const save = this.scope("SaveV2", () => [
        this.const_("tensor_names", str(keys)),
        this.const_("shape_and_slices", str(blanks)),
      ]);
      const saveOp = this.op("SaveV2", "SaveV2", [
        file,
        ...save,
        ...vars.map((v) => (v.kind === "ref" ? v.handle : v.read)),
      ]);
      const dep = this.op(
        "Identity",
        "control_dependency",
        [file],
        { _class: attr.listS([`loc:@${file.node}`]) },
        { control: [saveOp] },
      );
      const rs = this.scope("RestoreV2", () => [
        this.const_("tensor_names", str(keys)),
        this.const_("shape_and_slices", str(blanks)),
      ]);
      const restore = this.op("RestoreV2", "RestoreV2", [file, ...rs], {
        dtypes: attr.listType(vars.map((v) => v.value.dtype)),
      });
      const assigns = vars.map((v, i) => {
        const t = restore.outputs[i];
        if (v.kind === "ref") {
          return this.op("Assign", "Assign", [v.handle, t], {
            validate_shape: attr.b(true),
            use_locking: attr.b(true),
            _class: attr.listS([`loc:@${v.name}`]),
          });
        }
        const id = this.op("Identity", "Identity", [t]).output;
        return this.op("AssignVariableOp", "AssignVariableOp", [v.handle, id], { dtype: attr.type(v.value.dtype) });
      });
      const all = this.noOp("restore_all", assigns);
      this.saverDef = {
        filenameTensorName: `${file.ref}:0`,
        saveTensorName: `${dep.output.ref}:0`,
        restoreOpName: all.name,
        maxToKeep: 5,
        keepCheckpointEveryNHours: 10000,
        version: tensorflow.SaverDef.CheckpointFormatVersion.V2,
      };
      return this.saverDef;
    });
  }

  /** Adds a library function built by `spec.body`. */
  function(name: string, spec: FunctionSpec): FunctionHandle {
    if (this.library.has(name)) throw new SavedModelError("<builder>", `function "${name}" is already defined`);
    const f = new FunctionBuilder(this, name, spec.inputs);
    if (spec.recordShapes) f.recordShapes = true;
    const res = spec.body(f, ...f.args);
    const entries: [string, Tensor][] = Array.isArray(res)
      ? res.map((t, i) => [i === 0 ? "identity" : `identity_${i}`, t])
      : Object.entries(res);
    const outputs: FunctionArgSpec[] = [];
    const ret: Record<string, string> = {};
    for (const [key, t0] of entries) {
      const t = spec.identityOutputs === false ? t0 : f.identity("Identity", t0, { outputShapes: [t0.shape ?? null] });
      if (!t.dtype) throw new SavedModelError("<builder>", `function ${name}: output "${key}" has an unknown dtype`);
      outputs.push({ name: key, dtype: t.dtype, shape: t.shape });
      ret[key] = t.ref;
    }
    const h = this.addFunction(f.toFunctionDef(outputs, ret, spec.attrs));
    // keep the static shapes the signature does not record
    h.inputs = f.inputs.map((a) => ({ ...a }));
    h.outputs = outputs;
    return h;
  }

  /** Adds a ready FunctionDef to the library. */
  addFunction(def: IFunctionDef): FunctionHandle {
    const sig = def.signature ?? {};
    const name = sig.name ?? "";
    if (this.library.has(name)) throw new SavedModelError("<builder>", `function "${name}" is already defined`);
    const h: FunctionHandle = {
      name,
      def,
      inputs: (sig.inputArg ?? []).map((a) => ({ name: a.name ?? "", dtype: a.type ?? 0 })),
      outputs: (sig.outputArg ?? []).map((a) => ({ name: a.name ?? "", dtype: a.type ?? 0 })),
      stateful: !!sig.isStateful,
    };
    this.library.set(name, h);
    return h;
  }

  /** Every op type used by the graph and the library functions. */
  allOpsUsed(): Set<string> {
    const out = new Set(this.opsUsed);
    for (const f of this.library.values()) for (const n of f.def.nodeDef ?? []) out.add(n.op ?? "");
    for (const f of this.library.keys()) out.delete(f);
    return out;
  }

  toGraphDef(producer: number): IGraphDef {
    const g: IGraphDef = { node: this.nodes, versions: { producer, minConsumer: 12 } };
    if (this.library.size) g.library = { function: [...this.library.values()].map((f) => f.def) };
    return g;
  }
}

export class FunctionBuilder extends Ops {
  readonly args: Tensor[];
  private readonly argByName = new Map<string, Tensor>();

  constructor(
    readonly graph: GraphBuilder,
    readonly name: string,
    readonly inputs: FunctionArgSpec[],
  ) {
    super();
    this.args = inputs.map((a, i) => {
      const t: Tensor = { ref: a.name, node: a.name, index: i, dtype: a.dtype };
      if (a.shape) t.shape = [...a.shape];
      this.argByName.set(a.name, t);
      this.claim(a.name);
      return t;
    });
  }

  protected get containerName(): string {
    return `function ${this.name}`;
  }

  /** Appends an input argument while the body is being built (TF2 captures: variables read on first use). */
  addInput(spec: FunctionArgSpec): Tensor {
    this.claim(spec.name);
    const t: Tensor = { ref: spec.name, node: spec.name, index: this.args.length, dtype: spec.dtype };
    if (spec.shape) t.shape = [...spec.shape];
    this.inputs.push(spec);
    this.args.push(t);
    this.argByName.set(spec.name, t);
    return t;
  }

  protected override resolveOther(ref: string): Tensor | undefined {
    return this.argByName.get(ref);
  }

  protected outputRef(
    node: string,
    schema: OpSchema | undefined,
    attrs: Record<string, IAttrValue>,
    flat: number,
  ): string {
    if (!schema) return `${node}:output:${flat}`;
    let start = 0;
    for (const a of schema.outputs) {
      const n = a.typeListAttr
        ? (attrs[a.typeListAttr]?.list?.type?.length ?? 0)
        : a.numberAttr
          ? Number(attrs[a.numberAttr]?.i ?? 0)
          : 1;
      if (flat < start + n) return `${node}:${a.name}:${flat - start}`;
      start += n;
    }
    return `${node}:output:${flat}`;
  }

  toFunctionDef(
    outputs: FunctionArgSpec[],
    ret: Record<string, string>,
    attrs?: Record<string, IAttrValue>,
  ): IFunctionDef {
    const isStateful = (op: string) => STATEFUL_OPS.has(op) || !!this.graph.library.get(op)?.stateful;
    const stateful = [...this.opsUsed].some(isStateful);
    // like tf.function's automatic control dependencies: every stateful node is a control output, so a runtime
    // that prunes to the outputs still runs it
    const controlOutput = this.nodes.filter((n) => isStateful(n.op ?? "")).map((n) => n.name ?? "");
    const argAttr: Record<string, tensorflow.FunctionDef.IArgAttrs> = {};
    this.inputs.forEach((a, i) => {
      const at: Record<string, IAttrValue> = { _user_specified_name: attr.s(a.name) };
      if (a.shape !== undefined) at["_output_shapes"] = attr.listShape([a.shape]);
      argAttr[i] = { attr: at };
    });
    const def: IFunctionDef = {
      signature: {
        name: this.name,
        inputArg: this.inputs.map((a) => ({ name: a.name, type: a.dtype })),
        outputArg: outputs.map((o) => ({ name: o.name, type: o.dtype })),
        isStateful: stateful,
      },
      nodeDef: this.nodes,
      ret,
      argAttr,
    };
    if (controlOutput.length) {
      def.signature!.controlOutput = controlOutput;
      def.controlRet = Object.fromEntries(controlOutput.map((n) => [n, n]));
    }
    if (attrs) def.attr = attrs;
    return def;
  }
}
