// HARD_SWISH. int8 follows reference_ops::HardSwish (reference/hard_swish.h)
// with the parameters of activations.cc HardSwishPrepare: the input is lifted
// to a "hires" scale s_in/128, an int16 output multiplier s_in/128/s_out and
// an int16 "reluish" multiplier s_in/128/(3/32768) are derived in float32,
// QuantizeMultiplier'd and rounded down to Q15. The per-element work is
// 16-bit fixed point: output = x·relu6(x+3)/6 with gemmlowp's rounding
// high-mul for the rescales and the truncating (SQDMULH-like) high-mul for
// the final product.

import {
  downScaleInt32ToInt16Multiplier, quantizeMultiplier, roundingDivideByPOT, saturatingDoublingHighMulInt16,
  saturatingLeftShiftInt16, saturatingRoundingDoublingHighMulInt16, toInt16,
} from '../../../quantize/math.js';
import { type QuantParamsT, INT8_MAX, INT8_MIN, tensorScale, tensorZeroPoint } from './types.js';

const f32 = Math.fround;

export interface HardSwishInt8Params {
  inputZeroPoint: number;
  outputZeroPoint: number;
  outputMultiplier16: number;
  outputExponent: number;
  reluishMultiplier16: number;
  reluishExponent: number;
}

export function prepareHardSwishInt8(inQ: QuantParamsT, outQ: QuantParamsT): HardSwishInt8Params {
  const hires = f32(f32(1 / 128) * f32(tensorScale(inQ)));
  const outMul = quantizeMultiplier(f32(hires / f32(tensorScale(outQ))));
  if (outMul.shift > 0) throw new Error('HARD_SWISH output scale is too small relative to the input scale (TFLite requires exponent ≤ 0)');
  const reluMul = quantizeMultiplier(f32(hires / f32(3 / 32768)));
  return {
    inputZeroPoint: tensorZeroPoint(inQ), outputZeroPoint: tensorZeroPoint(outQ),
    outputMultiplier16: downScaleInt32ToInt16Multiplier(outMul.multiplier), outputExponent: outMul.shift,
    reluishMultiplier16: downScaleInt32ToInt16Multiplier(reluMul.multiplier), reluishExponent: reluMul.shift,
  };
}

/** One element; exported so tests can walk the arithmetic. */
export function hardSwishInt8Value(p: HardSwishInt8Params, x: number): number {
  const inputValue = toInt16(x - p.inputZeroPoint);
  const hires = toInt16(inputValue * 128);
  const preshiftOutput = saturatingRoundingDoublingHighMulInt16(hires, p.outputMultiplier16);
  let reluish = hires;
  if (p.reluishExponent > 0) reluish = saturatingLeftShiftInt16(reluish, p.reluishExponent - 1);
  reluish = saturatingRoundingDoublingHighMulInt16(reluish, p.reluishMultiplier16);
  if (p.reluishExponent > 0) reluish = saturatingLeftShiftInt16(reluish, 1);
  if (p.reluishExponent < 0) reluish = roundingDivideByPOT(reluish, -p.reluishExponent);
  // [-1, 1] in Q15 → [0, 1].
  reluish = toInt16((reluish + (1 << 15)) >> 1);
  const preshift = saturatingDoublingHighMulInt16(reluish, preshiftOutput);
  let out = toInt16(roundingDivideByPOT(preshift, -p.outputExponent));
  out = toInt16(out + p.outputZeroPoint);
  return out < INT8_MIN ? INT8_MIN : out > INT8_MAX ? INT8_MAX : out;
}

export interface HardSwishLut {
  table: Int8Array;
}

/**
 * The per-element arithmetic depends only on the int8 code, so prepare runs
 * it once for all 256 codes; eval is a lookup (same results, integer-only).
 */
export function prepareHardSwishInt8Lut(inQ: QuantParamsT, outQ: QuantParamsT): HardSwishLut {
  const p = prepareHardSwishInt8(inQ, outQ);
  const table = new Int8Array(256);
  for (let v = INT8_MIN; v <= INT8_MAX; v++) table[v + 128] = hardSwishInt8Value(p, v);
  return { table };
}

export function hardSwishInt8(p: HardSwishLut, input: Int8Array, output: Int8Array): void {
  const t = p.table;
  for (let i = 0; i < input.length; i++) output[i] = t[input[i] + 128];
}

/** f32(1/6), the multiplier XNNPACK's f32 hswish uses instead of a division. */
const SIXTH = Math.fround(1 / 6);

/**
 * XNNPACK's f32 hswish (wasm SIMD), which LiteRT runs: min(max(x·f32(1/6) + 0.5, 0), 1)·x,
 * the multiply-add unfused (wasm SIMD has no FMA), each step rounded to float32.
 */
export function hardSwishFloat(input: Float32Array, output: Float32Array): void {
  const f32 = Math.fround;
  for (let i = 0; i < input.length; i++) {
    const x = input[i];
    output[i] = f32(Math.min(1, Math.max(0, f32(f32(x * SIXTH) + 0.5))) * x);
  }
}
