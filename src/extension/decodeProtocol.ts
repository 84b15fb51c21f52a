/** Moved to src/protocol/decode.ts (all protocol modules live in src/protocol/); re-exported for old imports. */
export * from "../protocol/decode.js";
