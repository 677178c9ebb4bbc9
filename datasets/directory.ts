// A dataset given as a directory of the four MNIST-style IDX files. Besides
// LeCun's names we accept the other spellings these files are commonly
// distributed under (dots instead of the last dash, "test" for "t10k",
// EMNIST-style prefixes), because users rename nothing when they unpack them.

import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../src/errors.js';
import { bytesToUnitFloats, readIdxImages, readIdxLabels, checkLabelRange, type IdxImages } from './idx.js';
import type { Dataset, Split } from './types.js';

type Part = 'train-images' | 'train-labels' | 'test-images' | 'test-labels';

const PREFIXES: Record<'train' | 'test', string[]> = { train: ['train'], test: ['t10k', 'test'] };

/** Candidate base names for one of the four files, in order of preference. */
export function candidateNames(part: Part): string[] {
  const [split, kind] = part.split('-') as ['train' | 'test', 'images' | 'labels'];
  const idx = kind === 'images' ? 'idx3' : 'idx1';
  const names: string[] = [];
  for (const prefix of PREFIXES[split]) {
    for (const sep of ['-', '.']) {
      const base = `${prefix}-${kind}${sep}${idx}-ubyte`;
      names.push(base, `${base}.gz`);
    }
  }
  return names;
}

function describeCandidates(part: Part): string {
  const bases = candidateNames(part).filter((n) => !n.endsWith('.gz'));
  return bases.map((b) => `${b}[.gz]`).join(', ');
}

/** Finds one of the four files in `dir`, or throws naming what was looked for. */
export function findIdxFile(dir: string, part: Part, entries: string[]): string {
  const present = new Set(entries);
  for (const name of candidateNames(part)) if (present.has(name)) return join(dir, name);
  // EMNIST and friends: "<prefix>-train-images-idx3-ubyte". Accept a unique suffix match.
  const suffixes = candidateNames(part);
  const matches = entries.filter((e) => suffixes.some((s) => e.endsWith(`-${s}`)));
  if (matches.length === 1) return join(dir, matches[0]);
  if (matches.length > 1) {
    throw new UserError(`${dir} holds several ${part.replace('-', ' ')} files (${matches.join(', ')}); keep one per directory.`);
  }
  throw new UserError(`No ${part.replace('-', ' ')} file in ${dir}: looked for ${describeCandidates(part)}.`);
}

export function listDirectory(dir: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UserError(`Dataset directory ${dir} does not exist.`);
  }
  if (!isDir) throw new UserError(`${dir} is a file, not a directory holding IDX files.`);
  return readdirSync(dir);
}

export interface IdxSplitFiles {
  images: string;
  labels: string;
}

export function locateIdxFiles(dir: string): { train: IdxSplitFiles; test: IdxSplitFiles } {
  const entries = listDirectory(dir);
  return {
    train: { images: findIdxFile(dir, 'train-images', entries), labels: findIdxFile(dir, 'train-labels', entries) },
    test: { images: findIdxFile(dir, 'test-images', entries), labels: findIdxFile(dir, 'test-labels', entries) },
  };
}

async function readSplit(files: IdxSplitFiles): Promise<{ images: IdxImages; labels: Uint8Array }> {
  const [images, labels] = await Promise.all([readIdxImages(files.images), readIdxLabels(files.labels)]);
  if (images.count !== labels.length) {
    throw new UserError(
      `${basename(files.images)} holds ${images.count} images but ${basename(files.labels)} holds ${labels.length} labels; they must match.`,
    );
  }
  return { images, labels };
}

function toSplit(images: IdxImages, labels: Uint8Array): Split {
  return {
    images: bytesToUnitFloats(images.pixels),
    labels: Int32Array.from(labels),
    count: images.count,
    height: images.height,
    width: images.width,
    channels: images.channels,
  };
}

/** The largest label of the two splits, where it first occurs, and how many distinct labels occur at all. */
function labelSummary(splits: Array<{ labels: Uint8Array; file: string }>): { max: number; file: string; index: number; distinct: number } {
  const seen = new Set<number>();
  let top = { max: 0, file: splits[0].file, index: 0 };
  for (const { labels, file } of splits) {
    for (let i = 0; i < labels.length; i++) {
      seen.add(labels[i]);
      if (labels[i] > top.max) top = { max: labels[i], file, index: i };
    }
  }
  return { ...top, distinct: seen.size };
}

/**
 * The class count implied by the largest label. A stray byte (one label 255
 * among 0..9) would otherwise make a 256-class model without a word, so an
 * implied count in which fewer than half the classes ever occur is refused.
 */
function inferClassCount(train: { labels: Uint8Array; file: string }, test: { labels: Uint8Array; file: string }): number {
  const s = labelSummary([train, test]);
  const count = s.max + 1;
  if (s.distinct * 2 < count) {
    throw new UserError(
      `${s.file} has label ${s.max} at index ${s.index}, but only ${s.distinct} of the ${count} classes it implies ever occur; `
        + 'fix the label, or pass --num-classes to state the class count (labels outside it are then reported).',
    );
  }
  return count;
}

export interface IdxDirectoryInfo {
  name: string;
  description: string;
  numClasses?: number;
  classNames?: string[];
}

/**
 * Loads the four IDX files of `dir`. With `info.numClasses` every label is
 * checked against it; without, the class count is the largest label of
 * either split + 1 (a small test split may well lack the top classes, and a
 * small train split too, so neither alone decides), unless most of the
 * classes that count implies never occur.
 */
export async function loadIdxDirectory(dir: string, info: IdxDirectoryInfo): Promise<Dataset> {
  const files = locateIdxFiles(dir);
  const [train, test] = await Promise.all([readSplit(files.train), readSplit(files.test)]);
  const numClasses = info.numClasses
    ?? inferClassCount({ labels: train.labels, file: files.train.labels }, { labels: test.labels, file: files.test.labels });
  checkLabelRange(train.labels, numClasses, files.train.labels);
  checkLabelRange(test.labels, numClasses, files.test.labels);
  const a = train.images;
  const b = test.images;
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    throw new UserError(
      `${basename(files.train.images)} holds ${a.height}×${a.width}×${a.channels} images but ` +
        `${basename(files.test.images)} holds ${b.height}×${b.width}×${b.channels}; they must match.`,
    );
  }
  return {
    name: info.name,
    numClasses,
    ...(info.classNames ? { classNames: info.classNames } : {}),
    description: info.description,
    train: toSplit(train.images, train.labels),
    test: toSplit(test.images, test.labels),
  };
}
