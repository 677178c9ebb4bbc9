// SUB. sub.cc Prepare computes the same left_shift-20 multipliers as ADD and
// reference_ops::SubElementwise subtracts the rescaled inputs; the int8 core
// lives in add.ts with sign −1.

import { addSubInt8, prepareAddSubInt8, type AddSubInt8Params } from './add.js';
import type { FusedActivation, QuantParamsT } from './types.js';
import type { Arithmetic } from './xnnpack.js';

export function prepareSubInt8(
  shape1: readonly number[], q1: QuantParamsT, shape2: readonly number[], q2: QuantParamsT,
  out: QuantParamsT, activation: FusedActivation, arithmetic: Arithmetic = 'reference',
): AddSubInt8Params {
  return prepareAddSubInt8(shape1, q1, shape2, q2, out, activation, -1, arithmetic);
}

export const subInt8: (p: AddSubInt8Params, a: Int8Array, b: Int8Array, out: Int8Array) => void = addSubInt8;
