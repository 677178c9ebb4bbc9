// Small in-memory datasets and scratch directories for the train tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset, Split } from '../../datasets/types.js';
import { selectBackend } from '../../src/backend.js';

/** Noise plus a bright vertical band whose position is the label: learnable in a few steps. */
export function tinySplit(count: number, shape: [number, number, number], numClasses: number, seed: number): Split {
  const [h, w, c] = shape;
  const images = new Float32Array(count * h * w * c);
  const labels = new Int32Array(count);
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let i = 0; i < count; i++) {
    const label = i % numClasses;
    labels[i] = label;
    for (let p = 0; p < h * w * c; p++) {
      const col = Math.floor(p / c) % w;
      images[i * h * w * c + p] = 0.5 * rand() + (Math.floor((col * numClasses) / w) === label ? 0.5 : 0);
    }
  }
  return { images, labels, count, height: h, width: w, channels: c };
}

export function tinyDataset(shape: [number, number, number], trainCount: number, testCount: number, numClasses = 4, seed = 7): Dataset {
  return {
    name: 'tiny',
    numClasses,
    train: tinySplit(trainCount, shape, numClasses, seed),
    test: tinySplit(testCount, shape, numClasses, seed + 1),
  };
}

export function scratchDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `qat-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Inside a describe(): a function that makes a fresh scratch directory per
 * call; all of them are removed after the suite.
 */
export function scratchDirs(prefix: string): () => string {
  const made: Array<ReturnType<typeof scratchDir>> = [];
  after(() => made.forEach((d) => d.remove()));
  return () => {
    const d = scratchDir(prefix);
    made.push(d);
    return d.path;
  };
}

export async function useWasm(): Promise<void> {
  await selectBackend('wasm');
}
