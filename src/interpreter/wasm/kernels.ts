// The interpreter's WebAssembly SIMD kernels, written against encoder.ts.
// Every function works on byte addresses in the one imported memory (see
// arena.ts for its layout); no function allocates or calls out.
//
// Arithmetic: int8 values are widened to int16 (v128.load8x8_s) and
// multiplied pairwise into int32 lanes (i32x4.dot_i16x8_s for the GEMM and
// 3×3 depthwise, i32x4.extmul_*_i16x8_s for other depthwise). An int8·int8 product is at most
// 2^14 in magnitude and a dot pair at most 2^15, so nothing saturates; the
// int32 accumulators wrap exactly like the C kernels' int32 sums.
//
// Requantization ("q8" functions) is XNNPACK's fp32 scheme (requant.ts).
// The "i32" variants store acc + bias instead, for the gemmlowp (reference)
// arithmetic, which JS then requantizes.

import {
  type Expr, FunctionBuilder, block, br, brIf, encodeModule, get, i32, load, loop, memoryCopy, memoryFill, op, set,
  shuffle, shuffle32, store, tee, v128zero,
} from './encoder.js';
import { requantConstants, storeRequantized8 } from './requant.js';
import { floatKernels, MAX_MR_F32, type DepthwiseF32, type GemmF32 } from './kernels-float.js';
import { maxPoolKernel, type MaxPoolFn } from './pool.js';
import { gemvKernel, type GemvI32, type GemvQ8 } from './gemv.js';

/** Rows per GEMM micro-tile: functions gemm_q8_1..gemm_q8_MAX_MR (and gemm_i32_*) are emitted. */
export const MAX_MR = 6;
/** Output columns per micro-tile; packed weights come in blocks of NR columns. */
export const NR = 8;
/** Depth step of the GEMM inner loop (four depth pairs, one 8-byte load of each row). */
export const KR = 8;
/** Channels per depthwise step. */
export const CR = 8;

const add32 = (a: Expr, b: Expr): Expr => op('i32.add', a, b);
const mul32 = (a: Expr, b: Expr): Expr => op('i32.mul', a, b);

/**
 * C[rows × n] = requant(A[rows × k] · Wᵀ + bias), MR rows by NR (8) columns per tile.
 * A rows are `aStride` bytes apart; reading runs k8·8 bytes per row (up to 7
 * past k, multiplied by packed zero weights). W is packed
 * [⌈n/8⌉][k8][4 depth pairs][8 columns][2]: one 8-byte load widens to the
 * two depth values of 4 columns, and one i32x4.dot_i16x8_s against the row's
 * broadcast depth pair adds straight into those 4 columns' sums, so the
 * accumulators need no horizontal reduction (what keeps small-depth 1×1
 * convolutions cheap).
 * q8: C is int8 with row stride `outStride` bytes, columns past n are not written.
 * i32: C is int32 with row stride `outStride` bytes and every column of the last
 * block written (the caller pads rows to ⌈n/8⌉·8 columns).
 */
function gemm(mr: number, mode: 'q8' | 'i32'): FunctionBuilder {
  const q8 = mode === 'q8';
  const params = q8
    ? ['a', 'aStride', 'rows', 'k8', 'w', 'n', 'bias', 'out', 'outStride', 'scale', 'zp', 'lo', 'hi']
    : ['a', 'aStride', 'rows', 'k8', 'w', 'n', 'bias', 'out', 'outStride'];
  const f = FunctionBuilder.i32(`gemm_${mode}_${mr}`, params);
  const [a, aStride, rows, k8, w, n, bias, out, outStride, scale, zp, lo, hi] = f.paramLocals();
  const [m, row, wp, bp, sp, n0, kk, rem] = f.locals('i32', 8);
  const ar = f.locals('i32', mr);
  const cr = f.locals('i32', mr);
  const ap = f.locals('i32', mr);
  // acc[i][h]: row i, columns n0 + 4h … n0 + 4h + 3.
  const acc = Array.from({ length: mr }, () => f.locals('v128', 2));
  const xv = f.locals('v128', mr);
  const [w0, w1, xb, v, v1] = f.locals('v128', 5);
  const rq = q8 ? requantConstants(f, zp!, lo!, hi!) : null;

  // Row pointers of one tile; rows past the end alias the last row (identical stores).
  const rowPointers: Expr[] = [];
  for (let i = 0; i < mr; i++) {
    rowPointers.push(set(row, add32(get(m), i32(i))));
    if (i > 0) {
      const last = op('i32.sub', get(rows), i32(1));
      rowPointers.push(set(row, op('select', get(row), last, op('i32.lt_s', get(row), get(rows)))));
    }
    rowPointers.push(set(ar[i]!, add32(get(a), mul32(get(row), get(aStride)))));
    rowPointers.push(set(cr[i]!, add32(get(out), mul32(get(row), get(outStride)))));
  }

  const kBody: Expr[] = [];
  for (let i = 0; i < mr; i++) kBody.push(set(xv[i]!, load('v128.load8x8_s', get(ap[i]!))));
  for (let j = 0; j < KR / 2; j++) {
    kBody.push(set(w0, load('v128.load8x8_s', get(wp), j * 2 * NR)), set(w1, load('v128.load8x8_s', get(wp), j * 2 * NR + 8)));
    for (let i = 0; i < mr; i++) {
      kBody.push(
        set(xb, shuffle32(get(xv[i]!), get(xv[i]!), [j, j, j, j])),
        set(acc[i]![0]!, op('i32x4.add', get(acc[i]![0]!), op('i32x4.dot_i16x8_s', get(xb), get(w0)))),
        set(acc[i]![1]!, op('i32x4.add', get(acc[i]![1]!), op('i32x4.dot_i16x8_s', get(xb), get(w1)))),
      );
    }
  }
  for (let i = 0; i < mr; i++) kBody.push(set(ap[i]!, add32(get(ap[i]!), i32(KR))));
  kBody.push(set(wp, add32(get(wp), i32(NR * KR))));
  kBody.push(brIf(0, tee(kk, op('i32.sub', get(kk), i32(1)))));

  const epilogue: Expr[] = [];
  for (let i = 0; i < mr; i++) {
    const [lo4, hi4] = acc[i] as [number, number];
    if (rq) {
      epilogue.push(...storeRequantized8(rq, lo4, hi4, get(sp), add32(get(cr[i]!), get(n0)), v, rem));
    } else {
      const dst = add32(get(cr[i]!), op('i32.shl', get(n0), i32(2)));
      epilogue.push(store('v128.store', dst, get(lo4)), store('v128.store', dst, get(hi4), 16));
    }
  }

  // Sums start from the bias (int32 addition wraps, so the order is immaterial).
  const biasAcc: Expr[] = [
    set(v, load('v128.load', get(bp))), set(v1, load('v128.load', get(bp), 16)),
    ...acc.flatMap(([lo4, hi4]) => [set(lo4!, get(v)), set(hi4!, get(v1))]),
  ];
  f.emit(
    ...(rq ? rq.init : []),
    set(m, i32(0)),
    block(loop(
      ...rowPointers,
      set(wp, get(w)), set(bp, get(bias)), set(n0, i32(0)),
      ...(q8 ? [set(sp, get(scale!))] : []),
      loop(
        ...biasAcc,
        ...ap.map((p, i) => set(p, get(ar[i]!))),
        set(kk, get(k8)),
        loop(...kBody),
        set(rem, op('i32.sub', get(n), get(n0))),
        ...epilogue,
        set(bp, add32(get(bp), i32(4 * NR))),
        ...(q8 ? [set(sp, add32(get(sp), i32(4 * NR)))] : []),
        brIf(0, op('i32.lt_s', tee(n0, add32(get(n0), i32(NR))), get(n))),
      ),
      brIf(0, op('i32.lt_s', tee(m, add32(get(m), i32(mr))), get(rows))),
    )),
  );
  return f;
}

/**
 * Depthwise convolution over a zero-point-padded image (every tap in bounds,
 * so the −zp·Σw term is folded into the bias). For output pixel (oy, ox),
 * tap t reads image[oy·rowStep + ox·colStep + tapOffset[t] + c]. Weights are
 * packed [taps][wStride] int8 (wStride = channels rounded up to 8, zeros past
 * c); bias (and scale) are [wStride]. q8 writes int8 [outH·outW][c]; i32
 * writes acc + bias as int32 [outH·outW][wStride].
 */
function depthwise(mode: 'q8' | 'i32'): FunctionBuilder {
  const q8 = mode === 'q8';
  const params = ['img', 'rowStep', 'colStep', 'outH', 'outW', 'c', 'taps', 'tapOffsets', 'w', 'wStride', 'bias', 'out', 'scale', 'zp', 'lo', 'hi'];
  const used = q8 ? params : params.slice(0, 12);
  const f = new FunctionBuilder(`dw_${mode}`, used.map(() => 'i32' as const));
  const [img, rowStep, colStep, outH, outW, c, taps, tapOffsets, w, wStride, bias, out, scale, zp, lo, hi] = params.map((_, i) => i);
  const [oy, ox, c0, t, tp, wp, px, pix, o, rem] = f.locals('i32', 10);
  const [acc0, acc1, x, wv, v] = f.locals('v128', 5);
  const rq = q8 ? requantConstants(f, zp!, lo!, hi!) : null;

  const tapLoop = loop(
    set(x, load('v128.load8x8_s', add32(add32(get(pix), get(c0)), load('i32.load', get(tp))))),
    set(wv, load('v128.load8x8_s', get(wp))),
    set(acc0, op('i32x4.add', get(acc0), op('i32x4.extmul_low_i16x8_s', get(x), get(wv)))),
    set(acc1, op('i32x4.add', get(acc1), op('i32x4.extmul_high_i16x8_s', get(x), get(wv)))),
    set(tp, add32(get(tp), i32(4))),
    set(wp, add32(get(wp), get(wStride))),
    brIf(0, tee(t, op('i32.sub', get(t), i32(1)))),
  );

  const biasAt = (k: number): Expr => load('v128.load', add32(get(bias), op('i32.shl', get(c0), i32(2))), k);
  let store8: Expr[];
  if (rq) {
    const scaleAt = add32(get(scale!), op('i32.shl', get(c0), i32(2)));
    store8 = [set(rem, op('i32.sub', get(c), get(c0))), ...storeRequantized8(rq, acc0, acc1, scaleAt, add32(get(o), get(c0)), v, rem)];
  } else {
    const dst = add32(get(o), op('i32.shl', get(c0), i32(2)));
    store8 = [store('v128.store', dst, get(acc0)), store('v128.store', dst, get(acc1), 16)];
  }

  f.emit(
    ...(rq ? rq.init : []),
    set(oy, i32(0)),
    set(px, get(img)),
    set(o, get(out)),
    loop(
      set(ox, i32(0)),
      set(pix, get(px)),
      loop(
        set(c0, i32(0)),
        loop(
          set(acc0, biasAt(0)),
          set(acc1, biasAt(16)),
          set(t, get(taps)),
          set(tp, get(tapOffsets)),
          set(wp, add32(get(w), get(c0))),
          tapLoop,
          ...store8,
          brIf(0, op('i32.lt_s', tee(c0, add32(get(c0), i32(CR))), get(c))),
        ),
        set(o, add32(get(o), q8 ? get(c) : op('i32.shl', get(wStride), i32(2)))),
        set(pix, add32(get(pix), get(colStep))),
        brIf(0, op('i32.lt_s', tee(ox, add32(get(ox), i32(1))), get(outW))),
      ),
      set(px, add32(get(px), get(rowStep))),
      brIf(0, op('i32.lt_s', tee(oy, add32(get(oy), i32(1))), get(outH))),
    ),
  );
  return f;
}

/** i8x16.shuffle lanes interleaving the low (or high) four 16-bit lanes of a and b: a0 b0 a1 b1 … */
const INTERLEAVE16_LOW = [0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23];
const INTERLEAVE16_HIGH = INTERLEAVE16_LOW.map((l) => l + 8);

/**
 * Depthwise convolution with 9 taps (3×3), same arguments and result as
 * `depthwise` (taps must be 9). Channel chunks are the outer loop, so each
 * chunk's weights and tap offsets stay in locals while every output pixel of
 * the chunk is computed with the taps unrolled. Taps go in pairs: the two
 * taps' widened inputs are interleaved channel by channel, so one
 * i32x4.dot_i16x8_s against the pair's interleaved weights adds both taps'
 * products for 4 channels (the 9th tap pairs with zeros). That is half the
 * multiply instructions of one extmul per tap and channel half, and the
 * int32 sums are the same (exact integer products; the order of int32
 * additions does not change a wrapping sum).
 */
function depthwise9(mode: 'q8' | 'i32'): FunctionBuilder {
  const TAPS = 9;
  const PAIRS = Math.ceil(TAPS / 2);
  const q8 = mode === 'q8';
  const params = ['img', 'rowStep', 'colStep', 'outH', 'outW', 'c', 'taps', 'tapOffsets', 'w', 'wStride', 'bias', 'out', 'scale', 'zp', 'lo', 'hi'];
  const used = q8 ? params : params.slice(0, 12);
  const f = new FunctionBuilder(`dw9_${mode}`, used.map(() => 'i32' as const));
  const [img, rowStep, colStep, outH, outW, c, , tapOffsets, w, wStride, bias, out, scale, zp, lo, hi] = params.map((_, i) => i);
  const [oy, ox, c0, px, pix, o, rem, pixelStep] = f.locals('i32', 8);
  const offs = f.locals('i32', TAPS);
  // Pair p's interleaved weights for channels 0–3 and 4–7 of the chunk.
  const wlo = f.locals('v128', PAIRS);
  const whi = f.locals('v128', PAIRS);
  const [acc0, acc1, xa, xb, v, wa] = f.locals('v128', 6);
  const rq = q8 ? requantConstants(f, zp!, lo!, hi!) : null;

  const tapWeights = (t: number): Expr => (t < TAPS
    ? load('v128.load8x8_s', add32(add32(get(w), get(c0)), mul32(get(wStride), i32(t))))
    : v128zero);
  const chunkWeights: Expr[] = [];
  for (let p = 0; p < PAIRS; p++) {
    chunkWeights.push(
      set(wa, tapWeights(2 * p)),
      set(v, tapWeights(2 * p + 1)),
      set(wlo[p]!, shuffle(get(wa), get(v), INTERLEAVE16_LOW)),
      set(whi[p]!, shuffle(get(wa), get(v), INTERLEAVE16_HIGH)),
    );
  }
  const taps: Expr[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const second = 2 * p + 1 < TAPS ? load('v128.load8x8_s', add32(get(pix), get(offs[2 * p + 1]!))) : v128zero;
    taps.push(
      set(xa, load('v128.load8x8_s', add32(get(pix), get(offs[2 * p]!)))),
      set(xb, second),
      set(acc0, op('i32x4.add', get(acc0), op('i32x4.dot_i16x8_s', shuffle(get(xa), get(xb), INTERLEAVE16_LOW), get(wlo[p]!)))),
      set(acc1, op('i32x4.add', get(acc1), op('i32x4.dot_i16x8_s', shuffle(get(xa), get(xb), INTERLEAVE16_HIGH), get(whi[p]!)))),
    );
  }
  const biasAt = (k: number): Expr => load('v128.load', add32(get(bias), op('i32.shl', get(c0), i32(2))), k);
  let storeOut: Expr[];
  if (rq) {
    storeOut = storeRequantized8(rq, acc0, acc1, add32(get(scale!), op('i32.shl', get(c0), i32(2))), get(o), v, rem);
  } else {
    storeOut = [store('v128.store', get(o), get(acc0)), store('v128.store', get(o), get(acc1), 16)];
  }

  f.emit(
    ...(rq ? rq.init : []),
    ...offs.map((l, t) => set(l, load('i32.load', get(tapOffsets), 4 * t))),
    // Output bytes from one pixel to the next.
    set(pixelStep, q8 ? get(c) : op('i32.shl', get(wStride), i32(2))),
    set(c0, i32(0)),
    loop(
      ...chunkWeights,
      set(rem, op('i32.sub', get(c), get(c0))),
      set(o, add32(get(out), q8 ? get(c0) : op('i32.shl', get(c0), i32(2)))),
      set(oy, i32(0)),
      set(px, add32(get(img), get(c0))),
      loop(
        set(ox, i32(0)),
        set(pix, get(px)),
        loop(
          set(acc0, biasAt(0)),
          set(acc1, biasAt(16)),
          ...taps,
          ...storeOut,
          set(o, add32(get(o), get(pixelStep))),
          set(pix, add32(get(pix), get(colStep))),
          brIf(0, op('i32.lt_s', tee(ox, add32(get(ox), i32(1))), get(outW))),
        ),
        set(px, add32(get(px), get(rowStep))),
        brIf(0, op('i32.lt_s', tee(oy, add32(get(oy), i32(1))), get(outH))),
      ),
      brIf(0, op('i32.lt_s', tee(c0, add32(get(c0), i32(CR))), get(c))),
    ),
  );
  return f;
}

/**
 * im2col over a padded image: for each output pixel, for fy < fh, for
 * fx < nx, copy `seg` bytes from img + oy·rowStep + ox·colStep + fy·dyStep +
 * fx·dxStep to the next place in dst. Copies go 16 bytes at a time and may
 * write up to 15 bytes past a segment; the next segment overwrites them and
 * the caller leaves 16 bytes of slack after dst (and after the image).
 */
function im2col(): FunctionBuilder {
  const names = ['img', 'rowStep', 'colStep', 'outH', 'outW', 'fh', 'dyStep', 'nx', 'dxStep', 'seg', 'dst'];
  const f = new FunctionBuilder('im2col', names.map(() => 'i32' as const));
  const [img, rowStep, colStep, outH, outW, fh, dyStep, nx, dxStep, seg, dst] = names.map((_, i) => i) as number[];
  const [oy, ox, fy, fx, py, p, q, s, i, d] = f.locals('i32', 10);
  f.emit(
    set(d!, get(dst!)),
    set(oy!, i32(0)),
    set(py!, get(img!)),
    loop(
      set(ox!, i32(0)),
      set(p!, get(py!)),
      loop(
        set(fy!, i32(0)),
        set(q!, get(p!)),
        loop(
          set(fx!, i32(0)),
          set(s!, get(q!)),
          loop(
            set(i!, i32(0)),
            loop(
              store('v128.store', add32(get(d!), get(i!)), load('v128.load', add32(get(s!), get(i!)))),
              brIf(0, op('i32.lt_s', tee(i!, add32(get(i!), i32(16))), get(seg!))),
            ),
            set(d!, add32(get(d!), get(seg!))),
            set(s!, add32(get(s!), get(dxStep!))),
            brIf(0, op('i32.lt_s', tee(fx!, add32(get(fx!), i32(1))), get(nx!))),
          ),
          set(q!, add32(get(q!), get(dyStep!))),
          brIf(0, op('i32.lt_s', tee(fy!, add32(get(fy!), i32(1))), get(fh!))),
        ),
        set(p!, add32(get(p!), get(colStep!))),
        brIf(0, op('i32.lt_s', tee(ox!, add32(get(ox!), i32(1))), get(outW!))),
      ),
      set(py!, add32(get(py!), get(rowStep!))),
      brIf(0, op('i32.lt_s', tee(oy!, add32(get(oy!), i32(1))), get(outH!))),
    ),
  );
  return f;
}

/**
 * Copy an unpadded image (rows of rowBytes) into a padded one (rows of
 * dstRowBytes, `rows` of them), every byte outside the copied block set to
 * `value`: the zero point, so padded taps contribute w·(zp − zp) = 0.
 */
function padImage(): FunctionBuilder {
  const names = ['src', 'inH', 'rowBytes', 'dst', 'dstRowBytes', 'rows', 'top', 'leftBytes', 'value'];
  const f = new FunctionBuilder('pad_image', names.map(() => 'i32' as const));
  const [src, inH, rowBytes, dst, dstRowBytes, rows, top, leftBytes, value] = names.map((_, i) => i) as number[];
  const [y, s, d] = f.locals('i32', 3);
  f.emit(
    memoryFill(get(dst!), get(value!), mul32(get(rows!), get(dstRowBytes!))),
    set(y!, i32(0)),
    set(s!, get(src!)),
    set(d!, add32(add32(get(dst!), mul32(get(top!), get(dstRowBytes!))), get(leftBytes!))),
    block(loop(
      brIf(1, op('i32.ge_s', get(y!), get(inH!))),
      memoryCopy(get(d!), get(s!), get(rowBytes!)),
      set(s!, add32(get(s!), get(rowBytes!))),
      set(d!, add32(get(d!), get(dstRowBytes!))),
      set(y!, add32(get(y!), i32(1))),
      brIf(0, i32(1)),
    )),
  );
  return f;
}

/**
 * pad_image for an input already copied contiguously to the padded image's
 * first interior pixel (dst + top·dstRowBytes + leftBytes): rows are moved
 * out to their padded places last to first (each only moves forward, onto
 * rows already moved), then only the border bytes are set to `value`. Saves
 * the separate staging copy and the fill of the whole image.
 */
function spreadImage(): FunctionBuilder {
  const names = ['dst', 'inH', 'rowBytes', 'dstRowBytes', 'rows', 'top', 'leftBytes', 'value'];
  const f = new FunctionBuilder('spread_image', names.map(() => 'i32' as const));
  const [dst, inH, rowBytes, dstRowBytes, rows, top, leftBytes, value] = names.map((_, i) => i) as number[];
  const [y, interior, gap] = f.locals('i32', 3) as number[];
  const gapAfter = (row: Expr): Expr => add32(add32(get(interior), mul32(row, get(dstRowBytes))), get(rowBytes));
  f.emit(
    set(interior, add32(add32(get(dst), mul32(get(top), get(dstRowBytes))), get(leftBytes))),
    set(y, op('i32.sub', get(inH), i32(1))),
    block(loop(
      brIf(1, op('i32.le_s', get(y), i32(0))),
      memoryCopy(add32(get(interior), mul32(get(y), get(dstRowBytes))), add32(get(interior), mul32(get(y), get(rowBytes))), get(rowBytes)),
      set(y, op('i32.sub', get(y), i32(1))),
      br(0),
    )),
    memoryFill(get(dst), get(value), op('i32.sub', get(interior), get(dst))),
    // Right margin of row y and left margin of row y + 1 are one run.
    set(y, i32(0)),
    block(loop(
      brIf(1, op('i32.ge_s', get(y), op('i32.sub', get(inH), i32(1)))),
      memoryFill(gapAfter(get(y)), get(value), op('i32.sub', get(dstRowBytes), get(rowBytes))),
      set(y, add32(get(y), i32(1))),
      br(0),
    )),
    set(gap, gapAfter(op('i32.sub', get(inH), i32(1)))),
    memoryFill(get(gap), get(value), op('i32.sub', add32(get(dst), mul32(get(rows), get(dstRowBytes))), get(gap))),
  );
  return f;
}

/** The whole module: GEMMs for every tile height and one row, depthwise, im2col, padding, max pool, and the float32 kernels. */
export function kernelModuleBytes(): Uint8Array {
  const fns: FunctionBuilder[] = [];
  for (let mr = 1; mr <= MAX_MR; mr++) fns.push(gemm(mr, 'q8'), gemm(mr, 'i32'));
  fns.push(depthwise('q8'), depthwise('i32'), depthwise9('q8'), depthwise9('i32'), im2col(), padImage(), spreadImage(), ...floatKernels(), maxPoolKernel('i8'), maxPoolKernel('f32'),
    gemvKernel('q8'), gemvKernel('i32'));
  return encodeModule(fns);
}

/** Signatures of the exports, for typed calls from JS (all arguments are i32). */
export type GemmQ8 = (a: number, aStride: number, rows: number, k8: number, w: number, n: number, bias: number,
  out: number, outStride: number, scale: number, zp: number, lo: number, hi: number) => void;
export type GemmI32 = (a: number, aStride: number, rows: number, k8: number, w: number, n: number, bias: number,
  out: number, outStride: number) => void;
export type DepthwiseQ8 = (img: number, rowStep: number, colStep: number, outH: number, outW: number, c: number,
  taps: number, tapOffsets: number, w: number, wStride: number, bias: number, out: number,
  scale: number, zp: number, lo: number, hi: number) => void;
export type DepthwiseI32 = (img: number, rowStep: number, colStep: number, outH: number, outW: number, c: number,
  taps: number, tapOffsets: number, w: number, wStride: number, bias: number, out: number) => void;
export type Im2col = (img: number, rowStep: number, colStep: number, outH: number, outW: number, fh: number,
  dyStep: number, nx: number, dxStep: number, seg: number, dst: number) => void;
export type PadImage = (src: number, inH: number, rowBytes: number, dst: number, dstRowBytes: number, rows: number,
  top: number, leftBytes: number, value: number) => void;
export type SpreadImage = (dst: number, inH: number, rowBytes: number, dstRowBytes: number, rows: number,
  top: number, leftBytes: number, value: number) => void;

export interface KernelExports {
  gemmQ8: GemmQ8[];
  gemmI32: GemmI32[];
  dwQ8: DepthwiseQ8;
  dwI32: DepthwiseI32;
  /** The same for 9 taps only (3×3 filters). */
  dw9Q8: DepthwiseQ8;
  dw9I32: DepthwiseI32;
  im2col: Im2col;
  padImage: PadImage;
  spreadImage: SpreadImage;
  gemmF32: GemmF32[];
  dwF32: DepthwiseF32;
  maxPoolI8: MaxPoolFn;
  maxPoolF32: MaxPoolFn;
  gemvQ8: GemvQ8;
  gemvI32: GemvI32;
}

export { MAX_MR_F32 };
