// MAXIMUM / MINIMUM with broadcasting. int8 compares the codes themselves and
// writes the winning code, whatever the tensors' scales: that is TFLite's
// builtin kernel (maximum_minimum.cc, MaximumMinimumBroadcast), and LiteRT
// runs it — XNNPACK has no int8 maximum/minimum, so its delegate leaves the
// op alone. Measured: with inputs at scales 0.1 and 0.2 and the output at
// 0.3, LiteRT's 256 outputs were exactly the raw code max/min, none the
// requantized real max/min. The converter gives all three tensors one scale
// and zero point, where comparing codes is comparing reals; no rounding
// happens anywhere.

import { type BroadcastPlan, planBroadcast } from './broadcast.js';

export type MaxMinOp = 'MAXIMUM' | 'MINIMUM';

export interface MaxMinParams {
  plan: BroadcastPlan;
  outputShape: number[];
  max: boolean;
}

export function prepareMaximumMinimum(shape1: readonly number[], shape2: readonly number[], op: MaxMinOp): MaxMinParams {
  const plan = planBroadcast(shape1, shape2);
  return { plan, outputShape: plan.outputShape, max: op === 'MAXIMUM' };
}

/** One loop for int8 codes and float32 values alike. */
export function maximumMinimum<T extends Int8Array | Float32Array>(p: MaxMinParams, a: T, b: T, out: T): void {
  const { base1, base2, inner, innerStride1: st1, innerStride2: st2 } = p.plan;
  let o = 0;
  for (let r = 0; r < base1.length; r++) {
    const b1 = base1[r];
    const b2 = base2[r];
    for (let i = 0; i < inner; i++) {
      const x = a[b1 + i * st1];
      const y = b[b2 + i * st2];
      out[o++] = p.max ? (x > y ? x : y) : (x < y ? x : y);
    }
  }
}
