// The project's differentiable conv/dense primitives. Every graph builder
// calls these instead of tf.conv2d/tf.matMul so that training runs on the
// wasm backend (which lacks the conv backprop-filter kernels) and takes the
// fast gradient formulations there.
// PLACEHOLDER: forwards to tfjs; the custom-gradient versions replace these.
import * as tf from '@tensorflow/tfjs';

export type Padding = 'same' | 'valid';
export type Pair = [number, number];

/** NHWC conv, filter [kh, kw, cin, cout]. */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair = [1, 1]): tf.Tensor4D {
  return tf.conv2d(x, filter, strides, padding, 'NHWC', dilations);
}

/** NHWC depthwise conv, filter [kh, kw, cin, multiplier]. */
export function depthwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair = [1, 1]): tf.Tensor4D {
  return tf.depthwiseConv2d(x, filter, strides, padding, 'NHWC', dilations);
}

/** x [batch, in] · w [in, out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, w);
}
