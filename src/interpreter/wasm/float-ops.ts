// float32 CONV_2D, FULLY_CONNECTED and DEPTHWISE_CONV_2D on the wasm kernels
// (kernels-float.ts). The same staging as the int8 ops (conv.ts,
// depthwise.ts) with four bytes per value: the input is copied in, padded
// with zeros when the window reaches outside it, unrolled (im2col) for
// windows other than 1×1 stride 1, multiplied, and the result copied out.
// Scratch regions: staged input | padded image (one batch) | im2col rows
// (one batch) | output (all batches).

import type { WindowGeometry } from '../kernels/types.js';
import type { WasmArena } from './arena.js';
import { type ImageLayout, imageLayout, paddedImage, scratchRegions } from './image.js';
import { MAX_MR_F32, NR_F32 } from './kernels-float.js';
import { depthwiseTapOrder } from '../kernels/xnn_f32_order.js';

const F32 = 4;

interface Regions {
  stage: number;
  image: number;
  cols: number;
  out: number;
}

function reserve(arena: WasmArena, sizes: Regions): Regions {
  const { offsets, total } = scratchRegions([sizes.stage, sizes.image, sizes.cols, sizes.out]);
  arena.needScratch(total);
  return { stage: offsets[0]!, image: offsets[1]!, cols: offsets[2]!, out: offsets[3]! };
}

/** Float weights [n][k] packed [⌈n/8⌉][k][8] with the bias [⌈n/8⌉·8], both zero past n. */
function packFloatGemm(arena: WasmArena, w: Float32Array, n: number, k: number, bias: Float32Array | null): { weights: number; bias: number } {
  const n8 = Math.ceil(n / NR_F32) * NR_F32;
  const weights = arena.alloc(n8 * k * F32);
  const biasAt = arena.alloc(n8 * F32);
  const f = arena.f32;
  let o = weights >>> 2;
  for (let nb = 0; nb < n8; nb += NR_F32) {
    for (let j = 0; j < k; j++) {
      for (let c = nb; c < nb + NR_F32; c++) f[o++] = c < n ? w[c * k + j]! : 0;
    }
  }
  for (let c = 0; c < n8; c++) f[(biasAt >>> 2) + c] = bias && c < n ? bias[c]! : 0;
  return { weights, bias: biasAt };
}

interface Im2colBytes {
  rowStep: number;
  colStep: number;
  dyStep: number;
  nx: number;
  dxStep: number;
  seg: number;
}

export interface WasmFloatGemmOp {
  arena: WasmArena;
  batches: number;
  m: number;
  n: number;
  k: number;
  packed: { weights: number; bias: number };
  g: WindowGeometry | null;
  image: ImageLayout | null;
  im2col: Im2colBytes | null;
  inputValues: number;
  offsets: Regions;
  lo: number;
  hi: number;
  cache: { epoch: number; view: Float32Array | null };
}

/** CONV_2D: weights [outC][fh·fw·inC] (OHWI). */
export function prepareWasmConvFloat(
  arena: WasmArena, g: WindowGeometry, inC: number, outC: number, weights: Float32Array, bias: Float32Array | null, lo: number, hi: number,
): WasmFloatGemmOp {
  const k = g.filterH * g.filterW * inC;
  const m = g.outH * g.outW;
  const packed = packFloatGemm(arena, weights, outC, k, bias);
  const image = imageLayout(g, inC * F32);
  const direct = g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && !image.padded;
  const rowBytes = image.paddedRowBytes;
  const pixelBytes = inC * F32;
  const im2col: Im2colBytes | null = direct ? null : {
    rowStep: g.strideH * rowBytes, colStep: g.strideW * pixelBytes, dyStep: g.dilationH * rowBytes,
    ...(g.dilationW === 1 ? { nx: 1, dxStep: 0, seg: g.filterW * pixelBytes } : { nx: g.filterW, dxStep: g.dilationW * pixelBytes, seg: pixelBytes }),
  };
  const inputValues = g.batches * g.inH * g.inW * inC;
  const offsets = reserve(arena, {
    stage: inputValues * F32, image: image.padded ? image.paddedBytes : 0, cols: direct ? 0 : m * k * F32, out: g.batches * m * outC * F32,
  });
  return { arena, batches: g.batches, m, n: outC, k, packed, g, image, im2col, inputValues, offsets, lo, hi, cache: { epoch: -1, view: null } };
}

/** FULLY_CONNECTED: weights [units][inputSize], every input row one GEMM row. */
export function prepareWasmFullyConnectedFloat(
  arena: WasmArena, batches: number, inputSize: number, units: number, weights: Float32Array, bias: Float32Array | null, lo: number, hi: number,
): WasmFloatGemmOp {
  const packed = packFloatGemm(arena, weights, units, inputSize, bias);
  const inputValues = batches * inputSize;
  const offsets = reserve(arena, { stage: inputValues * F32, image: 0, cols: 0, out: batches * units * F32 });
  return { arena, batches: 1, m: batches, n: units, k: inputSize, packed, g: null, image: null, im2col: null, inputValues, offsets, lo, hi, cache: { epoch: -1, view: null } };
}

function outView(p: { arena: WasmArena; cache: { epoch: number; view: Float32Array | null } }, at: number, values: number): Float32Array {
  if (p.cache.epoch !== p.arena.epoch) {
    p.cache.view = p.arena.f32.subarray(at >>> 2, (at >>> 2) + values);
    p.cache.epoch = p.arena.epoch;
  }
  return p.cache.view!;
}

function stageInput(arena: WasmArena, at: number, input: Float32Array, values: number): void {
  arena.f32.set(input.length === values ? input : input.subarray(0, values), at >>> 2);
}

export function runWasmFloatGemm(p: WasmFloatGemmOp, input: Float32Array, output: Float32Array): void {
  const { arena, m, n, k, offsets } = p;
  const base = arena.scratchBase;
  const view = outView(p, base + offsets.out, p.batches * m * n);
  const stage = base + offsets.stage;
  stageInput(arena, stage, input, p.inputValues);
  const gemms = arena.kernels.gemmF32;
  for (let b = 0; b < p.batches; b++) {
    let a = p.image ? paddedImage(arena, p.image, stage, b, base + offsets.image, 0) : stage;
    if (p.im2col && p.g) {
      const c = p.im2col;
      const cols = base + offsets.cols;
      arena.kernels.im2col(a, c.rowStep, c.colStep, p.g.outH, p.g.outW, p.g.filterH, c.dyStep, c.nx, c.dxStep, c.seg, cols);
      a = cols;
    }
    const out = base + offsets.out + b * m * n * F32;
    const main = m - (m % MAX_MR_F32);
    if (main > 0) gemms[MAX_MR_F32]!(a, k * F32, main, k, p.packed.weights, n, p.packed.bias, out, n * F32, p.lo, p.hi);
    const rest = m - main;
    if (rest > 0) gemms[rest]!(a + main * k * F32, k * F32, rest, k, p.packed.weights, n, p.packed.bias, out + main * n * F32, n * F32, p.lo, p.hi);
  }
  output.set(view);
}

export interface WasmFloatDepthwiseOp {
  arena: WasmArena;
  g: WindowGeometry;
  inC: number;
  outC: number;
  depthMultiplier: number;
  /** Output channels rounded up to 4: stride of packed weight rows. */
  c4: number;
  taps: number;
  tapOffsets: number;
  weights: number;
  bias: number;
  image: ImageLayout;
  inputValues: number;
  offsets: Regions;
  lo: number;
  hi: number;
  cache: { epoch: number; view: Float32Array | null };
}

/** weights [fh·fw][outC] (the [1,h,w,C] filter). */
export function prepareWasmDepthwiseFloat(
  arena: WasmArena, g: WindowGeometry, inC: number, outC: number, depthMultiplier: number,
  weights: Float32Array, bias: Float32Array | null, lo: number, hi: number,
): WasmFloatDepthwiseOp {
  const taps = g.filterH * g.filterW;
  const c4 = Math.ceil(outC / 4) * 4;
  const image = imageLayout(g, outC * F32);
  const tapOffsets = arena.alloc(taps * 4);
  const w = arena.alloc(taps * c4 * F32);
  const b = arena.alloc(c4 * F32);
  // The order the taps are summed in: LiteRT's (xnn_f32_order.ts).
  const order = depthwiseTapOrder(g.filterH, g.filterW, depthMultiplier);
  order.forEach((tap, t) => {
    const fy = Math.floor(tap / g.filterW);
    const fx = tap % g.filterW;
    arena.i32[(tapOffsets >>> 2) + t] = fy * g.dilationH * image.paddedRowBytes + fx * g.dilationW * outC * F32;
  });
  for (let c = 0; c < c4; c++) {
    order.forEach((tap, t) => {
      arena.f32[(w >>> 2) + t * c4 + c] = c < outC ? weights[tap * outC + c]! : 0;
    });
    arena.f32[(b >>> 2) + c] = bias && c < outC ? bias[c]! : 0;
  }
  const pixels = g.outH * g.outW;
  const inputValues = g.batches * g.inH * g.inW * inC;
  const offsets = reserve(arena, {
    // With a depth multiplier the staged copy is already expanded to outC channels.
    stage: (depthMultiplier > 1 ? g.batches * g.inH * g.inW * outC : inputValues) * F32,
    image: image.padded ? image.paddedBytes : 0, cols: 0, out: g.batches * pixels * outC * F32,
  });
  return {
    arena, g, inC, outC, depthMultiplier, c4, taps, tapOffsets, weights: w, bias: b, image, inputValues, offsets, lo, hi,
    cache: { epoch: -1, view: null },
  };
}

export function runWasmDepthwiseFloat(p: WasmFloatDepthwiseOp, input: Float32Array, output: Float32Array): void {
  const { arena, g, outC, offsets } = p;
  const base = arena.scratchBase;
  const pixels = g.outH * g.outW;
  const view = outView(p, base + offsets.out, g.batches * pixels * outC);
  const stage = base + offsets.stage;
  if (p.depthMultiplier === 1) {
    stageInput(arena, stage, input, p.inputValues);
  } else {
    // Each input channel ic becomes output channels ic·dm … ic·dm + dm − 1.
    const f = arena.f32;
    let o = stage >>> 2;
    for (let i = 0; i < p.inputValues; i++) {
      const v = input[i]!;
      for (let j = 0; j < p.depthMultiplier; j++) f[o++] = v;
    }
  }
  const rowBytes = p.image.paddedRowBytes;
  for (let b = 0; b < g.batches; b++) {
    const img = paddedImage(arena, p.image, stage, b, base + offsets.image, 0);
    arena.kernels.dwF32(img, g.strideH * rowBytes, g.strideW * outC * F32, g.outH, g.outW, outC, p.taps, p.tapOffsets,
      p.weights, p.c4, p.bias, base + offsets.out + b * pixels * outC * F32, p.lo, p.hi);
  }
  output.set(view);
}
