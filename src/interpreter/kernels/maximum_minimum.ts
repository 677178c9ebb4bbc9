// MAXIMUM / MINIMUM with broadcasting. int8 compares the codes themselves and
// writes the winning code, whatever the tensors' scales: that is TFLite's
// builtin kernel (maximum_minimum.cc, MaximumMinimumBroadcast), and LiteRT
// runs it — XNNPACK has no int8 maximum/minimum, so its delegate leaves the
// op alone. Measured: with inputs at scales 0.1 and 0.2 and the output at
// 0.3, LiteRT's 256 outputs were exactly the raw code max/min, none the
// requantized real max/min. The converter gives all three tensors one scale
// and zero point, where comparing codes is comparing reals; no rounding
// happens anywhere.

import { type BroadcastPlan, planBroadcast, broadcastEach } from './broadcast.js';

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
  broadcastEach(p.plan, out, (i1, i2) => {
    const x = a[i1]!;
    const y = b[i2]!;
    return p.max ? (x > y ? x : y) : (x < y ? x : y);
  });
}
