// Output requantization of the GEMM-like int8 kernels (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED). They differ only in how the
// fixed-point multipliers are derived (FULLY_CONNECTED's per-tensor case
// rounds through float32), so those come in ready-made; the activation clamp
// and XNNPACK's fp32 scales follow the same rules for all three.

import {
  type FixedPointMultiply, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingleRounding, perChannelMultipliers, quantizeMultiplier,
} from '../../../quantize/math.js';
import type { GemmRequant } from '../wasm/conv.js';
import { type Arithmetic, xnnActivationRange, xnnRequantScales } from './xnnpack.js';
import { type ChannelMultipliers, type FusedActivation, quantizedActivationRange } from './types.js';

export interface RequantizedOutput extends ChannelMultipliers {
  /** XNNPACK arithmetic: float32 requantization scale per channel (null: gemmlowp fixed point). */
  scale: Float32Array | null;
  /** Fixed-point arithmetic (when `scale` is null): double or single rounding. */
  multiply: FixedPointMultiply;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
}

/**
 * Fixed-point multipliers of a weighted op as TFLite derives them: per
 * channel in double precision, except FULLY_CONNECTED with one weight scale,
 * whose input × weight product rounds through float32 first.
 */
export function weightedOpMultipliers(
  op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED' | 'TRANSPOSE_CONV', inputScale: number, filterScale: ArrayLike<number>, outputScale: number, channels: number,
): ChannelMultipliers {
  if (op !== 'FULLY_CONNECTED' || filterScale.length > 1) return perChannelMultipliers(inputScale, filterScale, outputScale, channels);
  const f32 = Math.fround;
  const q = quantizeMultiplier(f32(f32(inputScale) * f32(filterScale[0]!)) / f32(outputScale));
  return { multiplier: new Int32Array(channels).fill(q.multiplier), shift: new Int32Array(channels).fill(q.shift) };
}

/** One entry per output channel, the channel count taken from `mult`. */
export function requantizedOutput(
  mult: ChannelMultipliers, inputScale: number, filterScale: ArrayLike<number>, outputScale: number, outputZeroPoint: number,
  activation: FusedActivation, arithmetic: Arithmetic,
): RequantizedOutput {
  const xnn = arithmetic === 'xnnpack';
  const act = xnn
    ? xnnActivationRange(activation, outputScale, outputZeroPoint)
    : quantizedActivationRange(activation, outputScale, outputZeroPoint);
  return {
    multiplier: mult.multiplier,
    shift: mult.shift,
    scale: xnn ? xnnRequantScales(inputScale, filterScale, outputScale, mult.multiplier.length) : null,
    multiply: fixedPointMultiply(arithmetic),
    outputZeroPoint,
    actMin: act.min,
    actMax: act.max,
  };
}

/** The same requantization as the wasm engine takes it. */
export function gemmRequant(r: RequantizedOutput): GemmRequant {
  return { scale: r.scale, multiply: r.multiply, multiplier: r.multiplier, shift: r.shift, zp: r.outputZeroPoint, lo: r.actMin, hi: r.actMax };
}

export function fixedPointMultiply(arithmetic: Arithmetic): FixedPointMultiply {
  return arithmetic === 'single-rounding' ? multiplyByQuantizedMultiplierSingleRounding : multiplyByQuantizedMultiplier;
}
