import { test } from "node:test";
import assert from "node:assert/strict";
import { ContainmentError, parseLimits } from "../src/savedmodel/containment.js";
import { MemoryFileAccess } from "../src/savedmodel/memoryFileAccess.js";
import { TensorBundle } from "../src/savedmodel/tensorBundle/index.js";
import { parseTable } from "../src/savedmodel/tensorBundle/table.js";
import { snappyBombIndex } from "./hostile/bomb.js";

test("a Snappy block declaring 255 MiB is refused before any work, naming the limit", () => {
  const bomb = snappyBombIndex(); // ~12 MB of copy ops
  assert.throws(
    () => parseTable("variables/variables.index", bomb),
    (e: Error) =>
      e instanceof ContainmentError &&
      /^variables\/variables\.index: data block 0 .*declaring 267386876 bytes/.test(e.message) &&
      /maxIndexBlockBytes/.test(e.message) &&
      /SAVEDMODEL_LIMITS/.test(e.message),
  );
});

test("entry counts and total inflated bytes of an index are bounded", () => {
  const bomb = snappyBombIndex(60 + 64 * 2000); // 128 060 zero bytes = ~42 000 empty entries
  const limits = parseLimits("maxIndexEntries=1000");
  assert.throws(() => parseTable("i", bomb, { limits }), /maxIndexEntries = 1000/);
  assert.throws(() => parseTable("i", bomb, { limits: parseLimits("maxIndexBytes=100000") }), /maxIndexBytes/);
});

test("TensorBundle.open on a bomb index ends with a clean SavedModelError", async () => {
  const fs = new MemoryFileAccess(new Map([["variables/variables.index", snappyBombIndex()]]));
  await assert.rejects(TensorBundle.open(fs), /variables\/variables\.index: .*maxIndexBlockBytes/);
});
