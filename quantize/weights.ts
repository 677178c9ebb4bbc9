// Weight quantization for the file. The integers are the fake-quant op's
// grid indices (quantize/math.ts fakeQuantIndex) shifted by the range's
// zero point, so the stored weight times its scale is exactly the value the
// eval graph's weight fake-quant produced: the export adds no error.

import { fakeQuantIndex, symmetricRange, type NudgedRange } from './math.js';
import type { TfliteWeights } from './weight-layout.js';

export interface QuantizedWeights {
  data: Int8Array;
  /** One scale per channel (or one for the tensor); the zero points are all 0. */
  scales: number[];
}

/**
 * int8 weights from per-channel (length = channels) or per-tensor (length 1)
 * symmetric narrow ranges. The stored value is index − zeroPoint; for a
 * symmetric range zeroPoint is the signed offset (128 for 8 bits), so this is
 * the contract's `fakeQuantIndex − 128` (math.ts's symmetricRange keeps it
 * so even for an all-zero channel); subtracting the range's own zero point
 * keeps the stored value exact should a range ever nudge elsewhere.
 */
export function quantizeWeights(w: TfliteWeights, ranges: readonly NudgedRange[], what: string): QuantizedWeights {
  if (ranges.length !== 1 && ranges.length !== w.channels) {
    throw new Error(`export: ${what} has ${ranges.length} weight ranges for ${w.channels} channels`);
  }
  const rangeOf = ranges.length === 1 ? () => ranges[0]! : (i: number) => ranges[w.channelOf(i)]!;
  const data = new Int8Array(w.data.length);
  for (let i = 0; i < w.data.length; i++) {
    const r = rangeOf(i);
    const q = fakeQuantIndex(w.data[i]!, r) - r.zeroPoint;
    if (q < -127 || q > 127) throw new Error(`export: ${what} weight ${i} quantizes to ${q}, outside int8's symmetric [-127, 127]`);
    data[i] = q;
  }
  return { data, scales: ranges.map((r) => r.scale) };
}

/** Symmetric narrow-range int8 ranges per output channel (dynamic mode, where no trained range exists). */
export function symmetricRanges(w: TfliteWeights, bits = 8): NudgedRange[] {
  const maxAbs = new Float64Array(w.channels);
  for (let i = 0; i < w.data.length; i++) {
    const c = w.channelOf(i);
    const a = Math.abs(w.data[i]!);
    if (a > maxAbs[c]!) maxAbs[c] = a;
  }
  return Array.from(maxAbs, (m) => symmetricRange(m, bits));
}
