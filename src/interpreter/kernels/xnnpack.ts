// XNNPACK's int8 arithmetic, which LiteRT (and TFLite with its default
// XNNPACK delegate on x86 and WebAssembly) runs instead of the reference
// kernels for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL and
// QUANTIZE. It differs from gemmlowp's double-rounding fixed point:
//  - GEMM-like ops requantize in float32 ("fp32" requantization):
//    out = rne(fround(fround(acc) · scale)) + zp, with the per-channel scale
//    computed in float32 as (s_in · s_w) / s_out, rounded to nearest-even.
//  - ADD/SUB use 21-bit multipliers s_i/s_out scaled by 2^shift (shift = 20 −
//    exponent of the larger one), summed with a rounding bias, then an
//    arithmetic right shift (round half up).
//  - Fused activation bounds are quantized as rne(f/s + zp).
// With ordinary scales these agree with the reference except near .5
// boundaries, where the reference's double rounding can land one step off.

import { type ActivationRange, type FusedActivation, INT8_MAX, INT8_MIN } from './types.js';

const f32 = Math.fround;

/** Round half to even (lrintf under the default rounding mode). */
export function rne(x: number): number {
  const r = Math.round(x); // half up
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/** XNNPACK's float32 requantization scale: (s_in · s_w) / s_out, each step in float32. */
export function xnnRequantScale(inputScale: number, weightScale: number, outputScale: number): number {
  return f32(f32(f32(inputScale) * f32(weightScale)) / f32(outputScale));
}

export function xnnRequantScales(inputScale: number, weightScales: ArrayLike<number>, outputScale: number, channels: number): Float32Array {
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) out[c] = xnnRequantScale(inputScale, weightScales.length === 1 ? weightScales[0] : weightScales[c], outputScale);
  return out;
}

/** fp32 requantization of one int32 accumulator, clamped to [lo, hi]. */
export function requantizeFp32(acc: number, scale: number, zp: number, lo: number, hi: number): number {
  const v = rne(f32(f32(acc | 0) * scale)) + zp;
  return v < lo ? lo : v > hi ? hi : v;
}

/** xnn_qs8_quantize: rne(clamp(f/scale + zp)) in float32. */
export function xnnQuantize(value: number, scale: number, zp: number, qmin = INT8_MIN, qmax = INT8_MAX): number {
  let v = f32(f32(f32(value) / f32(scale)) + zp);
  if (!(v >= qmin)) v = qmin;
  if (v > qmax) v = qmax;
  return rne(v);
}

/** Output bounds of a fused activation the way the XNNPACK delegate quantizes them. */
export function xnnActivationRange(activation: FusedActivation, scale: number, zp: number, qmin = INT8_MIN, qmax = INT8_MAX): ActivationRange {
  switch (activation) {
    case 'NONE': return { min: qmin, max: qmax };
    case 'RELU': return { min: xnnQuantize(0, scale, zp, qmin, qmax), max: qmax };
    case 'RELU6': return { min: xnnQuantize(0, scale, zp, qmin, qmax), max: xnnQuantize(6, scale, zp, qmin, qmax) };
    case 'RELU_N1_TO_1': return { min: xnnQuantize(-1, scale, zp, qmin, qmax), max: xnnQuantize(1, scale, zp, qmin, qmax) };
  }
}

/**
 * Whose rounding an int8 kernel reproduces: XNNPACK's fp32 requantization,
 * TFLite's reference kernels (gemmlowp double rounding), or TFLite's builtin
 * kernels built with TFLITE_SINGLE_ROUNDING (what LiteRT runs for ops its
 * delegate leaves alone). The interpreter option offers the first two; the
 * third is picked per op.
 */
export type Arithmetic = 'xnnpack' | 'reference' | 'single-rounding';

/** Bits of a float32 as an unsigned integer. */
const bitsView = new DataView(new ArrayBuffer(4));
export function floatBits(x: number): number {
  bitsView.setFloat32(0, x);
  return bitsView.getUint32(0);
}

export interface XnnAddParams {
  aMultiplier: number;
  bMultiplier: number;
  bias: number;
  shift: number;
}

/** xnn_init_qs8_add_minmax params; `sign` −1 makes it SUB (b's multiplier negated). */
export function xnnAddParams(sa: number, za: number, sb: number, zb: number, so: number, sign: 1 | -1): XnnAddParams {
  const aScale = f32(f32(sa) / f32(so));
  const bScale = f32(f32(sb) / f32(so));
  const maxScale = Math.max(aScale, bScale);
  const exponent = (floatBits(maxScale) >>> 23) - 127;
  const shift = 20 - exponent;
  if (shift < 12 || shift > 30) throw new Error(`input/output scale ratio ${maxScale} is outside what XNNPACK's ADD supports`);
  // Scaling by 2^shift is exact in float32; lrintf rounds to nearest even.
  const aMultiplier = rne(aScale * 2 ** shift);
  const bMultiplier = sign * rne(bScale * 2 ** shift);
  const bias = (1 << (shift - 1)) - aMultiplier * za - bMultiplier * zb;
  return { aMultiplier, bMultiplier, bias, shift };
}
