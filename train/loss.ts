import * as tf from '@tensorflow/tfjs';
import { UserError } from '../src/errors.js';

/** Mean softmax cross-entropy of logits [n, k] against integer labels [n]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/**
 * The training loss of a model with one or more classification heads: the
 * sum of each head's mean cross-entropy against the same labels (a single
 * head is plain crossEntropy).
 */
export function headsCrossEntropy(heads: readonly tf.Tensor2D[], labels: tf.Tensor1D): tf.Scalar {
  const classes = heads[0]!.shape[1];
  heads.forEach((h, k) => {
    if (h.rank !== 2 || h.shape[1] !== classes) {
      throw new UserError(`output ${k} of the model has shape [${h.shape.slice(1).join(', ')}] per example, but training sums the cross-entropy of classification heads over the same ${classes} classes`);
    }
  });
  if (heads.length === 1) return crossEntropy(heads[0]!, labels);
  return tf.tidy(() => tf.addN(heads.map((h) => crossEntropy(h, labels))) as tf.Scalar);
}

/** Number of rows whose argmax equals the label (int32 scalar). */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')) as tf.Scalar);
}
