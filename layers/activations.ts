// The activations MobileNet v3 and Keras models use beyond relu/relu6, as
// differentiable tfjs functions whose gradients run on the wasm backend.
// Each framework's own formula is kept: Keras' and MobileNet v3's hard
// sigmoid is relu6(x + 3)/6, tfjs-layers' is clip(0.2·x + 0.5, 0, 1).
import * as tf from '@tensorflow/tfjs';
import { relu6 } from './ops.js';

/** relu6(x + 3) / 6: MobileNet v3's and Keras' hard sigmoid (what TFLite's HARD_SWISH builds on). */
export function hardSigmoidRelu6(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(relu6(tf.add(x, 3)), 6));
}

/** clip(0.2·x + 0.5, 0, 1): tfjs-layers' hardSigmoid. */
export function hardSigmoidLinear(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1));
}

/** x · relu6(x + 3) / 6 (TFLite's HARD_SWISH). */
export function hardSwish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, hardSigmoidRelu6(x)));
}

/** x · sigmoid(x) (swish, SiLU). */
export function swish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** x where x ≥ 0, α·x below (TFLite's LEAKY_RELU; tfjs's leakyRelu). */
export function leakyRelu(x: tf.Tensor, alpha: number): tf.Tensor {
  return tf.leakyRelu(x, alpha);
}

/** x where x ≥ 0, α_c·x below, α per channel (last axis) and trained (TFLite's PRELU). */
export function prelu(x: tf.Tensor, alpha: tf.Tensor): tf.Tensor {
  return tf.prelu(x, alpha);
}
