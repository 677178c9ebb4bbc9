// LEAKY_RELU: y = x for x ≥ 0, alpha·x below.
//
// What LiteRT runs (measured with tie-heavy single-op models, see
// test/interpreter/slope-ties.test.ts): its XNNPACK delegate takes int8
// LEAKY_RELU whenever the scale ratios fit XNNPACK's qs8 vlrelu kernel, and
// that kernel is coarse 8-bit fixed point, not a 31-bit multiplier:
//   m+ = rne(256·(s_in/s_out)), m− = rne(256·(s_in/s_out·alpha))   (float32)
//   y  = zp_out + floor(((x − zp_in)·m + 128) / 256)                 (half up)
// with m = m+ for x > zp_in and m− otherwise, saturated to int8. (The wasm
// build computes it as a Q15 rounding multiply of (zp_in − x)·128 by −m: the
// same integer.) Because m is only 8 bits, this differs from TFLite's
// reference on many non-tie inputs too (e.g. 21–40 of 256 codes at ratios
// 0.3, 1, 1.37). The ratios the delegate refuses (s_in/s_out outside
// [2^−8, 2^7], s_in/s_out·alpha outside [−127.996, 2^7] or smaller than 2^−8
// in magnitude) leave the op to TFLite's builtin kernel
// (activations.cc LeakyReluPrepare/QuantizeLeakyRelu): two QuantizeMultiplier'd
// ratios, s_in/s_out and s_in·alpha/s_out, computed in float32, and
// y = zp_out + MultiplyByQuantizedMultiplier(x − zp_in, ·) with gemmlowp's
// double rounding (measured: single rounding differs on 51–64 of 256 codes).
//
// The output depends only on the input code, so prepare tabulates all 256
// codes and eval is a lookup.

import { type FixedPointMultiply, quantizeMultiplier } from '../../../quantize/math.js';
import { fixedPointMultiply } from './requant.js';
import { type LutParams, lutInt8 } from './lut.js';
import { type Arithmetic, rne } from './xnnpack.js';
import { type QuantParamsT, INT8_MAX, INT8_MIN, tensorScale, tensorZeroPoint } from './types.js';

const f32 = Math.fround;

/** XNNPACK's qs8 vlrelu: 8-bit multipliers for each side of the input zero point. */
export interface XnnLeakyRelu {
  kind: 'xnnpack';
  inputZeroPoint: number;
  outputZeroPoint: number;
  positiveMultiplier: number;
  negativeMultiplier: number;
}

/** TFLite's builtin kernel: a fixed-point multiplier for each side. */
export interface FixedLeakyRelu {
  kind: 'fixed';
  inputZeroPoint: number;
  outputZeroPoint: number;
  identityMultiplier: number;
  identityShift: number;
  /** |multiplier| of the negative side; a negative alpha flips the sign of the input instead (same product). */
  alphaMultiplier: number;
  alphaShift: number;
  alphaSign: 1 | -1;
  multiply: FixedPointMultiply;
}

export type LeakyReluInt8Arithmetic = XnnLeakyRelu | FixedLeakyRelu;

/**
 * XNNPACK's 8-bit multipliers, or null when the delegate would refuse the op
 * (the scale ratios its kernel cannot represent).
 */
export function xnnLeakyReluMultipliers(inputScale: number, outputScale: number, alpha: number): { positive: number; negative: number } | null {
  const positive = f32(f32(inputScale) / f32(outputScale));
  const negative = f32(positive * f32(alpha));
  if (!(positive >= 2 ** -8 && positive <= 2 ** 7)) return null;
  if (!(negative <= 2 ** 7 && negative >= -127.99609375 && Math.abs(negative) >= 2 ** -8)) return null;
  // 256·r is exact in float32; lrintf rounds half to even.
  return { positive: rne(256 * positive), negative: rne(256 * negative) };
}

/** Which arithmetic LiteRT (arithmetic 'xnnpack') or TFLite's reference kernel computes this op with. */
export function leakyReluInt8Arithmetic(inQ: QuantParamsT, outQ: QuantParamsT, alpha: number, arithmetic: Arithmetic): LeakyReluInt8Arithmetic {
  const sIn = f32(tensorScale(inQ));
  const sOut = f32(tensorScale(outQ));
  const inputZeroPoint = tensorZeroPoint(inQ);
  const outputZeroPoint = tensorZeroPoint(outQ);
  if (arithmetic === 'xnnpack') {
    const m = xnnLeakyReluMultipliers(sIn, sOut, alpha);
    if (m) return { kind: 'xnnpack', inputZeroPoint, outputZeroPoint, positiveMultiplier: m.positive, negativeMultiplier: m.negative };
  }
  // The C expressions are float products and quotients, widened to double afterwards.
  const identity = quantizeMultiplier(f32(sIn / sOut));
  // TFLite's QuantizeMultiplier is odd-symmetric (frexp and round half away), so |ratio| and a sign suffice.
  const ratio = f32(f32(sIn * f32(alpha)) / sOut);
  const a = quantizeMultiplier(Math.abs(ratio));
  return {
    kind: 'fixed', inputZeroPoint, outputZeroPoint,
    identityMultiplier: identity.multiplier, identityShift: identity.shift,
    alphaMultiplier: a.multiplier, alphaShift: a.shift, alphaSign: ratio < 0 ? -1 : 1,
    // LiteRT's builtin LEAKY_RELU (the delegate's leftovers) rounds twice, like the reference.
    multiply: fixedPointMultiply(arithmetic === 'xnnpack' ? 'reference' : arithmetic),
  };
}

/** One input code → output code; exported so tests can walk the arithmetic. */
export function leakyReluInt8Value(p: LeakyReluInt8Arithmetic, x: number): number {
  const d = x - p.inputZeroPoint;
  let v: number;
  if (p.kind === 'xnnpack') {
    const m = d > 0 ? p.positiveMultiplier : p.negativeMultiplier;
    v = p.outputZeroPoint + Math.floor((d * m + 128) / 256);
  } else {
    v = p.outputZeroPoint + (d >= 0 ? p.multiply(d, p.identityMultiplier, p.identityShift) : p.multiply(p.alphaSign * d, p.alphaMultiplier, p.alphaShift));
  }
  return v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
}

export function prepareLeakyReluInt8(inQ: QuantParamsT, outQ: QuantParamsT, alpha: number, arithmetic: Arithmetic = 'reference'): LutParams {
  const p = leakyReluInt8Arithmetic(inQ, outQ, alpha, arithmetic);
  const table = new Int8Array(256);
  for (let v = INT8_MIN; v <= INT8_MAX; v++) table[v + 128] = leakyReluInt8Value(p, v);
  return { table };
}

export const leakyReluInt8: (p: LutParams, input: Int8Array, output: Int8Array) => void = lutInt8;

export function leakyReluFloat(alpha: number, input: Float32Array, output: Float32Array): void {
  const a = f32(alpha);
  // The product rounds to float32 when stored, as x·alpha does in C.
  for (let i = 0; i < input.length; i++) {
    const x = input[i];
    output[i] = x < 0 ? x * a : x;
  }
}
