/**
 * The node-building core shared by GraphBuilder (top-level GraphDef) and FunctionBuilder (FunctionDef bodies):
 * unique names with TF-style `_1` suffixes and name scopes, inputs resolved to tensors with dtypes, type attrs
 * (`T`, `N`, `Tin`, ...) inferred from the inputs through the op registry, and output tensors named the way
 * each container names them ("node:1" in graphs, "node:output_arg:0" in functions).
 */
import { SavedModelError } from "../errors.js";
import { outputLayout, registryOp, schemaFromOpDef, withDefaults, type OpSchema } from "../opRegistry/index.js";
import type { IAttrValue, IFunctionDef, INodeDef } from "../proto.js";
import { attr, type ShapeLike } from "./attrs.js";

/** One output tensor of a built node. */
export interface Tensor {
  /** How other nodes of the same graph/function refer to it ("dense/MatMul", "x:1", "mul:z:0"). */
  readonly ref: string;
  readonly node: string;
  /** Flat output index. */
  readonly index: number;
  /** DataType (0 when unknown). */
  readonly dtype: number;
  /** Static shape when known (-1 = unknown dim); undefined = unknown rank. */
  shape?: number[];
}

/** A node input: a tensor handle, a reference string ("node", "node:1", "^node" for control). */
export type TensorLike = Tensor | string;

export interface BuiltNode {
  readonly name: string;
  readonly op: string;
  readonly def: INodeDef;
  readonly outputs: Tensor[];
  /** The first output (throws when the node has none). */
  readonly output: Tensor;
}

export interface OpOptions {
  device?: string;
  /** Control dependencies (node names or handles). */
  control?: (string | BuiltNode)[];
  /** Output dtypes for ops the registry does not know (custom ops). */
  outputDtypes?: number[];
  /** Static output shapes; also written as `_output_shapes` when `recordShapes` is on. */
  outputShapes?: ShapeLike[];
  /** Do not infer missing type attrs from the inputs. */
  noInference?: boolean;
}

/** Ops whose OpDef says is_stateful (the bundled registry does not carry the flag). */
export const STATEFUL_OPS = new Set([
  "VarHandleOp",
  "ReadVariableOp",
  "AssignVariableOp",
  "AssignAddVariableOp",
  "AssignSubVariableOp",
  "VarIsInitializedOp",
  "DestroyResourceOp",
  "ResourceGather",
  "VariableV2",
  "Variable",
  "SaveV2",
  "RestoreV2",
  "MergeV2Checkpoints",
  "StatefulPartitionedCall",
  "HashTableV2",
  "MutableHashTableV2",
  "LookupTableFindV2",
  "LookupTableImportV2",
  "LookupTableSizeV2",
  "InitializeTableFromTextFileV2",
  "InitializeTableV2",
  "RandomUniform",
  "RandomStandardNormal",
  "TruncatedNormal",
  "Assert",
  "PrintV2",
  "Print",
]);

const NO_OUTPUT: Tensor[] = [];

export abstract class NodeScope {
  readonly nodes: INodeDef[] = [];
  protected readonly built = new Map<string, BuiltNode>();
  private readonly taken = new Set<string>();
  private readonly suffix = new Map<string, number>();
  private readonly scopes: string[] = [];
  /** Op types used in this scope (for stripped_op_list). */
  readonly opsUsed = new Set<string>();
  /** Write `_output_shapes` attrs for ops given outputShapes (default off). */
  recordShapes = false;

  /** Function-call ops by name (the library), for schemas of direct function calls. */
  protected abstract libraryFunction(name: string): IFunctionDef | undefined;
  /** How an output is referenced inside this container. */
  protected abstract outputRef(
    node: string,
    schema: OpSchema | undefined,
    attrs: Record<string, IAttrValue>,
    flat: number,
  ): string;
  /** A tensor for a name that is not a built node (function args). */
  protected resolveOther(_ref: string): Tensor | undefined {
    return undefined;
  }
  protected abstract get containerName(): string;

  /** Runs `fn` with `name` pushed as a name scope ("dense" → nodes "dense/MatMul"). */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Runs `fn` with the name scope set to exactly `fullName` (not nested in the current scopes). */
  absScope<T>(fullName: string, fn: () => T): T {
    const saved = this.scopes.splice(0, this.scopes.length, ...(fullName ? [fullName] : []));
    try {
      return fn();
    } finally {
      this.scopes.splice(0, this.scopes.length, ...saved);
    }
  }

  /** The full, unique node name for `name` in the current scope ("MatMul", then "MatMul_1", ...). */
  uniqueName(name: string): string {
    const full = this.scopes.length ? `${this.scopes.join("/")}/${name}` : name;
    if (!this.taken.has(full)) {
      this.taken.add(full);
      return full;
    }
    let i = this.suffix.get(full) ?? 1;
    while (this.taken.has(`${full}_${i}`)) i++;
    this.suffix.set(full, i + 1);
    const out = `${full}_${i}`;
    this.taken.add(out);
    return out;
  }

  /** Reserves an exact name (throws when taken). */
  protected claim(name: string): string {
    if (this.taken.has(name)) throw new SavedModelError(this.containerName, `node name "${name}" is already used`);
    this.taken.add(name);
    return name;
  }

  node(name: string): BuiltNode | undefined {
    return this.built.get(name);
  }

  /** Resolves a reference string or handle to a tensor of this container. */
  tensor(ref: TensorLike): Tensor {
    if (typeof ref !== "string") return ref;
    const other = this.resolveOther(ref);
    if (other) return other;
    const c = ref.lastIndexOf(":");
    let node = ref;
    let index = 0;
    if (c > 0 && /^\d+$/.test(ref.slice(c + 1))) {
      node = ref.slice(0, c);
      index = Number(ref.slice(c + 1));
    }
    const b = this.built.get(node);
    if (b && b.outputs[index]) return b.outputs[index];
    // function-style "node:arg:i" or unknown: keep the reference, dtype unknown
    return { ref, node, index, dtype: 0 };
  }

  /** Schema for an op type: the bundled registry, else a library function's signature. */
  schemaOf(opType: string): OpSchema | undefined {
    const r = registryOp(opType);
    if (r) return r;
    const f = this.libraryFunction(opType);
    return f?.signature ? schemaFromOpDef(f.signature, "function") : undefined;
  }

  /**
   * Adds a node. `name` is scoped and made unique. Missing type attrs of the op's schema (`T`, `dtype` of
   * typed inputs, `N`, list(type) attrs) are inferred from the inputs' dtypes.
   */
  op(
    opType: string,
    name: string,
    inputs: TensorLike[] = [],
    attrs: Record<string, IAttrValue> = {},
    opts: OpOptions = {},
  ): BuiltNode {
    return this.addNode(this.uniqueName(name), opType, inputs, attrs, opts);
  }

  /** Like op() but with an exact, unscoped name. */
  opExact(
    opType: string,
    fullName: string,
    inputs: TensorLike[] = [],
    attrs: Record<string, IAttrValue> = {},
    opts: OpOptions = {},
  ): BuiltNode {
    return this.addNode(this.claim(fullName), opType, inputs, attrs, opts);
  }

  /** Adds a node under a name already reserved with uniqueName(). */
  protected opReserved(
    opType: string,
    name: string,
    inputs: TensorLike[] = [],
    attrs: Record<string, IAttrValue> = {},
    opts: OpOptions = {},
  ): BuiltNode {
    return this.addNode(name, opType, inputs, attrs, opts);
  }

  private addNode(
    name: string,
    opType: string,
    inputs: TensorLike[],
    attrsIn: Record<string, IAttrValue>,
    opts: OpOptions,
  ): BuiltNode {
    const data: Tensor[] = [];
    const refs: string[] = [];
    for (const i of inputs) {
      if (typeof i === "string" && i.startsWith("^")) continue;
      const t = this.tensor(i);
      data.push(t);
      refs.push(t.ref);
    }
    for (const i of inputs) if (typeof i === "string" && i.startsWith("^")) refs.push(i);
    for (const c of opts.control ?? []) refs.push(`^${typeof c === "string" ? c : c.name}`);
    const schema = this.schemaOf(opType);
    const attrs: Record<string, IAttrValue> = { ...attrsIn };
    if (schema && !opts.noInference) inferAttrs(schema, data, attrs);
    const def: INodeDef = { name, op: opType };
    if (refs.length) def.input = refs;
    if (opts.device) def.device = opts.device;
    if (opts.outputShapes && this.recordShapes) attrs["_output_shapes"] = attr.listShape(opts.outputShapes);
    if (Object.keys(attrs).length) def.attr = attrs;
    this.opsUsed.add(opType);
    this.nodes.push(def);
    const outputs = this.makeOutputs(name, schema, attrs, opts);
    const b: BuiltNode = {
      name,
      op: opType,
      def,
      outputs,
      get output(): Tensor {
        if (!outputs.length) throw new SavedModelError("<builder>", `node "${name}" (${opType}) has no outputs`);
        return outputs[0];
      },
    };
    this.built.set(name, b);
    return b;
  }

  private makeOutputs(
    name: string,
    schema: OpSchema | undefined,
    attrs: Record<string, IAttrValue>,
    opts: OpOptions,
  ): Tensor[] {
    const shapes = opts.outputShapes;
    const mk = (flat: number, dtype: number, ref: string): Tensor => {
      const t: Tensor = { ref, node: name, index: flat, dtype };
      const s = shapes?.[flat];
      if (s) t.shape = [...s];
      return t;
    };
    if (schema) {
      const full = withDefaults({ attr: attrs }, schema);
      const layout = outputLayout(schema, full);
      const out: Tensor[] = [];
      for (const a of layout) {
        for (let k = 0; k < a.count; k++) {
          const flat = a.start + k;
          const dt = opts.outputDtypes?.[flat] ?? a.dtypes[k] ?? 0;
          out.push(mk(flat, a.isRef && dt ? dt + 100 : dt, this.outputRef(name, schema, full, flat)));
        }
      }
      return out.length ? out : NO_OUTPUT;
    }
    return (opts.outputDtypes ?? []).map((dt, i) => mk(i, dt, this.outputRef(name, undefined, attrs, i)));
  }
}

function baseType(dt: number): number {
  return dt > 100 ? dt - 100 : dt;
}

/** Fills the schema's type/number attrs the caller left out from the inputs' dtypes. */
export function inferAttrs(schema: OpSchema, inputs: Tensor[], attrs: Record<string, IAttrValue>): void {
  // arg sizes: fixed args take 1 tensor; a numberAttr/typeListAttr arg with a set attr takes that many;
  // one variadic arg with an unknown count takes whatever is left
  const sizes: (number | undefined)[] = schema.inputs.map((a) => {
    if (a.typeListAttr) return attrs[a.typeListAttr]?.list?.type?.length;
    if (a.numberAttr) {
      const n = attrs[a.numberAttr]?.i;
      return n === undefined || n === null ? undefined : Number(n);
    }
    return 1;
  });
  const unknown = sizes.filter((s) => s === undefined).length;
  if (unknown === 1) {
    const known = sizes.reduce<number>((s, n) => s + (n ?? 0), 0);
    const i = sizes.indexOf(undefined);
    sizes[i] = Math.max(0, inputs.length - known);
  } else if (unknown > 1) return;
  let pos = 0;
  schema.inputs.forEach((a, i) => {
    const n = sizes[i]!;
    const ts = inputs.slice(pos, pos + n);
    pos += n;
    if (a.numberAttr && !attrs[a.numberAttr]) attrs[a.numberAttr] = attr.i(n);
    if (a.typeListAttr && !attrs[a.typeListAttr]) {
      if (ts.every((t) => t.dtype)) attrs[a.typeListAttr] = attr.listType(ts.map((t) => baseType(t.dtype)));
    }
    if (a.typeAttr && !attrs[a.typeAttr]) {
      const t = ts.find((x) => x.dtype);
      if (t) attrs[a.typeAttr] = attr.type(baseType(t.dtype));
    }
  });
}
