/** Display-graph building: GraphDef/FunctionDef/signature -> plain hierarchy for the graph view. */
export * from "./model.js";
export {
  buildDisplayGraph,
  signatureSlice,
  shortFnName,
  type BuildOptions,
  type BuildTarget,
  type GraphSource,
} from "./build.js";
export { opKind, isBoilerplate } from "./opKind.js";
export { depthOrder, topoRanks } from "./hierarchy.js";
export {
  graphSourceFromSavedModel,
  graphSourceFromMetaGraph,
  readKerasMetadata,
  type MetaGraphLike,
} from "./source.js";
export { kerasLayers, type KerasLayer } from "./kerasLayers.js";
export { packDisplayGraph, unpackDisplayGraph, packedBuffers, type PackedGraph } from "./pack.js";
export { defaultView, viewChoices, type ViewChoice } from "./defaultView.js";
