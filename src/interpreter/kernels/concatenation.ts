// CONCATENATION. TFLite's int8 kernel requires every input to share the
// output's scale and zero point (concatenation.cc Prepare rejects anything
// else), so its int8 path is a pure copy. When scales differ we still run,
// requantizing each such input with the QUANTIZE op's fixed-point arithmetic
// (MBQM(x − zp_in) + zp_out); TFLite has no int8 reference to compare that
// with (its uint8 ConcatenationWithScaling works in float).

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import { type FusedActivation, type QuantParamsT, INT8_MAX, INT8_MIN, tensorScale, tensorZeroPoint } from './types.js';

export interface ConcatPlan {
  outputShape: number[];
  outer: number;
  /** Elements each input contributes per outer index (its axis extent × inner size). */
  chunks: number[];
}

export function planConcatenation(shapes: ReadonlyArray<readonly number[]>, axis: number): ConcatPlan {
  if (shapes.length === 0) throw new Error('CONCATENATION needs at least one input');
  const rank = shapes[0].length;
  const ax = axis < 0 ? axis + rank : axis;
  if (!(ax >= 0 && ax < rank)) throw new Error(`CONCATENATION axis ${axis} is out of range for rank ${rank}`);
  const outputShape = [...shapes[0]];
  outputShape[ax] = 0;
  for (const s of shapes) {
    if (s.length !== rank) throw new Error('CONCATENATION inputs must have the same rank');
    for (let d = 0; d < rank; d++) {
      if (d !== ax && s[d] !== shapes[0][d]) {
        throw new Error(`CONCATENATION inputs differ in dimension ${d}: [${shapes[0].join(',')}] vs [${s.join(',')}]`);
      }
    }
    outputShape[ax] += s[ax];
  }
  let outer = 1;
  for (let d = 0; d < ax; d++) outer *= outputShape[d];
  let inner = 1;
  for (let d = ax + 1; d < rank; d++) inner *= outputShape[d];
  return { outputShape, outer, chunks: shapes.map((s) => s[ax] * inner) };
}

type Copyable = Int8Array | Uint8Array | Int32Array | Float32Array;

/** Plain copy concatenation (float32, int32, and int8 with shared quantization). */
export function concatenation<T extends Copyable>(p: ConcatPlan, inputs: readonly T[], output: T): void {
  let o = 0;
  for (let i = 0; i < p.outer; i++) {
    for (let t = 0; t < inputs.length; t++) {
      const n = p.chunks[t];
      output.set(inputs[t].subarray(i * n, (i + 1) * n), o);
      o += n;
    }
  }
}

export interface ConcatInt8Params {
  plan: ConcatPlan;
  outputShape: number[];
  /** Per input: null when it shares the output's quantization (pure copy). */
  requant: Array<{ zpIn: number; multiplier: number; shift: number } | null>;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
}

export function prepareConcatenationInt8(
  shapes: ReadonlyArray<readonly number[]>, quants: readonly QuantParamsT[], axis: number, out: QuantParamsT,
  activation: FusedActivation = 'NONE',
): ConcatInt8Params {
  if (activation !== 'NONE') throw new Error('CONCATENATION with a fused activation is not supported for int8');
  const plan = planConcatenation(shapes, axis);
  const so = Math.fround(tensorScale(out));
  const zo = tensorZeroPoint(out);
  const requant = quants.map((q) => {
    const s = Math.fround(tensorScale(q));
    const z = tensorZeroPoint(q);
    if (s === so && z === zo) return null;
    const m = quantizeMultiplier(s / so);
    return { zpIn: z, multiplier: m.multiplier, shift: m.shift };
  });
  return { plan, outputShape: plan.outputShape, requant, outputZeroPoint: zo, actMin: INT8_MIN, actMax: INT8_MAX };
}

export function concatenationInt8(p: ConcatInt8Params, inputs: readonly Int8Array[], output: Int8Array): void {
  if (p.requant.every((r) => r === null)) {
    concatenation(p.plan, inputs, output);
    return;
  }
  let o = 0;
  for (let i = 0; i < p.plan.outer; i++) {
    for (let t = 0; t < inputs.length; t++) {
      const n = p.plan.chunks[t];
      const src = inputs[t];
      const r = p.requant[t];
      if (r === null) {
        output.set(src.subarray(i * n, (i + 1) * n), o);
        o += n;
        continue;
      }
      for (let k = i * n, end = (i + 1) * n; k < end; k++) {
        const v = multiplyByQuantizedMultiplier(src[k] - r.zpIn, r.multiplier, r.shift) + p.outputZeroPoint;
        output[o++] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
      }
    }
  }
}
