/** Moved to src/shared/example.ts (the run form encodes tf.Examples too); re-exported for the executor and CLI. */
export * from "../shared/example.js";
