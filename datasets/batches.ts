// One epoch of mini-batches over a split. Shuffling is a seeded permutation,
// so the same seed gives the same order on every machine; callers pass a
// different seed per epoch (e.g. seed + epoch) to get a fresh order. The last
// batch may be short: every example is seen exactly once per epoch.

import { UserError } from '../src/errors.js';
import { adaptImages, type ImageShape } from './adapt.js';
import { seededPermutation } from './random.js';
import type { Batch, Split } from './types.js';

export interface BatchOptions {
  shuffle: boolean;
  seed: number;
  /** The model's [height, width, channels]; batches are adapted on the fly when it differs. */
  inputShape?: [number, number, number];
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
  // Fail on an impossible adaptation now, not at the first batch deep in a training loop.
  if (split.count > 0) adaptImages(split.images.subarray(0, size), 1, from, to);

  return {
    *[Symbol.iterator](): Iterator<Batch> {
      for (let start = 0; start < split.count; start += batchSize) {
        const n = Math.min(batchSize, split.count - start);
        // A fresh buffer per batch: tfjs may keep a reference to the array it wraps.
        const x = new Float32Array(n * size);
        const y = new Int32Array(n);
        for (let k = 0; k < n; k++) {
          const i = order ? order[start + k] : start + k;
          x.set(split.images.subarray(i * size, (i + 1) * size), k * size);
          y[k] = split.labels[i];
        }
        const adapted = adaptImages(x, n, from, to);
        yield { x: adapted, y, n, shape: [n, to[0], to[1], to[2]] };
      }
    },
  };
}
