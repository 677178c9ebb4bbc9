// Reductions every training step runs per layer: per-channel sums (bias and
// BN gradients), per-channel moments (BN batch statistics) and a whole
// tensor's min and max (observed activation ranges). tfjs-wasm reduces over
// [batch, h, w] of an NHWC tensor only after transposing the channels to
// the inside; on wasm these run on the project's channel kernels
// (layers/wasm/channel_stats.ts), elsewhere on tfjs ops.
import * as tf from '@tensorflow/tfjs';
import { gradFormulation } from './grad_options.js';
import { simdChannelDot, simdChannelMoments, simdChannelSum, simdMinMax } from './wasm/channel_stats.js';
import { simdKernelsAvailable } from './wasm/tfjs_heap.js';

/** Whether the project's wasm kernels run the reductions (and the activation fake quant). */
export const simdReductions = (): boolean => gradFormulation() === 'simd' && simdKernelsAvailable();

/**
 * Σ of t [..., c] over every axis but the last. Without the wasm kernels,
 * for NHWC tensors, an average pool over the whole image (one pass,
 * channels stay innermost) times its size, then a small sum over the batch.
 */
export function channelSum(t: tf.Tensor): tf.Tensor1D {
  if (simdReductions()) return simdChannelSum(t);
  const c = t.shape[t.rank - 1];
  if (t.rank !== 4) return tf.reshape(tf.sum(tf.reshape(t, [-1, c]), 0), [c]);
  const [b, h, w] = t.shape;
  const perImage = tf.mul(tf.reshape(tf.avgPool(t as tf.Tensor4D, [h, w], 1, 'valid'), [b, c]), h * w);
  return tf.sum(perImage, 0) as tf.Tensor1D;
}

/** Σ a·b over every axis but the last (a and b of one shape). */
export function channelDot(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  if (simdReductions()) return simdChannelDot(a, b);
  return channelSum(tf.mul(a, b));
}

/** Mean and biased variance of t [..., c] over every axis but the last. */
export function channelMoments(t: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (simdReductions()) return simdChannelMoments(t);
  const m = tf.moments(t, t.shape.map((_, i) => i).slice(0, -1));
  return { mean: m.mean as tf.Tensor1D, variance: m.variance as tf.Tensor1D };
}

/** The smallest and largest element of t. */
export function tensorMinMax(t: tf.Tensor): { min: tf.Tensor; max: tf.Tensor } {
  if (simdReductions()) return simdMinMax(t);
  return { min: tf.min(t), max: tf.max(t) };
}
