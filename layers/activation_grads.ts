// relu6's gradient built from kernels wasm runs fast: tfjs's uses
// LessEqual, which wasm runs ~10× slower than Step/Sub/Multiply; on wasm
// it is one pass of the project's row kernel.
import * as tf from '@tensorflow/tfjs';
import { simdReductions } from './reductions.js';
import { simdRelu6Grad } from './wasm/row_ops.js';

/** d relu6(x) / dx · dy, passing where 0 < x ≤ 6 (tfjs's convention). */
export function relu6Grad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (simdReductions()) return simdRelu6Grad(dy, x);
  // step(x) − step(x − 6) is 1 on (0, 6] and 0 elsewhere.
  return tf.mul(dy, tf.sub(tf.step(x), tf.step(tf.sub(x, 6))));
}
