/** Moved to src/protocol/tensorWire.ts (the host encodes, the run webview decodes); re-exported for the webview. */
export * from "../../protocol/tensorWire.js";
