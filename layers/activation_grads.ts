// relu6 and bias-add with gradients built from kernels wasm runs fast.
// tfjs's relu6 gradient uses LessEqual, which wasm runs ~10× slower than
// Step/Sub/Multiply; tfjs's add gradient sums dy over [batch, h, w] with a
// Sum that wasm can only do after transposing the channels to the inside.
// Together those were ≈15% of a MobileNet training step (bench/mobilenet_step.ts).
import * as tf from '@tensorflow/tfjs';

/** d relu6(x) / dx · dy, passing where 0 < x ≤ 6 (tfjs's convention). */
export function relu6Grad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  // step(x) − step(x − 6) is 1 on (0, 6] and 0 elsewhere.
  return tf.mul(dy, tf.sub(tf.step(x), tf.step(tf.sub(x, 6))));
}

/**
 * Σ of t [..., c] over every axis but the last. For NHWC tensors an average
 * pool over the whole image (one pass, channels stay innermost) times its
 * size, then a small sum over the batch.
 */
export function channelSum(t: tf.Tensor): tf.Tensor1D {
  const c = t.shape[t.rank - 1];
  if (t.rank !== 4) return tf.reshape(tf.sum(tf.reshape(t, [-1, c]), 0), [c]);
  const [b, h, w] = t.shape;
  const perImage = tf.mul(tf.reshape(tf.avgPool(t as tf.Tensor4D, [h, w], 1, 'valid'), [b, c]), h * w);
  return tf.sum(perImage, 0) as tf.Tensor1D;
}
