// SQUARED_DIFFERENCE: (a − b)², NumPy broadcasting.
//
// int8: LiteRT runs TFLite's builtin kernel (squared_difference.cc), not
// XNNPACK: each input is centred, shifted left by 7 and rescaled to a common
// scale 2·max(s_a, s_b) with a multiplier below one, the int32 difference is
// squared, and the square is requantized with (2·max)² / (2^14 · s_out); all
// three multipliers round gemmlowp style (high-mul half away, then a
// rounding shift). Measured against @litertjs/core: 0 differing elements of
// 983,040 (random scales and codes) for this rule; 21 when the output
// multiplier rounds once (TFLITE_SINGLE_ROUNDING), 8,002 for XNNPACK's float
// rule (dequantize, square in float32, round half even), which also misses
// every tie of power-of-two scales. The rejected rules stay selectable so the
// tie test can show they differ.
// float32 is (a − b)·(a − b) in float32.

import { type FixedPointMultiply, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingleRounding, quantizeMultiplier } from '../../../quantize/math.js';
import { type BroadcastPlan, planBroadcast } from './broadcast.js';
import { type QuantParamsT, INT8_MAX, INT8_MIN, tensorScale, tensorZeroPoint } from './types.js';
import { rne } from './xnnpack.js';

const f32 = Math.fround;

/**
 * How the int8 result is formed: 'builtin' and 'builtin-single' are TFLite's
 * fixed-point kernel with the final multiplier rounded twice (gemmlowp) or
 * once; 'float' is XNNPACK's reference rule (dequantize, square in float32,
 * quantize with round-half-even).
 */
export type SquaredDifferenceRule = 'builtin' | 'builtin-single' | 'float';

/** What LiteRT runs, measured on tie-heavy models (see the dense-ties test). */
export const SQUARED_DIFFERENCE_RULE: SquaredDifferenceRule = 'builtin';

const LEFT_SHIFT = 7;

export interface SquaredDifferenceInt8Params {
  plan: BroadcastPlan;
  rule: SquaredDifferenceRule;
  offset1: number;
  offset2: number;
  mult1: number;
  shift1: number;
  mult2: number;
  shift2: number;
  outMult: number;
  outShift: number;
  outZeroPoint: number;
  multiply: FixedPointMultiply;
  /** 'float' rule: scales and 1/s_out in float32. */
  scale1: number;
  scale2: number;
  invOutScale: number;
  outputShape: number[];
}

export function prepareSquaredDifferenceInt8(
  shape1: readonly number[], q1: QuantParamsT, shape2: readonly number[], q2: QuantParamsT, out: QuantParamsT,
  rule: SquaredDifferenceRule = SQUARED_DIFFERENCE_RULE,
): SquaredDifferenceInt8Params {
  const plan = planBroadcast(shape1, shape2);
  const s1 = f32(tensorScale(q1));
  const s2 = f32(tensorScale(q2));
  const so = f32(tensorScale(out));
  const twiceMax = 2 * Math.max(s1, s2);
  const m1 = quantizeMultiplier(s1 / twiceMax);
  const m2 = quantizeMultiplier(s2 / twiceMax);
  const mo = quantizeMultiplier((twiceMax * twiceMax) / (2 ** (2 * LEFT_SHIFT) * so));
  return {
    plan, rule, offset1: -tensorZeroPoint(q1), offset2: -tensorZeroPoint(q2),
    mult1: m1.multiplier, shift1: m1.shift, mult2: m2.multiplier, shift2: m2.shift, outMult: mo.multiplier, outShift: mo.shift,
    outZeroPoint: tensorZeroPoint(out),
    multiply: rule === 'builtin-single' ? multiplyByQuantizedMultiplierSingleRounding : multiplyByQuantizedMultiplier,
    scale1: s1, scale2: s2, invOutScale: f32(1 / so), outputShape: plan.outputShape,
  };
}

function squaredDifferenceCode(p: SquaredDifferenceInt8Params, a: number, b: number): number {
  let v: number;
  if (p.rule === 'float') {
    const d = f32(f32((a + p.offset1) * p.scale1) - f32((b + p.offset2) * p.scale2));
    v = rne(f32(f32(f32(d * d) * p.invOutScale) + p.outZeroPoint));
  } else {
    // The input multipliers are below one; TFLite applies them with gemmlowp's two roundings.
    const x = multiplyByQuantizedMultiplier((a + p.offset1) * (1 << LEFT_SHIFT), p.mult1, p.shift1);
    const y = multiplyByQuantizedMultiplier((b + p.offset2) * (1 << LEFT_SHIFT), p.mult2, p.shift2);
    const d = x - y;
    v = p.multiply(Math.imul(d, d), p.outMult, p.outShift) + p.outZeroPoint;
  }
  return v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
}

/** Runs `f` over the broadcast plan: out[i] = f(a[·], b[·]). */
export function broadcastBinary<T extends Int8Array | Float32Array>(
  plan: BroadcastPlan, a: T, b: T, out: T, f: (x: number, y: number) => number,
): void {
  const { inner, innerStride1: s1, innerStride2: s2, base1, base2 } = plan;
  let o = 0;
  for (let r = 0; r < base1.length; r++) {
    let i1 = base1[r]!;
    let i2 = base2[r]!;
    for (let k = 0; k < inner; k++, i1 += s1, i2 += s2) out[o++] = f(a[i1]!, b[i2]!);
  }
}

export function squaredDifferenceInt8(p: SquaredDifferenceInt8Params, a: Int8Array, b: Int8Array, out: Int8Array): void {
  broadcastBinary(p.plan, a, b, out, (x, y) => squaredDifferenceCode(p, x, y));
}

export function squaredDifferenceFloat(plan: BroadcastPlan, a: Float32Array, b: Float32Array, out: Float32Array): void {
  broadcastBinary(plan, a, b, out, (x, y) => {
    const d = f32(x - y);
    return d * d;
  });
}
