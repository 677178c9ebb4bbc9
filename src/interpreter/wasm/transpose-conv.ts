// int8 TRANSPOSE_CONV on the wasm int8 GEMM: every input pixel is one GEMM
// row and every (output channel, tap) pair one column, so
// C[pixel][oc·taps + t] = Σ_k (x[k] − zp)·w[oc, t, k] comes out of one
// int32 GEMM (the zero point folded into its bias as −zp·Σw); JS then adds
// each column into the output position its tap reaches. int32 sums wrap the
// same in any order, so this is exactly the scatter's result.

import { type TransposeConvGeometry, forEachLandingTap } from '../kernels/transpose_conv.js';
import type { WasmArena } from './arena.js';
import { A_OVERREAD, gemmI32, packGemm, type PackedGemm } from './gemm.js';
import { scratchRegions } from './image.js';

export interface WasmTransposeConvOp {
  arena: WasmArena;
  gemm: PackedGemm;
  rows: number;
  inputBytes: number;
  stage: number;
  out: number;
  cache: { epoch: number; cols: Int32Array | null };
}

/** weights [outC][fh][fw][inC], read as outC·fh·fw GEMM columns of depth inC. */
export function prepareWasmTransposeConv(arena: WasmArena, g: TransposeConvGeometry, weights: Int8Array, inputZeroPoint: number): WasmTransposeConvOp {
  const n = g.outC * g.filterH * g.filterW;
  const k = g.inC;
  const folded = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += weights[j * k + i]!;
    folded[j] = -inputZeroPoint * s;
  }
  const gemm = packGemm(arena, weights, n, k, folded, null);
  const rows = g.inH * g.inW;
  const inputBytes = g.batches * rows * k;
  const { offsets, total } = scratchRegions([inputBytes + A_OVERREAD, rows * gemm.n4 * 4]);
  arena.needScratch(total);
  return { arena, gemm, rows, inputBytes, stage: offsets[0]!, out: offsets[1]!, cache: { epoch: -1, cols: null } };
}

/** Adds batch b's per-pixel, per-tap products into acc [outH·outW·outC]. */
export function scatterWasmTransposeConv(p: WasmTransposeConvOp, g: TransposeConvGeometry, input: Int8Array, b: number, acc: Int32Array): void {
  const { arena, gemm, rows } = p;
  const base = arena.scratchBase;
  if (p.cache.epoch !== arena.epoch) {
    p.cache.cols = arena.i32.subarray((base + p.out) >>> 2, ((base + p.out) >>> 2) + rows * gemm.n4);
    p.cache.epoch = arena.epoch;
  }
  if (b === 0) arena.i8.set(input.length === p.inputBytes ? input : input.subarray(0, p.inputBytes), base + p.stage);
  gemmI32(gemm, base + p.stage + b * rows * g.inC, g.inC, rows, base + p.out);
  const cols = p.cache.cols!;
  const { inW, outC } = g;
  const taps = g.filterH * g.filterW;
  const n4 = gemm.n4;
  for (let r = 0; r < rows; r++) {
    const iy = Math.floor(r / inW);
    const cb = r * n4;
    forEachLandingTap(g, iy, r - iy * inW, (tap, ob) => {
      for (let oc = 0, j = cb + tap; oc < outC; oc++, j += taps) acc[ob + oc] = (acc[ob + oc]! + cols[j]!) | 0;
    });
  }
}
