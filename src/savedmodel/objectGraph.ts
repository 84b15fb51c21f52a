/**
 * The TF2 object graph as users think of it: the Keras layer tree with each layer's variables and
 * parameter counts (what `model.summary()` shows), and the concrete functions of the root object
 * as `saved_model_cli show --all` lists them — read from the object graph, never by loading.
 */
import { dtypeShortName } from "./dtypes.js";
import type {
  ConcreteFunctionOption,
  ModelVariables,
  ObjectFunctionInfo,
  ObjectNodeInfo,
  StructuredArg,
} from "./modelTypes.js";
import { tensorflow } from "./proto.js";
import type { MetaGraph, SavedModelExport } from "./savedModel.js";
import { shapeDims } from "./shape.js";

type SavedObject = tensorflow.ISavedObject;

/** Edges that duplicate a layer's real attribute path (Keras bookkeeping lists and wrappers). */
const SECONDARY_EDGES = new Set([
  "variables",
  "trainable_variables",
  "non_trainable_variables",
  "regularization_losses",
  "keras_api",
  "layers",
  "_self_saveable_object_factories",
  "_all_variables",
  "signatures",
]);

function kindOf(o: SavedObject): ObjectNodeInfo["kind"] {
  if (o.userObject) return "user_object";
  if (o.asset) return "asset";
  if (o.function) return "function";
  if (o.variable) return "variable";
  if (o.bareConcreteFunction) return "bare_concrete_function";
  if (o.constant) return "constant";
  if (o.resource) return "resource";
  if (o.capturedTensor) return "captured_tensor";
  return "unknown";
}

function parseJson(s: string | null | undefined): Record<string, unknown> | undefined {
  if (!s || s.length > 4_000_000) return undefined;
  try {
    const v = JSON.parse(s);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** keras_metadata.pb node metadata by object path ("root.layer_with_weights-0" → JSON). */
async function kerasMetadata(exp: SavedModelExport): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  const f = exp.layout.kerasMetadata;
  if (!f) return out;
  try {
    const md = tensorflow.SavedMetadata.decode(await exp.fs.readFile(f.path));
    for (const n of md.nodes ?? []) {
      const meta = parseJson(n.metadata);
      if (meta) out.set(n.nodePath ?? "", meta);
    }
  } catch {
    /* informative only */
  }
  return out;
}

/** The object tree (a spanning tree of the object graph: real attribute paths preferred over Keras bookkeeping lists). */
export async function objectTree(
  exp: SavedModelExport,
  mg: MetaGraph,
  vars?: ModelVariables,
): Promise<ObjectNodeInfo | undefined> {
  const og = await mg.loadObjectGraph();
  if (!og || !og.nodes?.length) return undefined;
  const nodes = og.nodes;
  const keras = await kerasMetadata(exp);
  const varIndexByObject = new Map<number, number>();
  vars?.variables.forEach((v, i) => {
    if (v.objectId !== undefined) varIndexByObject.set(v.objectId, i);
  });

  const parent = new Map<number, { id: number; name: string }>();
  const reached = new Set<number>([0]);
  const childrenOf = new Map<number, { id: number; name: string }[]>();
  const link = (from: number, to: number, name: string) => {
    reached.add(to);
    parent.set(to, { id: from, name });
    const list = childrenOf.get(from) ?? [];
    list.push({ id: to, name });
    childrenOf.set(from, list);
  };
  for (const secondary of [false, true]) {
    const queue = [...reached];
    while (queue.length) {
      const id = queue.shift()!;
      for (const c of nodes[id]?.children ?? []) {
        const cid = c.nodeId ?? 0;
        const name = c.localName ?? "";
        if (cid < 0 || cid >= nodes.length || reached.has(cid)) continue;
        if (!secondary && (SECONDARY_EDGES.has(name) || /^__|^_/.test(name))) continue;
        link(id, cid, name);
        queue.push(cid);
      }
    }
  }

  const build = (id: number, path: string, localName: string, depth: number): ObjectNodeInfo => {
    const o = nodes[id];
    const info: ObjectNodeInfo = {
      id,
      path,
      localName,
      kind: kindOf(o),
      variableIds: [],
      parameterCount: 0,
      children: [],
    };
    if (o.userObject) {
      info.identifier = o.userObject.identifier || undefined;
      const meta = keras.get(path ? `root.${path}` : "root") ?? parseJson(o.userObject.metadata);
      if (meta) {
        if (typeof meta.class_name === "string") info.className = meta.class_name;
        if (typeof meta.name === "string") info.layerName = meta.name;
      }
    }
    if (depth < 64) {
      for (const c of childrenOf.get(id) ?? []) {
        info.children.push(build(c.id, path ? `${path}.${c.name}` : c.name, c.name, depth + 1));
      }
    }
    const vi = varIndexByObject.get(id);
    if (vi !== undefined) info.variableIds.push(vi);
    return info;
  };
  const root = build(0, "", "root", 0);

  // parameter counts: unique variables under each node (SavedVariable shapes, or the bundle's)
  const varElements = (id: number): number => {
    const vi = varIndexByObject.get(id);
    // with the checkpoint joined, only model variables count (not optimizer slots or Keras metrics)
    if (vars && vars.variables.length)
      return vi !== undefined && vars.variables[vi].kind === "variable" ? vars.variables[vi].elements : 0;
    const dims = shapeDims(nodes[id]?.variable?.shape);
    return dims ? dims.reduce((a, b) => a * Math.max(b, 0), 1) : 0;
  };
  const count = (n: ObjectNodeInfo): Set<number> => {
    const ids = new Set<number>();
    if (n.kind === "variable") ids.add(n.id);
    for (const c of n.children) for (const x of count(c)) ids.add(x);
    n.parameterCount = [...ids].reduce((s, id) => s + varElements(id), 0);
    return ids;
  };
  count(root);
  return root;
}

// ---- concrete functions, as saved_model_cli show --all prints them ----

const PY_DTYPE: Record<string, string> = { float16: "float16", string: "string" };

function pyShape(shape: tensorflow.ITensorShapeProto | null | undefined): string {
  const dims = shapeDims(shape);
  if (!dims) return "<unknown>";
  const parts = dims.map((d) => (d < 0 ? "None" : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
}

function tensorSpecRepr(s: tensorflow.ITensorSpecProto): string {
  const dt = dtypeShortName(s.dtype ?? 0);
  const name = s.name ? `'${s.name}'` : "None";
  return `TensorSpec(shape=${pyShape(s.shape)}, dtype=tf.${PY_DTYPE[dt] ?? dt}, name=${name})`;
}

/** Python repr() of a StructuredValue, as TF's nested_structure_coder would rebuild it. */
export function pyRepr(v: tensorflow.IStructuredValue | null | undefined): string {
  if (!v) return "None";
  if (v.noneValue) return "None";
  if (v.boolValue != null && Object.hasOwn(v, "boolValue")) return v.boolValue ? "True" : "False";
  if (v.int64Value != null && Object.hasOwn(v, "int64Value")) return String(v.int64Value);
  if (v.float64Value != null && Object.hasOwn(v, "float64Value")) return String(v.float64Value);
  if (v.stringValue != null && Object.hasOwn(v, "stringValue")) return `'${v.stringValue}'`;
  if (v.tensorSpecValue) return tensorSpecRepr(v.tensorSpecValue);
  if (v.boundedTensorSpecValue) return `Bounded${tensorSpecRepr(v.boundedTensorSpecValue)}`;
  if (v.tensorShapeValue)
    return `TensorShape(${pyShape(v.tensorShapeValue)
      .replace(/,\)$/, ")")
      .replace(/^\((.*)\)$/, "[$1]")})`;
  if (v.tensorDtypeValue != null && Object.hasOwn(v, "tensorDtypeValue"))
    return `tf.${dtypeShortName(v.tensorDtypeValue)}`;
  if (v.listValue) return `[${(v.listValue.values ?? []).map(pyRepr).join(", ")}]`;
  if (v.tupleValue) {
    const items = (v.tupleValue.values ?? []).map(pyRepr);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  if (v.dictValue) {
    const entries = Object.entries(v.dictValue.fields ?? {}).map(([k, x]) => `'${k}': ${pyRepr(x)}`);
    return `{${entries.join(", ")}}`;
  }
  if (v.namedTupleValue) {
    return `${v.namedTupleValue.name}(${(v.namedTupleValue.values ?? []).map((p) => `${p.key}=${pyRepr(p.value)}`).join(", ")})`;
  }
  if (v.typeSpecValue) {
    const cls =
      v.typeSpecValue.typeSpecClassName ||
      String(tensorflow.TypeSpecProto.TypeSpecClass[v.typeSpecValue.typeSpecClass ?? 0]);
    return `${cls}(${pyRepr(v.typeSpecValue.typeState)})`;
  }
  if (v.tensorValue || v.numpyValue) return "<tensor>";
  return "None";
}

function pyTypeName(v: tensorflow.IStructuredValue): string {
  if (v.noneValue) return "NoneType";
  if (Object.hasOwn(v, "boolValue")) return "bool";
  if (Object.hasOwn(v, "int64Value")) return "int";
  if (Object.hasOwn(v, "float64Value")) return "float";
  if (Object.hasOwn(v, "stringValue")) return "str";
  if (v.listValue) return "list";
  if (v.tupleValue) return "tuple";
  if (v.dictValue) return "dict";
  if (v.namedTupleValue) return v.namedTupleValue.name ?? "tuple";
  return "object";
}

function structuredArg(v: tensorflow.IStructuredValue, keyName?: string): StructuredArg {
  if (v.tensorSpecValue)
    return {
      kind: "tensor_spec",
      name: v.tensorSpecValue.name || keyName || "",
      repr: tensorSpecRepr(v.tensorSpecValue),
    };
  return { kind: "value", pyType: pyTypeName(v), repr: pyRepr(v) };
}

function optionOf(og: tensorflow.ISavedObjectGraph, fnName: string, argKeywords?: string[]): ConcreteFunctionOption {
  const cf = og.concreteFunctions?.[fnName];
  const sig = cf?.canonicalizedInputSignature?.tupleValue?.values ?? [];
  const args = (sig[0]?.tupleValue?.values ?? sig[0]?.listValue?.values ?? []).map((a) => structuredArg(a));
  const kwargs = Object.entries(sig[1]?.dictValue?.fields ?? {}).map(([k, x]) => {
    const a = structuredArg(x, k);
    return a.kind === "tensor_spec" ? { ...a, name: k } : a;
  });
  const opt: ConcreteFunctionOption = { functionName: fnName, args, kwargs };
  if (!cf?.canonicalizedInputSignature && argKeywords?.length) {
    opt.args = argKeywords.map((k) => ({ kind: "value", pyType: "str", repr: k }));
  }
  if (cf?.outputSignature) opt.output = pyRepr(cf.outputSignature);
  return opt;
}

/** Functions attached to the root object, each with its concrete functions (sorted like saved_model_cli). */
export function concreteFunctions(mg: MetaGraph): ObjectFunctionInfo[] {
  const og = mg.objectGraph();
  if (!og?.nodes?.length) return [];
  const out: ObjectFunctionInfo[] = [];
  const children = [...(og.nodes[0].children ?? [])].sort((a, b) =>
    (a.localName ?? "") < (b.localName ?? "") ? -1 : 1,
  );
  for (const c of children) {
    const o = og.nodes[c.nodeId ?? 0];
    const name = c.localName ?? "";
    if (o?.function) {
      const fns = [...(o.function.concreteFunctions ?? [])].sort();
      out.push({ name, path: name, kind: "function", options: fns.map((f) => optionOf(og, f)) });
    } else if (o?.bareConcreteFunction) {
      const b = o.bareConcreteFunction;
      out.push({
        name,
        path: name,
        kind: "bare_concrete_function",
        options: [optionOf(og, b.concreteFunctionName ?? "", b.argumentKeywords ?? [])],
      });
    }
  }
  return out;
}
