// RELU / RELU6 as standalone ops. int8 follows activations.cc ReluPrepare
// (multiplier s_in/s_out via QuantizeMultiplier) and QuantizedReluX:
// clamp(zp_out + MBQM(x − zp_in)) to [q(0), q(6)] computed like a fused
// activation's range.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type QuantParamsT, quantizedActivationRange, tensorScale, tensorZeroPoint } from './types.js';

export interface ReluInt8Params {
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
}

export function prepareReluInt8(inQ: QuantParamsT, outQ: QuantParamsT, kind: 'RELU' | 'RELU6'): ReluInt8Params {
  const so = Math.fround(tensorScale(outQ));
  const m = quantizeMultiplier(Math.fround(tensorScale(inQ)) / so);
  const zpOut = tensorZeroPoint(outQ);
  const act = quantizedActivationRange(kind, so, zpOut);
  return { inputZeroPoint: tensorZeroPoint(inQ), outputZeroPoint: zpOut, multiplier: m.multiplier, shift: m.shift, actMin: act.min, actMax: act.max };
}

export function reluInt8(p: ReluInt8Params, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < input.length; i++) {
    const v = p.outputZeroPoint + multiplyByQuantizedMultiplier(input[i] - p.inputZeroPoint, p.multiplier, p.shift);
    output[i] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
  }
}

export function reluFloat(input: Float32Array, output: Float32Array, max: number): void {
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    output[i] = v < 0 ? 0 : v > max ? max : v;
  }
}
