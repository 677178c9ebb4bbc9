// A dataset given as a folder of class subfolders of JPEG/PNG images (the
// layout Keras' image_dataset_from_directory reads): class names are the
// subfolder names, sorted; each class is split into train and validation by
// a seeded shuffle. Every image is resized (bilinear) to the size of the
// first one, and the set is gray when every image is, else RGB.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { UserError } from '../src/errors.js';
import { decodePng, type Image } from '../src/io/png.js';
import { convertChannels, resizeBilinear } from './adapt.js';
import { seededPermutation } from './random.js';
import type { Dataset, Split } from './types.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** Share of each class held out for validation when --val-split is not given. */
export const DEFAULT_VAL_SPLIT = 0.2;

export const IMAGE_FOLDER_DESCRIPTION =
  `DIR of class subfolders of .png/.jpg images (class names = folder names, sorted; --val-split of each class, default ${DEFAULT_VAL_SPLIT}, held out by a --seed shuffle)`;

const isImageFile = (name: string): boolean => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

function subfolders(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory()).sort();
}

/** Whether `dir` holds class subfolders with images (rather than IDX files). */
export function isImageFolder(dir: string): boolean {
  try {
    return subfolders(dir).some((c) => readdirSync(join(dir, c)).some(isImageFile));
  } catch {
    return false;
  }
}

function decodeImage(path: string): Image {
  const bytes = readFileSync(path);
  if (extname(path).toLowerCase() === '.png') return decodePng(bytes, path);
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (e) {
    throw new UserError(`${path} is not a readable JPEG file (${(e as Error).message})`);
  }
  const { width, height, data } = raw;
  // jpeg-js writes gray JPEGs as RGB with equal components.
  let gray = true;
  for (let i = 0; i < data.length && gray; i += 3) gray = data[i] === data[i + 1] && data[i] === data[i + 2];
  if (!gray) return { width, height, channels: 3, data };
  const g = new Uint8Array(width * height);
  for (let i = 0; i < g.length; i++) g[i] = data[3 * i]!;
  return { width, height, channels: 1, data: g };
}

export interface ImageFolderOptions {
  seed?: number;
  /** Share of each class held out as the test split, in [0, 1). */
  valSplit?: number;
}

export function loadImageFolder(dir: string, opts: ImageFolderOptions = {}): Dataset {
  const valSplit = opts.valSplit ?? DEFAULT_VAL_SPLIT;
  if (!(valSplit >= 0 && valSplit < 1)) throw new UserError(`--val-split must be a fraction in [0, 1), got ${valSplit}`);
  const classNames = subfolders(dir).filter((c) => readdirSync(join(dir, c)).some(isImageFile));
  if (classNames.length < 2) throw new UserError(`${dir} needs at least two class subfolders holding .png or .jpg images, found ${classNames.length}`);
  const files = classNames.map((c) => readdirSync(join(dir, c)).filter(isImageFile).sort().map((f) => join(dir, c, f)));
  const images = files.map((list) => list.map(decodeImage));
  const first = images[0]![0]!;
  const [height, width] = [first.height, first.width];
  const channels = images.every((list) => list.every((im) => im.channels === 1)) ? 1 : 3;
  const pixels = height * width * channels;
  const toUnit = (im: Image): Float32Array => {
    let v: Float32Array = Float32Array.from(im.data, (b) => b / 255);
    if (im.height !== height || im.width !== width) v = resizeBilinear(v, 1, [im.height, im.width, im.channels], height, width);
    return convertChannels(v, height * width, im.channels, channels);
  };
  const parts: Record<'train' | 'test', Array<{ x: Float32Array; label: number }>> = { train: [], test: [] };
  images.forEach((list, label) => {
    // Per class, so every class is in both splits; the seed picks which images.
    const order = seededPermutation(list.length, (opts.seed ?? 1) * 7919 + label);
    const held = Math.round(list.length * valSplit);
    order.forEach((k, i) => parts[i < held ? 'test' : 'train'].push({ x: toUnit(list[k]!), label }));
  });
  const split = (items: Array<{ x: Float32Array; label: number }>): Split => {
    const out = new Float32Array(items.length * pixels);
    items.forEach((it, i) => out.set(it.x, i * pixels));
    return { images: out, labels: Int32Array.from(items, (it) => it.label), count: items.length, height, width, channels };
  };
  const total = files.reduce((s, l) => s + l.length, 0);
  return {
    name: dir,
    numClasses: classNames.length,
    classNames,
    description: `${total} images in ${classNames.length} class folders of ${dir}, resized to ${height}×${width}×${channels}; ${Math.round(valSplit * 100)}% of each class held out by seed ${opts.seed ?? 1}.`,
    train: split(parts.train),
    test: split(parts.test),
  };
}
