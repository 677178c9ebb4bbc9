// TANH. int8: a 256-entry table of float32 tanhf (activations.cc TanhPrepare,
// kGenericOptimized/kReference) — see lut.ts. TFLite expects the output
// quantized with scale 1/128, zero point 0.

import { type LutParams, lutInt8, populateLutInt8 } from './lut.js';
import type { QuantParamsT } from './types.js';

export function prepareTanhInt8(inQ: QuantParamsT, outQ: QuantParamsT): LutParams {
  return populateLutInt8(inQ, outQ, Math.tanh);
}

export const tanhInt8: (p: LutParams, input: Int8Array, output: Int8Array) => void = lutInt8;

export function tanhFloat(input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = Math.tanh(input[i]);
}
