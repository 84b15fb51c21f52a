/**
 * node:fs access to an export with only the FileAccess methods every implementation has (no openReader, no fds),
 * as the extension's WorkspaceFileAccess and the decode worker's RpcFileAccess are; `readRangeInto` keeps reads
 * into caller buffers.
 */
import type { FileAccess } from "../../src/savedmodel/fileAccess.js";
import { NodeFileAccess } from "../../src/savedmodel/node/nodeFileAccess.js";

export function plainNodeAccess(dir: string, opts: { readRangeInto?: boolean } = {}): FileAccess {
  const f = new NodeFileAccess(dir);
  return {
    readFile: (p) => f.readFile(p),
    readRange: (p, o, n) => f.readRange(p, o, n),
    ...(opts.readRangeInto ? { readRangeInto: (p: string, o: number, t: Uint8Array) => f.readRangeInto(p, o, t) } : {}),
    list: (p) => f.list(p),
    size: (p) => f.size(p),
    describe: (p) => f.describe(p),
  };
}
