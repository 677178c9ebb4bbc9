// One epoch of mini-batches over a split. Shuffling is a seeded permutation,
// so the same seed gives the same order on every machine; callers pass a
// different seed per epoch (e.g. seed + epoch) to get a fresh order. The last
// batch may be short: every example is seen exactly once per epoch.

import { UserError } from '../src/errors.js';
import { adaptImages, type ImageShape } from './adapt.js';
import { seededPermutation, seededRandom } from './random.js';
import type { Batch, Split } from './types.js';

export interface BatchOptions {
  shuffle: boolean;
  seed: number;
  /** The model's [height, width, channels]; batches are adapted on the fly when it differs. */
  inputShape?: [number, number, number];
  /**
   * Augmentation: move each image by a random whole-pixel offset in
   * [−shift, shift] on both axes (zero fill), drawn from `seed`. A small,
   * label-preserving shift is what lets a CNN generalise from 8,495 digits.
   */
  shift?: number;
}

export function batchCount(split: Split, batchSize: number): number {
  return Math.ceil(split.count / batchSize);
}

export function batches(split: Split, batchSize: number, opts: BatchOptions): Iterable<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UserError(`The batch size must be a positive integer, got ${batchSize}.`);
  }
  const from: ImageShape = [split.height, split.width, split.channels];
  const to: ImageShape = opts.inputShape ? [...opts.inputShape] : from;
  const order = opts.shuffle ? seededPermutation(split.count, opts.seed) : null;
  const size = split.height * split.width * split.channels;
  const shift = opts.shift ?? 0;
  if (!Number.isInteger(shift) || shift < 0) throw new UserError(`The augmentation shift must be a whole number of pixels ≥ 0, got ${shift}.`);
  // Fail on an impossible adaptation now, not at the first batch deep in a training loop.
  if (split.count > 0) adaptImages(split.images.subarray(0, size), 1, from, to);
  const dense = split.masks !== undefined || split.targets !== undefined;
  if (dense && (from[0] !== to[0] || from[1] !== to[1] || from[2] !== to[2])) {
    // Resizing images would move them off their per-pixel labels.
    throw new UserError(`This dataset's ${from.join('×')} images carry per-pixel targets, so the model must take ${from.join('×')} inputs, not ${to.join('×')}.`);
  }
  const pixels = split.height * split.width;

  return {
    *[Symbol.iterator](): Iterator<Batch> {
      const random = seededRandom(opts.seed ^ 0x5eed);
      for (let start = 0; start < split.count; start += batchSize) {
        const n = Math.min(batchSize, split.count - start);
        // A fresh buffer per batch: tfjs may keep a reference to the array it wraps.
        const x = new Float32Array(n * size);
        const y = new Int32Array(n);
        const masks = split.masks ? new Int32Array(n * pixels) : undefined;
        const targets = split.targets ? new Float32Array(n * size) : undefined;
        for (let k = 0; k < n; k++) {
          const i = order ? order[start + k] : start + k;
          const image = split.images.subarray(i * size, (i + 1) * size);
          // Targets move with their image, so a shifted example stays labelled pixel for pixel.
          const mask = split.masks?.subarray(i * pixels, (i + 1) * pixels);
          const target = split.targets?.subarray(i * size, (i + 1) * size);
          if (shift > 0) {
            const dy = Math.floor(random() * (2 * shift + 1)) - shift;
            const dx = Math.floor(random() * (2 * shift + 1)) - shift;
            translate(image, x.subarray(k * size, (k + 1) * size), split.height, split.width, split.channels, dy, dx);
            if (mask) translate(mask, masks!.subarray(k * pixels, (k + 1) * pixels), split.height, split.width, 1, dy, dx);
            if (target) translate(target, targets!.subarray(k * size, (k + 1) * size), split.height, split.width, split.channels, dy, dx);
          } else {
            x.set(image, k * size);
            if (mask) masks!.set(mask, k * pixels);
            if (target) targets!.set(target, k * size);
          }
          y[k] = split.labels[i];
        }
        const adapted = adaptImages(x, n, from, to);
        yield { x: adapted, y, n, shape: [n, to[0], to[1], to[2]], ...(masks ? { masks } : {}), ...(targets ? { targets } : {}) };
      }
    },
  };
}

/** out[y][x] = image[y − dy][x − dx], zero outside; `out` starts zeroed. */
function translate<T extends Float32Array | Int32Array>(image: T | Uint8Array, out: T, h: number, w: number, c: number, dy: number, dx: number): void {
  const x0 = Math.max(0, dx), x1 = Math.min(w, w + dx);
  if (x1 <= x0) return;
  for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
    const src = ((y - dy) * w + (x0 - dx)) * c;
    out.set(image.subarray(src, src + (x1 - x0) * c), (y * w + x0) * c);
  }
}
