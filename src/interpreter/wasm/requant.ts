// int8 requantization inside the wasm kernels: XNNPACK's fp32 scheme, bit for
// bit what kernels/xnnpack.ts requantizeFp32 computes:
//   f = f32(acc) · scale (float32 multiply, round to nearest even)
//   r = nearest(f)                      (round half to even, = lrintf)
//   out = clamp(r, lo − zp, hi − zp) + zp, narrowed to int8
// f is clamped before rounding (the bounds are integers, so this is the
// same) and rounded with the magic-number trick: for |f| < 2^22 the float32
// sum f + 1.5·2^23 rounds half to even onto an integer whose bit pattern is
// 0x4B400000 + r, so one float add and one integer subtract (of
// 0x4B400000 − zp) give r + zp. pmin/pmax (one instruction each on x86; f is
// never NaN) replace min/max, and the add replaces nearest + trunc_sat, which
// V8 lowers to long instruction sequences.

import { type Expr, FunctionBuilder, get, i32, if_, load, op, set, storeLane, v128zero } from './encoder.js';

/** Output channels requantized and stored together. */
const LANES = 8;

/** Requantize an i32x4 of accumulators with a float32x4 scale into int32 lanes (zp added, clamped). */
function requantize(acc: Expr, scale: Expr, rq: RequantLocals): Expr {
  const f = op('f32x4.mul', op('f32x4.convert_i32x4_s', acc), scale);
  const clamped = op('f32x4.pmin', op('f32x4.pmax', f, get(rq.vlo)), get(rq.vhi));
  return op('i32x4.sub', op('f32x4.add', clamped, get(rq.vmagic)), get(rq.vzp));
}

/** 1.5·2^23 and its float32 bit pattern: adding it rounds |f| < 2^22 to an integer in the low mantissa bits. */
const MAGIC = 12582912;
const MAGIC_BITS = 0x4b400000;

/** Locals holding 0x4B400000 − zp (i32x4), the magic number (f32x4), and lo − zp, hi − zp (f32x4). */
export type RequantLocals = Record<'vzp' | 'vmagic' | 'vlo' | 'vhi', number>;

/** Splat the magic constants and the clamp bounds (lo − zp, hi − zp as float32) once per call. */
export function requantConstants(f: FunctionBuilder, zp: number, lo: number, hi: number): RequantLocals & { init: Expr[] } {
  const [vzp, vmagic, vlo, vhi] = f.locals('v128', 4);
  return {
    vzp, vmagic, vlo, vhi,
    init: [
      set(vzp, op('i32x4.splat', op('i32.sub', i32(MAGIC_BITS), get(zp)))),
      set(vmagic, op('f32x4.splat', op('f32.convert_i32_s', i32(MAGIC)))),
      set(vlo, op('f32x4.splat', op('f32.convert_i32_s', op('i32.sub', get(lo), get(zp))))),
      set(vhi, op('f32x4.splat', op('f32.convert_i32_s', op('i32.sub', get(hi), get(zp))))),
    ],
  };
}

/**
 * Requantizes 8 channels (acc0 | acc1, scales at `scaleAt`) to int8 and
 * stores them at `dst`: all 8 when `rem` ≥ 8, else only the first `rem`.
 */
export function storeRequantized8(rq: RequantLocals, acc0: number, acc1: number, scaleAt: Expr, dst: Expr,
  v: number, rem: number): Expr[] {
  const q = op('i8x16.narrow_i16x8_s', op('i16x8.narrow_i32x4_s',
    requantize(get(acc0), load('v128.load', scaleAt), rq),
    requantize(get(acc1), load('v128.load', scaleAt, 16), rq)), v128zero);
  const tail: Expr[] = [];
  for (let lane = 0; lane < LANES - 1; lane++) {
    tail.push(if_(op('i32.gt_s', get(rem), i32(lane)), [storeLane('v128.store8_lane', dst, get(v), lane, lane)]));
  }
  return [set(v, q), if_(op('i32.ge_s', get(rem), i32(LANES)), [storeLane('v128.store64_lane', dst, get(v), 0)], tail)];
}
