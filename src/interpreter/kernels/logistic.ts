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

// XNNPACK's f32 sigmoid (its wasm SIMD rr2-p5-div kernel), which LiteRT runs
// for float32 LOGISTIC: with z = |x|, e^−z = 2^n·e^−t where n = round(−z/ln 2)
// (by a magic-bias addition) and t = z + n·ln 2 (ln 2 in two parts); e^−t by
// a degree-5 polynomial; f = e^−z/(1 + e^−z), 0 once e^−z underflows, and
// 1 − f for x ≥ 0. Every step is a separate float32 multiply or add.
const MAGIC_BIAS = f32(0x18000fe * 2 ** -1);
const MINUS_LOG2E = f32(-0x1715476 * 2 ** -24);
const LN2_HI = f32(0x162e400 * 2 ** -25);
const LN2_LO = f32(0x17f7d1c * 2 ** -44);
const C5 = f32(-0x10f9f9c * 2 ** -31);
const C4 = f32(0x1573a1a * 2 ** -29);
const C3 = f32(-0x1555a80 * 2 ** -27);
const C2 = f32(0x1fffdc6 * 2 ** -26);
const C1 = f32(-0x1fffff6 * 2 ** -25);
const DENORM_CUTOFF = f32(0x15d589e * 2 ** -18);

const bits = new Float32Array(1);
const bitsInt = new Int32Array(bits.buffer);

/** The float32 whose bits are those of `n` shifted left by 23: 2^n for a magic-biased n. */
function exponentOf(n: number): number {
  bits[0] = n;
  bitsInt[0] = bitsInt[0]! << 23;
  return bits[0]!;
}

/**
 * XNNPACK's e^−z for z ≥ 0 (before the underflow cutoff), float32 step by
 * step. Its softmax computes e^x, x ≤ 0, with the same steps mirrored in
 * sign, which round to the same float32 values (round to nearest even is
 * symmetric), so it is this at z = −x.
 */
export function xnnExpMinus(z: number): number {
  let n = f32(f32(z * MINUS_LOG2E) + MAGIC_BIAS);
  const s = exponentOf(n);
  n = f32(n - MAGIC_BIAS);
  let t = f32(f32(n * LN2_HI) + z);
  t = f32(f32(n * LN2_LO) + t);
  let p = f32(f32(t * C5) + C4);
  p = f32(f32(t * p) + C3);
  p = f32(f32(t * p) + C2);
  p = f32(f32(t * p) + C1);
  t = f32(t * s);
  return f32(f32(t * p) + s);
}

/** Above this z, XNNPACK's e^−z is flushed to 0. */
export const XNN_EXP_CUTOFF = DENORM_CUTOFF;

export function logisticFloatValue(x: number): number {
  const z = Math.abs(x);
  const e = xnnExpMinus(z);
  let f = f32(e / f32(e + 1));
  if (z > DENORM_CUTOFF) f = 0;
  // The sign bit decides (−0 counts as negative), as the kernel's lane select does.
  return x < 0 || Object.is(x, -0) ? f : f32(1 - f);
}

export function logisticFloat(input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = logisticFloatValue(input[i]!);
}
