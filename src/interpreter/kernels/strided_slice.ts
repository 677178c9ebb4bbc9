// STRIDED_SLICE and SLICE: crops with constant begin/end(size)/strides.
// Values are copied unchanged (int8 and float32 share one path; LiteRT's
// XNNPACK and builtin paths agree since nothing is rounded), so what must
// match is TFLite's index resolution (strided_slice.cc, StartForAxis /
// StopForAxis):
//  - a set begin_mask bit starts at the first element in the stride's
//    direction; otherwise begin < 0 counts from the end, and it is clamped
//    to [0, n] for positive strides, [−1, n−1] for negative ones;
//  - a set end_mask bit runs to the end in the stride's direction; with the
//    `offset` option end is relative to begin; end is resolved and clamped
//    like begin;
//  - shrink_axis_mask takes the single element at begin and drops the axis.
// ellipsis_mask and new_axis_mask are not supported (converters fold them).

import { type AxisGather, stridesOf } from './axis_gather.js';

export interface StridedSliceMasks {
  beginMask: number;
  endMask: number;
  shrinkAxisMask: number;
  offset: boolean;
}

/** Resolves a (possibly negative) index and clamps it for the stride's direction. */
function clampIndex(v: number, n: number, positive: boolean): number {
  const r = v < 0 ? v + n : v;
  return positive ? Math.min(Math.max(r, 0), n) : Math.min(Math.max(r, -1), n - 1);
}

export function prepareStridedSlice(
  inputShape: readonly number[], begin: readonly number[], end: readonly number[], strides: readonly number[], m: StridedSliceMasks,
): AxisGather {
  const rank = inputShape.length;
  if (begin.length !== rank || end.length !== rank || strides.length !== rank) {
    throw new Error(`begin, end and strides need ${rank} values each for a rank-${rank} input; got ${begin.length}, ${end.length}, ${strides.length}`);
  }
  const maps: Int32Array[] = [];
  const keep: boolean[] = [];
  for (let d = 0; d < rank; d++) {
    const n = inputShape[d]!;
    const bit = 1 << d;
    const shrink = (m.shrinkAxisMask & bit) !== 0;
    const s = shrink ? 1 : strides[d]!;
    if (!Number.isInteger(s) || s === 0) throw new Error(`the stride on dim ${d} is ${s}; it must be a non-zero integer`);
    const pos = s > 0;
    const b = m.beginMask & bit && !shrink ? (pos ? 0 : n - 1) : clampIndex(begin[d]!, n, pos);
    let e: number;
    if (shrink) {
      if (b < 0 || b >= n) throw new Error(`shrink_axis_mask takes index ${begin[d]} of dim ${d}, which has ${n} elements`);
      e = b + 1;
    } else if (m.endMask & bit) {
      e = pos ? n : -1;
    } else {
      e = clampIndex(m.offset ? begin[d]! + end[d]! : end[d]!, n, pos);
    }
    const count = Math.max(0, pos ? Math.ceil((e - b) / s) : Math.ceil((b - e) / -s));
    maps.push(Int32Array.from({ length: count }, (_, i) => b + i * s));
    keep.push(!shrink);
  }
  return { maps, strides: stridesOf(inputShape), outputShape: maps.filter((_, d) => keep[d]).map((x) => x.length) };
}

/** SLICE: begin and size (−1 = to the end), stride 1. */
export function prepareSlice(inputShape: readonly number[], begin: readonly number[], size: readonly number[]): AxisGather {
  const rank = inputShape.length;
  if (begin.length !== rank || size.length !== rank) throw new Error(`begin and size need ${rank} values each; got ${begin.length} and ${size.length}`);
  const maps: Int32Array[] = [];
  for (let d = 0; d < rank; d++) {
    const n = inputShape[d]!;
    const b = begin[d]!;
    const len = size[d] === -1 ? n - b : size[d]!;
    if (!(b >= 0 && len >= 0 && b + len <= n)) throw new Error(`begin ${b} and size ${size[d]} do not fit dim ${d} of ${n}`);
    maps.push(Int32Array.from({ length: len }, (_, i) => b + i));
  }
  return { maps, strides: stridesOf(inputShape), outputShape: maps.map((x) => x.length) };
}
