/**
 * Big `tensor_content` fields (frozen weights in Const nodes) that the range pass left on disk.
 * A decoded TensorProto whose content was left out carries a non-enumerable `deferredContent`
 * (file offset and length); MetaGraph.readTensorContent reads it by range and fills the field.
 */
import type { DeferredContent, DeferredRecord } from "./rangePass.js";

export type { DeferredContent, DeferredRecord };

const KEY = "deferredContent";

/** Where the tensor's content is in saved_model.pb, when it was left on disk and not read yet. */
export function deferredContentOf(t: unknown): DeferredContent | undefined {
  return t && typeof t === "object" ? ((t as Record<string, unknown>)[KEY] as DeferredContent | undefined) : undefined;
}

export function clearDeferred(t: object): void {
  delete (t as Record<string, unknown>)[KEY];
}

/**
 * Marks the tensors named by `records` (paths from `root`, skipping the first `skip` steps) as
 * deferred; returns the marked objects.
 */
export function applyDeferred(root: unknown, records: DeferredRecord[], skip = 0): object[] {
  const marked: object[] = [];
  for (const r of records) {
    let o: unknown = root;
    for (let i = skip; i < r.path.length - 1 && o; i++) o = (o as Record<string | number, unknown>)[r.path[i]];
    if (!o || typeof o !== "object") continue;
    Object.defineProperty(o, KEY, { value: r.content, enumerable: false, configurable: true, writable: true });
    marked.push(o);
  }
  return marked;
}
