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
  /**
   * When the reduced dims (size-1 dims aside) are one contiguous run, the input
   * is [outer][n][inner] with the n reduced positions in the middle; null otherwise.
   */
  block: { outer: number; n: number; inner: number } | null;
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
  const dims = inputShape.map((d, i) => ({ d, r: reduced[i]! })).filter((x) => x.d !== 1);
  const first = dims.findIndex((x) => x.r);
  const last = dims.map((x) => x.r).lastIndexOf(true);
  const product = (xs: Array<{ d: number }>): number => xs.reduce((q, x) => q * x.d, 1);
  const block = first < 0 || dims.slice(first, last + 1).every((x) => x.r)
    ? { outer: product(dims.slice(0, Math.max(first, 0))), n: count, inner: product(dims.slice(last + 1)) }
    : null;
  return { inputShape: [...inputShape], outputShape, axes, count, reduced, outStrides, counter: new Int32Array(rank), block };
}

/** Sum the input into `sums` (one slot per output value) in input order. */
function reduceSum(p: ReducePlan, input: ArrayLike<number>, sums: Float64Array | Int32Array, roundF32: boolean): void {
  sums.fill(0);
  if (p.block && !roundF32) return blockSum(p.block, input, sums);
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

/**
 * reduceSum over [outer][n][inner], each output's values visited in input
 * order (row by row) without the general odometer; integer sums only.
 */
function blockSum(b: { outer: number; n: number; inner: number }, input: ArrayLike<number>, sums: Float64Array | Int32Array): void {
  const { outer, n, inner } = b;
  let i = 0;
  for (let o = 0; o < outer; o++) {
    const at = o * inner;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < inner; c++) sums[at + c] += input[i++]!;
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
  /** How LiteRT's XNNPACK sums each output's values (see meanFloat). */
  order: 'rows' | 'lanes16';
  /** Reduced values per output; the distance between an output's values (rows order). */
  count: number;
  inner: number;
  scale: number;
  lanes: Float64Array;
  sums: Float64Array;
}

/**
 * float32 MEAN runs on XNNPACK in LiteRT, which drops size-1 dims, merges
 * neighbouring dims and then sums one contiguous block of reduced dims in one
 * of two orders (measured against LiteRT bit for bit, every axis set the
 * exporter emits): reduced dims innermost — 16 interleaved float32
 * accumulators, folded pairwise; otherwise — row after row in input order.
 * Either way the sum is then multiplied by float32(1/n), not divided.
 * Other axis sets keep the reference order: input order, then a division.
 */
export function prepareMeanFloat(inputShape: readonly number[], axes: ArrayLike<number>, keepDims: boolean): MeanFloatParams {
  const plan = planReduce(inputShape, axes, keepDims);
  const dims = inputShape.map((d, i) => ({ d, r: plan.reduced[i]! })).filter((x) => x.d !== 1);
  const firstR = dims.findIndex((x) => x.r);
  let lastR = -1;
  dims.forEach((x, i) => { if (x.r) lastR = i; });
  const block = firstR >= 0 && dims.slice(firstR, lastR + 1).every((x) => x.r);
  const inner = dims.slice(lastR + 1).reduce((p, x) => p * x.d, 1);
  return {
    plan, outputShape: plan.outputShape, order: block && inner === 1 ? 'lanes16' : 'rows', count: plan.count, inner,
    scale: block ? f32(1 / plan.count) : NaN, lanes: new Float64Array(16), sums: new Float64Array(shapeSize(plan.outputShape)),
  };
}

/** Σ of `n` values from input[at], XNNPACK's rsum order: lane i mod 16 for all but the last n mod 4 values. */
function lanes16Sum(input: Float32Array, at: number, n: number, l: Float64Array): number {
  l.fill(0);
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i++) l[i & 15] = f32(l[i & 15]! + input[at + i]!);
  const b = (k: number): number => f32(f32(l[k]! + l[8 + k]!) + f32(l[4 + k]! + l[12 + k]!));
  let p0 = f32(b(0) + b(2));
  let p1 = f32(b(1) + b(3));
  if (n % 4 >= 2) {
    p0 = f32(p0 + input[at + n4]!);
    p1 = f32(p1 + input[at + n4 + 1]!);
  }
  let s = f32(p0 + p1);
  if (n % 2 === 1) s = f32(s + input[at + n - 1]!);
  return s;
}

export function meanFloat(p: MeanFloatParams, input: Float32Array, output: Float32Array): void {
  const n = p.count;
  if (n === 0) {
    output.fill(NaN);
    return;
  }
  if (Number.isNaN(p.scale)) {
    reduceSum(p.plan, input, p.sums, true);
    for (let i = 0; i < p.sums.length; i++) output[i] = p.sums[i]! / n;
    return;
  }
  const outputs = p.sums.length;
  if (p.order === 'lanes16') {
    for (let o = 0; o < outputs; o++) output[o] = f32(lanes16Sum(input, o * n, n, p.lanes) * p.scale);
    return;
  }
  // Reduced block in the middle: [outer][n rows][inner], each output summed over its rows in order.
  const inner = p.inner;
  for (let o = 0; o < outputs; o++) {
    const base = Math.floor(o / inner) * n * inner + (o % inner);
    let s = 0;
    for (let r = 0; r < n; r++) s = f32(s + input[base + r * inner]!);
    output[o] = f32(s * p.scale);
  }
}
