// SOFTMAX. TFLite's builtin int8 kernel (activations.cc SoftmaxPrepare/Eval,
// the path LiteRT falls back to) is NOT the gemmlowp fixed-point exp: it
// builds a 256-entry float32 table exp(−s_in·β·d) for d = max − x at prepare
// (optimized_ops::PopulateSoftmaxLookupTable) and per row computes, in float32,
//   sum = Σ table[d];  inv = 1 / (sum · s_out);  q = round(table[d] · inv) + zp_out
// (optimized_ops::Softmax, round half away). Bit-exactness therefore needs
// float32 arithmetic per element; every step is rounded with Math.fround.
// The only inexactness left: table entries come from Math.exp where C uses
// expf; both are (almost always) correctly rounded float32 results.

import { softmaxRowsXnnF32 } from './softmax_xnn_f32.js';
import { type QuantParamsT, INT8_MAX, INT8_MIN, roundHalfAwayF32, shapeSize, tensorScale, tensorZeroPoint } from './types.js';

const f32 = Math.fround;

export interface SoftmaxInt8Params {
  outer: number;
  depth: number;
  outputShape: number[];
  table: Float32Array;
  outputScale: number;
  outputZeroPoint: number;
  /** Output code per input code of the current row (offset by 128), for rows longer than their code range. */
  codes: Int8Array;
}

export function prepareSoftmaxInt8(inputShape: readonly number[], inQ: QuantParamsT, beta: number, outQ: QuantParamsT): SoftmaxInt8Params {
  if (inputShape.length < 1) throw new Error('SOFTMAX needs an input of rank ≥ 1');
  const depth = inputShape[inputShape.length - 1];
  const total = shapeSize(inputShape);
  const table = new Float32Array(256);
  const scale = f32(-f32(tensorScale(inQ)) * f32(beta));
  for (let d = 0; d <= 255; d++) table[255 - d] = Math.exp(f32(scale * d));
  return {
    outer: depth === 0 ? 0 : total / depth, depth, outputShape: [...inputShape], table,
    outputScale: f32(tensorScale(outQ)), outputZeroPoint: tensorZeroPoint(outQ), codes: new Int8Array(256),
  };
}

function softmaxCode(p: SoftmaxInt8Params, e: number, inv: number): number {
  const v = roundHalfAwayF32(f32(e * inv)) + p.outputZeroPoint;
  return v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
}

export function softmaxInt8(p: SoftmaxInt8Params, input: Int8Array, output: Int8Array): void {
  const { depth, table, codes } = p;
  for (let r = 0; r < p.outer; r++) {
    const base = r * depth;
    let max = INT8_MIN;
    let min = INT8_MAX;
    for (let j = 0; j < depth; j++) {
      const x = input[base + j]!;
      if (x > max) max = x;
      if (x < min) min = x;
    }
    // table[255 − (max − x)] = exp(−s·β·(max − x)).
    const off = 255 - max;
    let sum = 0;
    for (let j = 0; j < depth; j++) sum = f32(sum + table[off + input[base + j]!]!);
    const inv = f32(1 / f32(sum * p.outputScale));
    // Each output depends on its input code only: with fewer codes than
    // values, compute every code's output once.
    if (max - min + 1 < depth) {
      for (let x = min; x <= max; x++) codes[x + 128] = softmaxCode(p, table[off + x]!, inv);
      for (let j = 0; j < depth; j++) output[base + j] = codes[input[base + j]! + 128]!;
    } else {
      for (let j = 0; j < depth; j++) output[base + j] = softmaxCode(p, table[off + input[base + j]!]!, inv);
    }
  }
}

export interface SoftmaxFloatParams {
  outer: number;
  depth: number;
  beta: number;
  outputShape: number[];
}

export function prepareSoftmaxFloat(inputShape: readonly number[], beta: number): SoftmaxFloatParams {
  const depth = inputShape[inputShape.length - 1];
  const total = shapeSize(inputShape);
  return { outer: depth === 0 ? 0 : total / depth, depth, beta, outputShape: [...inputShape] };
}

export function softmaxFloat(p: SoftmaxFloatParams, input: Float32Array, output: Float32Array): void {
  const { depth } = p;
  // LiteRT hands β = 1 to XNNPACK (its own exp and summation order); other β stay on the builtin kernel.
  if (p.beta === 1) return softmaxRowsXnnF32(input, output, p.outer, depth);
  for (let r = 0; r < p.outer; r++) {
    const base = r * depth;
    let max = -Infinity;
    for (let j = 0; j < depth; j++) if (input[base + j] > max) max = input[base + j];
    let sum = 0;
    for (let j = 0; j < depth; j++) {
      const e = Math.exp((input[base + j] - max) * p.beta);
      output[base + j] = e;
      sum += e;
    }
    for (let j = 0; j < depth; j++) output[base + j] = output[base + j] / sum;
  }
}
