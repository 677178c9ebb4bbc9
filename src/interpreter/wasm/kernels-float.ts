// float32 kernels of the interpreter's WebAssembly module: the GEMM behind
// float CONV_2D and FULLY_CONNECTED, and depthwise convolution. Same memory
// conventions as the int8 kernels (kernels.ts): byte addresses, 16-byte
// over-reads and over-writes into the arena's slack allowed.
//
// Arithmetic is float32 throughout: each product rounded, then added in the
// order of the reduction (taps in im2col order), then the bias, then the
// clamp — float32 rounding like LiteRT's kernels, not JS's doubles.

import {
  type Expr, FunctionBuilder, block, brIf, get, i32, if_, load, loop, op, set, store, storeLane, tee,
} from './encoder.js';

/** Rows per float GEMM micro-tile: gemm_f32_1..gemm_f32_MAX_MR_F32 are emitted. */
export const MAX_MR_F32 = 4;
/** Output columns per float micro-tile (two f32x4): packed weights come in blocks of NR_F32 columns. */
export const NR_F32 = 8;

const add32 = (a: Expr, b: Expr): Expr => op('i32.add', a, b);
const mul32 = (a: Expr, b: Expr): Expr => op('i32.mul', a, b);

/** Stores the first `rem` (< 8) float lanes of lo|hi at dst. */
function storePartial(dst: Expr, lo: number, hi: number, rem: number): Expr[] {
  const stores: Expr[] = [];
  for (let j = 0; j < NR_F32; j++) {
    const v = j < 4 ? lo : hi;
    stores.push(if_(op('i32.gt_s', get(rem), i32(j)), [storeLane('v128.store32_lane', dst, get(v), j % 4, 4 * j)]));
  }
  return stores;
}

/**
 * C[rows × n] = clamp(A[rows × k] · Wᵀ + bias, lo, hi) in float32, MR rows
 * by 8 columns per tile. A rows are `aStride` bytes apart; W is packed
 * [⌈n/8⌉][k][8] floats (zero past n), bias [⌈n/8⌉·8]. C rows are
 * `outStride` bytes apart; columns past n are not written.
 */
function gemmF32(mr: number): FunctionBuilder {
  const names = ['a', 'aStride', 'rows', 'k', 'w', 'n', 'bias', 'out', 'outStride'];
  const f = new FunctionBuilder(`gemm_f32_${mr}`, [...names.map(() => 'i32' as const), 'f32', 'f32']);
  const [a, aStride, rows, k, w, n, bias, out, outStride, lo, hi] = [...names, 'lo', 'hi'].map((_, i) => i) as number[];
  const [m, row, wp, bp, n0, kk, rem] = f.locals('i32', 7);
  const ar = f.locals('i32', mr);
  const cr = f.locals('i32', mr);
  const ap = f.locals('i32', mr);
  const acc = Array.from({ length: mr }, () => f.locals('v128', 2));
  const xv = f.locals('v128', mr);
  const [w0, w1, vlo, vhi] = f.locals('v128', 4);

  const rowPointers: Expr[] = [];
  for (let i = 0; i < mr; i++) {
    rowPointers.push(set(row!, add32(get(m!), i32(i))));
    // Rows past the end alias the last row: the same values stored twice.
    if (i > 0) rowPointers.push(set(row!, op('select', get(row!), op('i32.sub', get(rows!), i32(1)), op('i32.lt_s', get(row!), get(rows!)))));
    rowPointers.push(set(ar[i]!, add32(get(a!), mul32(get(row!), get(aStride!)))));
    rowPointers.push(set(cr[i]!, add32(get(out!), mul32(get(row!), get(outStride!)))));
  }

  const kBody: Expr[] = [set(w0!, load('v128.load', get(wp!))), set(w1!, load('v128.load', get(wp!), 16))];
  for (let i = 0; i < mr; i++) {
    kBody.push(set(xv[i]!, load('v128.load32_splat', get(ap[i]!))));
    kBody.push(set(acc[i]![0]!, op('f32x4.add', get(acc[i]![0]!), op('f32x4.mul', get(xv[i]!), get(w0!)))));
    kBody.push(set(acc[i]![1]!, op('f32x4.add', get(acc[i]![1]!), op('f32x4.mul', get(xv[i]!), get(w1!)))));
    kBody.push(set(ap[i]!, add32(get(ap[i]!), i32(4))));
  }
  kBody.push(set(wp!, add32(get(wp!), i32(4 * NR_F32))));
  kBody.push(brIf(0, tee(kk!, op('i32.sub', get(kk!), i32(1)))));

  const epilogue: Expr[] = [];
  for (let i = 0; i < mr; i++) {
    for (let h = 0; h < 2; h++) {
      epilogue.push(set(acc[i]![h]!, op('f32x4.min', op('f32x4.max', get(acc[i]![h]!), get(vlo!)), get(vhi!))));
    }
    const dst = add32(get(cr[i]!), op('i32.shl', get(n0!), i32(2)));
    epilogue.push(if_(op('i32.ge_s', get(rem!), i32(NR_F32)), [
      store('v128.store', dst, get(acc[i]![0]!)),
      store('v128.store', dst, get(acc[i]![1]!), 16),
    ], storePartial(dst, acc[i]![0]!, acc[i]![1]!, rem!)));
  }

  f.emit(
    set(vlo!, op('f32x4.splat', get(lo!))),
    set(vhi!, op('f32x4.splat', get(hi!))),
    set(m!, i32(0)),
    block(loop(
      ...rowPointers,
      set(wp!, get(w!)), set(bp!, get(bias!)), set(n0!, i32(0)),
      loop(
        ...acc.flatMap((pair) => pair.map((x, h) => set(x, load('v128.load', get(bp!), 16 * h)))),
        ...ap.map((p, i) => set(p, get(ar[i]!))),
        set(kk!, get(k!)),
        loop(...kBody),
        set(rem!, op('i32.sub', get(n!), get(n0!))),
        ...epilogue,
        set(bp!, add32(get(bp!), i32(4 * NR_F32))),
        brIf(0, op('i32.lt_s', tee(n0!, add32(get(n0!), i32(NR_F32))), get(n!))),
      ),
      brIf(0, op('i32.lt_s', tee(m!, add32(get(m!), i32(mr))), get(rows!))),
    )),
  );
  return f;
}

/**
 * Depthwise convolution in float32 over a zero-padded image (every tap in
 * bounds). Output pixel (oy, ox) reads image[oy·rowStep + ox·colStep +
 * tapOffset[t] + 4c] for each tap t (byte offsets). Weights [taps][wStride]
 * floats, bias [wStride] (wStride = channels rounded up to 4, zeros past c);
 * output [outH·outW][c] floats, clamped to [lo, hi].
 */
function depthwiseF32(): FunctionBuilder {
  const names = ['img', 'rowStep', 'colStep', 'outH', 'outW', 'c', 'taps', 'tapOffsets', 'w', 'wStride', 'bias', 'out'];
  const f = new FunctionBuilder('dw_f32', [...names.map(() => 'i32' as const), 'f32', 'f32']);
  const [img, rowStep, colStep, outH, outW, c, taps, tapOffsets, w, wStride, bias, out, lo, hi] = [...names, 'lo', 'hi'].map((_, i) => i) as number[];
  const [oy, ox, c0, t, tp, wp, px, pix, o, rem] = f.locals('i32', 10);
  const [acc, vlo, vhi] = f.locals('v128', 3);
  const wRow = op('i32.shl', get(wStride!), i32(2));
  f.emit(
    set(vlo!, op('f32x4.splat', get(lo!))),
    set(vhi!, op('f32x4.splat', get(hi!))),
    set(o!, get(out!)),
    set(oy!, i32(0)),
    loop(
      set(ox!, i32(0)),
      loop(
        set(pix!, add32(add32(get(img!), mul32(get(oy!), get(rowStep!))), mul32(get(ox!), get(colStep!)))),
        set(c0!, i32(0)),
        loop(
          set(acc!, load('v128.load', add32(get(bias!), op('i32.shl', get(c0!), i32(2))))),
          set(tp!, get(tapOffsets!)),
          set(wp!, add32(get(w!), op('i32.shl', get(c0!), i32(2)))),
          set(px!, add32(get(pix!), op('i32.shl', get(c0!), i32(2)))),
          set(t!, get(taps!)),
          loop(
            set(acc!, op('f32x4.add', get(acc!), op('f32x4.mul',
              load('v128.load', add32(get(px!), load('i32.load', get(tp!)))), load('v128.load', get(wp!))))),
            set(tp!, add32(get(tp!), i32(4))),
            set(wp!, add32(get(wp!), wRow)),
            brIf(0, tee(t!, op('i32.sub', get(t!), i32(1)))),
          ),
          set(acc!, op('f32x4.min', op('f32x4.max', get(acc!), get(vlo!)), get(vhi!))),
          set(rem!, op('i32.sub', get(c!), get(c0!))),
          if_(op('i32.ge_s', get(rem!), i32(4)), [store('v128.store', get(o!), get(acc!))], [
            storeLane('v128.store32_lane', get(o!), get(acc!), 0),
            if_(op('i32.gt_s', get(rem!), i32(1)), [storeLane('v128.store32_lane', get(o!), get(acc!), 1, 4)]),
            if_(op('i32.gt_s', get(rem!), i32(2)), [storeLane('v128.store32_lane', get(o!), get(acc!), 2, 8)]),
          ]),
          set(o!, add32(get(o!), op('select', i32(16), op('i32.shl', get(rem!), i32(2)), op('i32.ge_s', get(rem!), i32(4))))),
          brIf(0, op('i32.lt_s', tee(c0!, add32(get(c0!), i32(4))), get(c!))),
        ),
        brIf(0, op('i32.lt_s', tee(ox!, add32(get(ox!), i32(1))), get(outW!))),
      ),
      brIf(0, op('i32.lt_s', tee(oy!, add32(get(oy!), i32(1))), get(outH!))),
    ),
  );
  return f;
}

/** The float functions of the module. */
export function floatKernels(): FunctionBuilder[] {
  const fns: FunctionBuilder[] = [];
  for (let mr = 1; mr <= MAX_MR_F32; mr++) fns.push(gemmF32(mr));
  fns.push(depthwiseF32());
  return fns;
}

export type GemmF32 = (a: number, aStride: number, rows: number, k: number, w: number, n: number, bias: number,
  out: number, outStride: number, lo: number, hi: number) => void;
export type DepthwiseF32 = (img: number, rowStep: number, colStep: number, outH: number, outW: number, c: number,
  taps: number, tapOffsets: number, w: number, wStride: number, bias: number, out: number, lo: number, hi: number) => void;
