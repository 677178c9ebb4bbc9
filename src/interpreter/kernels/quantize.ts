// QUANTIZE. float→int8/uint8 follows reference_ops::AffineQuantize:
// q = round(x / (float)scale) in float32, half away from zero, + zp, clamped.
// int8/uint8→int8/uint8 follows quantize.cc Prepare (multiplier from
// (double)s_in/(double)s_out) and reference_ops::Requantize:
// MBQM(x − zp_in) + zp_out, clamped to the output type.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type QuantParamsT, roundHalfAwayF32, tensorScale, tensorZeroPoint } from './types.js';

const f32 = Math.fround;

export type Int8OrUint8 = Int8Array | Uint8Array;

function typeRange(out: Int8OrUint8): [number, number] {
  return out instanceof Int8Array ? [-128, 127] : [0, 255];
}

export interface QuantizeParams {
  scale: number;
  zeroPoint: number;
}

export function prepareQuantize(outQ: QuantParamsT): QuantizeParams {
  if (outQ.scale.length !== 1) throw new Error('QUANTIZE supports per-tensor output quantization only (as TFLite does)');
  return { scale: f32(tensorScale(outQ)), zeroPoint: tensorZeroPoint(outQ) };
}

export function quantizeFloat(p: QuantizeParams, input: Float32Array, output: Int8OrUint8): void {
  const [lo, hi] = typeRange(output);
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
}

export function prepareRequantize(inQ: QuantParamsT, outQ: QuantParamsT): RequantizeParams {
  const m = quantizeMultiplier(f32(tensorScale(inQ)) / f32(tensorScale(outQ)));
  return { inputZeroPoint: tensorZeroPoint(inQ), outputZeroPoint: tensorZeroPoint(outQ), multiplier: m.multiplier, shift: m.shift };
}

export function requantize(p: RequantizeParams, input: Int8OrUint8, output: Int8OrUint8): void {
  const [lo, hi] = typeRange(output);
  for (let i = 0; i < input.length; i++) {
    const v = multiplyByQuantizedMultiplier(input[i] - p.inputZeroPoint, p.multiplier, p.shift) + p.outputZeroPoint;
    output[i] = v < lo ? lo : v > hi ? hi : v;
  }
}
