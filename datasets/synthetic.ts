// A deterministic, learnable stand-in dataset that needs no files: ten
// classes of distinct patterns (stripes in four orientations, disc, ring,
// plus, X, square outline, checkerboard), each drawn with a random offset,
// size, stripe period/phase, brightness and additive noise. A small CNN
// separates the classes easily, yet no two images are identical.
// Examples cycle through the classes (label = index mod 10), so prefixes are
// balanced. Train and test come from separate PRNG streams of the same seed,
// so the test split does not change when the train size does.

import { UserError } from '../src/errors.js';
import { seededRandom } from './random.js';
import type { Dataset, Split, SyntheticOptions } from './types.js';

export const SYNTHETIC_CLASSES = [
  'horizontal stripes', 'vertical stripes', 'rising diagonal stripes', 'falling diagonal stripes',
  'disc', 'ring', 'plus', 'cross', 'square outline', 'checkerboard',
];

export const SYNTHETIC_DEFAULTS: Required<SyntheticOptions> = {
  trainCount: 2000, testCount: 500, height: 28, width: 28, channels: 1,
};

interface Jitter {
  cx: number;
  cy: number;
  size: number;
  period: number;
  phase: number;
  thickness: number;
}

// Each pattern maps normalised coordinates (u right, v down, both about
// [-1, 1] around the jittered centre) to ink in {0, 1}.
const PATTERNS: Array<(u: number, v: number, j: Jitter) => number> = [
  (_u, v, j) => stripe(v, j),
  (u, _v, j) => stripe(u, j),
  (u, v, j) => stripe((u - v) * Math.SQRT1_2, j),
  (u, v, j) => stripe((u + v) * Math.SQRT1_2, j),
  (u, v, j) => (Math.hypot(u, v) <= j.size ? 1 : 0),
  (u, v, j) => (Math.abs(Math.hypot(u, v) - j.size) <= j.thickness ? 1 : 0),
  (u, v, j) => ((Math.abs(u) <= j.thickness && Math.abs(v) <= j.size) || (Math.abs(v) <= j.thickness && Math.abs(u) <= j.size) ? 1 : 0),
  (u, v, j) => {
    const inside = Math.max(Math.abs(u), Math.abs(v)) <= j.size;
    return inside && (Math.abs(u - v) <= j.thickness * 1.4 || Math.abs(u + v) <= j.thickness * 1.4) ? 1 : 0;
  },
  (u, v, j) => (Math.abs(Math.max(Math.abs(u), Math.abs(v)) - j.size) <= j.thickness ? 1 : 0),
  (u, v, j) => {
    const a = Math.floor((u + 2) / j.period + j.phase);
    const b = Math.floor((v + 2) / j.period + j.phase);
    return (a + b) % 2 === 0 ? 1 : 0;
  },
];

function stripe(t: number, j: Jitter): number {
  return Math.sin((2 * Math.PI * t) / j.period + j.phase) > 0 ? 1 : 0;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new UserError(`Synthetic ${name} must be an integer ≥ ${min}, got ${value}.`);
  }
  return value;
}

function generateSplit(count: number, o: Required<SyntheticOptions>, seed: number): Split {
  const { height, width, channels } = o;
  const rand = seededRandom(seed);
  const images = new Float32Array(count * height * width * channels);
  const labels = new Int32Array(count);
  const gains = new Float32Array(channels);
  for (let n = 0; n < count; n++) {
    const label = n % PATTERNS.length;
    labels[n] = label;
    const jitter: Jitter = {
      cx: (rand() - 0.5) * 0.3,
      cy: (rand() - 0.5) * 0.3,
      size: 0.45 + rand() * 0.3,
      period: 0.35 + rand() * 0.25,
      phase: rand() * 2 * Math.PI,
      thickness: 0.1 + rand() * 0.06,
    };
    const brightness = 0.65 + rand() * 0.35;
    // Colour images get a random per-channel tint so channels are not copies.
    for (let c = 0; c < channels; c++) gains[c] = channels === 1 ? 1 : 0.6 + rand() * 0.4;
    const pattern = PATTERNS[label];
    let p = n * height * width * channels;
    for (let y = 0; y < height; y++) {
      const v = ((y + 0.5) / height) * 2 - 1 - jitter.cy;
      for (let x = 0; x < width; x++) {
        const u = ((x + 0.5) / width) * 2 - 1 - jitter.cx;
        const ink = pattern(u, v, jitter) * brightness;
        for (let c = 0; c < channels; c++) {
          // Sum of three uniforms: a cheap, bounded, roughly Gaussian noise.
          const noise = (rand() + rand() + rand() - 1.5) * 0.12;
          images[p++] = Math.min(1, Math.max(0, ink * gains[c] + noise));
        }
      }
    }
  }
  return { images, labels, count, height, width, channels };
}

export function makeSynthetic(seed = 1, options: SyntheticOptions = {}): Dataset {
  const o: Required<SyntheticOptions> = { ...SYNTHETIC_DEFAULTS, ...stripUndefined(options) };
  checkCount('trainCount', o.trainCount, 1);
  checkCount('testCount', o.testCount, 1);
  checkCount('height', o.height, 4);
  checkCount('width', o.width, 4);
  checkCount('channels', o.channels, 1);
  if (!Number.isFinite(seed)) throw new UserError(`The seed must be a number, got ${seed}.`);
  return {
    name: 'synthetic',
    numClasses: PATTERNS.length,
    classNames: SYNTHETIC_CLASSES,
    description:
      `Synthetic patterns (seed ${seed}): ${o.trainCount} train / ${o.testCount} test ${o.height}×${o.width}×${o.channels} ` +
      'images of 10 noisy shapes and stripe orientations, generated deterministically.',
    train: generateSplit(o.trainCount, o, seed),
    // A different stream of the same seed: the golden-ratio constant decorrelates it.
    test: generateSplit(o.testCount, o, (seed ^ 0x9e3779b9) | 0),
  };
}

function stripUndefined(o: SyntheticOptions): SyntheticOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as SyntheticOptions;
}
