/**
 * SavedModel builder: graphs, functions, variables, object graphs and whole exports written in memory
 * (pure TS; write the returned files with ../node/nodeWriter.ts in Node).
 */
export { attr, shapeProto, type ShapeLike } from "./attrs.js";
export {
  NodeScope,
  STATEFUL_OPS,
  inferAttrs,
  type BuiltNode,
  type OpOptions,
  type Tensor,
  type TensorLike,
} from "./nodeScope.js";
export {
  GraphBuilder,
  FunctionBuilder,
  tensorOf,
  type CallOptions,
  type FunctionArgSpec,
  type FunctionHandle,
  type FunctionSpec,
  type VariableOptions,
  type VariableRecord,
} from "./graph.js";
export {
  ObjectGraphBuilder,
  escapeLocalName,
  fullArgSpec,
  tensorSpecValue,
  tupleValue,
  dictValue,
  VARIABLE_VALUE_SUFFIX,
  type SpecLike,
} from "./objects.js";
export { opDefOf, strippedOpList } from "./opDefs.js";
export { encodeSavedModel } from "./encode.js";
export { canonical } from "./canonical.js";
export {
  SavedModelBuilder,
  tensorInfo,
  hash64,
  CHECKPOINT_OBJECT_GRAPH_KEY,
  INIT_OP_SIGNATURE_KEY,
  PREDICT_METHOD,
  CLASSIFY_METHOD,
  REGRESS_METHOD,
  type AssetSpec,
  type BuilderOptions,
  type MetaGraphOptions,
  type SaveOptions,
  type SignatureSpec,
  type SpecInput,
} from "./savedModelBuilder.js";
