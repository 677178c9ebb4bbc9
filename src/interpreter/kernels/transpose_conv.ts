// TRANSPOSE_CONV (inputs: output_shape, weights [outC,kh,kw,inC], input, bias?).
// Each input pixel scatters x·w into a window of the output whose origin is
// (iy·stride − pad, ix·stride − pad); the padding is the one a forward conv
// from the declared output size down to the input size would use
// (TFLite's transpose_conv.cc computes it exactly that way), so the trailing
// odd row/column of a SAME total lands past the end and is dropped.
//
// int8: acc = Σ (x − zp_in)·w + bias[c] in int32, then one requantization
// per output channel. Which one LiteRT runs was measured with tie-heavy
// models (power-of-two scale ratios putting many accumulators on .5):
// LiteRT hands int8 TRANSPOSE_CONV to XNNPACK's deconvolution, which
// requantizes in float32 and rounds half to even (the 'xnnpack' arithmetic);
// the builtin kernels' gemmlowp double rounding and single rounding half up
// both differ on those ties. The kernel keeps all three behind `arithmetic`,
// like CONV_2D, so the reference mode of the interpreter still means TFLite's
// reference kernels.

import { perChannelMultipliers } from '../../../quantize/math.js';
import { requantizeClamp } from './conv2d.js';
import { Lanes4, igemmUsesLanes4 } from './xnn_f32_order.js';
import type { WasmArena } from '../wasm/arena.js';
import { prepareWasmTransposeConv, scatterWasmTransposeConv, type WasmTransposeConvOp } from '../wasm/transpose-conv.js';
import { requantizedOutput, type RequantizedOutput } from './requant.js';
import { type Arithmetic, requantizeFp32 } from './xnnpack.js';
import {
  type FusedActivation, type Padding, type QuantParamsT, floatActivationRange, padBefore, tensorScale, tensorZeroPoint,
} from './types.js';

const f32 = Math.fround;

export interface TransposeConvOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  activation: FusedActivation;
}

export interface TransposeConvGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** The scatter geometry from the input shape, the weights' shape and the declared output shape. */
export function transposeConvGeometry(
  inputShape: readonly number[], filterShape: readonly number[], outputShape: readonly number[], o: TransposeConvOptions,
): TransposeConvGeometry {
  if (inputShape.length !== 4 || filterShape.length !== 4 || outputShape.length !== 4) {
    throw new Error(`TRANSPOSE_CONV needs 4-D input, weights and output shape; got [${inputShape.join(',')}], [${filterShape.join(',')}], [${outputShape.join(',')}]`);
  }
  const [batches, inH, inW, inC] = inputShape as [number, number, number, number];
  const [outC, filterH, filterW, fin] = filterShape as [number, number, number, number];
  const [ob, outH, outW, oc] = outputShape as [number, number, number, number];
  if (fin !== inC) throw new Error(`the weights have ${fin} input channels but the input has ${inC}`);
  if (oc !== outC) throw new Error(`the output shape has ${oc} channels but the weights produce ${outC}`);
  if (ob !== batches) throw new Error(`the output shape has batch ${ob} but the input has ${batches}`);
  for (const [name, v] of [['stride_h', o.strideH], ['stride_w', o.strideW]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer; got ${v}`);
  }
  if (outH < 1 || outW < 1) throw new Error(`the output shape [${outputShape.join(',')}] is empty`);
  // The forward conv this op is the gradient of: output → input.
  const fwdH = o.padding === 'SAME' ? Math.ceil(outH / o.strideH) : Math.floor((outH - filterH + o.strideH) / o.strideH);
  const fwdW = o.padding === 'SAME' ? Math.ceil(outW / o.strideW) : Math.floor((outW - filterW + o.strideW) / o.strideW);
  return {
    batches, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH: o.strideH, strideW: o.strideW,
    padTop: padBefore(outH, filterH, o.strideH, 1, fwdH).pad,
    padLeft: padBefore(outW, filterW, o.strideW, 1, fwdW).pad,
  };
}

export interface TransposeConvInt8Params extends RequantizedOutput {
  geom: TransposeConvGeometry;
  weights: Int8Array;
  bias: Int32Array | null;
  inputZeroPoint: number;
  outputShape: number[];
  /** One batch of int32 accumulators. */
  acc: Int32Array;
  /** One input pixel's channels, centred. */
  pixel: Int32Array;
  /** The wasm GEMM form of the scatter, when the interpreter has a wasm arena. */
  wasm: WasmTransposeConvOp | null;
}

export function prepareTransposeConvInt8(
  inputShape: readonly number[], input: QuantParamsT, filterShape: readonly number[], weights: Int8Array, filter: QuantParamsT,
  bias: Int32Array | null, outputShape: readonly number[], output: QuantParamsT, o: TransposeConvOptions, arithmetic: Arithmetic,
  wasm: WasmArena | null = null,
): TransposeConvInt8Params {
  const geom = transposeConvGeometry(inputShape, filterShape, outputShape, o);
  if (weights.length !== geom.outC * geom.filterH * geom.filterW * geom.inC) throw new Error('the weight data does not match the weight shape');
  if (bias && bias.length !== geom.outC) throw new Error(`the bias has ${bias.length} values for ${geom.outC} output channels`);
  const sIn = tensorScale(input);
  const sOut = tensorScale(output);
  const mult = perChannelMultipliers(sIn, filter.scale, sOut, geom.outC);
  const rq = requantizedOutput(mult, sIn, filter.scale, sOut, tensorZeroPoint(output), o.activation, arithmetic);
  return {
    ...rq, geom, weights, bias, inputZeroPoint: tensorZeroPoint(input), outputShape: [...outputShape],
    acc: new Int32Array(geom.outH * geom.outW * geom.outC), pixel: new Int32Array(geom.inC),
    wasm: wasm ? prepareWasmTransposeConv(wasm, geom, weights, tensorZeroPoint(input)) : null,
  };
}

/** Calls visit(tap, first output index) for each filter tap (fy·filterW + fx) of input pixel (iy, ix) that lands inside the output. */
export function forEachLandingTap(g: TransposeConvGeometry, iy: number, ix: number, visit: (tap: number, outBase: number) => void): void {
  for (let fy = 0; fy < g.filterH; fy++) {
    const oy = iy * g.strideH - g.padTop + fy;
    if (oy < 0 || oy >= g.outH) continue;
    for (let fx = 0; fx < g.filterW; fx++) {
      const ox = ix * g.strideW - g.padLeft + fx;
      if (ox < 0 || ox >= g.outW) continue;
      visit(fy * g.filterW + fx, (oy * g.outW + ox) * g.outC);
    }
  }
}

/**
 * Adds Σ_k (x[k] − zp)·w[oc,fy,fx,k] of every input pixel into the output
 * window it scatters to (exact int32 sums, so the order is free). The pixel's
 * centred values are read once into `xs`; each dot product then runs over
 * one contiguous weight row.
 */
function scatterInt8(p: TransposeConvInt8Params, input: Int8Array, batchIn: number): void {
  const { geom: g, weights: w, acc, inputZeroPoint: zp, pixel: xs } = p;
  const { inW, inC, outC } = g;
  const taps = g.filterH * g.filterW;
  for (let iy = 0; iy < g.inH; iy++) {
    for (let ix = 0; ix < inW; ix++) {
      const ib = batchIn + (iy * inW + ix) * inC;
      for (let k = 0; k < inC; k++) xs[k] = input[ib + k]! - zp;
      forEachLandingTap(g, iy, ix, (tap, ob) => {
        for (let oc = 0, wb = tap * inC; oc < outC; oc++, wb += taps * inC) {
          let s = 0;
          for (let k = 0; k < inC; k++) s += xs[k]! * w[wb + k]!;
          acc[ob + oc] = (acc[ob + oc]! + s) | 0;
        }
      });
    }
  }
}

export function transposeConvInt8(p: TransposeConvInt8Params, input: Int8Array, output: Int8Array): void {
  const { geom: g, acc, bias, scale, multiplier, shift, outputZeroPoint: zp, actMin, actMax } = p;
  const perBatch = acc.length;
  const outC = g.outC;
  for (let b = 0; b < g.batches; b++) {
    acc.fill(0);
    if (p.wasm) scatterWasmTransposeConv(p.wasm, g, input, b, acc);
    else scatterInt8(p, input, b * g.inH * g.inW * g.inC);
    const ob = b * perBatch;
    for (let i = 0, c = 0; i < perBatch; i++, c = c + 1 === outC ? 0 : c + 1) {
      const v = (acc[i]! + (bias ? bias[c]! : 0)) | 0;
      output[ob + i] = scale
        ? requantizeFp32(v, scale[c]!, zp, actMin, actMax)
        : requantizeClamp(v, multiplier[c]!, shift[c]!, zp, actMin, actMax, p.multiply);
    }
  }
}

export interface TransposeConvFloatParams {
  geom: TransposeConvGeometry;
  weights: Float32Array;
  bias: Float32Array | null;
  actMin: number;
  actMax: number;
  outputShape: number[];
  /** XNNPACK's narrow micro-kernel order (xnn_f32_order.ts); else one running sum. */
  lanes4: boolean;
  lanes: Lanes4;
}

export function prepareTransposeConvFloat(
  inputShape: readonly number[], filterShape: readonly number[], weights: Float32Array, bias: Float32Array | null,
  outputShape: readonly number[], o: TransposeConvOptions,
): TransposeConvFloatParams {
  const geom = transposeConvGeometry(inputShape, filterShape, outputShape, o);
  if (bias && bias.length !== geom.outC) throw new Error(`the bias has ${bias.length} values for ${geom.outC} output channels`);
  const act = floatActivationRange(o.activation);
  return {
    geom, weights, bias, actMin: act.min, actMax: act.max, outputShape: [...outputShape],
    lanes4: igemmUsesLanes4(geom.outC), lanes: new Lanes4(),
  };
}

/**
 * LiteRT runs float TRANSPOSE_CONV as XNNPACK's deconvolution: each output
 * gathers the taps that reach it, in filter order (fy, then fx), each tap's
 * input channels in order, starting from the bias, in float32; a tap whose
 * input pixel lies outside the image adds zeros. Narrow outputs use the
 * 4-partial-sum order of xnn_f32_order.ts. Measured bit-exact against LiteRT.
 */
export function transposeConvFloat(p: TransposeConvFloatParams, input: Float32Array, output: Float32Array): void {
  const { geom: g, weights: w, bias, actMin, actMax, lanes4, lanes: l } = p;
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, padTop, padLeft } = g;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    const xb = b * inH * inW * inC;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let oc = 0; oc < outC; oc++) {
          let acc = bias ? bias[oc]! : 0;
          if (lanes4) l.start(acc);
          for (let fy = 0; fy < filterH; fy++) {
            const ty = oy + padTop - fy;
            if (ty % strideH !== 0) continue;
            const iy = ty / strideH;
            const rowIn = iy >= 0 && iy < inH;
            for (let fx = 0; fx < filterW; fx++) {
              const tx = ox + padLeft - fx;
              if (tx % strideW !== 0) continue;
              const ix = tx / strideW;
              if (!rowIn || ix < 0 || ix >= inW) continue;
              const xi = xb + (iy * inW + ix) * inC;
              const wi = ((oc * filterH + fy) * filterW + fx) * inC;
              if (lanes4) {
                for (let k = 0; k < inC; k++) l.add(k, input[xi + k]!, w[wi + k]!);
              } else {
                for (let k = 0; k < inC; k++) acc = f32(acc + f32(input[xi + k]! * w[wi + k]!));
              }
            }
          }
          const v = lanes4 ? l.result() : acc;
          output[o++] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      }
    }
  }
}
