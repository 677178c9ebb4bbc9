// Straight-through gradients of clips (relu6, fake quant) built from kernels
// wasm runs fast: tfjs's relu6 gradient uses LessEqual, which wasm runs ~10×
// slower than Step/Sub/Multiply; on wasm each is one pass of the project's
// row kernel.
import * as tf from '@tensorflow/tfjs';
import { simdReductions } from './reductions.js';
import { simdRangeGrad } from './wasm/row_ops.js';

/** The smallest positive float32: x ≥ it is x > 0. */
export const SMALLEST_POSITIVE = 2 ** -149;

/** d relu6(x) / dx · dy, passing where 0 < x ≤ 6 (tfjs's convention). */
export function relu6Grad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (simdReductions()) return simdRangeGrad(dy, x, SMALLEST_POSITIVE, 6);
  // step(x) − step(x − 6) is 1 on (0, 6] and 0 elsewhere.
  return tf.mul(dy, tf.sub(tf.step(x), tf.step(tf.sub(x, 6))));
}

/** dy where lo ≤ x ≤ hi, else 0 (NaN gets 0). */
export function rangeGrad(dy: tf.Tensor, x: tf.Tensor, lo: number, hi: number): tf.Tensor {
  if (simdReductions()) return simdRangeGrad(dy, x, lo, hi);
  return tf.mul(dy, tf.cast(tf.logicalAnd(tf.greaterEqual(x, lo), tf.lessEqual(x, hi)), 'float32'));
}
