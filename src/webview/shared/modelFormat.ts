/** Moved to src/shared/modelFormat.ts (the host's tree uses it too); re-exported for the webviews. */
export * from "../../shared/modelFormat.js";
