// Small zoo models with nontrivial variables (BN statistics and biases away
// from their initial values) for the export tests, plus seeded inputs.
import * as tf from '@tensorflow/tfjs';
import { analyze, type AnalyzedGraph } from '../../src/ir/analyze.js';
import type { Graph } from '../../src/ir/types.js';
import { buildModel } from '../../train/zoo/index.js';
import { VariableStore } from '../../train/state.js';
import { buildCalibrationGraph, buildTrainGraph } from '../../train/graph/build.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import type { QatConfig } from '../../quantize/config.js';
import { mulberry32 } from '../support/random-models.js';
import { expect } from 'chai';

export interface ZooCase {
  name: string;
  shape: [number, number, number];
  alpha?: number;
  /** The output's name when it is not a classifier's 'logits'. */
  output?: string;
}

/** Every zoo classifier, small: 28×28×1 for the MNIST nets, 32×32×3 with alpha ≤ 0.35 for the rest; and the image-to-image style-net. */
export const ZOO_CASES: ZooCase[] = [
  { name: 'mnist-cnn', shape: [28, 28, 1] },
  { name: 'lenet5', shape: [28, 28, 1] },
  { name: 'mobilenet-v1', shape: [32, 32, 3], alpha: 0.25 },
  { name: 'mobilenet-v2', shape: [32, 32, 3], alpha: 0.35 },
  { name: 'mobilenet-v3-small', shape: [32, 32, 3], alpha: 0.35 },
  { name: 'resnet-tiny', shape: [32, 32, 3], alpha: 0.35 },
  { name: 'style-net', shape: [28, 28, 1], output: 'image' },
];

export const NUM_CLASSES = 10;

export function buildCase(c: ZooCase): Graph {
  return buildModel(c.name, { inputShape: c.shape, numClasses: NUM_CLASSES, ...(c.alpha ? { alpha: c.alpha } : {}) });
}

/**
 * Fresh variables made realistic: biases and BN γ/β at seeded values, and
 * BN moving statistics set to one training-mode batch's statistics (a fresh
 * init has mean 0 / variance 1, which would hide a wrong fold and leaves the
 * net's gain uncontrolled, so one rounding step could blow up downstream).
 */
export function floatCase(c: ZooCase, seed: number): { ir: Graph; store: VariableStore } {
  const ir = buildCase(c);
  const a = analyze(ir);
  const store = VariableStore.forGraph(a, seed);
  const rand = mulberry32(seed * 7919 + 1);
  const gen: Record<string, () => number> = {
    bias: () => 0.2 * (rand() - 0.5),
    gamma: () => 0.8 + 0.4 * rand(),
    beta: () => 0.2 * (rand() - 0.5),
  };
  for (const v of a.variables) {
    const g = gen[v.role];
    if (!g) continue;
    const values = Float32Array.from({ length: v.shape.reduce((x, y) => x * y, 1) }, g);
    tf.tidy(() => store.get(v.name).assign(tf.tensor(values, v.shape)));
  }
  const x = tf.tensor4d(seededImages(16, c.shape, seed + 11), [16, ...c.shape]);
  const { updates, logits } = (() => {
    const out = buildTrainGraph(a, store).run(x);
    return { updates: out.statUpdates, logits: out.logits };
  })();
  for (const u of updates) store.get(u.name).assign(u.value);
  tf.dispose([x, logits, ...updates.map((u) => u.value)]);
  return { ir, store };
}

/**
 * The float case rewritten for QAT, its variables copied over by name and
 * its activation ranges observed on a few seeded batches (post-training
 * calibration: the quickest way to realistic ranges).
 */
export function qatCase(c: ZooCase, seed: number, config: Partial<QatConfig> = {}): { ir: Graph; store: VariableStore; report: string[] } {
  const f = floatCase(c, seed);
  const { graph, report } = rewriteForQat(f.ir, config);
  const store = VariableStore.forGraph(graph, seed);
  for (const name of f.store.names(['weight', 'stat'])) store.get(name).assign(f.store.get(name));
  f.store.dispose();
  const cal = buildCalibrationGraph(graph, store);
  for (let b = 0; b < 3; b++) {
    const x = tf.tensor4d(seededImages(8, c.shape, seed + 100 + b), [8, ...c.shape]);
    cal.observe(x, 0.5);
    x.dispose();
  }
  return { ir: graph, store, report };
}

/** `count` seeded images in [0, 1), as one NHWC float32 array. */
export function seededImages(count: number, shape: readonly number[], seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: count * shape.reduce((a, b) => a * b, 1) }, () => rand());
}

/** Largest |a − b|. */
/** Elements whose values are not the same float (−0 and +0 differ; NaN equals NaN). */
export function differingFloats(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * A float graph rewritten for QAT with every layer quantized, its variables
 * seeded (then adjusted by `init`, e.g. biases off zero), and its ranges
 * observed on `batches` seeded batches of 16 images.
 */
export function calibratedQat(ir: Graph, seed: number, init?: (a: AnalyzedGraph, store: VariableStore) => void, batches = 3): { a: AnalyzedGraph; store: VariableStore } {
  const { graph, report } = rewriteForQat(ir);
  expect(report).to.deep.equal([]);
  const a = analyze(graph);
  const store = VariableStore.forGraph(a, seed);
  init?.(a, store);
  const shape = a.shapes.get(a.inputs[0]!)!;
  const cal = buildCalibrationGraph(a, store);
  for (let k = 0; k < batches; k++) {
    const x = tf.tensor4d(seededImages(16, shape, seed + 10 + k), [16, shape[0]!, shape[1]!, shape[2]!]);
    cal.observe(x, 0.5);
    x.dispose();
  }
  return { a, store };
}

/** Observes `batches` seeded batches of 16 images through a QAT graph so its activation ranges are set. */
export function calibrateSeeded(a: AnalyzedGraph, store: VariableStore, shape: [number, number, number], seed: number, batches = 3): void {
  const cal = buildCalibrationGraph(a, store);
  for (let b = 0; b < batches; b++) {
    const x = tf.tensor4d(seededImages(16, shape, seed + b), [16, ...shape]);
    cal.observe(x, 0.5);
    x.dispose();
  }
}
