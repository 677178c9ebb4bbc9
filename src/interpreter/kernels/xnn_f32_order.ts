// The order in which LiteRT's XNNPACK adds the products of a float32 CONV_2D,
// FULLY_CONNECTED or TRANSPOSE_CONV, as far as it differs from one running
// sum. XNNPACK's float GEMMs start each sum from the bias and add products in
// weight order, in float32 (the wasm build has no fused multiply-add), 8
// output channels per micro-tile. For narrow outputs it switches to a 2-wide
// micro-kernel that keeps 4 partial sums: input channel k of every tap goes
// to partial sum k mod 4 (the bias starts the first), folded as
// (s0 + s2) + (s1 + s3). When it switches was measured bit for bit against
// LiteRT: windowed ops (igemm: convs other than 1×1 stride 1 unpadded, and
// TRANSPOSE_CONV) below 8 output channels; GEMM ops (FULLY_CONNECTED, 1×1
// convs) below 8 or when a 2-wide tile wastes fewer channels than the 8-wide
// one and the 8-wide waste exceeds 1% of the channels.

import type { WindowGeometry } from './types.js';

const f32 = Math.fround;
const NR = 8;
const NR2 = 2;

/** XNNPACK's narrow-tile choice for a windowed (indirect GEMM) op. */
export function igemmUsesLanes4(outC: number): boolean {
  return outC < NR;
}

/** XNNPACK's narrow-tile choice for a GEMM op. */
export function gemmUsesLanes4(outC: number): boolean {
  const waste = (NR - (outC % NR)) % NR;
  const waste2 = (NR2 - (outC % NR2)) % NR2;
  return outC < NR || (waste2 < waste && waste * 100 > outC);
}

/** 1×1, stride 1, no padding: XNNPACK runs the conv as a GEMM. */
export function convIsGemm(g: WindowGeometry): boolean {
  return g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0
    && g.outH === g.inH && g.outW === g.inW;
}

/** Partial sums of the narrow micro-kernel: call start(bias), add(k, x, w) per product, then result(). */
export class Lanes4 {
  private readonly s = new Float64Array(4);

  start(bias: number): void {
    this.s.fill(0);
    this.s[0] = bias;
  }

  add(k: number, x: number, w: number): void {
    const i = k & 3;
    this.s[i] = f32(this.s[i]! + f32(x * w));
  }

  result(): number {
    const s = this.s;
    return f32(f32(s[0]! + s[2]!) + f32(s[1]! + s[3]!));
  }
}

/**
 * CONV_2D in the narrow micro-kernel's order, taps in `tapOrder` (filter
 * positions fy·filterW + fx); taps outside the image add nothing.
 */
export function conv2dFloatLanes4(
  g: WindowGeometry, inC: number, outC: number, weights: Float32Array, bias: Float32Array | null, actMin: number, actMax: number,
  tapOrder: readonly number[], input: Float32Array, output: Float32Array, lanes: Lanes4,
): void {
  const taps = g.filterH * g.filterW;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let c = 0; c < outC; c++) {
          lanes.start(bias ? bias[c]! : 0);
          for (const tap of tapOrder) {
            const y = oy * g.strideH - g.padTop + Math.floor(tap / g.filterW) * g.dilationH;
            const x = ox * g.strideW - g.padLeft + (tap % g.filterW) * g.dilationW;
            if (y < 0 || y >= g.inH || x < 0 || x >= g.inW) continue;
            const ib = ((b * g.inH + y) * g.inW + x) * inC;
            const wb = (c * taps + tap) * inC;
            for (let k = 0; k < inC; k++) lanes.add(k, input[ib + k]!, weights[wb + k]!);
          }
          const v = lanes.result();
          output[o++] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      }
    }
  }
}

/**
 * The taps of a float CONV_2D in LiteRT's order: filter order, except that a
 * windowed conv from one channel to one channel runs as XNNPACK's depthwise
 * kernel (column by column; measured).
 */
export function convTapOrder(g: WindowGeometry, inC: number, outC: number): number[] {
  if (inC === 1 && outC === 1 && !convIsGemm(g)) return depthwiseTapOrder(g.filterH, g.filterW, 1);
  return Array.from({ length: g.filterH * g.filterW }, (_, t) => t);
}

/** FULLY_CONNECTED in the narrow micro-kernel's order. */
export function fullyConnectedFloatLanes4(
  batches: number, inputSize: number, units: number, weights: Float32Array, bias: Float32Array | null, actMin: number, actMax: number,
  input: Float32Array, output: Float32Array, lanes: Lanes4,
): void {
  for (let b = 0; b < batches; b++) {
    const ib = b * inputSize;
    for (let u = 0; u < units; u++) {
      const wb = u * inputSize;
      lanes.start(bias ? bias[u]! : 0);
      for (let k = 0; k < inputSize; k++) lanes.add(k, input[ib + k]!, weights[wb + k]!);
      const v = lanes.result();
      output[b * units + u] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }
}

/** Windows up to this many taps are summed column by column (XNNPACK's depthwise kernels); larger ones row by row. */
const COLUMN_ORDER_MAX_TAPS = 25;

/**
 * Filter taps (fy·filterW + fx) in the order LiteRT's float depthwise conv
 * sums them (measured on 1×3 … 7×7 and non-square windows): column by column
 * up to 25 taps, row by row above that and with a depth multiplier.
 */
export function depthwiseTapOrder(filterH: number, filterW: number, depthMultiplier: number): number[] {
  const order: number[] = [];
  if (depthMultiplier > 1 || filterH * filterW > COLUMN_ORDER_MAX_TAPS) {
    for (let t = 0; t < filterH * filterW; t++) order.push(t);
  } else {
    for (let fx = 0; fx < filterW; fx++) for (let fy = 0; fy < filterH; fy++) order.push(fy * filterW + fx);
  }
  return order;
}
