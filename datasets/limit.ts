// `--limit N`: keep at most N examples of a split. Taking the first N would
// skew classes on files sorted by label, so we pick round-robin over the
// classes (each class in file order) and keep the picked examples in their
// original order. Deterministic, and balanced whenever every class has at
// least N / numClasses examples.

import { UserError } from '../src/errors.js';
import type { Dataset, Split } from './types.js';

export function limitSplit(split: Split, limit: number): Split {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UserError(`The limit must be a positive integer, got ${limit}.`);
  }
  if (limit >= split.count) return split;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < split.count; i++) {
    const label = split.labels[i];
    let list = byClass.get(label);
    if (!list) byClass.set(label, (list = []));
    list.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b).map((k) => byClass.get(k) as number[]);
  const picked: number[] = [];
  for (let round = 0; picked.length < limit; round++) {
    for (const list of classes) {
      if (round < list.length) picked.push(list[round]);
      if (picked.length === limit) break;
    }
  }
  picked.sort((a, b) => a - b);
  return gatherSplit(split, picked);
}

/** A new split holding the examples at `indices`, in that order. */
export function gatherSplit(split: Split, indices: ArrayLike<number>): Split {
  const size = split.height * split.width * split.channels;
  const pixels = split.height * split.width;
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  const masks = split.masks ? new Uint8Array(indices.length * pixels) : undefined;
  const targets = split.targets ? new Float32Array(indices.length * size) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    images.set(split.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = split.labels[i];
    masks?.set(split.masks!.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    targets?.set(split.targets!.subarray(i * size, (i + 1) * size), k * size);
  }
  return {
    images, labels, count: indices.length, height: split.height, width: split.width, channels: split.channels,
    ...(masks ? { masks } : {}), ...(targets ? { targets } : {}),
  };
}

export function limitDataset(dataset: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined) return dataset;
  return { ...dataset, train: limitSplit(dataset.train, limit), test: limitSplit(dataset.test, limit) };
}
