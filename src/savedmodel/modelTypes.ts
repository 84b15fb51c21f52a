/**
 * The model of what a user asks about an export, as plain JSON-serialisable data: computed once
 * by src/savedmodel/model.ts, shown by the tree, the overview page and `savedmodel show --json`.
 * Field names are stable (they are the CLI's documented --json schema).
 */
import type { Diagnostic } from "./errors.js";

export interface TensorSpecInfo {
  /** Key in the signature's inputs/outputs map ("x", "scores"). */
  key: string;
  /** Graph tensor name ("serving_default_x:0"); absent for sparse/composite encodings. */
  tensorName?: string;
  /** DataType enum value and its spellings. */
  dtype: number;
  dtypeName: string; // "DT_FLOAT"
  dtypeShort: string; // "float32"
  /** Dims with -1 for unknown sizes; absent when the rank is unknown. */
  shape?: number[];
  encoding: "name" | "coo_sparse" | "composite" | "none";
  sparse?: { valuesTensorName: string; indicesTensorName: string; denseShapeTensorName: string };
  composite?: { typeSpecClass: string; typeSpecClassName?: string; components: TensorSpecInfo[] };
}

export interface SignatureInfo {
  key: string;
  methodName: string;
  inputs: TensorSpecInfo[];
  outputs: TensorSpecInfo[];
  /** Input keys that have a default value (SignatureDef.defaults). */
  defaults: string[];
  /** TF2: the library function the signature's outputs come from (via the call node's `f` attr). */
  functionName?: string;
  /** True for `__saved_model_init_op` (kept for running, hidden from lists). */
  hidden: boolean;
}

export interface ArgInfo {
  name: string;
  dtype?: number;
  dtypeShort?: string;
  /** Shape from the function's `_output_shapes` / arg attrs, when recorded. */
  shape?: number[];
}

export interface FunctionInfo {
  name: string;
  nodeCount: number;
  inputs: ArgInfo[];
  outputs: ArgInfo[];
  /** Functions called from this one (call ops and control-flow branches/bodies). */
  calls: string[];
  /** `_api_implements` attr (e.g. "lstm_<uuid>"), with `_api_preferred_device`. */
  apiImplements?: string;
  apiPreferredDevice?: string;
  /** Signature keys whose computation reaches this function. */
  usedBySignatures: string[];
}

export interface ConcreteFunctionOption {
  /** Concrete function name in the library. */
  functionName: string;
  /** Positional arguments as printed by saved_model_cli ("x: TensorSpec(shape=(None, 1), dtype=tf.float32, name='x')" or python values). */
  args: StructuredArg[];
  kwargs: StructuredArg[];
  /** Output structure, pretty-printed. */
  output?: string;
}

export type StructuredArg =
  { kind: "tensor_spec"; name: string; repr: string } | { kind: "value"; pyType: string; repr: string };

export interface ObjectFunctionInfo {
  /** Attribute name on its parent object ("__call__", "serve", "serving_default"). */
  name: string;
  /** Path from the root, e.g. "signatures.serving_default" or "layer_with_weights-0.__call__". */
  path: string;
  kind: "function" | "bare_concrete_function";
  options: ConcreteFunctionOption[];
}

export interface ObjectNodeInfo {
  id: number;
  /** Attribute path from the root object ("" for the root, "layer_with_weights-0", "layer-1.kernel"). */
  path: string;
  localName: string;
  kind:
    | "user_object"
    | "asset"
    | "function"
    | "variable"
    | "bare_concrete_function"
    | "constant"
    | "resource"
    | "captured_tensor"
    | "unknown";
  /** SavedUserObject.identifier, e.g. "_tf_keras_layer", "_tf_keras_model", "trackable_dict_wrapper". */
  identifier?: string;
  /** Keras class and layer name when metadata says so ("Dense", "dense_1"). */
  className?: string;
  layerName?: string;
  /** Variables owned directly by this object (by index into ModelVariables.variables). */
  variableIds: number[];
  /** Parameters of this object and everything below it (deduplicated by variable). */
  parameterCount: number;
  children: ObjectNodeInfo[];
}

export interface VariableInfo {
  /** Display name: the variable's own name ("dense/kernel"), else its checkpoint key. */
  name: string;
  checkpointKey: string;
  dtype: number;
  dtypeShort: string;
  shape: number[];
  elements: number;
  bytes: number;
  shardFile?: string;
  trainable?: boolean;
  /** Object-graph path ("layer_with_weights-0.kernel") for TF2 exports. */
  objectPath?: string;
  /** Node id in the SavedObjectGraph / TrackableObjectGraph (TF2). */
  objectId?: number;
  /** Optimizer slots and non-model entries (save counters, object graph). */
  kind: "variable" | "slot" | "bookkeeping";
  sliced?: boolean;
  problems: string[];
}

export interface ModelVariables {
  variables: VariableInfo[];
  totalBytes: number;
  parameterCount: number;
  numShards: number;
  diagnostics: Diagnostic[];
}

export interface AssetInfo {
  /** Path relative to the export root ("assets/vocab.txt"). */
  path: string;
  filename: string;
  exists: boolean;
  size?: number;
  /** Graph tensor that receives the asset path (TF1 asset_file_def / collections). */
  tensorName?: string;
  source: "asset_file_def" | "assets_collection" | "object_graph" | "folder" | "assets_extra";
}

export interface InitInfo {
  mainOp?: string;
  legacyInitOp?: string;
  tableInitializers: string[];
  /** TF2: the `__saved_model_init_op` signature's output tensor. */
  initSignatureOp?: string;
  /** TF1 variables initializer ops from the collections (not run by serving; informative). */
  localInitOps: string[];
}

export interface MetaGraphInfo {
  index: number;
  tags: string[];
  tfVersion?: string;
  tfGitVersion?: string;
  metaGraphVersion?: string;
  producer?: number;
  strippedDefaultAttrs: boolean;
  /** Exports with an object graph (tf.saved_model.save) are TF2; the rest TF1-style. */
  isTF2: boolean;
  signatures: SignatureInfo[];
  initSignature?: SignatureInfo;
  init: InitInfo;
  assets: AssetInfo[];
  nodeCount: number;
  functionCount: number;
  collections: { key: string; kind: string; count: number }[];
  functionAliases: Record<string, string>;
}

export interface FingerprintInfo {
  savedModelChecksum: string;
  graphDefProgramHash: string;
  signatureDefHash: string;
  savedObjectGraphHash: string;
  checkpointHash: string;
  uuid?: string;
  producer?: number;
}

export interface FileInfo {
  path: string;
  size?: number;
}

export interface ModelInfo {
  /** Display location of the export folder. */
  location: string;
  format: "binary" | "text";
  savedModelFile: string;
  schemaVersion: number;
  files: {
    savedModel: FileInfo;
    variablesIndex?: FileInfo;
    variablesShards: FileInfo[];
    fingerprint?: FileInfo;
    debugInfo?: FileInfo;
    kerasMetadata?: FileInfo;
    assets: FileInfo[];
    assetsExtra: FileInfo[];
    other: FileInfo[];
    totalBytes: number;
  };
  fingerprint?: FingerprintInfo;
  metaGraphs: MetaGraphInfo[];
  diagnostics: Diagnostic[];
}

export interface ModelStats {
  /** Nodes in the top-level graph plus every library function body. */
  nodeCount: number;
  graphNodeCount: number;
  functionCount: number;
  functionNodeCount: number;
  /** op type → count over graph and functions, sorted by count descending. */
  opHistogram: { op: string; count: number }[];
  /** Ops neither in the model's stripped_op_list nor in TensorFlow's registry (custom ops). */
  customOps: string[];
  parameterCount?: number;
  variableBytes?: number;
}
