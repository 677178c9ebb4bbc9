// One optimiser step of the reference CNN, shared by the benchmark and its
// profiler.
import * as tf from '@tensorflow/tfjs';
import { CLASSES, IMAGE_SHAPE, loss, ReferenceCnn, variablesOf } from './reference_cnn.js';

export interface Batch {
  images: tf.Tensor4D;
  labels: tf.Tensor2D;
}

export function syntheticBatch(batch: number, seed: number): Batch {
  return tf.tidy(() => {
    const images = tf.randomUniform([batch, ...IMAGE_SHAPE], 0, 1, 'float32', seed) as tf.Tensor4D;
    const classes = tf.randomUniform([batch], 0, CLASSES, 'int32', seed + 1) as tf.Tensor1D;
    return { images, labels: tf.oneHot(classes, CLASSES).toFloat() as tf.Tensor2D };
  });
}

/** One optimiser step; returns the loss value (reading it syncs the backend). */
export function trainStep(model: ReferenceCnn, optimizer: tf.Optimizer, data: Batch): number {
  const cost = optimizer.minimize(() => loss(model, data.images, data.labels), true, variablesOf(model));
  const value = cost!.dataSync()[0];
  cost!.dispose();
  return value;
}

