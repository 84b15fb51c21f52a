/**
 * FileAccess over the channel (rpc.ts): a worker never touches the disk itself; its reads go to the host, which
 * answers them from the export's FileAccess (vscode.workspace.fs in the extension, the file system in the CLI).
 * One shape for both workers: the decode worker names the export of each read (`exportId`), the executor worker
 * has one export and leaves it empty.
 */
import type { DirEntry, FileAccess } from "../savedmodel/fileAccess.js";
import type { RpcClient, RpcHandlers, TransferItem } from "./rpc.js";

export interface FileRead {
  /** Which export's files ("" when the worker serves one export). */
  exportId: string;
  /** Path relative to the export folder. */
  path: string;
}

/** Requests a worker makes of the host. */
export type FileMethods = {
  "fs/readFile": { params: FileRead; result: Uint8Array };
  "fs/readRange": { params: FileRead & { offset: number; length: number }; result: Uint8Array };
  "fs/list": { params: FileRead; result: DirEntry[] };
  "fs/size": { params: FileRead; result: number | undefined };
};

/** A FileAccess whose whole-file reads hand over a buffer the caller may keep (WorkspaceFileAccess). */
interface OwnedReads {
  readFileOwned?(path: string): Promise<Uint8Array>;
}

/** Bytes whose buffer is theirs alone, so it can be transferred (small Node reads share a pool). */
function owned(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer)
    return bytes;
  return bytes.slice();
}

/** The host's side: answers a worker's reads from the FileAccess of the export it names. */
export function fileAccessHandlers(filesOf: (exportId: string) => FileAccess): RpcHandlers<FileMethods> {
  return {
    "fs/readFile": async ({ exportId, path }) => {
      const fs = filesOf(exportId) as FileAccess & OwnedReads;
      // readFile may hand out a buffer the host keeps (a cache): only readFileOwned's bytes are moved as they are
      return fs.readFileOwned ? owned(await fs.readFileOwned(path)) : (await fs.readFile(path)).slice();
    },
    "fs/readRange": async ({ exportId, path, offset, length }) =>
      owned(await filesOf(exportId).readRange(path, offset, length)),
    "fs/list": ({ exportId, path }) => filesOf(exportId).list(path),
    "fs/size": ({ exportId, path }) => filesOf(exportId).size(path),
  };
}

/** Moves read bytes to the worker without copying. */
export function transferBytes(result: unknown): TransferItem[] | undefined {
  return result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : undefined;
}

/** The worker's side: a FileAccess that asks the host. */
export class RpcFileAccess implements FileAccess {
  constructor(
    private readonly host: Pick<RpcClient<FileMethods>, "request">,
    private readonly exportId = "",
    private readonly display = "",
  ) {}
  readFile(path: string): Promise<Uint8Array> {
    return this.host.request("fs/readFile", { exportId: this.exportId, path });
  }
  readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.host.request("fs/readRange", { exportId: this.exportId, path, offset, length });
  }
  list(path: string): Promise<DirEntry[]> {
    return this.host.request("fs/list", { exportId: this.exportId, path });
  }
  size(path: string): Promise<number | undefined> {
    return this.host.request("fs/size", { exportId: this.exportId, path });
  }
  describe(path: string): string {
    if (!this.display) return path;
    return path ? `${this.display.replace(/\/$/, "")}/${path}` : this.display;
  }
}
