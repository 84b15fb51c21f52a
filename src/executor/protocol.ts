/** Messages between workerClient (host side) and worker (executor side). Types only. */
import type { DecodedTensor } from "../savedmodel/tensor.js";
import type { MissingOp } from "./kernel.js";
import type { LoadOptions, RunOptions, RunResult, SignatureInfo } from "./session.js";

export type HostToWorker =
  | { type: "load"; id: number; opts: Omit<LoadOptions, "onWarning"> }
  | { type: "run"; id: number; key: string; feeds: Record<string, DecodedTensor>; opts: Omit<RunOptions, "signal"> }
  | { type: "missingOps"; id: number; key: string }
  | { type: "fsReply"; id: number; ok: boolean; value?: unknown; error?: string };

export type WorkerToHost =
  | {
      type: "loaded";
      id: number;
      signatures: SignatureInfo[];
      backend: string;
      loadMs: number;
      restoreInitMs: number;
      initError?: string;
    }
  | { type: "result"; id: number; result: RunResult }
  | { type: "missing"; id: number; missing: MissingOp[] }
  | { type: "error"; id: number; name: string; message: string; node?: string; op?: string; fn?: string }
  | { type: "warning"; message: string }
  | { type: "fs"; id: number; method: "readFile" | "readRange" | "list" | "size"; args: unknown[] };
