// A PReLU's slope in a QAT graph: the int8 file stores it as a per-tensor
// int8 constant on the range from zero to its values (export/operands.ts),
// so once quantization is on the train and eval graphs use the slope on
// that grid. The fake-quant op computes the same nudged range and values as
// quantize/math.ts; its gradient passes straight through (every slope lies
// inside the range), and the range, a function of the slopes, gets none.
import * as tf from '@tensorflow/tfjs';
import { fakeQuant } from '../../quantize/fake-quant.js';
import type { KernelContext } from './context.js';

export function quantizedSlope(alpha: tf.Tensor, ctx: KernelContext): tf.Tensor {
  const q = ctx.qat;
  if (!q?.quantizedGraph || q.observeOnly || q.step < q.quantDelay) return alpha;
  return tf.tidy(() => fakeQuant(alpha, tf.minimum(tf.min(alpha), 0), tf.maximum(tf.max(alpha), 0), { rangeGradient: 'none' }));
}
