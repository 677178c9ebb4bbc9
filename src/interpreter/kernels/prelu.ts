// PRELU: y = x for x ≥ 0, alpha·x below, alpha a tensor broadcast against x
// (typically one slope per channel, shape [1,1,C] or [C]).
//
// What LiteRT runs (measured with tie-heavy single-op models, see
// test/interpreter/slope-ties.test.ts): TFLite's builtin kernel, not
// XNNPACK's qs8 vprelu (fp32 requantization, ties to even), and with
// gemmlowp's double rounding, not the single rounding its builtin CONV_2D
// uses. prelu.cc derives two multipliers in float32, s_x/s_out and
// s_x·s_α/s_out, QuantizeMultiplier'd; then (BroadcastPrelu4DSlow)
//   y = zp_out + MultiplyByQuantizedMultiplier(x − zp_x, m1)                 for x ≥ zp_x
//   y = zp_out + MultiplyByQuantizedMultiplier((x − zp_x)·(α − zp_α), m2)    below,
// saturated to int8. The reference kernels compute the same, so the
// interpreter's two arithmetics agree for this op.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type BroadcastPlan, planBroadcast, broadcastEach } from './broadcast.js';
import { type QuantParamsT, INT8_MAX, INT8_MIN, tensorScale, tensorZeroPoint } from './types.js';

const f32 = Math.fround;

export interface PreluInt8Params {
  plan: BroadcastPlan;
  outputShape: number[];
  inputZeroPoint: number;
  alphaZeroPoint: number;
  outputZeroPoint: number;
  positiveMultiplier: number;
  positiveShift: number;
  negativeMultiplier: number;
  negativeShift: number;
}

export function preparePreluInt8(
  inputShape: readonly number[], inQ: QuantParamsT, alphaShape: readonly number[], alphaQ: QuantParamsT, outQ: QuantParamsT,
): PreluInt8Params {
  const plan = planBroadcast(inputShape, alphaShape);
  const sIn = f32(tensorScale(inQ));
  const sAlpha = f32(tensorScale(alphaQ));
  const sOut = f32(tensorScale(outQ));
  // The C expressions are float products and quotients, widened to double afterwards.
  const mp = quantizeMultiplier(f32(sIn / sOut));
  const mn = quantizeMultiplier(f32(f32(sIn * sAlpha) / sOut));
  return {
    plan, outputShape: plan.outputShape,
    inputZeroPoint: tensorZeroPoint(inQ), alphaZeroPoint: tensorZeroPoint(alphaQ), outputZeroPoint: tensorZeroPoint(outQ),
    positiveMultiplier: mp.multiplier, positiveShift: mp.shift, negativeMultiplier: mn.multiplier, negativeShift: mn.shift,
  };
}

/** One element from its input and alpha codes; exported so tests can walk the arithmetic. */
export function preluInt8Value(p: PreluInt8Params, x: number, alpha: number): number {
  const d = x - p.inputZeroPoint;
  const v = p.outputZeroPoint + (d >= 0
    ? multiplyByQuantizedMultiplier(d, p.positiveMultiplier, p.positiveShift)
    : multiplyByQuantizedMultiplier(d * (alpha - p.alphaZeroPoint), p.negativeMultiplier, p.negativeShift));
  return v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
}

export function preluInt8(p: PreluInt8Params, x: Int8Array, alpha: Int8Array, out: Int8Array): void {
  broadcastEach(p.plan, out, (i1, i2) => preluInt8Value(p, x[i1]!, alpha[i2]!));
}

export interface PreluFloatParams {
  plan: BroadcastPlan;
  outputShape: number[];
}

export function preparePreluFloat(inputShape: readonly number[], alphaShape: readonly number[]): PreluFloatParams {
  const plan = planBroadcast(inputShape, alphaShape);
  return { plan, outputShape: plan.outputShape };
}

export function preluFloat(p: PreluFloatParams, x: Float32Array, alpha: Float32Array, out: Float32Array): void {
  broadcastEach(p.plan, out, (i1, i2) => {
    const v = x[i1]!;
    return v < 0 ? v * alpha[i2]! : v;
  });
}
