// MEAN. TFLite's reduce.cc dispatches int8 MEAN three ways (reference path,
// tensorflow/lite/kernels/reduce.cc EvalMeanReferenceOps):
//  'hw-integer'   keep_dims, 4-D, axes {1,2}: reference_integer_ops::Mean —
//                 acc = Σ(x − zp_in); MBQM by s_in/s_out; divide by H·W rounding
//                 half away from zero; + zp_out; clamp.
//  'same-quant'   input and output share scale and zero point:
//                 reference_ops::Mean — integer sum / count, truncated toward zero.
//  'float-rescale' otherwise: reference_ops::QuantizedMeanOrSum — integer sum,
//                 then per output value float32 mean·(s_in/s_out) − zp_in·(s_in/s_out),
//                 rounded half away, + zp_out, clamped. (The float work happens once
//                 per output value, after the integer reduction.)
// LiteRT.js delegates every int8 MEAN with a non-empty constant axes tensor to
// XNNPACK (no scale-ratio or axes condition refuses it; measured from 1/2000 to
// 3000), whose arithmetic is the 'xnnpack' path below.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type QuantParamsT, INT8_MAX, INT8_MIN, roundHalfAwayF32, shapeSize, tensorScale, tensorZeroPoint } from './types.js';
import { type Arithmetic, rne } from './xnnpack.js';

const f32 = Math.fround;

export type MeanInt8Path = 'hw-integer' | 'same-quant' | 'float-rescale' | 'xnnpack';

export interface ReducePlan {
  inputShape: number[];
  outputShape: number[];
  /** Sorted, de-duplicated, non-negative axes. */
  axes: number[];
  /** Number of input values folded into each output value. */
  count: number;
  /** Which input dims are reduced. */
  reduced: boolean[];
  outStrides: number[];
  counter: Int32Array;
}

export function planReduce(inputShape: readonly number[], axesIn: ArrayLike<number>, keepDims: boolean): ReducePlan {
  const rank = inputShape.length;
  const set = new Set<number>();
  for (let i = 0; i < axesIn.length; i++) {
    const a = axesIn[i] < 0 ? axesIn[i] + rank : axesIn[i];
    if (!(a >= 0 && a < rank)) throw new Error(`MEAN axis ${axesIn[i]} is out of range for rank ${rank}`);
    set.add(a);
  }
  const axes = [...set].sort((x, y) => x - y);
  const reduced = inputShape.map((_, d) => set.has(d));
  const outputShape: number[] = [];
  inputShape.forEach((d, i) => {
    if (!reduced[i]) outputShape.push(d);
    else if (keepDims) outputShape.push(1);
  });
  let count = 1;
  for (const a of axes) count *= inputShape[a];
  // Stride of each input dim in the (keep_dims-free) output; 0 along reduced dims.
  const outStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!reduced[d]) {
      outStrides[d] = s;
      s *= inputShape[d];
    }
  }
  return { inputShape: [...inputShape], outputShape, axes, count, reduced, outStrides, counter: new Int32Array(rank) };
}

/** Sum the input into `sums` (one slot per output value) in input order. */
function reduceSum(p: ReducePlan, input: ArrayLike<number>, sums: Float64Array | Int32Array, roundF32: boolean): void {
  sums.fill(0);
  const { inputShape, outStrides, counter } = p;
  const rank = inputShape.length;
  const n = shapeSize(inputShape);
  counter.fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    sums[o] = roundF32 ? f32(sums[o] + input[i]) : sums[o] + input[i];
    for (let d = rank - 1; d >= 0; d--) {
      o += outStrides[d];
      if (++counter[d] < inputShape[d]) break;
      o -= outStrides[d] * inputShape[d];
      counter[d] = 0;
    }
  }
}

export interface MeanInt8Params {
  plan: ReducePlan;
  outputShape: number[];
  path: MeanInt8Path;
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  /** float-rescale path: s_in/s_out and −zp_in·s_in/s_out; xnnpack path: (s_in/s_out)/N and zp_out − N·zp_in·scale; float32. */
  scale: number;
  bias: number;
  sums: Int32Array;
}

export function prepareMeanInt8(
  inputShape: readonly number[], inQ: QuantParamsT, axes: ArrayLike<number>, keepDims: boolean, outQ: QuantParamsT,
  arithmetic: Arithmetic = 'reference',
): MeanInt8Params {
  const plan = planReduce(inputShape, axes, keepDims);
  const sIn = f32(tensorScale(inQ));
  const sOut = f32(tensorScale(outQ));
  const zpIn = tensorZeroPoint(inQ);
  const zpOut = tensorZeroPoint(outQ);
  const hw = keepDims && inputShape.length === 4 && plan.axes.length === 2 && plan.axes[0] === 1 && plan.axes[1] === 2;
  const xnn = arithmetic === 'xnnpack';
  const path: MeanInt8Path = xnn ? 'xnnpack' : hw ? 'hw-integer' : sIn === sOut && zpIn === zpOut ? 'same-quant' : 'float-rescale';
  const q = quantizeMultiplier(sIn / sOut);
  // XNNPACK: the raw int32 sum of codes, times (s_in/s_out)·(1/N) in float32, plus one float32 bias that
  // holds both zero points, zp_out − N·zp_in·scale, rounded to nearest even. The input zero point is not
  // taken off the integer sum: with N·zp_in large the bias's rounding moves near-ties (mean-ties.test).
  const scale = xnn ? f32(f32(sIn / sOut) * f32(1 / plan.count)) : f32(sIn / sOut);
  const bias = xnn ? f32(f32(-plan.count * zpIn * scale) + zpOut) : f32(-zpIn * scale);
  return {
    plan, outputShape: plan.outputShape, path, inputZeroPoint: zpIn, outputZeroPoint: zpOut,
    multiplier: q.multiplier, shift: q.shift, scale, bias,
    sums: new Int32Array(shapeSize(plan.outputShape)),
  };
}

export function meanInt8(p: MeanInt8Params, input: Int8Array, output: Int8Array): void {
  const { sums } = p;
  const n = p.plan.count;
  if (n === 0) {
    output.fill(0);
    return;
  }
  reduceSum(p.plan, input, sums, false);
  for (let i = 0; i < sums.length; i++) {
    let v: number;
    if (p.path === 'hw-integer') {
      const acc = multiplyByQuantizedMultiplier((sums[i] - p.inputZeroPoint * n) | 0, p.multiplier, p.shift);
      const half = (n / 2) | 0;
      v = (acc > 0 ? Math.trunc((acc + half) / n) : Math.trunc((acc - half) / n)) + p.outputZeroPoint;
    } else if (p.path === 'xnnpack') {
      // Both zero points are in the bias, added before rounding: an odd output zero point moves .5 ties
      // the other way than rounding first would (measured against LiteRT, mean-ties.test).
      v = rne(f32(f32(f32(sums[i]) * p.scale) + p.bias));
    } else if (p.path === 'same-quant') {
      v = Math.trunc(sums[i] / n);
    } else {
      const mean = f32(f32(sums[i]) / f32(n));
      v = roundHalfAwayF32(f32(f32(mean * p.scale) + p.bias)) + p.outputZeroPoint;
    }
    output[i] = v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
  }
}

export interface MeanFloatParams {
  plan: ReducePlan;
  outputShape: number[];
  sums: Float64Array;
}

export function prepareMeanFloat(inputShape: readonly number[], axes: ArrayLike<number>, keepDims: boolean): MeanFloatParams {
  const plan = planReduce(inputShape, axes, keepDims);
  return { plan, outputShape: plan.outputShape, sums: new Float64Array(shapeSize(plan.outputShape)) };
}

export function meanFloat(p: MeanFloatParams, input: Float32Array, output: Float32Array): void {
  // float32 accumulation in input order, as the reference loops do.
  reduceSum(p.plan, input, p.sums, true);
  const n = p.plan.count;
  for (let i = 0; i < p.sums.length; i++) output[i] = n === 0 ? NaN : p.sums[i] / n;
}
