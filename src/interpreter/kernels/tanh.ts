// TANH. int8: a 256-entry table of float32 tanhf (activations.cc TanhPrepare,
// kGenericOptimized/kReference) — see lut.ts. TFLite expects the output
// quantized with scale 1/128, zero point 0.

import { type LutParams, lutInt8, populateLutInt8 } from './lut.js';
import type { QuantParamsT } from './types.js';

export function prepareTanhInt8(inQ: QuantParamsT, outQ: QuantParamsT): LutParams {
  return populateLutInt8(inQ, outQ, Math.tanh);
}

export const tanhInt8: (p: LutParams, input: Int8Array, output: Int8Array) => void = lutInt8;

// XNNPACK's f32 tanh (its wasm SIMD rational 9/8 kernel), which LiteRT
// runs for float32 TANH: x clamped to ±X_MAX (past it the quotient is
// ±1), then p(x)/q(x) with p odd of degree 9 and q even of degree 8, both
// by Horner in x², each multiply-add unfused (wasm SIMD has no FMA) and
// rounded to float32, and one float32 division.
const f32 = Math.fround;
const X_MAX = f32(7.8522667885);
const ALPHA = [f32(1.4248920266e-8), f32(2.1235626264e-5), f32(3.5330520477e-3), f32(1.3412411511e-1), 1];
const BETA = [f32(8.1365948290e-7), f32(3.3472978976e-4), f32(2.6018999517e-2), f32(4.6745735407e-1), 1];

function horner(coefficients: readonly number[], x2: number): number {
  let v = coefficients[0]!;
  for (let k = 1; k < coefficients.length; k++) v = f32(f32(x2 * v) + coefficients[k]!);
  return v;
}

export function tanhFloatValue(input: number): number {
  const x = Math.max(-X_MAX, Math.min(X_MAX, input));
  const x2 = f32(x * x);
  return f32(f32(x * horner(ALPHA, x2)) / horner(BETA, x2));
}

export function tanhFloat(input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = tanhFloatValue(input[i]!);
}
