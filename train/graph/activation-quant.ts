// What the int8 file quantizes inside an activation, simulated in a QAT
// graph once quantization is on: a PReLU's slope (stored as a per-tensor
// int8 constant on the range from zero to its values), swish's sigmoid (on
// LOGISTIC's fixed 1/256 grid) and the hard sigmoid's relu6(x + 3) (on the
// [0, 6] grid). The grids come from where the lowering takes them
// (export/operands.ts, quantize/op-table.ts), and the fake-quant op computes
// the same nudged range and values as quantize/math.ts. Gradients pass
// straight through (the values lie inside their ranges); no range is trained.
import * as tf from '@tensorflow/tfjs';
import { fakeQuant } from '../../quantize/fake-quant.js';
import { fixedOutputRange, HARD_SIGMOID_LOWERING } from '../../quantize/op-table.js';
import { relu6 } from '../../layers/ops.js';
import { hardSigmoidRelu6, swish } from '../../layers/activations.js';
import { fakeQuantOn, type KernelContext } from './context.js';

function quantizing(ctx: KernelContext): boolean {
  const q = ctx.qat;
  return q?.quantizedGraph === true && fakeQuantOn(q);
}

const onRange = (t: tf.Tensor, lo: number | tf.Tensor, hi: number | tf.Tensor): tf.Tensor =>
  fakeQuant(t, typeof lo === 'number' ? tf.scalar(lo) : lo, typeof hi === 'number' ? tf.scalar(hi) : hi, { rangeGradient: 'none' });

export function quantizedSlope(alpha: tf.Tensor, ctx: KernelContext): tf.Tensor {
  if (!quantizing(ctx)) return alpha;
  return tf.tidy(() => onRange(alpha, tf.minimum(tf.min(alpha), 0), tf.maximum(tf.max(alpha), 0)));
}

const [SIGMOID_MIN, SIGMOID_MAX] = fixedOutputRange('LOGISTIC');

/** x·sigmoid(x), the sigmoid on its int8 grid in a quantizing QAT graph. */
export function swishOp(x: tf.Tensor, ctx: KernelContext): tf.Tensor {
  if (!quantizing(ctx)) return swish(x);
  return tf.tidy(() => tf.mul(x, onRange(tf.sigmoid(x), SIGMOID_MIN, SIGMOID_MAX)));
}

/** relu6(x + 3)·(1/6), as the file computes it (ADD+RELU6 on the [0, 6] grid, then MUL) in a quantizing QAT graph. */
export function hardSigmoidOp(x: tf.Tensor, ctx: KernelContext): tf.Tensor {
  if (!quantizing(ctx)) return hardSigmoidRelu6(x);
  const { offset, innerRange: [lo, hi], factor } = HARD_SIGMOID_LOWERING;
  return tf.tidy(() => tf.mul(onRange(relu6(tf.add(x, offset)), lo, hi), Math.fround(factor)));
}
