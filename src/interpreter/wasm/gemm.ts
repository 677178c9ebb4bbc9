// Packed int8 GEMM on the wasm kernels: weights laid out once at prepare
// time for the NR×KR micro-kernel, then C = requant(A·Wᵀ + bias) per call.

import type { WasmArena } from './arena.js';
import { GEMV_KR } from './gemv.js';
import { KR, MAX_MR, NR } from './kernels.js';

export interface PackedGemm {
  arena: WasmArena;
  /** Output columns (weight rows) and depth. */
  n: number;
  k: number;
  /** Depth in KR blocks, columns rounded up to NR. */
  k8: number;
  n4: number;
  /**
   * Addresses of packed weights — [n4/NR][k8][KR/2][NR][2] for the tiled GEMM,
   * [n4/8][k8][8][8] for one row (`oneRow`) — bias int32 [n4], scale float32 [n4] (0: none).
   */
  weights: number;
  bias: number;
  scale: number;
  /** Packed for gemv (exactly one A row per call). */
  oneRow: boolean;
}

/**
 * Packs W [n × k] (row c at wOffset + c·k) with its folded bias and optional
 * fp32 requantization scales into the arena's persistent memory. Padding
 * columns and depth get zero weights, bias and scale.
 */
export function packGemm(
  arena: WasmArena, w: Int8Array, n: number, k: number, bias: Int32Array, scale: Float32Array | null, oneRow = false,
): PackedGemm {
  if (w.length < n * k || bias.length < n) throw new Error('packGemm: weights or bias shorter than their shape');
  const k8 = Math.ceil(k / KR);
  const n4 = Math.ceil(n / NR) * NR;
  const weights = arena.alloc(n4 * k8 * KR);
  const biasAt = arena.alloc(n4 * 4);
  const scaleAt = scale ? arena.alloc(n4 * 4) : 0;
  const i8 = arena.i8;
  // Depth values packed together per column: 2 (tiles) or GEMV_KR (one row;
  // its blocks of GEMV_NR = NR columns and k8 steps of GEMV_KR = KR match the tiles').
  const run = oneRow ? GEMV_KR : 2;
  let o = weights;
  for (let nb = 0; nb < n4; nb += NR) {
    for (let kb = 0; kb < k8 * KR; kb += run) {
      for (let c = nb; c < nb + NR; c++) {
        for (let j = kb; j < kb + run; j++) i8[o++] = c < n && j < k ? w[c * k + j]! : 0;
      }
    }
  }
  for (let c = 0; c < n4; c++) {
    arena.i32[(biasAt >>> 2) + c] = c < n ? bias[c]! : 0;
    if (scale) arena.f32[(scaleAt >>> 2) + c] = c < n ? scale[c]! : 0;
  }
  return { arena, n, k, k8, n4, weights, bias: biasAt, scale: scaleAt, oneRow };
}

/**
 * int8 C[rows × n] (row stride outStride) from A [rows × k] (row stride
 * aStride, readable for ⌈k/8⌉·8 bytes per row), fp32-requantized with
 * zero point zp and clamp [lo, hi]. Full MAX_MR-row tiles, then one smaller tile.
 */
export function gemmQ8(g: PackedGemm, a: number, aStride: number, rows: number, out: number, outStride: number,
  zp: number, lo: number, hi: number): void {
  if (!g.scale) throw new Error('gemmQ8 needs packed fp32 scales');
  if (g.oneRow) {
    if (rows !== 1) throw new Error('gemmQ8: weights packed for one row');
    g.arena.kernels.gemvQ8(a, g.k8, g.weights, g.n, g.bias, out, g.scale, zp, lo, hi);
    return;
  }
  const fns = g.arena.kernels.gemmQ8;
  const main = rows - (rows % MAX_MR);
  if (main > 0) fns[MAX_MR]!(a, aStride, main, g.k8, g.weights, g.n, g.bias, out, outStride, g.scale, zp, lo, hi);
  const rest = rows - main;
  if (rest > 0) fns[rest]!(a + main * aStride, aStride, rest, g.k8, g.weights, g.n, g.bias, out + main * outStride, outStride, g.scale, zp, lo, hi);
}

/** int32 C[rows × n4] = A·Wᵀ + bias (row stride n4·4 bytes), for requantization in JS. */
export function gemmI32(g: PackedGemm, a: number, aStride: number, rows: number, out: number): void {
  if (g.oneRow) {
    if (rows !== 1) throw new Error('gemmI32: weights packed for one row');
    g.arena.kernels.gemvI32(a, g.k8, g.weights, g.n, g.bias, out);
    return;
  }
  const fns = g.arena.kernels.gemmI32;
  const outStride = g.n4 * 4;
  const main = rows - (rows % MAX_MR);
  if (main > 0) fns[MAX_MR]!(a, aStride, main, g.k8, g.weights, g.n, g.bias, out, outStride);
  const rest = rows - main;
  if (rest > 0) fns[rest]!(a + main * aStride, aStride, rest, g.k8, g.weights, g.n, g.bias, out + main * outStride, outStride);
}

/** Bytes a GEMM may read past the end of its last A row. */
export const A_OVERREAD = KR;
