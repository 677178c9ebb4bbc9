// One-row int8 GEMM (a FULLY_CONNECTED at batch 1) on the wasm kernels. The
// tiled GEMM broadcasts each depth pair of a row across 4 columns, one
// shuffle per pair and tile half; with a single row nothing shares that
// shuffle. Here the weights are packed column-major within each 8-column
// block, [⌈n/8⌉][k8][8 columns][8 depth], so one widened 8-value load of
// the row serves all 8 columns: per column and depth step one weight load,
// one i32x4.dot_i16x8_s and one add into that column's 4 partial sums,
// which are folded together once at the end of the depth loop. Same int32
// sums as the tiled GEMM (integer additions, wrapping), same requantization.

import { type Expr, FunctionBuilder, brIf, get, i32, load, loop, op, set, shuffle32, store, tee } from './encoder.js';
import { requantConstants, storeRequantized8 } from './requant.js';

/** Columns per block and depth values per step. */
export const GEMV_NR = 8;
export const GEMV_KR = 8;

const add32 = (a: Expr, b: Expr): Expr => op('i32.add', a, b);

/** [a, b, c, d] of four i32x4 partial sums a, b, c, d: each column's 4 lanes added. */
function fold4(a: number, b: number, c: number, d: number): Expr {
  const pairs = (x: number, y: number): Expr => op('i32x4.add',
    shuffle32(get(x), get(y), [0, 4, 1, 5]), shuffle32(get(x), get(y), [2, 6, 3, 7]));
  const lo = pairs(a, b);
  const hi = pairs(c, d);
  // lo = [a0+a2, b0+b2, a1+a3, b1+b3], hi likewise for c, d.
  return op('i32x4.add', shuffle32(lo, hi, [0, 1, 4, 5]), shuffle32(lo, hi, [2, 3, 6, 7]));
}

/**
 * gemv_q8(x, k8, w, n, bias, out, scale, zp, lo, hi): int8 out[n] =
 * requant(x · Wᵀ + bias); gemv_i32(x, k8, w, n, bias, out): int32
 * out[⌈n/8⌉·8] = x · Wᵀ + bias. x is read for k8·8 bytes (up to 7 past k,
 * against zero weights).
 */
export function gemvKernel(mode: 'q8' | 'i32'): FunctionBuilder {
  const q8 = mode === 'q8';
  const params = q8 ? ['x', 'k8', 'w', 'n', 'bias', 'out', 'scale', 'zp', 'lo', 'hi'] : ['x', 'k8', 'w', 'n', 'bias', 'out'];
  const f = FunctionBuilder.i32(`gemv_${mode}`, params);
  const [x, k8, w, n, bias, out, scale, zp, lo, hi] = f.paramLocals();
  const [n0, xp, wp, kk, rem] = f.locals('i32', 5);
  const acc = f.locals('v128', GEMV_NR);
  const [xv, s0, s1, v] = f.locals('v128', 4);
  const rq = q8 ? requantConstants(f, zp!, lo!, hi!) : null;

  const depthStep: Expr[] = [set(xv, load('v128.load8x8_s', get(xp)))];
  for (let c = 0; c < GEMV_NR; c++) {
    depthStep.push(set(acc[c]!, op('i32x4.add', get(acc[c]!), op('i32x4.dot_i16x8_s', get(xv), load('v128.load8x8_s', get(wp), c * GEMV_KR)))));
  }
  depthStep.push(
    set(xp, add32(get(xp), i32(GEMV_KR))),
    set(wp, add32(get(wp), i32(GEMV_NR * GEMV_KR))),
    brIf(0, tee(kk, op('i32.sub', get(kk), i32(1)))),
  );

  const biasAt = add32(get(bias!), op('i32.shl', get(n0), i32(2)));
  const sums = [
    set(s0, op('i32x4.add', fold4(acc[0]!, acc[1]!, acc[2]!, acc[3]!), load('v128.load', biasAt))),
    set(s1, op('i32x4.add', fold4(acc[4]!, acc[5]!, acc[6]!, acc[7]!), load('v128.load', biasAt, 16))),
  ];
  const emit = rq
    ? [set(rem, op('i32.sub', get(n!), get(n0))),
      ...storeRequantized8(rq, s0, s1, add32(get(scale!), op('i32.shl', get(n0), i32(2))), add32(get(out!), get(n0)), v, rem)]
    : [store('v128.store', add32(get(out!), op('i32.shl', get(n0), i32(2))), get(s0)),
      store('v128.store', add32(get(out!), op('i32.shl', get(n0), i32(2))), get(s1), 16)];

  f.emit(
    ...(rq ? rq.init : []),
    set(n0, i32(0)),
    set(wp, get(w!)),
    loop(
      ...acc.map((a) => set(a, op('i32x4.splat', i32(0)))),
      set(xp, get(x!)),
      set(kk, get(k8!)),
      loop(...depthStep),
      ...sums,
      ...emit,
      brIf(0, op('i32.lt_s', tee(n0, add32(get(n0), i32(GEMV_NR))), get(n!))),
    ),
  );
  return f;
}

export type GemvQ8 = (x: number, k8: number, w: number, n: number, bias: number, out: number,
  scale: number, zp: number, lo: number, hi: number) => void;
export type GemvI32 = (x: number, k8: number, w: number, n: number, bias: number, out: number) => void;
