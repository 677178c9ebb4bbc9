// DEPTHWISE_CONV_2D with float input/output and int8 per-channel weights
// (dynamic-range quantization), as LiteRT runs it (measured against
// @litertjs/core to float32 rounding): each input batch is quantized
// asymmetrically, acc = Σ w·(q − zp) over the taps inside the image, and
// out = f32(f32(acc·s_w[c])·s_in) + bias[c]. LiteRT refuses a per-tensor
// filter scale here, so the planner does too.

import { accumulateTaps, type DepthwiseOptions } from './depthwise_conv2d.js';
import { asymmetricQuantizeFloats } from './fully_connected.js';
import { type WindowGeometry, floatActivationRange, windowGeometry } from './types.js';

const f32 = Math.fround;

export interface DepthwiseHybridParams {
  geom: WindowGeometry;
  inC: number;
  outC: number;
  depthMultiplier: number;
  weights: Int8Array;
  filterScales: Float32Array;
  bias: Float32Array | null;
  actMin: number;
  actMax: number;
  quantized: Int8Array;
  acc: Int32Array;
}

export function prepareDepthwiseConv2dHybrid(
  inputShape: readonly number[], filterShape: readonly number[], weights: Int8Array, filterScales: ArrayLike<number>,
  bias: Float32Array | null, o: DepthwiseOptions,
): DepthwiseHybridParams {
  const [, fh, fw, outC] = filterShape as [number, number, number, number];
  const inC = inputShape[3]!;
  if (inC * o.depthMultiplier !== outC) throw new Error(`DEPTHWISE_CONV_2D has ${outC} output channels for ${inC} inputs × multiplier ${o.depthMultiplier}`);
  if (filterScales.length !== outC) throw new Error(`dynamic-range DEPTHWISE_CONV_2D needs one weight scale per channel (${outC}); got ${filterScales.length}`);
  const geom = windowGeometry(inputShape, fh, fw, o);
  const act = floatActivationRange(o.activation);
  return {
    geom, inC, outC, depthMultiplier: o.depthMultiplier, weights, filterScales: Float32Array.from(filterScales), bias,
    actMin: act.min, actMax: act.max, quantized: new Int8Array(geom.inH * geom.inW * inC), acc: new Int32Array(outC),
  };
}

export function depthwiseConv2dHybrid(p: DepthwiseHybridParams, input: Float32Array, output: Float32Array): void {
  const { geom: g, inC, outC, depthMultiplier: dm, weights, filterScales, bias, actMin, actMax, acc } = p;
  const size = p.quantized.length;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    const { scale: sIn, zeroPoint: zp } = asymmetricQuantizeFloats(input, b * size, size, p.quantized);
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        acc.fill(0);
        accumulateTaps(g, 0, oy, ox, inC, outC, dm, p.quantized, weights, zp, acc);
        for (let c = 0; c < outC; c++) {
          let v = f32(f32(acc[c]! * filterScales[c]!) * sIn);
          if (bias) v = f32(v + bias[c]!);
          output[o++] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      }
    }
  }
}
