// MUL. int8 follows mul.cc Prepare — real multiplier s1·s2/s_out computed in
// float32 (the C expression multiplies and divides floats before widening to
// double) — and reference_integer_ops::MulElementwise:
// out = MBQM((x1 − zp1)·(x2 − zp2)) + zp_out, clamped.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type BroadcastPlan, broadcastEach, planBroadcast } from './broadcast.js';
import { type Arithmetic, requantizeFp32, xnnActivationRange } from './xnnpack.js';
import { type FusedActivation, type QuantParamsT, quantizedActivationRange, tensorScale, tensorZeroPoint } from './types.js';

const f32 = Math.fround;

export interface MulInt8Params {
  plan: BroadcastPlan;
  outputShape: number[];
  input1ZeroPoint: number;
  input2ZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
  /** XNNPACK arithmetic: float32 (s1·s2)/s_out for fp32 requantization (null: TFLite reference). */
  scale: number | null;
}

export function prepareMulInt8(
  shape1: readonly number[], q1: QuantParamsT, shape2: readonly number[], q2: QuantParamsT,
  out: QuantParamsT, activation: FusedActivation, arithmetic: Arithmetic = 'reference',
): MulInt8Params {
  const plan = planBroadcast(shape1, shape2);
  const so = f32(tensorScale(out));
  const q = quantizeMultiplier(f32(f32(f32(tensorScale(q1)) * f32(tensorScale(q2))) / so));
  const zpOut = tensorZeroPoint(out);
  const xnn = arithmetic === 'xnnpack';
  const act = xnn ? xnnActivationRange(activation, so, zpOut) : quantizedActivationRange(activation, so, zpOut);
  return {
    scale: xnn ? f32(f32(f32(tensorScale(q1)) * f32(tensorScale(q2))) / so) : null,
    plan, outputShape: plan.outputShape, input1ZeroPoint: tensorZeroPoint(q1), input2ZeroPoint: tensorZeroPoint(q2),
    outputZeroPoint: zpOut, multiplier: q.multiplier, shift: q.shift, actMin: act.min, actMax: act.max,
  };
}

export function mulInt8(p: MulInt8Params, a: Int8Array, b: Int8Array, out: Int8Array): void {
  broadcastEach(p.plan, out, (i1, i2) => {
    const prod = (a[i1]! - p.input1ZeroPoint) * (b[i2]! - p.input2ZeroPoint);
    if (p.scale !== null) return requantizeFp32(prod, p.scale, p.outputZeroPoint, p.actMin, p.actMax);
    const v = multiplyByQuantizedMultiplier(prod, p.multiplier, p.shift) + p.outputZeroPoint;
    return v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
  });
}
