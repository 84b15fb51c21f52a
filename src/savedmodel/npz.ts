/**
 * NumPy .npz: a zip of .npy members, through fflate (stored or deflated members, zip64 archives included).
 * Written stored, as numpy.savez does. Reading checks each member's declared sizes before anything is inflated
 * (no zip bombs) and turns every zip problem into one SavedModelError naming the file.
 */
import { unzipSync, zipSync, type UnzipFileInfo } from "fflate";
import { SavedModelError } from "./errors.js";
import { decodeNpy, encodeNpy } from "./npy.js";
import type { DecodedTensor, SizeLimits } from "./tensor.js";

/** The largest archive a zip without zip64 records can describe (fflate writes none). */
const ZIP32_LIMIT = 0xffffffff;

/** A stored (uncompressed) zip of `<name>.npy` members. Names may contain '/'. */
export function encodeNpz(entries: Record<string, DecodedTensor>): Uint8Array {
  const members: Record<string, [Uint8Array, { level: 0 }]> = {};
  let total = 0;
  for (const [name, t] of Object.entries(entries)) {
    const data = encodeNpy(t);
    total += data.length + 2 * (`${name}.npy`.length + 46);
    if (total >= ZIP32_LIMIT)
      throw new SavedModelError("<npz>", "writing an npz over 4 GiB needs zip64, which fflate does not write");
    members[`${name}.npy`] = [data, { level: 0 }];
  }
  // a fixed date keeps the bytes reproducible (zip stores DOS local time)
  return zipSync(members, { mtime: new Date(1980, 0, 1) });
}

/** Reads every member of an .npz (stored or deflated) as .npy; keys drop the ".npy" suffix. */
export async function decodeNpz(
  bytes: Uint8Array,
  file = "<npz>",
  limits: SizeLimits = {},
): Promise<Record<string, DecodedTensor>> {
  // every central directory entry takes at least 46 bytes: more claimed entries than that is a lie
  const maxEntries = Math.floor(bytes.length / 46);
  let seen = 0;
  const check = (f: UnzipFileInfo): boolean => {
    if (++seen > maxEntries)
      throw new SavedModelError(file, `the central directory claims more entries than ${bytes.length} bytes can hold`);
    if (f.name.endsWith("/")) return false;
    if (f.compression !== 0 && f.compression !== 8)
      throw new SavedModelError(
        file,
        `member "${f.name}" uses zip compression method ${f.compression}; only stored and deflate are supported`,
        { field: f.name },
      );
    if (f.size > bytes.length)
      throw new SavedModelError(file, `member "${f.name}" claims ${f.size} bytes, more than the file has`, {
        field: f.name,
      });
    if (f.compression === 8 && f.originalSize > f.size * 1032 + 1024)
      throw new SavedModelError(
        file,
        `member "${f.name}" claims ${f.originalSize} bytes from ${f.size} compressed (impossible for deflate)`,
        { field: f.name },
      );
    if (limits.maxBytes !== undefined && f.originalSize > limits.maxBytes + 1024 * 1024)
      throw new SavedModelError(file, `member "${f.name}" is ${f.originalSize} bytes, over the limit`, {
        field: f.name,
      });
    return true;
  };
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter: check });
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new SavedModelError(
      file,
      /invalid zip/i.test(msg) ? "not a zip/npz file (no end-of-central-directory record)" : `corrupt zip: ${msg}`,
    );
  }
  const out: Record<string, DecodedTensor> = {};
  for (const [name, data] of Object.entries(members)) {
    const key = name.endsWith(".npy") ? name.slice(0, -4) : name;
    out[key] = decodeNpy(data, `${file}:${name}`, limits);
  }
  return out;
}
