// DEPTHWISE_CONV_2D. int8 matches TFLite's reference_integer_ops::
// DepthwiseConvPerChannel: output channel oc = ic·depth_multiplier + m;
// acc = Σ over in-bounds taps w[fy,fx,oc]·(x[ic] − zp_in) + bias[oc];
// MultiplyByQuantizedMultiplier with the per-channel (axis 3) multiplier.

import { depthwiseTapOrder } from './xnn_f32_order.js';
import { convRequant, requantizeClamp, type ConvOptions, type TensorSpec, type WeightSpec } from './conv2d.js';
import type { WasmArena } from '../wasm/arena.js';
import { prepareWasmDepthwise, runWasmDepthwise, type WasmDepthwiseOp } from '../wasm/depthwise.js';
import { prepareWasmDepthwiseFloat, runWasmDepthwiseFloat, type WasmFloatDepthwiseOp } from '../wasm/float-ops.js';
import { gemmRequant, type RequantizedOutput } from './requant.js';
import { type Arithmetic, requantizeFp32 } from './xnnpack.js';
import { type QuantParamsT, type WindowGeometry, floatActivationRange, forEachTap, tensorZeroPoint, windowGeometry } from './types.js';

export interface DepthwiseOptions extends ConvOptions {
  depthMultiplier: number;
}

export interface DepthwiseInt8Params extends RequantizedOutput {
  geom: WindowGeometry;
  inC: number;
  outC: number;
  depthMultiplier: number;
  /** Weights [fh, fw, outC]. */
  weights: Int8Array;
  bias: Int32Array;
  inputZeroPoint: number;
  outputShape: number[];
  /** One int32 accumulator per output channel, reused for every pixel. */
  acc: Int32Array;
  /** The wasm SIMD plan; null runs the plain-JS loops. */
  wasm: WasmDepthwiseOp | null;
}

function checkShapes(inputShape: readonly number[], filterShape: readonly number[], depthMultiplier: number): [number, number, number, number] {
  if (filterShape.length !== 4 || filterShape[0] !== 1) {
    throw new Error(`DEPTHWISE_CONV_2D filter must be [1,h,w,out]; got [${filterShape.join(',')}]`);
  }
  const [, fh, fw, outC] = filterShape;
  const inC = inputShape[3];
  // Newer converters may write depth_multiplier 0 or a stale value; the shapes are authoritative.
  const m = outC / inC;
  if (!Number.isInteger(m) || m < 1) {
    throw new Error(`DEPTHWISE_CONV_2D has ${outC} output channels for ${inC} input channels`);
  }
  if (depthMultiplier > 0 && depthMultiplier !== m) {
    throw new Error(`DEPTHWISE_CONV_2D depth_multiplier ${depthMultiplier} disagrees with ${inC}→${outC} channels`);
  }
  return [fh, fw, outC, m];
}

export function prepareDepthwiseConv2dInt8(
  input: TensorSpec, filter: WeightSpec, bias: Int32Array | null, output: QuantParamsT, o: DepthwiseOptions,
  arithmetic: Arithmetic = 'reference', wasm: WasmArena | null = null,
): DepthwiseInt8Params {
  const [fh, fw, outC, m] = checkShapes(input.shape, filter.shape, o.depthMultiplier);
  if (bias && bias.length !== outC) throw new Error(`DEPTHWISE_CONV_2D bias has ${bias.length} values for ${outC} channels`);
  const geom = windowGeometry(input.shape, fh, fw, o);
  const rq = convRequant(input, filter, output, outC, o, arithmetic);
  const b = bias ?? new Int32Array(outC);
  const zpIn = tensorZeroPoint(input);
  const plan = wasm ? prepareWasmDepthwise(wasm, geom, input.shape[3], outC, m, filter.data, b, zpIn, gemmRequant(rq)) : null;
  return {
    ...rq, geom, inC: input.shape[3], outC, depthMultiplier: m, weights: filter.data, bias: b, inputZeroPoint: zpIn,
    outputShape: [geom.batches, geom.outH, geom.outW, outC], acc: new Int32Array(outC), wasm: plan,
  };
}

/**
 * acc[oc] += Σ over the in-bounds taps of one output pixel w[fy,fx,oc]·(x[ic] − zp),
 * oc = ic·dm + j. Int32Array accumulators wrap like the C reference's int32;
 * the float path passes zp 0 and Float64Array accumulators.
 */
export function accumulateTaps<T extends Int8Array | Float32Array>(
  g: WindowGeometry, b: number, oy: number, ox: number, inC: number, outC: number, dm: number,
  input: T, weights: T, zp: number, acc: Int32Array | Float64Array,
): void {
  forEachTap(g, b, oy, ox, inC, (tap, ib) => {
    const wb = tap * outC;
    if (dm === 1) {
      for (let c = 0; c < outC; c++) acc[c] += weights[wb + c] * (input[ib + c] - zp);
      return;
    }
    for (let ic = 0; ic < inC; ic++) {
      const xv = input[ib + ic] - zp;
      const ocb = ic * dm;
      for (let j = 0; j < dm; j++) acc[ocb + j] += weights[wb + ocb + j] * xv;
    }
  });
}

export function depthwiseConv2dInt8(p: DepthwiseInt8Params, input: Int8Array, output: Int8Array): void {
  if (p.wasm) {
    runWasmDepthwise(p.wasm, input, output);
    return;
  }
  const { geom: g, inC, outC, depthMultiplier: dm, weights, bias, multiplier, shift, acc, scale } = p;
  const zpIn = p.inputZeroPoint;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        acc.fill(0);
        accumulateTaps(g, b, oy, ox, inC, outC, dm, input, weights, zpIn, acc);
        if (scale) {
          for (let c = 0; c < outC; c++) output[o++] = requantizeFp32(acc[c] + bias[c], scale[c], p.outputZeroPoint, p.actMin, p.actMax);
        } else {
          for (let c = 0; c < outC; c++) {
            output[o++] = requantizeClamp(acc[c] + bias[c], multiplier[c], shift[c], p.outputZeroPoint, p.actMin, p.actMax, p.multiply);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// float32
// ---------------------------------------------------------------------------

export interface DepthwiseFloatParams {
  geom: WindowGeometry;
  inC: number;
  outC: number;
  depthMultiplier: number;
  weights: Float32Array;
  bias: Float32Array | null;
  actMin: number;
  actMax: number;
  outputShape: number[];
  /** Filter taps in the order LiteRT sums them. */
  tapOrder: number[];
  /** The wasm SIMD form of this op, when the interpreter has a wasm arena. */
  wasm: WasmFloatDepthwiseOp | null;
}

export function prepareDepthwiseConv2dFloat(
  inputShape: readonly number[], filterShape: readonly number[], weights: Float32Array, bias: Float32Array | null, o: DepthwiseOptions,
  wasm: WasmArena | null = null,
): DepthwiseFloatParams {
  const [fh, fw, outC, m] = checkShapes(inputShape, filterShape, o.depthMultiplier);
  const geom = windowGeometry(inputShape, fh, fw, o);
  const act = floatActivationRange(o.activation);
  return {
    geom, inC: inputShape[3], outC, depthMultiplier: m, weights, bias, actMin: act.min, actMax: act.max,
    outputShape: [geom.batches, geom.outH, geom.outW, outC], tapOrder: depthwiseTapOrder(fh, fw, m),
    wasm: wasm ? prepareWasmDepthwiseFloat(wasm, geom, inputShape[3], outC, m, weights, bias, act.min, act.max) : null,
  };
}

export function depthwiseConv2dFloat(p: DepthwiseFloatParams, input: Float32Array, output: Float32Array): void {
  if (p.wasm) return runWasmDepthwiseFloat(p.wasm, input, output);
  // float32, from the bias, taps in LiteRT's order (xnn_f32_order.ts), like the wasm kernel.
  const { geom: g, inC, outC, depthMultiplier: dm, weights, bias, tapOrder } = p;
  const f32 = Math.fround;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let c = 0; c < outC; c++) {
          let v = bias ? bias[c]! : 0;
          for (const tap of tapOrder) {
            const y = oy * g.strideH - g.padTop + Math.floor(tap / g.filterW) * g.dilationH;
            const x = ox * g.strideW - g.padLeft + (tap % g.filterW) * g.dilationW;
            if (y < 0 || y >= g.inH || x < 0 || x >= g.inW) continue;
            v = f32(v + f32(input[((b * g.inH + y) * g.inW + x) * inC + Math.floor(c / dm)]! * weights[tap * outC + c]!));
          }
          output[o++] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
        }
      }
    }
  }
}
