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

/**
 * ICU's UScriptCode (what TF's UnicodeScript returns) for each Unicode script, as "code Script_Name"
 * (the Unicode Script property value that JavaScript's \\p{Script=...} understands). 103 = Unknown.
 */
const SCRIPT_CODES =
  "0 Common|1 Inherited|2 Arabic|3 Armenian|4 Bengali|5 Bopomofo|6 Cherokee|7 Coptic|8 Cyrillic|9 Deseret|10 Devanagari|11 Ethiopic|12 Georgian|13 Gothic|14 Greek|15 Gujarati|16 Gurmukhi|17 Han|18 Hangul|19 Hebrew|20 Hiragana|21 Kannada|22 Katakana|23 Khmer|24 Lao|25 Latin|26 Malayalam|27 Mongolian|28 Myanmar|29 Ogham|30 Old_Italic|31 Oriya|32 Runic|33 Sinhala|34 Syriac|35 Tamil|36 Telugu|37 Thaana|38 Thai|39 Tibetan|40 Canadian_Aboriginal|41 Yi|42 Tagalog|43 Hanunoo|44 Buhid|45 Tagbanwa|46 Braille|47 Cypriot|48 Limbu|49 Linear_B|50 Osmanya|51 Shavian|52 Tai_Le|53 Ugaritic|55 Buginese|56 Glagolitic|57 Kharoshthi|58 Syloti_Nagri|59 New_Tai_Lue|60 Tifinagh|61 Old_Persian|62 Balinese|63 Batak|65 Brahmi|66 Cham|71 Egyptian_Hieroglyphs|75 Pahawh_Hmong|76 Old_Hungarian|78 Javanese|79 Kayah_Li|82 Lepcha|83 Linear_A|84 Mandaic|86 Meroitic_Hieroglyphs|87 Nko|88 Old_Turkic|89 Old_Permic|90 Phags_Pa|91 Phoenician|92 Miao|99 Vai|101 Cuneiform|104 Carian|106 Tai_Tham|107 Lycian|108 Lydian|109 Ol_Chiki|110 Rejang|111 Saurashtra|112 SignWriting|113 Sundanese|115 Meetei_Mayek|116 Imperial_Aramaic|117 Avestan|118 Chakma|120 Kaithi|121 Manichaean|122 Inscriptional_Pahlavi|123 Psalter_Pahlavi|125 Inscriptional_Parthian|126 Samaritan|127 Tai_Viet|130 Bamum|131 Lisu|133 Old_South_Arabian|134 Bassa_Vah|135 Duployan|136 Elbasan|137 Grantha|140 Mende_Kikakui|141 Meroitic_Cursive|142 Old_North_Arabian|143 Nabataean|144 Palmyrene|145 Khudawadi|146 Warang_Citi|149 Mro|150 Nushu|151 Sharada|152 Sora_Sompeng|153 Takri|154 Tangut|156 Anatolian_Hieroglyphs|157 Khojki|158 Tirhuta|159 Caucasian_Albanian|160 Mahajani|161 Ahom|162 Hatran|163 Modi|164 Multani|165 Pau_Cin_Hau|166 Siddham|167 Adlam|168 Bhaiksuki|169 Marchen|170 Newa|171 Osage|175 Masaram_Gondi|176 Soyombo|177 Zanabazar_Square|178 Dogra|179 Gunjala_Gondi|180 Makasar|181 Medefaidrin|182 Hanifi_Rohingya|183 Sogdian|184 Old_Sogdian|185 Elymaic|186 Nyiakeng_Puachue_Hmong|187 Nandinagari|188 Wancho|189 Chorasmian|190 Dives_Akuru|191 Khitan_Small_Script|192 Yezidi";

let scriptTests: { code: number; re: RegExp }[] | undefined;
const scriptCache = new Map<number, number>();

/** ICU script code of a code point; -1 for invalid code points, 103 (Unknown) for unassigned ones. */
export function scriptCode(cp: number): number {
  if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff) return -1;
  const hit = scriptCache.get(cp);
  if (hit !== undefined) return hit;
  scriptTests ??= SCRIPT_CODES.split("|").flatMap((e) => {
    const [code, name] = e.split(" ");
    try {
      return [{ code: Number(code), re: new RegExp(`^\\p{Script=${name}}$`, "u") }];
    } catch {
      return [];
    }
  });
  const ch = String.fromCodePoint(cp);
  const code = scriptTests.find((t) => t.re.test(ch))?.code ?? 103;
  if (scriptCache.size < 65536) scriptCache.set(cp, code);
  return code;
}

export const unicodeKernels: KernelTable = {
  UnicodeScript: {
    run: async (c) => {
      const t = c.inputs[0] as tf.Tensor;
      const cps = Array.from(await t.data());
      return [tf.tensor(cps.map(scriptCode), t.shape, "int32")];
    },
  },
  UnicodeDecode: { run: (c) => decodeOp(c, false) },
  UnicodeDecodeWithOffsets: { run: (c) => decodeOp(c, true) },
  UnicodeEncode: { run: encodeOp },
};
