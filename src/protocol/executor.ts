/**
 * Requests between the executor's host side (src/executor/workerClient.ts: the extension's run feature, the CLI)
 * and its worker (src/executor/worker.ts), over the one channel (rpc.ts). The worker reads the export through
 * the host (fileAccessRpc.ts, one export: exportId "") and reports load warnings back.
 */
import type { DecodedTensor } from "../savedmodel/tensor.js";
import type { MissingOp } from "../executor/kernel.js";
import type { LoadOptions, RunOptions, RunResult, SignatureInfo } from "../executor/session.js";
import type { FileMethods } from "./fileAccessRpc.js";

export interface LoadedInfo {
  signatures: SignatureInfo[];
  backend: string;
  loadMs: number;
  restoreInitMs: number;
  initError?: string;
}

/** host → worker */
export type ExecutorMethods = {
  "executor/load": { params: { opts: Omit<LoadOptions, "onWarning"> }; result: LoadedInfo };
  "executor/run": {
    params: { key: string; feeds: Record<string, DecodedTensor>; opts: Omit<RunOptions, "signal"> };
    result: RunResult;
  };
  "executor/missingOps": { params: { key: string }; result: MissingOp[] };
};

/** worker → host: its file reads, and warnings while loading (the reply is empty). */
export type ExecutorHostMethods = FileMethods & {
  "executor/warning": { params: { message: string }; result: null };
};
