// A typed wrapper over tf.customGrad for two-input ops, so each op states
// only its forward and its backward.
import * as tf from '@tensorflow/tfjs';

/** Gradients w.r.t. (a, b) given dy and the saved forward inputs (undefined when not saved). */
export type Backward = (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => [tf.Tensor, tf.Tensor];

/**
 * `saveInputs: false` is for backwards that read only dy: saving costs a
 * full copy of each input (tfjs clones saved tensors; wasm's Identity copies).
 */
export function binaryOpWithGrad<T extends tf.Tensor>(
  a: tf.Tensor, b: tf.Tensor, forward: (a: tf.Tensor, b: tf.Tensor) => T, backward: Backward, saveInputs = true,
): T {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [aIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    // Saved, not closed over: tf.grads disposes the forward's intermediates
    // before running the backward pass; saved tensors are kept for it.
    if (saveInputs) save([aIn, bIn]);
    return {
      value: forward(aIn, bIn),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0], saved[1]),
    };
  });
  return op(a, b) as T;
}

/** One-input counterpart of binaryOpWithGrad. */
export function unaryOpWithGrad<T extends tf.Tensor>(
  x: tf.Tensor, forward: (x: tf.Tensor) => T, backward: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor, saveInput = true,
): T {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, save] = args as [tf.Tensor, tf.GradSaveFunc];
    if (saveInput) save([xIn]);
    return {
      value: forward(xIn),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0]),
    };
  });
  return op(x) as T;
}
