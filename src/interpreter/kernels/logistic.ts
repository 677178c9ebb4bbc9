// LOGISTIC. int8: TFLite builds a 256-entry table with
// 1.0f / (1.0f + expf(−x)) in float32 (activations.cc SigmoidPrepare,
// kGenericOptimized/kReference) — see lut.ts. TFLite expects the output
// quantized with scale 1/256, zero point −128.

import { type LutParams, lutInt8, populateLutInt8 } from './lut.js';
import type { QuantParamsT } from './types.js';

const f32 = Math.fround;

export function prepareLogisticInt8(inQ: QuantParamsT, outQ: QuantParamsT): LutParams {
  return populateLutInt8(inQ, outQ, (x) => f32(1 / f32(1 + f32(Math.exp(-x)))));
}

export const logisticInt8: (p: LutParams, input: Int8Array, output: Int8Array) => void = lutInt8;

export function logisticFloat(input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = 1 / (1 + Math.exp(-input[i]));
}
