// DEPTHWISE_CONV_2D on the wasm kernel. The input is staged and padded
// with its zero point (so every tap is in bounds and −zp·Σ_taps w folds into
// the bias), with each input channel repeated depth_multiplier times so the
// kernel always sees one input channel per output channel. Scratch regions:
// staged input (all batches) | padded image (one batch) | output (q8: all
// batches int8; reference: one batch int32 [pixels][c8]).

import type { WindowGeometry } from '../kernels/types.js';
import type { WasmArena } from './arena.js';
import { type GemmRequant, requantizeFixedRows } from './conv.js';
import { type ImageLayout, imageInterior, imageLayout, paddedImage, scratchRegions, spreadImage } from './image.js';
import { CR } from './kernels.js';

export interface WasmDepthwiseOp {
  arena: WasmArena;
  g: WindowGeometry;
  inC: number;
  outC: number;
  depthMultiplier: number;
  /** Output channels rounded up to CR: stride of packed weights and int32 output rows. */
  c8: number;
  taps: number;
  /** Persistent addresses: tap offsets int32 [taps], weights int8 [taps][c8], bias int32 [c8], scale float32 [c8]. */
  tapOffsets: number;
  weights: number;
  bias: number;
  scale: number;
  /** Layout of the image the kernel reads (outC channels per pixel). */
  image: ImageLayout;
  inputBytes: number;
  inputZeroPoint: number;
  offsets: { stage: number; image: number; out: number };
  rq: GemmRequant;
  cache: { epoch: number; view: Int8Array | null; acc: Int32Array | null };
}

/** weights [fh·fw][outC] (the [1,h,w,C] filter), raw bias (zero point not yet folded). */
export function prepareWasmDepthwise(
  arena: WasmArena, g: WindowGeometry, inC: number, outC: number, depthMultiplier: number,
  weights: Int8Array, bias: Int32Array, inputZeroPoint: number, rq: GemmRequant,
): WasmDepthwiseOp {
  const taps = g.filterH * g.filterW;
  const c8 = Math.ceil(outC / CR) * CR;
  const image = imageLayout(g, outC);
  const tapOffsets = arena.alloc(taps * 4);
  const w = arena.alloc(taps * c8);
  const b = arena.alloc(c8 * 4);
  const s = rq.scale ? arena.alloc(c8 * 4) : 0;
  for (let fy = 0; fy < g.filterH; fy++) {
    for (let fx = 0; fx < g.filterW; fx++) {
      arena.i32[(tapOffsets >>> 2) + fy * g.filterW + fx] = fy * g.dilationH * image.paddedRowBytes + fx * g.dilationW * outC;
    }
  }
  for (let c = 0; c < c8; c++) {
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const v = c < outC ? weights[t * outC + c]! : 0;
      arena.i8[w + t * c8 + c] = v;
      sum += v;
    }
    arena.i32[(b >>> 2) + c] = c < outC ? (bias[c]! - inputZeroPoint * sum) | 0 : 0;
    if (rq.scale) arena.f32[(s >>> 2) + c] = c < outC ? rq.scale[c]! : 0;
  }
  const pixels = g.outH * g.outW;
  const expanded = depthMultiplier > 1;
  const inputBytes = g.batches * g.inH * g.inW * inC;
  const { offsets, total } = scratchRegions([
    // With a depth multiplier the staged copy is already expanded to outC channels.
    expanded ? g.batches * image.batchBytes : inputBytes,
    image.padded ? image.paddedBytes : 0,
    rq.scale ? g.batches * pixels * outC : pixels * c8 * 4,
  ]);
  arena.needScratch(total);
  return {
    arena, g, inC, outC, depthMultiplier, c8, taps, tapOffsets, weights: w, bias: b, scale: s, image, inputBytes,
    inputZeroPoint, offsets: { stage: offsets[0]!, image: offsets[1]!, out: offsets[2]! }, rq,
    cache: { epoch: -1, view: null, acc: null },
  };
}

export function runWasmDepthwise(p: WasmDepthwiseOp, input: Int8Array, output: Int8Array): void {
  const { arena, g, outC, c8, rq, offsets } = p;
  const base = arena.scratchBase;
  const pixels = g.outH * g.outW;
  const cache = p.cache;
  if (cache.epoch !== arena.epoch) {
    const out = base + offsets.out;
    cache.view = rq.scale ? arena.i8.subarray(out, out + g.batches * pixels * outC) : null;
    cache.acc = rq.scale ? null : arena.i32.subarray(out >>> 2, (out >>> 2) + pixels * c8);
    cache.epoch = arena.epoch;
  }
  // One batch with padding: staged straight into the padded image, then spread there.
  const inPlace = g.batches === 1 && p.image.padded;
  const imageAt = base + offsets.image;
  const stage = inPlace ? imageInterior(p.image, imageAt) : base + offsets.stage;
  if (p.depthMultiplier === 1) {
    arena.i8.set(input.length === p.inputBytes ? input : input.subarray(0, p.inputBytes), stage);
  } else {
    expandChannels(arena.i8, stage, input, p.inputBytes / p.inC, p.inC, p.depthMultiplier);
  }
  const k = arena.kernels;
  const [dwQ8, dwI32] = p.taps === 9 ? [k.dw9Q8, k.dw9I32] : [k.dwQ8, k.dwI32];
  const rowBytes = p.image.paddedRowBytes;
  for (let b = 0; b < g.batches; b++) {
    const img = inPlace ? spreadImage(arena, p.image, imageAt, p.inputZeroPoint) : paddedImage(arena, p.image, stage, b, imageAt, p.inputZeroPoint);
    if (rq.scale) {
      dwQ8(img, g.strideH * rowBytes, g.strideW * outC, g.outH, g.outW, outC, p.taps, p.tapOffsets, p.weights, c8, p.bias,
        base + offsets.out + b * pixels * outC, p.scale, rq.zp, rq.lo, rq.hi);
    } else {
      dwI32(img, g.strideH * rowBytes, g.strideW * outC, g.outH, g.outW, outC, p.taps, p.tapOffsets, p.weights, c8, p.bias,
        base + offsets.out);
      requantizeFixedRows(cache.acc!, c8, pixels, outC, rq, output, b * pixels * outC);
    }
  }
  if (rq.scale) output.set(cache.view!);
}

/** Each input channel ic becomes output channels ic·dm … ic·dm + dm − 1. */
function expandChannels(dst: Int8Array, at: number, input: Int8Array, pixels: number, inC: number, dm: number): void {
  let o = at;
  let i = 0;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < inC; c++) {
      const v = input[i++]!;
      for (let j = 0; j < dm; j++) dst[o++] = v;
    }
  }
}
