// A typed wrapper over tf.customGrad for two-input ops, so each op states
// only its forward and its backward.
import * as tf from '@tensorflow/tfjs';

/** Gradients w.r.t. (a, b) given dy and the saved forward inputs. */
export type Backward = (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => [tf.Tensor, tf.Tensor];

export function binaryOpWithGrad<T extends tf.Tensor>(
  a: tf.Tensor, b: tf.Tensor, forward: (a: tf.Tensor, b: tf.Tensor) => T, backward: Backward,
): T {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [aIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    // Saved, not closed over: tf.grads disposes the forward's intermediates
    // before running the backward pass; saved tensors are kept for it.
    save([aIn, bIn]);
    return {
      value: forward(aIn, bIn),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0], saved[1]),
    };
  });
  return op(a, b) as T;
}
