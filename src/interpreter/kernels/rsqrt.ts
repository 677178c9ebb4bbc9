// RSQRT: 1/√x.
//
// int8: TFLite's builtin kernel (elementwise.cc) maps each code through
// integer arithmetic: v = q − zp_in (v = 0 gives 127; v < 0 is an error);
// 1/√v comes from GetInvSqrtQuantizedMultiplierExp — v normalised into
// [2^27, 2^29) by bit pairs, five Newton–Raphson steps in gemmlowp
// FixedPoint<int32, 3> (x ← 1.5·x − (v/2)·x³, every product a rounding
// doubling high-mul, every rescale a saturating shift), times √2/2 — then
// two fixed-point multiplies: by 1 with shift + 20, and by the multiplier of
// 1/(√s_in · s_out) with shift − 20, both gemmlowp style (two roundings).
// LiteRT runs exactly this: every code of 8 scale pairs (2,020 codes) agreed,
// while rounding those multiplies once (TFLITE_SINGLE_ROUNDING) missed 2 and
// a float32 table rounded half even (what XNNPACK would build) missed 3.
// The rejected rules stay selectable (`rule`) for the tie test.
// Only 256 inputs exist, so the kernel is a lookup table built at prepare.
// float32: 1/√x in float32 (Math.sqrt is correctly rounded, as sqrtf is).

import {
  type FixedPointMultiply, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingleRounding, quantizeMultiplier,
  roundingDivideByPOT, saturatingRoundingDoublingHighMul,
} from '../../../quantize/math.js';
import { type QuantParamsT, INT8_MAX, INT8_MIN, tensorScale, tensorZeroPoint } from './types.js';
import { rne } from './xnnpack.js';

const f32 = Math.fround;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

export type RsqrtRule = 'builtin' | 'builtin-single' | 'float';

export const RSQRT_RULE: RsqrtRule = 'builtin';

/** gemmlowp SaturatingRoundingMultiplyByPOT for a positive exponent: a left shift that saturates. */
function saturatingShiftLeft(x: number, exponent: number): number {
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x * 2 ** exponent;
}

/** TFLite's GetInvSqrtQuantizedMultiplierExp with reverse shift −1: 1/√v ≈ multiplier · 2^(shift − 31). */
export function invSqrtMultiplier(v: number): { multiplier: number; shift: number } {
  if (v <= 1) return { multiplier: INT32_MAX, shift: 0 };
  let shift = 11;
  while (v >= 2 ** 29) {
    v = Math.trunc(v / 4);
    shift++;
  }
  const maxLeftShiftBits = Math.clz32(v) - 1;
  const pairs = Math.floor(maxLeftShiftBits / 2) - 1;
  shift -= pairs;
  v *= 4 ** pairs;
  const mul = saturatingRoundingDoublingHighMul;
  const input = v >> 1; // F3 raw
  const halfInput = roundingDivideByPOT(input, 1);
  const halfThree = (1 << 28) + (1 << 27); // 1.5 in F3
  let x = 1 << 28; // 1 in F3
  for (let i = 0; i < 5; i++) {
    // x·x·x is F9; Rescale<3> shifts left by 6. The difference of two F6 values shifts left by 3.
    const x3 = saturatingShiftLeft(mul(mul(x, x), x), 6);
    x = saturatingShiftLeft((mul(halfThree, x) - mul(halfInput, x3)) | 0, 3);
  }
  let m = mul(x, 1518500250); // × √2/2 in F0
  if (shift < 0) {
    m = (m * 2 ** -shift) | 0;
    shift = 0;
  }
  return { multiplier: m, shift: -shift };
}

export interface RsqrtInt8Params {
  /** Output code for input code q at index q + 128. */
  table: Int8Array;
  /** Input codes below the zero point (negative reals), which TFLite refuses at run time. */
  minCode: number;
}

export function prepareRsqrtInt8(input: QuantParamsT, output: QuantParamsT, rule: RsqrtRule = RSQRT_RULE): RsqrtInt8Params {
  const sIn = f32(tensorScale(input));
  const sOut = f32(tensorScale(output));
  const zIn = tensorZeroPoint(input);
  const zOut = tensorZeroPoint(output);
  const { multiplier, shift } = quantizeMultiplier(1 / (Math.sqrt(sIn) * sOut));
  const multiply: FixedPointMultiply = rule === 'builtin-single' ? multiplyByQuantizedMultiplierSingleRounding : multiplyByQuantizedMultiplier;
  const table = new Int8Array(256);
  for (let q = INT8_MIN; q <= INT8_MAX; q++) {
    const v = q - zIn;
    let out: number;
    if (v <= 0) {
      out = INT8_MAX;
    } else if (rule === 'float') {
      out = rne(f32(f32(f32(1 / f32(Math.sqrt(f32(v * sIn)))) / sOut) + zOut));
    } else {
      const inv = invSqrtMultiplier(v);
      const data = multiply(1, inv.multiplier, inv.shift + 20);
      out = multiply(data, multiplier, shift - 20) + zOut;
    }
    table[q + 128] = out < INT8_MIN ? INT8_MIN : out > INT8_MAX ? INT8_MAX : out;
  }
  return { table, minCode: zIn };
}

export function rsqrtInt8(p: RsqrtInt8Params, input: Int8Array, output: Int8Array): void {
  const { table } = p;
  for (let i = 0; i < input.length; i++) {
    const q = input[i]!;
    if (q < p.minCode) throw new Error(`RSQRT got code ${q}, below the input zero point ${p.minCode} (a negative value); it is only defined for positive values`);
    output[i] = table[q + 128]!;
  }
}

export function rsqrtFloat(_p: null, input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = 1 / f32(Math.sqrt(input[i]!));
}
