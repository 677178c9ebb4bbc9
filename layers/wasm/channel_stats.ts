// Per-channel sums, moments, max |x| and a tensor's min and max on the
// channel kernels (channel_kernels.ts), registered as tfjs kernels of the
// wasm backend so tf.profile and tfjs's memory accounting see them.
import * as tf from '@tensorflow/tfjs';
import { splitByWidths } from './codegen.js';
import {
  MIN_MAX_FUNCTION, channelFunctionName,
  type ChannelFunction, type ChannelReduction, type MinMaxFunction,
} from './channel_kernels.js';
import { BLOCK_WIDTHS } from './tap_kernels.js';
import { addressOf, heapF32, registerHeapKernel, withScratch, zeroedOutput, type HeapKernels } from './tfjs_heap.js';

const CHANNEL_SUM = 'QatChannelSum';
const CHANNEL_DOT = 'QatChannelDot';
const CHANNEL_MOMENTS = 'QatChannelMoments';
const MIN_MAX = 'QatMinMax';
const CHANNEL_ABS_MAX = 'QatChannelAbsMax';

/** Rows per call: registers sum at most this many, and a block of a wide tensor stays within 128 KiB. */
function blockRows(channels: number): number {
  return Math.max(16, Math.min(256, Math.floor(32768 / channels)));
}

/** out[c] += Σ over every row of x (or Σ (x − mean[c])², or Σ x·other). */
function reduceRows(k: HeapKernels, kind: ChannelReduction, x: number, rows: number, channels: number, other: number, out: number): void {
  const rowBytes = 4 * channels;
  const block = blockRows(channels);
  const parts = splitByWidths(channels, BLOCK_WIDTHS);
  for (let r = 0; r < rows; r += block) {
    const n = Math.min(block, rows - r);
    for (const [w, c0, c1] of parts) {
      (k.exports[channelFunctionName(kind, w)] as ChannelFunction)(x + r * rowBytes, rowBytes, n, 4 * c0, 4 * c1, kind === 'dot' ? other + r * rowBytes : other, out);
    }
  }
}

/** x as [rows, channels]: the last axis unless `channels` says how many. */
function shapeOf(x: tf.TensorInfo, channelCount?: number): { rows: number; channels: number } {
  const channels = channelCount ?? x.shape[x.shape.length - 1] ?? 1;
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { rows: channels > 0 ? size / channels : 0, channels };
}

function divideInPlace(k: HeapKernels, at: number, n: number, count: number): void {
  const v = heapF32(k, at, n);
  for (let i = 0; i < n; i++) v[i] = v[i]! / count;
}

registerHeapKernel(CHANNEL_SUM, (k, { x }) => {
  const { rows, channels } = shapeOf(x!);
  const out = zeroedOutput(k, [channels]);
  reduceRows(k, 'sum', addressOf(k, x!), rows, channels, 0, out.at);
  return out.info;
});

registerHeapKernel(CHANNEL_DOT, (k, { a, b }) => {
  const { rows, channels } = shapeOf(a!);
  const out = zeroedOutput(k, [channels]);
  reduceRows(k, 'dot', addressOf(k, a!), rows, channels, addressOf(k, b!), out.at);
  return out.info;
});

registerHeapKernel(CHANNEL_ABS_MAX, (k, { x }, attrs) => {
  const { rows, channels } = shapeOf(x!, attrs.channels as number);
  const out = zeroedOutput(k, [channels]);
  reduceRows(k, 'absmax', addressOf(k, x!), rows, channels, 0, out.at);
  return out.info;
});

registerHeapKernel(CHANNEL_MOMENTS, (k, { x }) => {
  const { rows, channels } = shapeOf(x!);
  const at = addressOf(k, x!);
  const mean = zeroedOutput(k, [channels]);
  reduceRows(k, 'sum', at, rows, channels, 0, mean.at);
  divideInPlace(k, mean.at, channels, rows);
  const variance = zeroedOutput(k, [channels]);
  reduceRows(k, 'sqdev', at, rows, channels, mean.at, variance.at);
  divideInPlace(k, variance.at, channels, rows);
  return [mean.info, variance.info];
});

registerHeapKernel(MIN_MAX, (k, { x }) => {
  const n = x!.shape.reduce((a, b) => a * b, 1);
  const at = addressOf(k, x!);
  const vectors = Math.floor(n / 4);
  let lo = Infinity, hi = -Infinity;
  if (vectors > 0) {
    withScratch(k, 32, (out) => {
      (k.exports[MIN_MAX_FUNCTION] as MinMaxFunction)(at, at + 16 * vectors, out);
      const lanes = heapF32(k, out, 8);
      for (let i = 0; i < 4; i++) {
        lo = Math.min(lo, lanes[i]!);
        hi = Math.max(hi, lanes[4 + i]!);
      }
    });
  }
  const tail = heapF32(k, at + 16 * vectors, n - 4 * vectors);
  for (const v of tail) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const min = k.backend.makeOutput([], 'float32');
  const max = k.backend.makeOutput([], 'float32');
  heapF32(k, addressOf(k, min), 1)[0] = lo;
  heapF32(k, addressOf(k, max), 1)[0] = hi;
  return [min, max];
});

/** Σ of x [..., c] over every axis but the last. */
export function simdChannelSum(x: tf.Tensor): tf.Tensor1D {
  return tf.engine().runKernel(CHANNEL_SUM, { x }, {}) as tf.Tensor1D;
}

/** max |x| per channel of x as [size / channels, channels] (a depthwise kernel's channels span two axes). */
export function simdChannelAbsMax(x: tf.Tensor, channels: number): tf.Tensor1D {
  return tf.engine().runKernel(CHANNEL_ABS_MAX, { x }, { channels }) as tf.Tensor1D;
}

/** Σ a·b over every axis but the last (a and b of one shape). */
export function simdChannelDot(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  return tf.engine().runKernel(CHANNEL_DOT, { a, b }, {}) as tf.Tensor1D;
}

/** Mean and biased variance of x [..., c] over every axis but the last (two passes, as tf.moments). */
export function simdChannelMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const [mean, variance] = tf.engine().runKernel(CHANNEL_MOMENTS, { x }, {}) as unknown as [tf.Tensor1D, tf.Tensor1D];
  return { mean: mean!, variance: variance! };
}

/** The smallest and largest element of x, as scalars. */
export function simdMinMax(x: tf.Tensor): { min: tf.Scalar; max: tf.Scalar } {
  const [min, max] = tf.engine().runKernel(MIN_MAX, { x }, {}) as unknown as [tf.Scalar, tf.Scalar];
  return { min: min!, max: max! };
}
