// The project's differentiable conv/dense primitives. Every graph builder
// calls these instead of tf.conv2d/tf.matMul so that training runs on the
// wasm backend (which lacks the conv backprop-filter kernels) and takes the
// fast gradient formulations there. The same gradients run on cpu and
// tfjs-node, so all backends share one numerical path, and dilated convs get
// gradients there too (tfjs's own conv gradients reject dilation > 1).
import * as tf from '@tensorflow/tfjs';
import { convGeometry, Padding, Pair } from './conv_geometry.js';
import { convFilterGrad, convInputGrad, depthwiseFilterGrad, depthwiseInputGrad } from './conv_grads.js';
import { binaryOpWithGrad } from './custom_grad.js';

export type { Padding, Pair } from './conv_geometry.js';
export { maxPool } from './pool.js';

/** NHWC conv, filter [kh, kw, cin, cout]. */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair = [1, 1]): tf.Tensor4D {
  return binaryOpWithGrad(
    x, filter,
    (xs, fs) => tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, strides, padding, 'NHWC', dilations),
    (dy, xs, fs) => {
      const g = convGeometry(xs.shape, fs.shape, strides, padding, dilations, false);
      return [convInputGrad(dy as tf.Tensor4D, fs as tf.Tensor4D, g), convFilterGrad(xs as tf.Tensor4D, dy as tf.Tensor4D, g)];
    },
  );
}

/** NHWC depthwise conv, filter [kh, kw, cin, multiplier]. */
export function depthwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair = [1, 1]): tf.Tensor4D {
  return binaryOpWithGrad(
    x, filter,
    (xs, fs) => tf.depthwiseConv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, strides, padding, 'NHWC', dilations),
    (dy, xs, fs) => {
      const g = convGeometry(xs.shape, fs.shape, strides, padding, dilations, true);
      return [
        depthwiseInputGrad(dy as tf.Tensor4D, fs as tf.Tensor4D, g),
        depthwiseFilterGrad(xs as tf.Tensor4D, dy as tf.Tensor4D, fs.shape, g),
      ];
    },
  );
}

/** x [batch, in] · w [in, out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return binaryOpWithGrad(
    x, w,
    (xs, ws) => tf.matMul(xs as tf.Tensor2D, ws as tf.Tensor2D),
    // An explicit transpose then a plain matMul: wasm's transposeA/B matMul
    // paths are 5–20× slower than the copy.
    (dy, xs, ws) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)],
  );
}

