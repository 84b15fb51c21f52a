/**
 * Byte-level writers for decompression bombs (test time only; nothing binary is committed): a checkpoint index
 * (TF table) whose one Snappy data block declares and really inflates to `inflated` zero bytes — which parse as
 * ~inflated/3 empty entries — from about inflated/21 bytes of Snappy copy operations.
 */
import { crc32c, maskCrc } from "../../src/savedmodel/tensorBundle/crc.js";

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/** A valid Snappy stream of `n` (≥ 64) zero bytes: a 60-byte literal, then 64-byte copies (3 bytes each). */
export function snappyZeros(n: number): Uint8Array {
  const pre = varint(n);
  let left = n - 60;
  const copies = Math.ceil(left / 64);
  const out = new Uint8Array(pre.length + 61 + 60 + copies * 3);
  out.set(pre, 0);
  let p = pre.length;
  out[p++] = 59 << 2; // literal, 60 bytes (already zero)
  p += 60;
  while (left > 0) {
    const len = Math.min(64, left);
    if (len < 4) {
      // a copy-2 op carries 1..64 bytes; keep it simple: shorten the previous copy instead
      throw new Error("snappyZeros: choose n with (n - 60) % 64 === 0 or ≥ 4");
    }
    out[p++] = ((len - 1) << 2) | 2; // copy with 2-byte offset
    out[p++] = 60; // offset 60 (inside the zeros already written)
    out[p++] = 0;
    left -= len;
  }
  return out.subarray(0, p);
}

function block(contents: Uint8Array | number[], type: number): number[] {
  const c = Array.from(contents);
  const crc = maskCrc(crc32c(Uint8Array.from([...c, type])));
  return [...c, type, ...u32(crc)];
}

/** A TF table (variables.index) with one Snappy data block inflating to `inflated` bytes. */
export function snappyBombIndex(inflated = 255 * 1024 * 1024 - 4): Uint8Array {
  const raw = snappyZeros(inflated);
  const dataTrailer = new Uint8Array(5);
  dataTrailer[0] = 1;
  const withType = new Uint8Array(raw.length + 1);
  withType.set(raw);
  withType[raw.length] = 1;
  const crc = maskCrc(crc32c(withType));
  const parts: number[][] = [];
  const dataLen = raw.length;
  const metaOff = dataLen + 5;
  const meta = block([...u32(0), ...u32(1)], 0);
  const handle = [...varint(0), ...varint(dataLen)];
  const indexOff = metaOff + meta.length;
  const indexContents = [0, 1, handle.length, 0xff, ...handle, ...u32(0), ...u32(1)];
  const index = block(indexContents, 0);
  const footer = [...varint(metaOff), ...varint(8), ...varint(indexOff), ...varint(indexContents.length)];
  while (footer.length < 40) footer.push(0);
  footer.push(...u32(0x8b80fb57), ...u32(0xdb477524));
  parts.push(meta, index, footer);
  const tail = Uint8Array.from(parts.flat());
  const out = new Uint8Array(dataLen + 5 + tail.length);
  out.set(raw, 0);
  out[dataLen] = 1;
  out.set(u32(crc), dataLen + 1);
  out.set(tail, dataLen + 5);
  void dataTrailer;
  return out;
}

/** Prepends bytes into a buffer filled from its end (nesting is written inside-out in linear time). */
class BackWriter {
  private buf: Uint8Array;
  private pos: number;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.pos = size;
  }
  get length(): number {
    return this.buf.length - this.pos;
  }
  prepend(bytes: number[]): void {
    this.pos -= bytes.length;
    this.buf.set(bytes, this.pos);
  }
  /** wraps everything written so far as field `field` (length-delimited) */
  wrap(field: number, before: number[] = []): void {
    this.prepend(varint(this.length));
    this.prepend([(field << 3) | 2]);
    this.prepend(before);
  }
  take(): Uint8Array {
    return this.buf.subarray(this.pos);
  }
}

/**
 * A binary saved_model.pb whose one graph node has an attr nested `depth` levels deep
 * (AttrValue.func → NameAttrList.attr["a"] → AttrValue …), written inside-out in linear time.
 */
export function deeplyNestedSavedModel(depth: number): Uint8Array {
  const w = new BackWriter(depth * 16 + 256);
  const a = [0x0a, 1, 0x61]; // map entry key "a"
  for (let i = 0; i < depth; i++) {
    w.wrap(2, a); // map entry { key "a", value: AttrValue }
    w.wrap(2); // NameAttrList.attr
    w.wrap(10); // AttrValue.func
  }
  w.wrap(2, a); // NodeDef.attr entry value
  w.wrap(5, [0x0a, 1, 0x6e, 0x12, 4, ...new TextEncoder().encode("NoOp")]); // NodeDef name "n", op "NoOp", attr
  w.wrap(1); // GraphDef.node
  w.wrap(2); // MetaGraphDef.graph_def
  // MetaGraphDef { meta_info_def { tags: "serve" } graph_def {...} }
  w.prepend([0x0a, 7, 0x22, 5, ...new TextEncoder().encode("serve")]);
  w.wrap(2, [0x08, 1]); // SavedModel { saved_model_schema_version: 1, meta_graphs: ... }
  return w.take();
}

/** A saved_model.pbtxt nested `depth` levels deep in braces. */
export function deeplyNestedSavedModelText(depth: number): string {
  const open = 'attr { key: "a" value { func { ';
  return `saved_model_schema_version: 1\nmeta_graphs {\ngraph_def { node { ${open.repeat(depth + 1)}${"} } } ".repeat(depth + 1)}} }\n}\n`;
}
