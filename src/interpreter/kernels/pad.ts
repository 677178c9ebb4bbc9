// PAD / PADV2. pad.cc fills with the output zero point for quantized PAD
// (so padding represents real 0) and with the constant for PADV2; float PAD
// fills 0. The copy moves whole innermost rows.

import { shapeSize } from './types.js';

export interface PadParams {
  inputShape: number[];
  outputShape: number[];
  before: number[];
  /** Value written into the padded region (a raw int8 code or a float). */
  padValue: number;
  outStrides: number[];
  counter: Int32Array;
}

export function preparePad(inputShape: readonly number[], paddings: ArrayLike<number>, padValue: number): PadParams {
  const rank = inputShape.length;
  if (paddings.length !== rank * 2) throw new Error(`PAD needs ${rank}×2 paddings for a rank-${rank} input; got ${paddings.length} values`);
  const before: number[] = [];
  const outputShape: number[] = [];
  for (let d = 0; d < rank; d++) {
    const lo = paddings[2 * d];
    const hi = paddings[2 * d + 1];
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < 0) throw new Error(`PAD amounts must be non-negative integers; got [${lo},${hi}] on dim ${d}`);
    before.push(lo);
    outputShape.push(inputShape[d] + lo + hi);
  }
  const outStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    outStrides[d] = s;
    s *= outputShape[d];
  }
  return { inputShape: [...inputShape], outputShape, before, padValue, outStrides, counter: new Int32Array(Math.max(rank, 1)) };
}

/** int8 PAD: the pad value is the output zero point. */
export function preparePadInt8(inputShape: readonly number[], paddings: ArrayLike<number>, outputZeroPoint: number): PadParams {
  return preparePad(inputShape, paddings, outputZeroPoint);
}

export function pad<T extends Int8Array | Float32Array>(p: PadParams, input: T, output: T): void {
  output.fill(p.padValue);
  const { inputShape, before, outStrides, counter } = p;
  const rank = inputShape.length;
  if (rank === 0) {
    output[0] = input[0];
    return;
  }
  const inner = inputShape[rank - 1];
  const rows = inner === 0 ? 0 : shapeSize(inputShape) / inner;
  counter.fill(0);
  for (let r = 0; r < rows; r++) {
    let o = before[rank - 1];
    for (let d = 0; d < rank - 1; d++) o += (counter[d] + before[d]) * outStrides[d];
    output.set(input.subarray(r * inner, (r + 1) * inner), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++counter[d] < inputShape[d]) break;
      counter[d] = 0;
    }
  }
}
