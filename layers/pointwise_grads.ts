// Gradients of a 1×1, stride-1 conv written as the matMuls it is: with the
// pixels as rows, conv(x, W) = x[rows, cin] · W[cin, cout]. On wasm the
// filter gradient as one matMul over an explicitly transposed x is ≈1.5–3×
// faster than the filter-gradient conv (which transposes both x and dy and
// hands XNNPACK an h×w×batch "kernel"), and the input gradient needs no
// filter reversal (wasm's Reverse is a slow per-element kernel).
// Measured by bench/grad_formulations.ts --only pointwise.
import * as tf from '@tensorflow/tfjs';

/** True when conv2d(x, filter, strides) is a plain per-pixel matMul. */
export function isPointwise(filterShape: number[], strides: [number, number]): boolean {
  return filterShape[0] === 1 && filterShape[1] === 1 && strides[0] === 1 && strides[1] === 1;
}

function asRows(t: tf.Tensor4D): tf.Tensor2D {
  const [b, h, w, c] = t.shape;
  return tf.reshape(t, [b * h * w, c]) as tf.Tensor2D;
}

// Explicit transposes, then plain matMuls: wasm's transposeA/B matMul paths
// are a scalar loop, 5–20× slower than the copy.

/** d loss / d x of a pointwise conv2d(x, filter [1, 1, cin, cout]) given dy. */
export function pointwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [, , cin, cout] = filter.shape;
  const w2 = tf.reshape(filter, [cin, cout]) as tf.Tensor2D;
  const [b, h, w] = dy.shape;
  return tf.reshape(tf.matMul(asRows(dy), tf.transpose(w2)), [b, h, w, cin]) as tf.Tensor4D;
}

/** d loss / d filter of a pointwise conv2d(x, filter [1, 1, cin, cout]) given dy. */
export function pointwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const cin = x.shape[3];
  const cout = dy.shape[3];
  return tf.reshape(tf.matMul(tf.transpose(asRows(x)), asRows(dy)), [1, 1, cin, cout]) as tf.Tensor4D;
}
