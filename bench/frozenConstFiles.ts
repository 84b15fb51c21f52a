/** Writes the builder's frozen-Const export (src/savedmodel/builder/frozenConst.ts) to disk, streaming its content. */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fillContent, frozenConstExport } from "../src/savedmodel/builder/frozenConst.js";

/** A frozen-Const export of about `fileBytes` bytes in `dir`. */
export function writeFrozenConstExport(dir: string, fileBytes: number): void {
  const content = Math.max(4, Math.floor(fileBytes / 4) * 4 - 4096);
  const e = frozenConstExport(content);
  mkdirSync(dir, { recursive: true });
  for (const [p, b] of e.files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    const fd = openSync(join(dir, p), "w");
    writeSync(fd, b);
    closeSync(fd);
  }
  const fd = openSync(join(dir, "saved_model.pb"), "w");
  writeSync(fd, e.head);
  const chunk = new Uint8Array(16 << 20);
  for (let at = 0; at < content; at += chunk.length) {
    const n = Math.min(chunk.length, content - at);
    fillContent(chunk.subarray(0, n), at);
    writeSync(fd, chunk, 0, n);
  }
  closeSync(fd);
}
