/**
 * Text format speed: for each fixture saved_model.pb, binary decode vs parse of the same message
 * printed as text (and the print itself); times are the best of several runs. Run: node --import tsx bench/textFormat.bench.ts [filter]
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { SavedModel } from "../src/savedmodel/proto.js";
import { parseTextFormat, printTextFormat } from "../src/savedmodel/textFormat/index.js";

const FIXTURES = resolve(__dirname, "..", "..", "shared", "fixtures");
const filter = process.argv[2];

/** Fastest of the runs: the least disturbed by other load on shared machines. */
function best(xs: number[]): number {
  return Math.min(...xs);
}

function time(fn: () => void, runs: number): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return best(ts);
}

const rows: string[] = [];
let totBin = 0;
let totText = 0;
let totDecodeMs = 0;
let totParseMs = 0;
for (const name of readdirSync(FIXTURES).sort()) {
  if (filter && !name.includes(filter)) continue;
  const file = join(FIXTURES, name, "saved_model.pb");
  if (!existsSync(file)) continue;
  const bytes = readFileSync(file);
  const decoded = SavedModel.decode(bytes);
  const text = printTextFormat(decoded, "tensorflow.SavedModel");
  const runs = bytes.length > 1e6 ? 7 : 25;
  const decodeMs = time(() => SavedModel.decode(bytes), runs);
  const parseMs = time(() => parseTextFormat(text, "tensorflow.SavedModel", name), runs);
  const printMs = time(() => printTextFormat(decoded, "tensorflow.SavedModel"), runs);
  totBin += bytes.length;
  totText += text.length;
  totDecodeMs += decodeMs;
  totParseMs += parseMs;
  const mbs = (n: number, ms: number) => (n / 1e6 / (ms / 1e3)).toFixed(1);
  rows.push(
    `| ${name} | ${(bytes.length / 1e6).toFixed(2)} | ${(text.length / 1e6).toFixed(2)} | ${decodeMs.toFixed(1)} (${mbs(bytes.length, decodeMs)}) | ` +
      `${parseMs.toFixed(1)} (${mbs(text.length, parseMs)}) | ${(parseMs / decodeMs).toFixed(2)} | ${printMs.toFixed(1)} |`,
  );
}
console.log(
  "| fixture | .pb MB | text MB | binary decode ms (MB/s) | text parse ms (MB/s of text) | parse/decode | print ms |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
console.log(
  `| all | ${(totBin / 1e6).toFixed(2)} | ${(totText / 1e6).toFixed(2)} | ${totDecodeMs.toFixed(1)} (${(totBin / 1e3 / totDecodeMs).toFixed(1)}) | ` +
    `${totParseMs.toFixed(1)} (${(totText / 1e3 / totParseMs).toFixed(1)}) | ${(totParseMs / totDecodeMs).toFixed(2)} | |`,
);
