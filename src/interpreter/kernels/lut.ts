// 8-bit lookup tables for elementwise activations, built the way TFLite's
// LUTPopulate/PopulateLookupTable does: for every input code,
// dequantize in float32, apply the float32 function, multiply by 1/s_out
// (float32), round half away from zero, add zp_out, clamp. Eval is then a
// pure table lookup — exactly what the builtin int8 LOGISTIC/TANH run.

import { type QuantParamsT, INT8_MAX, INT8_MIN, roundHalfAwayF32, tensorScale, tensorZeroPoint } from './types.js';

const f32 = Math.fround;

export interface LutParams {
  /** table[x + 128] is the output code for input code x. */
  table: Int8Array;
}

export function populateLutInt8(inQ: QuantParamsT, outQ: QuantParamsT, fn: (x: number) => number): LutParams {
  const sIn = f32(tensorScale(inQ));
  const zpIn = tensorZeroPoint(inQ);
  const inv = f32(1 / f32(tensorScale(outQ)));
  const zpOut = tensorZeroPoint(outQ);
  const table = new Int8Array(256);
  for (let v = INT8_MIN; v <= INT8_MAX; v++) {
    const x = f32(sIn * (v - zpIn));
    const y = f32(fn(x));
    const q = roundHalfAwayF32(f32(y * inv)) + zpOut;
    table[v + 128] = q < INT8_MIN ? INT8_MIN : q > INT8_MAX ? INT8_MAX : q;
  }
  return { table };
}

export function lutInt8(p: LutParams, input: Int8Array, output: Int8Array): void {
  const t = p.table;
  for (let i = 0; i < input.length; i++) output[i] = t[input[i] + 128];
}
