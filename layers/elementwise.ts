// Elementwise maximum and minimum with gradients that honour broadcasting.
// tfjs's own Maximum/Minimum gradients hand each input a gradient of the
// broadcast output's shape (for a [1,1,1,C] input they return [N,H,W,C]
// and the tape rejects it), so the gradient is reduced to each input's
// shape here. Ties send the gradient to the first input, as tfjs does.
import * as tf from '@tensorflow/tfjs';
import { binaryOpWithGrad } from './custom_grad.js';

/** Σ of g over the axes along which `shape` was broadcast to g's shape, reshaped to `shape`. */
function unbroadcast(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape as number[], g.shape);
  return tf.reshape(axes.length ? tf.sum(g, axes) : g, shape as number[]);
}

function pick(a: tf.Tensor, b: tf.Tensor, first: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, forward: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor {
  return binaryOpWithGrad(a, b, forward, (dy, as, bs) => {
    const toA = tf.cast(first(as, bs), 'float32');
    const da = tf.mul(dy, toA);
    const db = tf.sub(dy, da);
    return [unbroadcast(da, as.shape), unbroadcast(db, bs.shape)];
  });
}

/** max(a, b) with broadcasting; d/da where a ≥ b. */
export function maximum(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return pick(a, b, (x, y) => tf.greaterEqual(x, y), (x, y) => tf.maximum(x, y));
}

/** min(a, b) with broadcasting; d/da where a ≤ b. */
export function minimum(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return pick(a, b, (x, y) => tf.lessEqual(x, y), (x, y) => tf.minimum(x, y));
}
