/** Every kind of item of the SavedModels tree (re-exported for the provider and commands). */
export * from "./base.js";
export * from "./exportNodes.js";
export * from "./graphNodes.js";
export * from "./variableNodes.js";
