/** Unicode decoding/encoding ops (UTF-8; UTF-16-BE and UTF-32-BE for encoding), with TF's error modes. */
import * as tf from "@tensorflow/tfjs-core";
import { attrBool, attrInt, attrStr } from "../attrs.js";
import type { KernelTable, OpContext } from "../kernel.js";
import type { Value } from "../values.js";

type Errors = "strict" | "replace" | "ignore";

const isCont = (b: number) => (b & 0xc0) === 0x80;
const isControl = (cp: number) => cp < 0x20 || (cp >= 0x7f && cp < 0xa0);

/** Code points of UTF-8 bytes with the byte offset each starts at. */
export function decodeUtf8(
  b: Uint8Array,
  errors: Errors,
  repl: number,
  replaceControl: boolean,
): { cps: number[]; starts: number[] } {
  const cps: number[] = [];
  const starts: number[] = [];
  let i = 0;
  while (i < b.length) {
    const start = i;
    const c = b[i];
    let cp = -1;
    let n = 1;
    if (c < 0x80) cp = c;
    else if (c >> 5 === 6 && i + 1 < b.length && isCont(b[i + 1])) {
      cp = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
      n = 2;
      if (cp < 0x80) cp = -1;
    } else if (c >> 4 === 14 && i + 2 < b.length && isCont(b[i + 1]) && isCont(b[i + 2])) {
      cp = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      n = 3;
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) cp = -1;
    } else if (c >> 3 === 30 && i + 3 < b.length && isCont(b[i + 1]) && isCont(b[i + 2]) && isCont(b[i + 3])) {
      cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
      n = 4;
      if (cp < 0x10000 || cp > 0x10ffff) cp = -1;
    }
    if (cp < 0) {
      n = 1;
      if (errors === "strict") throw new Error(`invalid UTF-8 at byte ${start}`);
      i += n;
      if (errors === "ignore") continue;
      cp = repl;
    } else i += n;
    if (replaceControl && isControl(cp)) cp = repl;
    cps.push(cp);
    starts.push(start);
  }
  return { cps, starts };
}

function decodeOp(c: OpContext, withOffsets: boolean): Promise<Value[]> {
  return (async () => {
    const enc = attrStr(c.attrs, "input_encoding").toUpperCase().replace("_", "-");
    if (enc !== "UTF-8" && enc !== "UTF8") throw new Error(`input_encoding ${enc} is not supported (UTF-8 only)`);
    const errors = attrStr(c.attrs, "errors", "replace") as Errors;
    const repl = attrInt(c.attrs, "replacement_char", 0xfffd);
    const ctl = attrBool(c.attrs, "replace_control_characters");
    const t = c.inputs[0] as tf.Tensor;
    const rows = (await t.bytes()) as Uint8Array[];
    const splits = [0];
    const values: number[] = [];
    const offsets: number[] = [];
    for (const r of rows) {
      const d = decodeUtf8(r, errors, repl, ctl);
      values.push(...d.cps);
      offsets.push(...d.starts);
      splits.push(values.length);
    }
    const out: Value[] = [tf.tensor(splits, [splits.length], "int32"), tf.tensor(values, [values.length], "int32")];
    if (withOffsets) out.push(tf.tensor(offsets, [offsets.length], "int32"));
    return out;
  })();
}

function encodeCodePoints(cps: number[], encoding: string): Uint8Array {
  if (encoding === "UTF-8") return new TextEncoder().encode(String.fromCodePoint(...cps));
  if (encoding === "UTF-32-BE") {
    const out = new Uint8Array(cps.length * 4);
    const dv = new DataView(out.buffer);
    cps.forEach((cp, i) => dv.setUint32(4 * i, cp));
    return out;
  }
  if (encoding === "UTF-16-BE") {
    const units: number[] = [];
    for (const cp of cps) {
      if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      else units.push(cp);
    }
    const out = new Uint8Array(units.length * 2);
    const dv = new DataView(out.buffer);
    units.forEach((u, i) => dv.setUint16(2 * i, u));
    return out;
  }
  throw new Error(`output_encoding ${encoding} is not supported`);
}

async function encodeOp(c: OpContext): Promise<Value[]> {
  const encoding = attrStr(c.attrs, "output_encoding").toUpperCase().replace("_", "-");
  const errors = attrStr(c.attrs, "errors", "replace") as Errors;
  const repl = attrInt(c.attrs, "replacement_char", 0xfffd);
  const values = Array.from(await (c.inputs[0] as tf.Tensor).data());
  const splits = Array.from(await (c.inputs[1] as tf.Tensor).data());
  const out: Uint8Array[] = [];
  for (let r = 0; r + 1 < splits.length; r++) {
    const cps: number[] = [];
    for (let k = splits[r]; k < splits[r + 1]; k++) {
      const cp = values[k];
      const valid = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
      if (valid) cps.push(cp);
      else if (errors === "strict") throw new Error(`invalid code point ${cp} in row ${r}`);
      else if (errors === "replace") cps.push(repl);
    }
    out.push(encodeCodePoints(cps, encoding));
  }
  return [tf.tensor(out as unknown as string[], [out.length], "string")];
}

export const unicodeKernels: KernelTable = {
  UnicodeDecode: { run: (c) => decodeOp(c, false) },
  UnicodeDecodeWithOffsets: { run: (c) => decodeOp(c, true) },
  UnicodeEncode: { run: encodeOp },
};
