// DEQUANTIZE. reference_ops::Dequantize: (float)((double)scale · (q − zp)),
// i.e. one product rounded to float32 (Float32Array stores do the rounding).
// Per-channel tensors (dequantized constant weights) use the scale and zero
// point of their channel along quantizedDimension. float16 → float32 is
// the other DEQUANTIZE TFLite accepts.

import type { QuantParamsT } from './types.js';

export interface DequantizeParams {
  scale: Float64Array;
  zeroPoint: Int32Array;
  /** Elements between consecutive channels, and channel count (1 for per-tensor). */
  inner: number;
  channels: number;
}

export function prepareDequantize(shape: readonly number[], q: QuantParamsT): DequantizeParams {
  const channels = q.scale.length;
  if (channels < 1) throw new Error('DEQUANTIZE input has no scale');
  let inner = 1;
  if (channels > 1) {
    const ax = q.quantizedDimension;
    if (!(ax >= 0 && ax < shape.length) || shape[ax] !== channels) {
      throw new Error(`DEQUANTIZE has ${channels} scales but dimension ${ax} of [${shape.join(',')}] is not that long`);
    }
    for (let d = ax + 1; d < shape.length; d++) inner *= shape[d];
  }
  const scale = new Float64Array(channels);
  const zeroPoint = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = Math.fround(q.scale[c]);
    zeroPoint[c] = q.zeroPoint.length > c ? q.zeroPoint[c] : q.zeroPoint.length > 0 ? q.zeroPoint[0] : 0;
  }
  return { scale, zeroPoint, inner, channels };
}

export function dequantize(p: DequantizeParams, input: Int8Array | Uint8Array | Int16Array | Int32Array, output: Float32Array): void {
  if (p.channels === 1) {
    const s = p.scale[0];
    const z = p.zeroPoint[0];
    for (let i = 0; i < input.length; i++) output[i] = s * (input[i] - z);
    return;
  }
  for (let i = 0; i < input.length; i++) {
    const c = Math.floor(i / p.inner) % p.channels;
    output[i] = p.scale[c] * (input[i] - p.zeroPoint[c]);
  }
}

/** IEEE half → float32 (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function dequantizeFloat16(input: Uint16Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = halfToFloat(input[i]);
}
