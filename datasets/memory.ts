// A Dataset from data a program already holds (tfjs tensors or typed
// arrays), so train() runs on a user's own images without files.
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../src/errors.js';
import type { Dataset, Split } from './types.js';

/** Images NHWC with values in [0, 1], and integer class ids. */
export interface ArraySplit {
  /** A [count, height, width, channels] tensor, or the values of one with `shape`. */
  images: tf.Tensor | Float32Array | readonly number[];
  /** [count, height, width, channels]; needed when `images` is not a tensor. */
  shape?: readonly number[];
  labels: tf.Tensor | Int32Array | readonly number[];
}

export interface ArrayDatasetOptions {
  train: ArraySplit;
  /** Evaluated after every epoch; default: none. */
  test?: ArraySplit;
  /** Default: the largest label + 1. */
  numClasses?: number;
  classNames?: string[];
  name?: string;
}

function toSplit(s: ArraySplit, which: string): Split {
  const isTensor = (v: unknown): v is tf.Tensor => typeof v === 'object' && v !== null && 'dataSync' in v && 'shape' in v;
  const shape = isTensor(s.images) ? s.images.shape : s.shape;
  if (!shape || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UserError(`the ${which} images must be [count, height, width, channels], got ${shape ? `[${shape.join(', ')}]` : 'no shape'}`);
  }
  const images = isTensor(s.images) ? Float32Array.from(s.images.dataSync()) : Float32Array.from(s.images);
  const labels = isTensor(s.labels) ? Int32Array.from(s.labels.dataSync()) : Int32Array.from(s.labels);
  const [count, height, width, channels] = shape as [number, number, number, number];
  if (images.length !== count * height * width * channels) {
    throw new UserError(`the ${which} images hold ${images.length} values but their shape [${shape.join(', ')}] needs ${count * height * width * channels}`);
  }
  if (labels.length !== count) throw new UserError(`the ${which} split has ${count} images but ${labels.length} labels`);
  return { images, labels, count, height, width, channels };
}

/** Copies the data into a Dataset for train() / evaluate(); labels are checked against the class count. */
export function arrayDataset(o: ArrayDatasetOptions): Dataset {
  const train = toSplit(o.train, 'training');
  const test = o.test ? toSplit(o.test, 'test')
    : { images: new Float32Array(0), labels: new Int32Array(0), count: 0, height: train.height, width: train.width, channels: train.channels };
  if (test.height !== train.height || test.width !== train.width || test.channels !== train.channels) {
    throw new UserError(`the test images are ${test.height}×${test.width}×${test.channels} but the training images ${train.height}×${train.width}×${train.channels}`);
  }
  const largest = [train.labels, test.labels].reduce((m, ls) => ls.reduce((a, l) => Math.max(a, l), m), -1);
  const numClasses = o.numClasses ?? o.classNames?.length ?? largest + 1;
  for (const [which, split] of [['training', train], ['test', test]] as const) {
    const bad = split.labels.find((l) => !(l >= 0 && l < numClasses));
    if (bad !== undefined) throw new UserError(`the ${which} labels must be class ids 0..${numClasses - 1}, found ${bad}`);
  }
  if (numClasses < 2) throw new UserError(`a dataset needs at least 2 classes, got ${numClasses}`);
  return { name: o.name ?? 'in-memory', numClasses, ...(o.classNames ? { classNames: [...o.classNames] } : {}), train, test };
}

/**
 * One batch of an async iterator dataset: images NHWC in [0, 1] (a
 * [n, height, width, channels] tensor, or its values with `shape`) and their
 * integer class ids.
 */
export interface ExampleBatch {
  xs: tf.Tensor | Float32Array | readonly number[];
  ys: tf.Tensor | Int32Array | readonly number[];
  /** [n, height, width, channels]; needed when `xs` is not a tensor. */
  shape?: readonly number[];
}

export function isAsyncIterable(v: unknown): v is AsyncIterable<ExampleBatch> {
  return typeof v === 'object' && v !== null && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/**
 * Reads an async iterator of batches to its end into a training split (held
 * in memory, so train() can reshuffle it every epoch and resume exactly);
 * the test split is empty. Tensors it yields stay the caller's.
 */
export async function collectBatches(source: AsyncIterable<ExampleBatch>, o: Omit<ArrayDatasetOptions, 'train' | 'test'> = {}): Promise<Dataset> {
  const parts: Split[] = [];
  for await (const b of source) {
    parts.push(toSplit({ images: b.xs, labels: b.ys, ...(b.shape ? { shape: b.shape } : {}) }, `batch ${parts.length + 1}'s`));
  }
  if (parts.length === 0) throw new UserError('the dataset iterator yielded no batches');
  const { height, width, channels } = parts[0]!;
  const odd = parts.findIndex((p) => p.height !== height || p.width !== width || p.channels !== channels);
  if (odd >= 0) throw new UserError(`batch ${odd + 1} holds ${parts[odd]!.height}×${parts[odd]!.width}×${parts[odd]!.channels} images but batch 1 ${height}×${width}×${channels}`);
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Float32Array(count * height * width * channels);
  const labels = new Int32Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * height * width * channels);
    labels.set(p.labels, at);
    at += p.count;
  }
  return arrayDataset({ ...o, name: o.name ?? 'async-iterator', train: { images, labels, shape: [count, height, width, channels] } });
}
