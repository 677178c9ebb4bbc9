// The project's differentiable conv/dense/relu6/bias-add primitives. Every
// graph builder calls these instead of tf.conv2d/tf.matMul so that training runs on the
// wasm backend (which lacks the conv backprop-filter kernels) and takes the
// fast gradient formulations there. The same gradients run on cpu and
// tfjs-node, so all backends share one numerical path, and dilated convs get
// gradients there too (tfjs's own conv gradients reject dilation > 1).
import * as tf from '@tensorflow/tfjs';
import { convGeometry, Padding, Pair } from './conv_geometry.js';
import { convFilterGrad, convInputGrad, convInputGradByPhase, depthwiseFilterGrad, depthwiseInputGrad } from './conv_grads.js';
import { usesStridePhases } from './stride_phase.js';
import { binaryOpWithGrad, unaryOpWithGrad } from './custom_grad.js';
import { gradFormulation } from './grad_options.js';
import { isPointwise, pointwiseFilterGrad, pointwiseInputGrad } from './pointwise_grads.js';
import { relu6Grad } from './activation_grads.js';
import { channelSum } from './reductions.js';
import { simdDepthwiseFilterGrad, simdDepthwiseInputGrad } from './wasm/depthwise.js';
import { simdConvFilterGrad } from './wasm/conv_filter.js';
import { simdKernelsAvailable } from './wasm/tfjs_heap.js';

export type { Padding, Pair } from './conv_geometry.js';
export { globalAvgPool, maxPool } from './pool.js';
export { GRAD_FORMULATIONS, gradFormulation, setGradFormulation } from './grad_options.js';
export type { GradFormulation } from './grad_options.js';

/** NHWC conv, filter [kh, kw, cin, cout]. */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair = [1, 1]): tf.Tensor4D {
  return binaryOpWithGrad(
    x, filter,
    (xs, fs) => tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, strides, padding, 'NHWC', dilations),
    (dy, xs, fs) => {
      const c = convGrads(xs as tf.Tensor4D, fs as tf.Tensor4D, strides, padding, dilations);
      return [c.input(dy as tf.Tensor4D), c.filter(dy as tf.Tensor4D)];
    },
  );
}

/**
 * conv2d of a tensor no gradient should reach, such as the model's input
 * images: only the filter gets a gradient, which skips the first layer's
 * input-gradient conv. x is not an input of the recorded op, so asking
 * tf.grads for d/dx through it fails loudly rather than returning zeros.
 */
export function conv2dConstInput(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair = [1, 1]): tf.Tensor4D {
  if (gradFormulation() === 'baseline') return conv2d(x, filter, strides, padding, dilations);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [fIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    // x may be an intermediate of the function being differentiated (e.g.
    // normalised images), which tf.grads disposes before the backward pass.
    save([x, fIn]);
    return {
      value: tf.conv2d(x, fIn, strides, padding, 'NHWC', dilations),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        convGrads(saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, strides, padding, dilations).filter(dy as tf.Tensor4D),
    };
  });
  return op(filter) as tf.Tensor4D;
}

interface GradPair { input: (dy: tf.Tensor4D) => tf.Tensor4D; filter: (dy: tf.Tensor4D) => tf.Tensor4D }

/** The conv2d gradient formulation chosen for this geometry. */
function convGrads(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair): GradPair {
  const g = convGeometry(x.shape, filter.shape, strides, padding, dilations, false);
  // On wasm the filter gradient of every conv runs on the project's SIMD
  // kernel, reading x and dy in place (layers/wasm/conv_filter.ts).
  const simdFilter = gradFormulation() === 'simd' && simdKernelsAvailable()
    ? (dy: tf.Tensor4D) => simdConvFilterGrad(x, dy, g) : null;
  if (gradFormulation() !== 'baseline' && isPointwise(filter.shape, strides)) {
    return { input: dy => pointwiseInputGrad(dy, filter), filter: simdFilter ?? (dy => pointwiseFilterGrad(x, dy)) };
  }
  // Strided: one stride-1 conv per stride phase instead of one over a
  // zero-spread dy with s_h·s_w× the pixels (1.3–5× faster at MobileNet/
  // ResNet shapes, a tie on the smallest; bench/grad_formulations.ts --only
  // strided). Depthwise keeps the spread dy: its conv is too cheap for the
  // phase split's interleaving passes to pay off (2–4× slower there).
  const input = gradFormulation() !== 'baseline' && usesStridePhases(g) ? convInputGradByPhase : convInputGrad;
  return { input: dy => input(dy, filter, g), filter: simdFilter ?? (dy => convFilterGrad(x, dy, g)) };
}

/** NHWC depthwise conv, filter [kh, kw, cin, multiplier]. */
export function depthwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: Pair, padding: Padding, dilations: Pair = [1, 1]): tf.Tensor4D {
  return binaryOpWithGrad(
    x, filter,
    (xs, fs) => tf.depthwiseConv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, strides, padding, 'NHWC', dilations),
    (dy, xs, fs) => {
      const g = convGeometry(xs.shape, fs.shape, strides, padding, dilations, true);
      if (gradFormulation() === 'simd' && simdKernelsAvailable()) {
        return [
          simdDepthwiseInputGrad(dy as tf.Tensor4D, fs as tf.Tensor4D, g),
          simdDepthwiseFilterGrad(xs as tf.Tensor4D, dy as tf.Tensor4D, fs.shape, g),
        ];
      }
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

/** x + bias over the last axis; its bias gradient avoids wasm's transposing Sum. */
export function biasAdd<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
  if (gradFormulation() === 'baseline') return tf.add(x, bias);
  return binaryOpWithGrad(
    x, bias,
    (xs, bs) => tf.add(xs, bs) as T,
    (dy) => [tf.reshape(dy, dy.shape), channelSum(dy)],
    false,
  );
}

/** min(max(x, 0), 6); its gradient avoids wasm's slow LessEqual. */
export function relu6<T extends tf.Tensor>(x: T): T {
  if (gradFormulation() === 'baseline') return tf.relu6(x);
  return unaryOpWithGrad(x, xs => tf.relu6(xs) as T, relu6Grad);
}
