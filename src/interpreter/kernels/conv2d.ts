// CONV_2D. int8 per-channel/per-tensor matches TFLite's
// reference_integer_ops::ConvPerChannel: acc = Σ w·(x − zp_in) + bias, then
// MultiplyByQuantizedMultiplier per output channel, + zp_out, clamp.
// The fast path is im2col + a packed int8 GEMM: padded taps are filled with
// zp_in so they contribute w·0, exactly as the reference skips them, and the
// −zp_in·Σw term is folded into the bias once at prepare time.

import { type FixedPointMultiply, multiplyByQuantizedMultiplier } from '../../../quantize/math.js';
import type { WasmArena } from '../wasm/arena.js';
import { prepareWasmConv, runWasmGemmOp, type WasmGemmOp } from '../wasm/conv.js';
import { prepareWasmConvFloat, runWasmFloatGemm, type WasmFloatGemmOp } from '../wasm/float-ops.js';
import { gemmRequant, requantizedOutput, weightedOpMultipliers, type RequantizedOutput } from './requant.js';
import { type Arithmetic, requantizeFp32 } from './xnnpack.js';
import { Lanes4, conv2dFloatLanes4, convIsGemm, convTapOrder, gemmUsesLanes4, igemmUsesLanes4 } from './xnn_f32_order.js';
import {
  type FusedActivation, type QuantParamsT, type WindowGeometry, type WindowOptions,
  floatActivationRange, tensorScale, tensorZeroPoint, windowGeometry,
  forEachTap,
} from './types.js';

export interface ConvOptions extends WindowOptions {
  activation: FusedActivation;
}

export interface Conv2DInt8Params extends RequantizedOutput {
  geom: WindowGeometry;
  inC: number;
  outC: number;
  /** Patch length filterH·filterW·inC. */
  depth: number;
  /** Weights [outC, depth] (TFLite's OHWI layout is already packed this way). */
  weights: Int8Array;
  /** bias[c] − zp_in·Σw[c]: the zero-point term hoisted out of the inner loop. */
  foldedBias: Int32Array;
  inputZeroPoint: number;
  outputShape: number[];
  /** Reusable im2col scratch (null when the input can be used in place, or on the wasm engine). */
  im2col: Int8Array | null;
  /** The wasm SIMD plan; null runs the plain-JS GEMM below. */
  wasm: WasmGemmOp | null;
}

export interface TensorSpec extends QuantParamsT {
  shape: readonly number[];
}

export interface WeightSpec extends QuantParamsT {
  shape: readonly number[];
  data: Int8Array;
}

export function prepareConv2dInt8(
  input: TensorSpec, filter: WeightSpec, bias: Int32Array | null, output: QuantParamsT, o: ConvOptions,
  arithmetic: Arithmetic = 'reference', wasm: WasmArena | null = null,
): Conv2DInt8Params {
  if (filter.shape.length !== 4) throw new Error(`CONV_2D filter must be 4-D [out,h,w,in]; got [${filter.shape.join(',')}]`);
  const [outC, fh, fw, fin] = filter.shape;
  const inC = input.shape[3];
  if (fin !== inC) throw new Error(`CONV_2D filter has ${fin} input channels but the input has ${inC}`);
  if (bias && bias.length !== outC) throw new Error(`CONV_2D bias has ${bias.length} values for ${outC} output channels`);
  const geom = windowGeometry(input.shape, fh, fw, o);
  const depth = fh * fw * inC;
  if (filter.data.length !== outC * depth) throw new Error('CONV_2D filter data does not match its shape');
  const zpIn = tensorZeroPoint(input);
  const rq = convRequant(input, filter, output, outC, o, arithmetic);
  const foldedBias = foldBias(filter.data, bias, outC, depth, zpIn);
  const direct = fh === 1 && fw === 1 && o.strideH === 1 && o.strideW === 1 && geom.padTop === 0 && geom.padLeft === 0;
  const plan = wasm ? prepareWasmConv(wasm, geom, inC, outC, filter.data, foldedBias, zpIn, gemmRequant(rq)) : null;
  return {
    ...rq, geom, inC, outC, depth, weights: filter.data, foldedBias, inputZeroPoint: zpIn,
    outputShape: [geom.batches, geom.outH, geom.outW, outC],
    im2col: direct || plan ? null : new Int8Array(geom.outH * geom.outW * depth),
    wasm: plan,
  };
}

/** Per-channel requantization of a convolution's int8 output (CONV_2D and DEPTHWISE_CONV_2D alike: the same multipliers). */
export function convRequant(
  input: QuantParamsT, filter: QuantParamsT, output: QuantParamsT, channels: number, o: ConvOptions, arithmetic: Arithmetic,
): RequantizedOutput {
  const sIn = tensorScale(input);
  const sOut = tensorScale(output);
  const mult = weightedOpMultipliers('CONV_2D', sIn, filter.scale, sOut, channels);
  return requantizedOutput(mult, sIn, filter.scale, sOut, tensorZeroPoint(output), o.activation, arithmetic);
}

/** bias[c] − zp·Σ_k w[c,k]; the identity Σw(x−zp) = Σwx − zpΣw is exact in int32. */
export function foldBias(weights: Int8Array, bias: Int32Array | null, rows: number, depth: number, zp: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * depth;
    for (let k = 0; k < depth; k++) s += weights[base + k];
    out[r] = (bias ? bias[r] : 0) - zp * s;
  }
  return out;
}

/** Lay out every receptive field as one row of `depth` int8 values, padding with `padValue`. */
export function im2col(g: WindowGeometry, inC: number, input: Int8Array, batchOffset: number, cols: Int8Array, padValue: number): void {
  const { inH, inW, outH, outW, filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const rowLen = filterW * inC;
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      for (let fy = 0; fy < filterH; fy++) {
        const y = y0 + fy * dilationH;
        if (y < 0 || y >= inH) {
          cols.fill(padValue, o, o + rowLen);
          o += rowLen;
          continue;
        }
        const rowBase = batchOffset + y * inW * inC;
        if (dilationW === 1 && x0 >= 0 && x0 + filterW <= inW) {
          // Whole filter row inside the image: one contiguous copy.
          const src = rowBase + x0 * inC;
          cols.set(input.subarray(src, src + rowLen), o);
          o += rowLen;
          continue;
        }
        for (let fx = 0; fx < filterW; fx++) {
          const x = x0 + fx * dilationW;
          if (x < 0 || x >= inW) {
            cols.fill(padValue, o, o + inC);
          } else {
            const src = rowBase + x * inC;
            for (let c = 0; c < inC; c++) cols[o + c] = input[src + c];
          }
          o += inC;
        }
      }
    }
  }
}

/**
 * int8 GEMM + requantize: out[p, c] = clamp(MBQM(Σ_k a[p,k]·w[c,k] + bias[c]) + zp_out).
 * A 2-row × 4-column register tile: each loaded value feeds 2–4 multiply-adds.
 */
export function gemmRequantize(
  a: Int8Array, aOffset: number, rows: number, depth: number,
  w: Int8Array, cols: number, bias: Int32Array, multiplier: Int32Array, shift: Int32Array,
  zpOut: number, actMin: number, actMax: number, out: Int8Array, outOffset: number, scale: Float32Array | null = null,
  multiply: FixedPointMultiply = multiplyByQuantizedMultiplier,
): void {
  const requant = scale
    ? (acc: number, _m: number, _s: number, zp: number, lo: number, hi: number, c: number): number => requantizeFp32(acc, scale[c], zp, lo, hi)
    : (acc: number, m: number, s: number, zp: number, lo: number, hi: number): number => requantizeClamp(acc, m, s, zp, lo, hi, multiply);
  const c4 = cols - (cols % 4);
  let p = 0;
  for (; p + 1 < rows; p += 2) {
    const a0 = aOffset + p * depth;
    const a1 = a0 + depth;
    const o0 = outOffset + p * cols;
    const o1 = o0 + cols;
    let c = 0;
    for (; c < c4; c += 4) {
      const w0 = c * depth;
      const w1 = w0 + depth;
      const w2 = w1 + depth;
      const w3 = w2 + depth;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < depth; k++) {
        const x0 = a[a0 + k];
        const x1 = a[a1 + k];
        const v0 = w[w0 + k];
        const v1 = w[w1 + k];
        const v2 = w[w2 + k];
        const v3 = w[w3 + k];
        s00 += x0 * v0; s01 += x0 * v1; s02 += x0 * v2; s03 += x0 * v3;
        s10 += x1 * v0; s11 += x1 * v1; s12 += x1 * v2; s13 += x1 * v3;
      }
      out[o0 + c] = requant(s00 + bias[c], multiplier[c], shift[c], zpOut, actMin, actMax, c);
      out[o0 + c + 1] = requant(s01 + bias[c + 1], multiplier[c + 1], shift[c + 1], zpOut, actMin, actMax, c + 1);
      out[o0 + c + 2] = requant(s02 + bias[c + 2], multiplier[c + 2], shift[c + 2], zpOut, actMin, actMax, c + 2);
      out[o0 + c + 3] = requant(s03 + bias[c + 3], multiplier[c + 3], shift[c + 3], zpOut, actMin, actMax, c + 3);
      out[o1 + c] = requant(s10 + bias[c], multiplier[c], shift[c], zpOut, actMin, actMax, c);
      out[o1 + c + 1] = requant(s11 + bias[c + 1], multiplier[c + 1], shift[c + 1], zpOut, actMin, actMax, c + 1);
      out[o1 + c + 2] = requant(s12 + bias[c + 2], multiplier[c + 2], shift[c + 2], zpOut, actMin, actMax, c + 2);
      out[o1 + c + 3] = requant(s13 + bias[c + 3], multiplier[c + 3], shift[c + 3], zpOut, actMin, actMax, c + 3);
    }
    for (; c < cols; c++) {
      const wb = c * depth;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < depth; k++) {
        const v = w[wb + k];
        s0 += a[a0 + k] * v;
        s1 += a[a1 + k] * v;
      }
      out[o0 + c] = requant(s0 + bias[c], multiplier[c], shift[c], zpOut, actMin, actMax, c);
      out[o1 + c] = requant(s1 + bias[c], multiplier[c], shift[c], zpOut, actMin, actMax, c);
    }
  }
  for (; p < rows; p++) {
    const aBase = aOffset + p * depth;
    const oBase = outOffset + p * cols;
    for (let c = 0; c < cols; c++) {
      const wb = c * depth;
      let s = 0;
      for (let k = 0; k < depth; k++) s += a[aBase + k] * w[wb + k];
      out[oBase + c] = requant(s + bias[c], multiplier[c], shift[c], zpOut, actMin, actMax, c);
    }
  }
}

/** MultiplyByQuantizedMultiplier(acc) + zp, clamped to the activation range; the C reference accumulates in int32, so acc wraps like it. */
export function requantizeClamp(
  acc: number, m: number, shift: number, zp: number, lo: number, hi: number, multiply: FixedPointMultiply = multiplyByQuantizedMultiplier,
): number {
  const v = multiply(acc | 0, m, shift) + zp;
  return v < lo ? lo : v > hi ? hi : v;
}

export function conv2dInt8(p: Conv2DInt8Params, input: Int8Array, output: Int8Array): void {
  if (p.wasm) {
    runWasmGemmOp(p.wasm, input, output);
    return;
  }
  const { geom, inC, outC, depth } = p;
  const pixels = geom.outH * geom.outW;
  const inBatch = geom.inH * geom.inW * inC;
  for (let b = 0; b < geom.batches; b++) {
    let a = input;
    let aOffset = b * inBatch;
    if (p.im2col) {
      im2col(geom, inC, input, b * inBatch, p.im2col, p.inputZeroPoint);
      a = p.im2col;
      aOffset = 0;
    }
    gemmRequantize(a, aOffset, pixels, depth, p.weights, outC, p.foldedBias, p.multiplier, p.shift,
      p.outputZeroPoint, p.actMin, p.actMax, output, b * pixels * outC, p.scale, p.multiply);
  }
}

// ---------------------------------------------------------------------------
// float32
// ---------------------------------------------------------------------------

export interface Conv2DFloatParams {
  geom: WindowGeometry;
  inC: number;
  outC: number;
  weights: Float32Array;
  bias: Float32Array | null;
  actMin: number;
  actMax: number;
  outputShape: number[];
  /** The wasm SIMD form of this op, when the interpreter has a wasm arena. */
  wasm: WasmFloatGemmOp | null;
  /** LiteRT's narrow-output summation order (xnn_f32_order.ts), or null for one running sum. */
  lanes4: Lanes4 | null;
  tapOrder: number[];
}

export function prepareConv2dFloat(
  inputShape: readonly number[], filterShape: readonly number[], weights: Float32Array, bias: Float32Array | null, o: ConvOptions,
  wasm: WasmArena | null = null,
): Conv2DFloatParams {
  if (filterShape.length !== 4) throw new Error(`CONV_2D filter must be 4-D; got [${filterShape.join(',')}]`);
  const [outC, fh, fw, fin] = filterShape;
  if (fin !== inputShape[3]) throw new Error(`CONV_2D filter has ${fin} input channels but the input has ${inputShape[3]}`);
  const geom = windowGeometry(inputShape, fh, fw, o);
  const act = floatActivationRange(o.activation);
  const narrow = convIsGemm(geom) ? gemmUsesLanes4(outC) : igemmUsesLanes4(outC);
  return {
    geom, inC: fin, outC, weights, bias, actMin: act.min, actMax: act.max, outputShape: [geom.batches, geom.outH, geom.outW, outC],
    wasm: wasm && !narrow ? prepareWasmConvFloat(wasm, geom, fin, outC, weights, bias, act.min, act.max) : null,
    lanes4: narrow ? new Lanes4() : null, tapOrder: convTapOrder(geom, fin, outC),
  };
}

export function conv2dFloat(p: Conv2DFloatParams, input: Float32Array, output: Float32Array): void {
  if (p.wasm) return runWasmFloatGemm(p.wasm, input, output);
  const { geom: g, inC, outC, weights, bias, actMin, actMax } = p;
  if (p.lanes4) return conv2dFloatLanes4(g, inC, outC, weights, bias, actMin, actMax, p.tapOrder, input, output, p.lanes4);
  // float32 from the bias, in weight order, like the wasm kernel and LiteRT's XNNPACK.
  const f32 = Math.fround;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let c = 0; c < outC; c++) {
          let acc = bias ? bias[c] : 0;
          const taps = g.filterH * g.filterW;
          forEachTap(g, b, oy, ox, inC, (tap, ib) => {
            const wb = (c * taps + tap) * inC;
            for (let k = 0; k < inC; k++) acc = f32(acc + f32(input[ib + k] * weights[wb + k]));
          });
          output[o++] = acc < actMin ? actMin : acc > actMax ? actMax : acc;
        }
      }
    }
  }
}
