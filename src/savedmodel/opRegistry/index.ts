/**
 * Op registry: TensorFlow op schemas (model stripped_op_list → bundled registry → library
 * functions), default-attr filling, flat input/output layouts and tensor-reference resolution.
 */
export type { ArgSchema, AttrSchema, OpSchema } from "./schema.js";
export { attrTypeOf, schemaFromOpDef } from "./schema.js";
export { OpResolver, withDefaults } from "./resolver.js";
export type { OpResolverOptions } from "./resolver.js";
export { inputLayout, outputLayout, layoutSize, MAX_ARG_TENSORS } from "./layout.js";
export type { ArgLayout } from "./layout.js";
export { registryOp, hasRegistryOp, registryOpNames, REGISTRY_OP_COUNT, REGISTRY_TF_OP_COUNT } from "./registry.js";
export {
  resolveFunctionTensor,
  resolveGraphTensor,
  functionOutputs,
  functionNodeOutputs,
  TensorRefError,
} from "./tensorRefs.js";
export type { TensorSource, GraphTensorRef, FunctionOutput, RefContext } from "./tensorRefs.js";
