/**
 * Image <-> tensor math for the run form: which inputs take an image ([N,H,W,C] / [H,W,C], float or
 * uint8), bilinear resizing of decoded RGBA pixels (half-pixel centres, as tf.image.resize), scaling to
 * the model's range (image-shaped outputs are drawn by ../shared/tensorImage.ts). Pure (the webview decodes
 * the file).
 */
import { DataType as DT } from "../../savedmodel/dtypes.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";

export type PixelScale = "0..1" | "-1..1" | "0..255";

import type { ImageLayout } from "../shared/tensorImage.js";
export { outputImageLayout, tensorToRgba, type ImageLayout } from "../shared/tensorImage.js";

/** Whether an input of this dtype/shape can be filled from an image. */
export function acceptsImage(dtype: number, spec: readonly number[] | undefined): boolean {
  if (dtype !== DT.DT_FLOAT && dtype !== DT.DT_UINT8 && dtype !== DT.DT_DOUBLE && dtype !== DT.DT_HALF) return false;
  if (!spec || (spec.length !== 4 && spec.length !== 3)) return false;
  const c = spec[spec.length - 1];
  return c < 0 || c === 1 || c === 3 || c === 4;
}

/**
 * The layout an image gets for `spec`: fixed dims win; unknown H/W take `sizes` (the form's dims for the
 * -1 entries, in order) or else the image's own size; unknown C is 3; unknown N is 1.
 */
export function imageLayout(
  spec: readonly number[],
  srcW: number,
  srcH: number,
  sizes: readonly number[] = [],
): ImageLayout {
  const rank4 = spec.length === 4;
  const dims = [...spec];
  let j = 0;
  const defaults = rank4 ? [1, srcH, srcW, 3] : [srcH, srcW, 3];
  for (let i = 0; i < dims.length; i++) if (dims[i] < 0) dims[i] = sizes[j++] ?? defaults[i];
  const [n, h, w, c] = rank4 ? dims : [undefined, ...dims];
  return { n, h: h!, w: w!, c: c! };
}

/** Default scale for a dtype: uint8 keeps 0..255, floats get 0..1. */
export function defaultScale(dtype: number): PixelScale {
  return dtype === DT.DT_UINT8 ? "0..255" : "0..1";
}

/**
 * RGBA pixels (srcW x srcH, row-major) resized bilinearly to `layout` and laid out NHWC (channels: 1 =
 * luma, 3 = RGB, 4 = RGBA), scaled to `scale` for float dtypes.
 */
export function imageToTensor(
  rgba: ArrayLike<number>,
  srcW: number,
  srcH: number,
  layout: ImageLayout,
  dtype: number,
  scale: PixelScale,
): DecodedTensor {
  const { h, w, c } = layout;
  const n = layout.n ?? 1;
  if (rgba.length < srcW * srcH * 4)
    throw new Error(`pixel buffer has ${rgba.length} bytes, expected ${srcW * srcH * 4}`);
  if (h * w * c * n > 2 ** 26) throw new Error(`[${n}, ${h}, ${w}, ${c}] is too large for an image input`);
  const plane = new Float32Array(h * w * c);
  const sx = srcW / w;
  const sy = srcH / h;
  const px = (x: number, y: number, ch: number) => rgba[(y * srcW + x) * 4 + ch];
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), srcH - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, srcH - 1);
    const dy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), srcW - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, srcW - 1);
      const dx = fx - x0;
      const sample = (ch: number) =>
        (px(x0, y0, ch) * (1 - dx) + px(x1, y0, ch) * dx) * (1 - dy) +
        (px(x0, y1, ch) * (1 - dx) + px(x1, y1, ch) * dx) * dy;
      const o = (y * w + x) * c;
      if (c === 1) plane[o] = 0.299 * sample(0) + 0.587 * sample(1) + 0.114 * sample(2);
      else for (let ch = 0; ch < c; ch++) plane[o + ch] = sample(ch);
    }
  }
  const shape = layout.n === undefined ? [h, w, c] : [n, h, w, c];
  const total = plane.length * n;
  if (dtype === DT.DT_UINT8) {
    const out = new Uint8Array(total);
    for (let b = 0; b < n; b++) for (let i = 0; i < plane.length; i++) out[b * plane.length + i] = Math.round(plane[i]);
    return { dtype, shape, values: out };
  }
  const f =
    scale === "0..1" ? (v: number) => v / 255 : scale === "-1..1" ? (v: number) => v / 127.5 - 1 : (v: number) => v;
  const out = dtype === DT.DT_DOUBLE ? new Float64Array(total) : new Float32Array(total);
  for (let b = 0; b < n; b++) for (let i = 0; i < plane.length; i++) out[b * plane.length + i] = f(plane[i]);
  return { dtype, shape, values: out };
}
