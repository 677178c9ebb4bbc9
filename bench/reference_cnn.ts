// The reference CNN of the training benchmark, written directly on the
// layers/ops primitives with tf.variable weights:
// conv3x3×32 relu → conv3x3×64 relu → maxpool2 → flatten → dense128 relu → dense10,
// valid padding, NHWC 28×28×1 input, softmax cross-entropy.
import * as tf from '@tensorflow/tfjs';
import { biasAdd, conv2d, conv2dConstInput, dense, maxPool } from '../layers/ops.js';

export const IMAGE_SHAPE = [28, 28, 1] as const;
export const CLASSES = 10;

export interface ReferenceCnn {
  conv1: tf.Variable<tf.Rank.R4>;
  bias1: tf.Variable<tf.Rank.R1>;
  conv2: tf.Variable<tf.Rank.R4>;
  bias2: tf.Variable<tf.Rank.R1>;
  fc1: tf.Variable<tf.Rank.R2>;
  bias3: tf.Variable<tf.Rank.R1>;
  fc2: tf.Variable<tf.Rank.R2>;
  bias4: tf.Variable<tf.Rank.R1>;
}

/** Glorot-uniform weights from a fixed seed, zero biases. */
export function createReferenceCnn(seed = 1): ReferenceCnn {
  const glorot = (shape: number[], fanIn: number, fanOut: number, s: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed + s));
  };
  const zeros = (n: number) => tf.variable(tf.zeros([n])) as tf.Variable<tf.Rank.R1>;
  return {
    conv1: glorot([3, 3, 1, 32], 9, 9 * 32, 1) as tf.Variable<tf.Rank.R4>,
    bias1: zeros(32),
    conv2: glorot([3, 3, 32, 64], 9 * 32, 9 * 64, 2) as tf.Variable<tf.Rank.R4>,
    bias2: zeros(64),
    fc1: glorot([12 * 12 * 64, 128], 12 * 12 * 64, 128, 3) as tf.Variable<tf.Rank.R2>,
    bias3: zeros(128),
    fc2: glorot([128, CLASSES], 128, CLASSES, 4) as tf.Variable<tf.Rank.R2>,
    bias4: zeros(CLASSES),
  };
}

export function variablesOf(m: ReferenceCnn): tf.Variable[] {
  return [m.conv1, m.bias1, m.conv2, m.bias2, m.fc1, m.bias3, m.fc2, m.bias4];
}

/** Logits [batch, 10] for images [batch, 28, 28, 1]. */
export function logits(m: ReferenceCnn, images: tf.Tensor4D): tf.Tensor2D {
  const a1 = tf.relu(biasAdd(conv2dConstInput(images, m.conv1, [1, 1], 'valid'), m.bias1));
  const a2 = tf.relu(biasAdd(conv2d(a1, m.conv2, [1, 1], 'valid'), m.bias2));
  const pooled = maxPool(a2, [2, 2], [2, 2], 'valid');
  const flat = tf.reshape(pooled, [images.shape[0], -1]) as tf.Tensor2D;
  const h = tf.relu(biasAdd(dense(flat, m.fc1), m.bias3));
  return biasAdd(dense(h, m.fc2), m.bias4);
}

/** Mean softmax cross-entropy against one-hot labels. */
export function loss(m: ReferenceCnn, images: tf.Tensor4D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(oneHot, logits(m, images)) as tf.Scalar;
}
