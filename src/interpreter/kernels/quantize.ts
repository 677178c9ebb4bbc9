// QUANTIZE. float→int8/uint8 follows reference_ops::AffineQuantize:
// q = round(x / (float)scale) in float32, half away from zero, + zp, clamped.
// int8/uint8→int8/uint8 follows quantize.cc Prepare (multiplier from
// (double)s_in/(double)s_out) and reference_ops::Requantize:
// MBQM(x − zp_in) + zp_out, clamped to the output type.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type QuantParamsT, roundHalfAwayF32, tensorScale, tensorZeroPoint } from './types.js';
import { type Arithmetic, rne } from './xnnpack.js';

const f32 = Math.fround;

export type Int8OrUint8 = Int8Array | Uint8Array;

function typeRange(out: Int8OrUint8): [number, number] {
  return out instanceof Int8Array ? [-128, 127] : [0, 255];
}

export interface QuantizeParams {
  scale: number;
  zeroPoint: number;
  /** XNNPACK arithmetic: multiply by the float32 reciprocal and round half to even (null: TFLite reference). */
  inverse: number | null;
}

export function prepareQuantize(outQ: QuantParamsT, arithmetic: Arithmetic = 'reference'): QuantizeParams {
  if (outQ.scale.length !== 1) throw new Error('QUANTIZE supports per-tensor output quantization only (as TFLite does)');
  const scale = f32(tensorScale(outQ));
  return { scale, zeroPoint: tensorZeroPoint(outQ), inverse: arithmetic === 'xnnpack' ? f32(1 / scale) : null };
}

export function quantizeFloat(p: QuantizeParams, input: Float32Array, output: Int8OrUint8): void {
  const [lo, hi] = typeRange(output);
  if (p.inverse !== null) {
    const inv = p.inverse;
    for (let i = 0; i < input.length; i++) {
      const q = rne(f32(input[i] * inv)) + p.zeroPoint;
      output[i] = q >= hi ? hi : q >= lo ? q : lo;
    }
    return;
  }
  for (let i = 0; i < input.length; i++) {
    const q = roundHalfAwayF32(f32(input[i] / p.scale)) + p.zeroPoint;
    // NaN compares false both ways; C's double→int8 cast of NaN is undefined, we write lo.
    output[i] = q >= hi ? hi : q >= lo ? q : lo;
  }
}

export interface RequantizeParams {
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  /** XNNPACK's qs8/qu8 convert: 8-bit fraction multiplier and rounding bias (null: TFLite reference). */
  xnn: { multiplier: number; bias: number } | null;
}

export function prepareRequantize(inQ: QuantParamsT, outQ: QuantParamsT, arithmetic: Arithmetic = 'reference'): RequantizeParams {
  const ratio = f32(f32(tensorScale(inQ)) / f32(tensorScale(outQ)));
  const m = quantizeMultiplier(f32(tensorScale(inQ)) / f32(tensorScale(outQ)));
  const zpIn = tensorZeroPoint(inQ);
  const zpOut = tensorZeroPoint(outQ);
  let xnn: RequantizeParams['xnn'] = null;
  if (arithmetic === 'xnnpack' && ratio >= 2 ** -8 && ratio <= 2 ** 7) {
    const multiplier = rne(256 * ratio);
    xnn = { multiplier, bias: zpOut * 256 - multiplier * zpIn + 0x80 };
  }
  return { inputZeroPoint: zpIn, outputZeroPoint: zpOut, multiplier: m.multiplier, shift: m.shift, xnn };
}

export function requantize(p: RequantizeParams, input: Int8OrUint8, output: Int8OrUint8): void {
  const [lo, hi] = typeRange(output);
  if (p.xnn) {
    const { multiplier, bias } = p.xnn;
    for (let i = 0; i < input.length; i++) {
      const v = (bias + input[i] * multiplier) >> 8;
      output[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return;
  }
  for (let i = 0; i < input.length; i++) {
    const v = multiplyByQuantizedMultiplier(input[i] - p.inputZeroPoint, p.multiplier, p.shift) + p.outputZeroPoint;
    output[i] = v < lo ? lo : v > hi ? hi : v;
  }
}
