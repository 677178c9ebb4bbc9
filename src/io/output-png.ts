// A dense model's output as a picture: per-pixel class scores become a
// colour-coded mask (class 0 black), an image output ([h, w, 1] or
// [h, w, 3], real values in [0, 1]) becomes a grey or RGB PNG.
import { UserError } from '../errors.js';
import { argmax } from '../parity/stats.js';
import { grayPng, rgbPng } from './png.js';

export type PngKind = 'mask' | 'image';

/** 'auto' reads 1 or 3 channels as an image and any other count as class scores. */
export function pngKindFor(channels: number, asked: PngKind | 'auto'): PngKind {
  if (asked !== 'auto') return asked;
  return channels === 1 || channels === 3 ? 'image' : 'mask';
}

/** Colour of class c: black for 0 (background), then hues spread around the circle. */
export function classColour(c: number, classes: number): [number, number, number] {
  if (c === 0) return [0, 0, 0];
  const h = ((c - 1) / Math.max(1, classes - 1)) * 6;
  const x = 1 - Math.abs((h % 2) - 1);
  const [r, g, b] = h < 1 ? [1, x, 0] : h < 2 ? [x, 1, 0] : h < 3 ? [0, 1, x] : h < 4 ? [0, x, 1] : h < 5 ? [x, 0, 1] : [1, 0, x];
  return [Math.round(255 * r), Math.round(255 * g), Math.round(255 * b)];
}

/** The top class of each pixel of channels-last scores, coloured by classColour. */
export function maskPng(scores: ArrayLike<number>, height: number, width: number, classes: number): Uint8Array {
  const rgb = new Uint8Array(height * width * 3);
  for (let p = 0; p < height * width; p++) rgb.set(classColour(argmax(scores, p * classes, classes), classes), 3 * p);
  return rgbPng(rgb, width, height);
}

/** Real values of a [1, h, w, c] (or [h, w, c]) output as a PNG of the given kind. */
export function outputPng(real: Float32Array, shape: readonly number[], kind: PngKind): Uint8Array {
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  if (dims.length !== 3) throw new UserError(`--out-png needs an output of shape [1, height, width, channels]; output 0 is [${shape.join(', ')}].`);
  const [h, w, c] = dims as [number, number, number];
  if (kind === 'mask') {
    if (c < 2) throw new UserError(`--png-as mask needs per-pixel scores of 2 or more classes; output 0 has ${c} channel.`);
    return maskPng(real, h, w, c);
  }
  if (c === 1) return grayPng(real, w, h);
  if (c !== 3) throw new UserError(`--png-as image needs 1 or 3 channels; output 0 has ${c} (use --png-as mask for class scores).`);
  const rgb = new Uint8Array(h * w * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.round(255 * Math.min(1, Math.max(0, real[i]!)));
  return rgbPng(rgb, w, h);
}
