/**
 * Moved to src/savedmodel/node/nodeWriter.ts (it imports node:fs); this re-export keeps tests written against the
 * old path working until they are updated. Nothing in src/ imports it (dependency-cruiser allows only this file).
 */
export * from "../node/nodeWriter.js";
