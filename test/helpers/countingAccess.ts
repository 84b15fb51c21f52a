/** A FileAccess that counts the bytes read through readFile/readRange and names the files read whole. */
import type { FileAccess } from "../../src/savedmodel/fileAccess.js";

export class CountingAccess implements FileAccess {
  bytes = 0;
  wholeFiles: string[] = [];
  constructor(private readonly inner: FileAccess) {}
  async readFile(p: string) {
    const b = await this.inner.readFile(p);
    this.bytes += b.length;
    this.wholeFiles.push(p);
    return b;
  }
  async readRange(p: string, o: number, n: number) {
    const b = await this.inner.readRange(p, o, n);
    this.bytes += b.length;
    return b;
  }
  list(p: string) {
    return this.inner.list(p);
  }
  size(p: string) {
    return this.inner.size(p);
  }
  describe(p: string) {
    return this.inner.describe(p);
  }
}
