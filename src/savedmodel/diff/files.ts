/**
 * Files diff: assets/ and assets.extra/ files added, removed or changed (contents compared chunk by chunk, CRC32C
 * shown as the content hash), fingerprint.pb fields compared and explained, and the TF version, producer, format
 * and schema version of each side.
 */
import type { ModelInfo } from "../modelTypes.js";
import type { SavedModelExport } from "../savedModel.js";
import { crc32c, hex32 } from "../tensorBundle/crc.js";
import type { FileChange, FilesDiff, FingerprintFieldChange } from "./types.js";

/** What each fingerprint.pb field hashes, so a difference can be explained. */
export const FINGERPRINT_MEANING: Record<string, string> = {
  savedModelChecksum: "checksum of saved_model.pb: the file's bytes differ",
  graphDefProgramHash:
    "hash of the graph program (graph and functions, without names that change from run to run): the computation changed",
  signatureDefHash: "hash of the SignatureDefs: the serving contract changed",
  savedObjectGraphHash: "hash of the object graph (tracked objects, variables, functions): the saved objects changed",
  checkpointHash: "hash of the variables checkpoint: the weights or their layout changed",
  uuid: "a random id per export: differs between any two exports",
  producer: "the fingerprint format's producer version",
};

async function compareFile(
  expA: SavedModelExport,
  expB: SavedModelExport,
  path: string,
  sizeA: number,
  sizeB: number,
  chunk: number,
): Promise<{ same: boolean; hashA: string; hashB: string }> {
  let ca = 0;
  let cb = 0;
  let same = sizeA === sizeB;
  const n = Math.max(sizeA, sizeB);
  for (let at = 0; at < n; at += chunk) {
    const [x, y] = await Promise.all([
      at < sizeA ? expA.fs.readRange(path, at, Math.min(chunk, sizeA - at)) : new Uint8Array(0),
      at < sizeB ? expB.fs.readRange(path, at, Math.min(chunk, sizeB - at)) : new Uint8Array(0),
    ]);
    ca = crc32c(x, at === 0 ? undefined : ca);
    cb = crc32c(y, at === 0 ? undefined : cb);
    if (same && (x.length !== y.length || x.some((v, i) => v !== y[i]))) same = false;
  }
  return { same, hashA: hex32(ca), hashB: hex32(cb) };
}

export async function diffFiles(
  expA: SavedModelExport,
  infoA: ModelInfo,
  expB: SavedModelExport,
  infoB: ModelInfo,
  opts: { chunkBytes?: number; signal?: AbortSignal } = {},
): Promise<FilesDiff> {
  const chunk = opts.chunkBytes ?? 4 << 20;
  const list = (e: SavedModelExport) => new Map([...e.layout.assets, ...e.layout.assetsExtra].map((f) => [f.path, f]));
  const la = list(expA);
  const lb = list(expB);
  const assets: FileChange[] = [];
  for (const path of [...new Set([...la.keys(), ...lb.keys()])].sort()) {
    const a = la.get(path);
    const b = lb.get(path);
    if (a && !b) assets.push({ kind: "removed", path, sizeA: a.size });
    else if (b && !a) assets.push({ kind: "added", path, sizeB: b.size });
    else if (a && b) {
      const sizeA = a.size ?? (await expA.fs.size(path)) ?? 0;
      const sizeB = b.size ?? (await expB.fs.size(path)) ?? 0;
      const r = await compareFile(expA, expB, path, sizeA, sizeB, chunk);
      if (!r.same) assets.push({ kind: "changed", path, sizeA, sizeB, hashA: r.hashA, hashB: r.hashB });
    }
  }
  const fa = infoA.fingerprint as Record<string, unknown> | undefined;
  const fb = infoB.fingerprint as Record<string, unknown> | undefined;
  const fingerprint: FingerprintFieldChange[] = [];
  if (fa && fb)
    for (const field of Object.keys(FINGERPRINT_MEANING)) {
      const x = fa?.[field] === undefined ? undefined : String(fa[field]);
      const y = fb?.[field] === undefined ? undefined : String(fb[field]);
      if (x !== y) fingerprint.push({ field, a: x, b: y, meaning: FINGERPRINT_MEANING[field] });
    }
  const producer: FilesDiff["producer"] = [];
  const line = (field: string, x: unknown, y: unknown) => {
    const a = x === undefined ? undefined : String(x);
    const b = y === undefined ? undefined : String(y);
    if (a !== b) producer.push({ field, a, b });
  };
  line("format", infoA.format, infoB.format);
  line("savedModelFile", infoA.savedModelFile, infoB.savedModelFile);
  line("schemaVersion", infoA.schemaVersion, infoB.schemaVersion);
  const tags = (m: { tags: string[] }) => [...m.tags].sort().join(",");
  for (const ma of infoA.metaGraphs) {
    const mb = infoB.metaGraphs.find((m) => tags(m) === tags(ma));
    if (!mb) continue;
    const p = (f: string) => `${f} (${ma.tags.join(",")})`;
    line(p("tfVersion"), ma.tfVersion, mb.tfVersion);
    line(p("tfGitVersion"), ma.tfGitVersion, mb.tfGitVersion);
    line(p("producer"), ma.producer, mb.producer);
    line(p("strippedDefaultAttrs"), ma.strippedDefaultAttrs, mb.strippedDefaultAttrs);
    line(p("isTF2"), ma.isTF2, mb.isTF2);
  }
  return { assets, fingerprint, fingerprintA: !!fa, fingerprintB: !!fb, producer };
}
