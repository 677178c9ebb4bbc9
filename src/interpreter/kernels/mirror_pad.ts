// MIRROR_PAD (input, paddings [rank,2]). XNNPACK has no mirror padding, so
// LiteRT runs TFLite's builtin kernel; values are copied unchanged, so int8
// and float32 share one path and only the index rule must match:
//   REFLECT excludes the edge:  [a b c] padded 2|2 → [c b | a b c | b a]
//   SYMMETRIC repeats it:       [a b c] padded 2|2 → [b a | a b c | c b]
// i.e. left index i < p reads p − 1 − i + k, and right index j past the end
// reads n − 1 − j − k, with k = 1 for REFLECT and 0 for SYMMETRIC. TFLite
// requires pads ≤ n − k on each side (a single reflection).

import { type AxisGather, stridesOf } from './axis_gather.js';

export type MirrorPadMode = 'REFLECT' | 'SYMMETRIC';

export function prepareMirrorPad(inputShape: readonly number[], paddings: ArrayLike<number>, mode: MirrorPadMode): AxisGather {
  const rank = inputShape.length;
  if (paddings.length !== rank * 2) throw new Error(`MIRROR_PAD needs ${rank}×2 paddings for a rank-${rank} input; got ${paddings.length} values`);
  const k = mode === 'REFLECT' ? 1 : 0;
  const maps: Int32Array[] = [];
  for (let d = 0; d < rank; d++) {
    const n = inputShape[d]!;
    const before = paddings[2 * d]!;
    const after = paddings[2 * d + 1]!;
    if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) {
      throw new Error(`paddings must be non-negative integers; got [${before},${after}] on dim ${d}`);
    }
    if (before > n - k || after > n - k) {
      throw new Error(`${mode} padding of [${before},${after}] on dim ${d} needs at most ${n - k} (the dim is ${n})`);
    }
    const m = new Int32Array(before + n + after);
    for (let i = 0; i < m.length; i++) {
      if (i < before) m[i] = before - 1 - i + k;
      else if (i < before + n) m[i] = i - before;
      else m[i] = n - 1 - (i - before - n) - k;
    }
    maps.push(m);
  }
  return { maps, strides: stridesOf(inputShape), outputShape: maps.map((m) => m.length) };
}
