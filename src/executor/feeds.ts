/** Moved to src/shared/feeds.ts (the run form parses value expressions too); re-exported for the executor and CLI. */
export * from "../shared/feeds.js";
