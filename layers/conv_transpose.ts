// Transposed convolution with gradients that run on wasm (which has no
// Conv2DBackpropFilter kernel, so tfjs's own conv2dTranspose gradient fails
// there). A transposed conv is the input gradient of the conv it reverses,
// z = conv2d(y, F) from the output's shape back to the input's, so all
// three passes reuse that conv's machinery: forward = its input gradient,
// dx = the conv itself on dy, dF = its filter gradient with dy as its input
// and x as its output gradient.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type Padding, type Pair } from './conv_geometry.js';
import { convFilterGrad, convInputGrad, convInputGradByPhase } from './conv_grads.js';
import { binaryOpWithGrad } from './custom_grad.js';
import { usesStridePhases } from './stride_phase.js';
import { transposedLength } from '../src/ir/ops/transpose-conv.js';

/**
 * NHWC transposed conv of x [n, h, w, cin] with kernel [kh, kw, cin, cout]
 * (conv2d's layout) to [n, outH, outW, cout].
 */
export function conv2dTranspose(x: tf.Tensor4D, kernel: tf.Tensor4D, out: Pair, strides: Pair, padding: Padding): tf.Tensor4D {
  // The reversed conv's filter maps cout channels to cin: [kh, kw, cout, cin].
  const reversedFilter = (k: tf.Tensor): tf.Tensor4D => tf.transpose(k, [0, 1, 3, 2]) as tf.Tensor4D;
  const geometry = (k: tf.Tensor, n: number) => convGeometry([n, out[0], out[1], k.shape[3]!], [k.shape[0]!, k.shape[1]!, k.shape[3]!, k.shape[2]!], strides, padding, [1, 1], false);
  return binaryOpWithGrad(
    x, kernel,
    (xs, ks) => {
      const g = geometry(ks, xs.shape[0]!);
      const inputGrad = usesStridePhases(g) ? convInputGradByPhase : convInputGrad;
      return inputGrad(xs as tf.Tensor4D, reversedFilter(ks), g);
    },
    (dy, xs, ks) => {
      const g = geometry(ks, xs.shape[0]!);
      const dx = tf.conv2d(dy as tf.Tensor4D, reversedFilter(ks), strides, padding);
      return [dx, reversedFilter(convFilterGrad(dy as tf.Tensor4D, xs as tf.Tensor4D, g))];
    },
  );
}

/** conv2dTranspose with Keras' output size ('same': in·stride; 'valid': in·stride + max(k − stride, 0)). */
export function conv2dTransposeFor(x: tf.Tensor4D, kernel: tf.Tensor4D, strides: Pair, padding: Padding): tf.Tensor4D {
  const out: Pair = [
    transposedLength(x.shape[1], kernel.shape[0], strides[0], padding),
    transposedLength(x.shape[2], kernel.shape[1], strides[1], padding),
  ];
  return conv2dTranspose(x, kernel, out, strides, padding);
}
