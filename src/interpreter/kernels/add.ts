// ADD (and the shared core of SUB). int8 follows add.cc Prepare and
// reference_integer_ops::AddElementwise: both inputs are lifted by
// left_shift = 20, each rescaled by s_i / (2·max(s1,s2)), summed, then rescaled
// by 2·max(s1,s2) / (2^20 · s_out); all multipliers are < 1
// (QuantizeMultiplierSmallerThanOneExp) and computed in double.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type BroadcastPlan, planBroadcast } from './broadcast.js';
import { type Arithmetic, type XnnAddParams, xnnActivationRange, xnnAddParams } from './xnnpack.js';
import {
  type FusedActivation, type QuantParamsT, floatActivationRange, quantizedActivationRange, tensorScale, tensorZeroPoint,
} from './types.js';

export interface AddSubInt8Params {
  plan: BroadcastPlan;
  outputShape: number[];
  input1ZeroPoint: number;
  input2ZeroPoint: number;
  outputZeroPoint: number;
  leftShift: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
  /** +1 for ADD, −1 for SUB. */
  sign: 1 | -1;
  /** XNNPACK arithmetic (null: TFLite reference). */
  xnn: XnnAddParams | null;
}

function smallerThanOne(real: number): { multiplier: number; shift: number } {
  const q = quantizeMultiplier(real);
  if (q.shift > 0) throw new Error(`ADD/SUB rescale multiplier ${real} is not below 1`);
  return q;
}

export function prepareAddSubInt8(
  shape1: readonly number[], q1: QuantParamsT, shape2: readonly number[], q2: QuantParamsT,
  out: QuantParamsT, activation: FusedActivation, sign: 1 | -1, arithmetic: Arithmetic = 'reference',
): AddSubInt8Params {
  const plan = planBroadcast(shape1, shape2);
  const s1 = Math.fround(tensorScale(q1));
  const s2 = Math.fround(tensorScale(q2));
  const so = Math.fround(tensorScale(out));
  const leftShift = 20;
  const twiceMax = 2 * Math.max(s1, s2);
  const m1 = smallerThanOne(s1 / twiceMax);
  const m2 = smallerThanOne(s2 / twiceMax);
  const mo = smallerThanOne(twiceMax / ((1 << leftShift) * so));
  const zpOut = tensorZeroPoint(out);
  let xnn: XnnAddParams | null = null;
  if (arithmetic === 'xnnpack') {
    // Ratios outside XNNPACK's range make the delegate leave the op to the reference kernel.
    try {
      xnn = xnnAddParams(s1, tensorZeroPoint(q1), s2, tensorZeroPoint(q2), so, sign);
    } catch {
      xnn = null;
    }
  }
  const act = xnn ? xnnActivationRange(activation, so, zpOut) : quantizedActivationRange(activation, so, zpOut);
  return {
    xnn,
    plan, outputShape: plan.outputShape,
    input1ZeroPoint: tensorZeroPoint(q1), input2ZeroPoint: tensorZeroPoint(q2), outputZeroPoint: zpOut, leftShift,
    input1Multiplier: m1.multiplier, input1Shift: m1.shift, input2Multiplier: m2.multiplier, input2Shift: m2.shift,
    outputMultiplier: mo.multiplier, outputShift: mo.shift, actMin: act.min, actMax: act.max, sign,
  };
}

export function prepareAddInt8(
  shape1: readonly number[], q1: QuantParamsT, shape2: readonly number[], q2: QuantParamsT,
  out: QuantParamsT, activation: FusedActivation, arithmetic: Arithmetic = 'reference',
): AddSubInt8Params {
  return prepareAddSubInt8(shape1, q1, shape2, q2, out, activation, 1, arithmetic);
}

export function addSubInt8(p: AddSubInt8Params, a: Int8Array, b: Int8Array, out: Int8Array): void {
  const { plan, leftShift, sign } = p;
  const lift = 1 << leftShift;
  const { base1, base2, inner, innerStride1: st1, innerStride2: st2 } = plan;
  let o = 0;
  const x = p.xnn;
  if (x) {
    const { aMultiplier, bMultiplier, bias, shift } = x;
    const zp = p.outputZeroPoint;
    for (let r = 0; r < base1.length; r++) {
      const b1 = base1[r];
      const b2 = base2[r];
      for (let i = 0; i < inner; i++) {
        const v = ((bias + a[b1 + i * st1] * aMultiplier + b[b2 + i * st2] * bMultiplier) >> shift) + zp;
        out[o++] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
      }
    }
    return;
  }
  for (let r = 0; r < base1.length; r++) {
    const b1 = base1[r];
    const b2 = base2[r];
    for (let i = 0; i < inner; i++) {
      const x1 = multiplyByQuantizedMultiplier((a[b1 + i * st1] - p.input1ZeroPoint) * lift, p.input1Multiplier, p.input1Shift);
      const x2 = multiplyByQuantizedMultiplier((b[b2 + i * st2] - p.input2ZeroPoint) * lift, p.input2Multiplier, p.input2Shift);
      const raw = sign === 1 ? x1 + x2 : x1 - x2;
      const v = multiplyByQuantizedMultiplier(raw, p.outputMultiplier, p.outputShift) + p.outputZeroPoint;
      out[o++] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
    }
  }
}

export const addInt8 = addSubInt8;

// ---------------------------------------------------------------------------
// float32 (shared by ADD, SUB, MUL)
// ---------------------------------------------------------------------------

export type FloatBinaryOp = 'ADD' | 'SUB' | 'MUL';

export interface BinaryFloatParams {
  plan: BroadcastPlan;
  outputShape: number[];
  op: FloatBinaryOp;
  actMin: number;
  actMax: number;
}

export function prepareBinaryFloat(
  shape1: readonly number[], shape2: readonly number[], op: FloatBinaryOp, activation: FusedActivation,
): BinaryFloatParams {
  const plan = planBroadcast(shape1, shape2);
  const act = floatActivationRange(activation);
  return { plan, outputShape: plan.outputShape, op, actMin: act.min, actMax: act.max };
}

export function binaryFloat(p: BinaryFloatParams, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const { base1, base2, inner, innerStride1: st1, innerStride2: st2 } = p.plan;
  let o = 0;
  for (let r = 0; r < base1.length; r++) {
    const b1 = base1[r];
    const b2 = base2[r];
    for (let i = 0; i < inner; i++) {
      const x = a[b1 + i * st1];
      const y = b[b2 + i * st2];
      // A single float32 op rounded from double equals the float32 op itself.
      const v = Math.fround(p.op === 'ADD' ? x + y : p.op === 'SUB' ? x - y : x * y);
      out[o++] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
    }
  }
}
