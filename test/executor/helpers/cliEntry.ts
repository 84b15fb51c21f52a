/** Bundle entry for tests: the CLI commands plus the executor, from one tfjs engine. */
export { runCommand } from "../../../src/cli/run.js";
export { scanCommand } from "../../../src/cli/scan.js";
export * from "../../../src/executor/index.js";
export { NodeFileAccess } from "../../../src/savedmodel/node/nodeFileAccess.js";
export * as tfjs from "@tensorflow/tfjs-core";
export { pruneDisposedFromScope } from "../../../src/executor/tfjs/scope.js";
