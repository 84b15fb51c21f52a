/**
 * Image-shaped tensors as pictures (the tensor view's image part): which shapes look like images, and one
 * image of a batch as RGBA bytes. Pure.
 */

export interface ImageLayout {
  /** Batch size (the image is repeated), or undefined for a rank-3 [H,W,C] tensor. */
  n?: number;
  h: number;
  w: number;
  c: number;
}

/** An output that looks like an image: [N,H,W,C] or [H,W,C] with C in 1/3/4 and H, W >= 4. */
export function outputImageLayout(shape: readonly number[]): ImageLayout | undefined {
  if (shape.length !== 3 && shape.length !== 4) return undefined;
  const [h, w, c] = shape.slice(-3);
  if (![1, 3, 4].includes(c) || h < 4 || w < 4) return undefined;
  return { n: shape.length === 4 ? shape[0] : undefined, h, w, c };
}

/** Image `index` of a numeric tensor as RGBA bytes, min–max normalised over that image. */
export function tensorToRgba(values: ArrayLike<number | bigint>, layout: ImageLayout, index = 0): Uint8ClampedArray {
  const { h, w, c } = layout;
  const size = h * w * c;
  const base = index * size;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < size; i++) {
    const v = Number(values[base + i]);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max > min ? max - min : 1;
  const norm = (v: number) => Math.round(((Number(v) - min) / range) * 255);
  const out = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    const o = base + p * c;
    if (c === 1) out[p * 4] = out[p * 4 + 1] = out[p * 4 + 2] = norm(Number(values[o]));
    else for (let ch = 0; ch < 3; ch++) out[p * 4 + ch] = norm(Number(values[o + ch]));
    out[p * 4 + 3] = c === 4 ? norm(Number(values[o + 3])) : 255;
  }
  return out;
}
