/** CRC32C as TensorFlow and LevelDB use it: plain value, extension, and the "masked" stored form. */
import * as CRC32C from "crc-32/crc32c";

/** CRC32C of `data`, continuing from `seed` (a previous result) when given. Unsigned. */
export function crc32c(data: Uint8Array, seed?: number): number {
  return CRC32C.buf(data, seed === undefined ? undefined : seed | 0) >>> 0;
}

/** TF/LevelDB masking: rotate right by 15 bits and add a constant (so CRCs of CRCs stay distinctive). */
export function maskCrc(crc: number): number {
  const c = crc >>> 0;
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** Inverse of maskCrc. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}
