// Dense-prediction datasets made from the real digits and clothing items.
//
// Segmentation (mnist-seg, fashion-seg): canvas n shows item n of the source
// split and, half of the time, a second item of the same split, each at a
// random offset, over 2–3 clutter fragments (small pieces cut from other
// items of the split) and mild noise. A pixel's label is its item's class + 1
// where that item's own ink reaches INK, 0 elsewhere — clutter is as bright
// as ink but labelled background, so a threshold alone cannot segment it.
// Denoising (fashion-denoise): the input is the item plus Gaussian noise, the
// target the clean item.
//
// Train canvases use train items only and test canvases test items only, so
// the source's split carries over. Everything follows from the seed: train
// and test draw from two streams of it, as the synthetic dataset does.

import { UserError } from '../src/errors.js';
import { halveItem, paintCanvas, visibleBox, type Box, type Item, type Placement } from './canvas.js';
import { seededRandom } from './random.js';
import type { Dataset, Split } from './types.js';

export interface SegmentationLayout {
  /** Canvas side in pixels (≥ the items' side). */
  side: number;
  /** Halve the items' resolution first (28×28 clothing → 14×14, so two fit a 28×28 canvas). */
  halve: boolean;
}

/** Noise added to every canvas pixel: uniform in ±this. */
const CANVAS_NOISE = 0.08;
/** Standard deviation of fashion-denoise's Gaussian noise. */
export const DENOISE_SIGMA = 0.3;

const testSeed = (seed: number): number => (seed ^ 0x9e3779b9) | 0;

function checkSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new UserError(`The seed must be a number, got ${seed}.`);
}

/** A segmentation dataset over `source`'s items: numClasses + 1 labels, 0 = background. */
export function segmentationFrom(source: Dataset, name: string, seed: number, layout: SegmentationLayout): Dataset {
  checkSeed(seed);
  if (source.train.channels !== 1 || source.train.height !== source.train.width) {
    throw new UserError(`${name} is built from square greyscale items; '${source.name}' holds ${source.train.height}×${source.train.width}×${source.train.channels} images.`);
  }
  const classNames = source.classNames ?? Array.from({ length: source.numClasses }, (_, i) => String(i));
  return {
    name,
    numClasses: source.numClasses + 1,
    classNames: ['background', ...classNames],
    task: 'segment',
    description:
      `${layout.side}×${layout.side} canvases (seed ${seed}) with 1–2 ${source.name} items each at random offsets over clutter fragments; ` +
      `per-pixel labels: item class + 1 on its ink, 0 elsewhere. Canvas n holds item n of the source split (train from train, test from test).`,
    train: composeSplit(source.train, seededRandom(seed), layout),
    test: composeSplit(source.test, seededRandom(testSeed(seed)), layout),
  };
}

function composeSplit(src: Split, rand: () => number, layout: SegmentationLayout): Split {
  const { side } = layout;
  const pixels = side * side;
  const srcSize = src.height * src.width;
  // Items and their boxes are made once: every item is drawn again as clutter and as a second member.
  const items: Array<{ item: Item; box: Box } | undefined> = new Array(src.count);
  const itemAt = (i: number): { item: Item; box: Box } => {
    let entry = items[i];
    if (!entry) {
      const raw = { pixels: src.images.subarray(i * srcSize, (i + 1) * srcSize), side: src.width };
      const item = layout.halve ? halveItem(raw) : raw;
      items[i] = entry = { item, box: visibleBox(item) };
    }
    return entry;
  };
  const itemSide = layout.halve ? Math.floor(src.width / 2) : src.width;
  if (itemSide > side) throw new UserError(`${itemSide}×${itemSide} items do not fit a ${side}×${side} canvas.`);
  const pick = (n: number): number => Math.floor(rand() * n);
  const images = new Float32Array(src.count * pixels);
  const masks = new Uint8Array(src.count * pixels);
  for (let n = 0; n < src.count; n++) {
    const placements: Placement[] = [];
    const fragments = 2 + pick(2);
    for (let f = 0; f < fragments; f++) {
      const { item, box } = itemAt(pick(src.count));
      const fh = Math.min(box.bottom - box.top, 4 + pick(4));
      const fw = Math.min(box.right - box.left, 4 + pick(4));
      const top = box.top + pick(box.bottom - box.top - fh + 1);
      const left = box.left + pick(box.right - box.left - fw + 1);
      placements.push({ item, from: { top, left, bottom: top + fh, right: left + fw }, y: pick(side - fh + 1), x: pick(side - fw + 1), label: 0 });
    }
    const members = rand() < 0.5 ? [n, pick(src.count)] : [n];
    for (const i of members) {
      const { item, box: from } = itemAt(i);
      const h = from.bottom - from.top, w = from.right - from.left;
      placements.push({ item, from, y: pick(side - h + 1), x: pick(side - w + 1), label: src.labels[i]! + 1 });
    }
    const canvas = paintCanvas(side, placements);
    for (let p = 0; p < pixels; p++) {
      const noisy = canvas.pixels[p]! + (2 * rand() - 1) * CANVAS_NOISE;
      images[n * pixels + p] = Math.min(1, Math.max(0, noisy));
    }
    masks.set(canvas.owner, n * pixels);
  }
  return { images, labels: src.labels.slice(), count: src.count, height: side, width: side, channels: 1, masks };
}

/** An image-to-image dataset: `source`'s images plus Gaussian noise in, the clean images out. */
export function denoisingFrom(source: Dataset, name: string, seed: number, sigma = DENOISE_SIGMA): Dataset {
  checkSeed(seed);
  return {
    name,
    numClasses: source.numClasses,
    ...(source.classNames ? { classNames: source.classNames } : {}),
    task: 'image',
    description:
      `${source.name} images with Gaussian noise (σ ${sigma}, seed ${seed}, clipped to [0, 1]) as input and the clean images as targets; ` +
      `the source's train/test split.`,
    train: addNoise(source.train, seededRandom(seed), sigma),
    test: addNoise(source.test, seededRandom(testSeed(seed)), sigma),
  };
}

function addNoise(src: Split, rand: () => number, sigma: number): Split {
  const images = new Float32Array(src.images.length);
  for (let i = 0; i < images.length; i += 2) {
    // Box–Muller gives two independent normals per pair of uniforms; 1 − u keeps the logarithm finite.
    const r = sigma * Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    images[i] = Math.min(1, Math.max(0, src.images[i]! + r * Math.cos(t)));
    if (i + 1 < images.length) images[i + 1] = Math.min(1, Math.max(0, src.images[i + 1]! + r * Math.sin(t)));
  }
  return { ...src, images, labels: src.labels.slice(), targets: src.images.slice() };
}
