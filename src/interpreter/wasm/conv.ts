// CONV_2D and FULLY_CONNECTED on the wasm GEMM. Per invoke: the input
// tensor is copied into scratch, padded and unrolled (im2col) in wasm when
// the window needs it, multiplied against the packed weights, and the int8
// result copied back to the interpreter's tensor: two memcpys plus the
// kernels, no allocation. Scratch regions (offsets from scratchBase):
// staged input (all batches) | padded image (one batch) | im2col rows (one
// batch) | output (q8: all batches int8; reference: one batch int32 [M][n4]).

import type { FixedPointMultiply } from '../../../quantize/math.js';
import type { WindowGeometry } from '../kernels/types.js';
import type { WasmArena } from './arena.js';
import { gemmI32, gemmQ8, packGemm, type PackedGemm } from './gemm.js';
import { type ImageLayout, imageInterior, imageLayout, paddedImage, scratchRegions, spreadImage } from './image.js';

interface Im2colArgs {
  rowStep: number;
  colStep: number;
  outH: number;
  outW: number;
  fh: number;
  dyStep: number;
  nx: number;
  dxStep: number;
  seg: number;
}

/** Requantization of one GEMM op: XNNPACK fp32 in wasm, or gemmlowp fixed point in JS. */
export interface GemmRequant {
  /** Null selects the fixed-point path with multiplier/shift. */
  scale: Float32Array | null;
  multiply: FixedPointMultiply;
  multiplier: Int32Array;
  shift: Int32Array;
  zp: number;
  lo: number;
  hi: number;
}

export interface WasmGemmOp {
  arena: WasmArena;
  gemm: PackedGemm;
  batches: number;
  /** Rows (output pixels or FC batch rows), columns and depth of one batch's GEMM. */
  m: number;
  n: number;
  k: number;
  inputBytes: number;
  /** Padding value of the image: padded taps then add w·(zp − zp) = 0. */
  inputZeroPoint: number;
  image: ImageLayout | null;
  im2col: Im2colArgs | null;
  offsets: { stage: number; image: number; cols: number; out: number };
  rq: GemmRequant;
  outView: { epoch: number; view: Int8Array | null; acc: Int32Array | null };
}

function reserve(arena: WasmArena, sizes: { stage: number; image: number; cols: number; out: number }): WasmGemmOp['offsets'] {
  const { offsets, total } = scratchRegions([sizes.stage, sizes.image, sizes.cols, sizes.out]);
  arena.needScratch(total);
  return { stage: offsets[0]!, image: offsets[1]!, cols: offsets[2]!, out: offsets[3]! };
}

function outBytes(rq: GemmRequant, batches: number, m: number, n: number, n4: number): number {
  return rq.scale ? batches * m * n : m * n4 * 4;
}

/** Conv weights [outC][fh·fw·inC] (OHWI) with the zero-point-folded bias. */
export function prepareWasmConv(
  arena: WasmArena, g: WindowGeometry, inC: number, outC: number, weights: Int8Array, foldedBias: Int32Array,
  inputZeroPoint: number, rq: GemmRequant,
): WasmGemmOp {
  const k = g.filterH * g.filterW * inC;
  const m = g.outH * g.outW;
  const gemm = packGemm(arena, weights, outC, k, foldedBias, rq.scale);
  const image = imageLayout(g, inC);
  const direct = g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && !image.padded;
  const rowBytes = image.paddedRowBytes;
  const im2col: Im2colArgs | null = direct ? null : {
    rowStep: g.strideH * rowBytes, colStep: g.strideW * inC, outH: g.outH, outW: g.outW, fh: g.filterH,
    dyStep: g.dilationH * rowBytes,
    ...(g.dilationW === 1 ? { nx: 1, dxStep: 0, seg: g.filterW * inC } : { nx: g.filterW, dxStep: g.dilationW * inC, seg: inC }),
  };
  const inputBytes = g.batches * image.batchBytes;
  const offsets = reserve(arena, {
    stage: inputBytes, image: image.padded ? image.paddedBytes : 0, cols: direct ? 0 : m * k,
    out: outBytes(rq, g.batches, m, outC, gemm.n4),
  });
  return {
    arena, gemm, batches: g.batches, m, n: outC, k, inputBytes, inputZeroPoint, image, im2col, offsets, rq,
    outView: { epoch: -1, view: null, acc: null },
  };
}

/** FULLY_CONNECTED: weights [units][inputSize], every input row one GEMM row. */
export function prepareWasmFullyConnected(
  arena: WasmArena, batches: number, inputSize: number, units: number, weights: Int8Array, foldedBias: Int32Array, rq: GemmRequant,
): WasmGemmOp {
  const gemm = packGemm(arena, weights, units, inputSize, foldedBias, rq.scale, batches === 1);
  const inputBytes = batches * inputSize;
  // Reference arithmetic handles all rows as one "batch" of the int32 GEMM.
  const offsets = reserve(arena, { stage: inputBytes, image: 0, cols: 0, out: outBytes(rq, 1, batches, units, gemm.n4) });
  return {
    arena, gemm, batches: 1, m: batches, n: units, k: inputSize, inputBytes, inputZeroPoint: 0, image: null, im2col: null, offsets, rq,
    outView: { epoch: -1, view: null, acc: null },
  };
}

export function runWasmGemmOp(p: WasmGemmOp, input: Int8Array, output: Int8Array): void {
  const { arena, m, n, k, rq, offsets } = p;
  const base = arena.scratchBase;
  const cache = p.outView;
  if (cache.epoch !== arena.epoch) {
    const out = base + offsets.out;
    cache.view = rq.scale ? arena.i8.subarray(out, out + p.batches * m * n) : null;
    cache.acc = rq.scale ? null : arena.i32.subarray(out >>> 2, (out >>> 2) + m * p.gemm.n4);
    cache.epoch = arena.epoch;
  }
  // One batch with padding: staged straight into the padded image, then spread there.
  const inPlace = p.batches === 1 && p.image !== null && p.image.padded;
  const imageAt = base + offsets.image;
  const stage = inPlace ? imageInterior(p.image!, imageAt) : base + offsets.stage;
  arena.i8.set(input.length === p.inputBytes ? input : input.subarray(0, p.inputBytes), stage);
  for (let b = 0; b < p.batches; b++) {
    let a = inPlace ? spreadImage(arena, p.image!, imageAt, p.inputZeroPoint)
      : p.image ? paddedImage(arena, p.image, stage, b, imageAt, p.inputZeroPoint) : stage;
    if (p.im2col) {
      const c = p.im2col;
      const cols = base + offsets.cols;
      arena.kernels.im2col(a, c.rowStep, c.colStep, c.outH, c.outW, c.fh, c.dyStep, c.nx, c.dxStep, c.seg, cols);
      a = cols;
    }
    if (rq.scale) {
      gemmQ8(p.gemm, a, k, m, base + offsets.out + b * m * n, n, rq.zp, rq.lo, rq.hi);
    } else {
      gemmI32(p.gemm, a, k, m, base + offsets.out);
      requantizeFixedRows(cache.acc!, p.gemm.n4, m, n, rq, output, b * m * n);
    }
  }
  if (rq.scale) output.set(cache.view!);
}

/** gemmlowp MultiplyByQuantizedMultiplier + zp, clamped, over int32 rows of stride n4 (the reference arithmetic). */
export function requantizeFixedRows(acc: Int32Array, n4: number, rows: number, n: number, rq: GemmRequant, out: Int8Array, outOffset: number): void {
  const { multiply, multiplier, shift, zp, lo, hi } = rq;
  let o = outOffset;
  for (let r = 0; r < rows; r++) {
    const base = r * n4;
    for (let c = 0; c < n; c++) {
      const v = multiply(acc[base + c]!, multiplier[c]!, shift[c]!) + zp;
      out[o++] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}
