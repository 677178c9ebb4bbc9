// Weight layouts: the IR keeps tfjs's (conv [kh,kw,cin,cout], depthwise
// [kh,kw,cin,mult], dense [in,out]); TFLite wants conv OHWI
// [cout,kh,kw,cin], depthwise [1,kh,kw,cin·mult] and fully connected
// [out,in]. Per-channel quantization runs along axis 0 (conv, FC) or the
// last axis (depthwise) of the TFLite layout.

import type { OpName } from '../src/ir/types.js';
import { OP_TABLE, type WeightedBuiltin } from './op-table.js';

export type WeightedKind = 'conv' | 'depthwise' | 'dense' | 'transposeConv';

/** The weight layout of each weighted builtin. */
export const KIND_OF_BUILTIN: Readonly<Record<WeightedBuiltin, WeightedKind>> = {
  CONV_2D: 'conv', DEPTHWISE_CONV_2D: 'depthwise', FULLY_CONNECTED: 'dense',
  // TRANSPOSE_CONV's weights are OHWI too, from the IR's [kh, kw, cin, cout].
  TRANSPOSE_CONV: 'transposeConv',
};

/** The weight layout of a float or QAT weighted layer, or null for any other op. */
export function weightedKind(op: OpName): WeightedKind | null {
  const b = OP_TABLE[op].builtin;
  return b !== undefined && Object.hasOwn(KIND_OF_BUILTIN, b) ? KIND_OF_BUILTIN[b as WeightedBuiltin] : null;
}

export interface TfliteWeights {
  data: Float32Array;
  shape: number[];
  /** Output channels = per-channel scale count. */
  channels: number;
  /** The axis of `shape` the channels run along. */
  channelAxis: number;
  /** Output channel of element i of `data`. */
  channelOf(i: number): number;
}

/** Reorders an IR-layout kernel into TFLite's layout for `kind`. */
export function toTfliteLayout(kind: WeightedKind, kernel: Float32Array, irShape: readonly number[]): TfliteWeights {
  if (kind === 'conv' || kind === 'transposeConv') {
    const [kh, kw, cin, cout] = irShape as [number, number, number, number];
    const data = new Float32Array(kernel.length);
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        for (let i = 0; i < cin; i++) {
          const src = ((y * kw + x) * cin + i) * cout;
          for (let o = 0; o < cout; o++) data[((o * kh + y) * kw + x) * cin + i] = kernel[src + o]!;
        }
      }
    }
    const per = kh * kw * cin;
    return { data, shape: [cout, kh, kw, cin], channels: cout, channelAxis: 0, channelOf: (i) => Math.floor(i / per) };
  }
  if (kind === 'depthwise') {
    // [kh,kw,cin,m] flattens its last two axes to channel c·m + j, which is
    // exactly TFLite's output-channel order: the data is already in place.
    const [kh, kw, cin, m] = irShape as [number, number, number, number];
    const channels = cin * m;
    return { data: Float32Array.from(kernel), shape: [1, kh, kw, channels], channels, channelAxis: 3, channelOf: (i) => i % channels };
  }
  const [inputs, units] = irShape as [number, number];
  const data = new Float32Array(kernel.length);
  for (let i = 0; i < inputs; i++) {
    for (let u = 0; u < units; u++) data[u * inputs + i] = kernel[i * units + u]!;
  }
  return { data, shape: [units, inputs], channels: units, channelAxis: 0, channelOf: (i) => Math.floor(i / inputs) };
}
