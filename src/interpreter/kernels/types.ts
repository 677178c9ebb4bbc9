// Shared vocabulary of the integer kernels: tensor quantization, fused
// activations, padding geometry. Everything here runs at prepare time;
// eval loops only see the integers these functions produce.

import { roundHalfAway } from '../../../quantize/math.js';

const f32 = Math.fround;

/** Quantization of one tensor, as a .tflite stores it. */
export interface QuantParamsT {
  /** One scale per tensor (length 1) or one per channel along quantizedDimension. */
  scale: ArrayLike<number>;
  zeroPoint: ArrayLike<number>;
  quantizedDimension: number;
}

/** A quantized tensor view: data plus its shape and quantization. */
export interface QTensor<D = Int8Array> extends QuantParamsT {
  data: D;
  shape: readonly number[];
}

export type FusedActivation = 'NONE' | 'RELU' | 'RELU6' | 'RELU_N1_TO_1';
export type Padding = 'SAME' | 'VALID';

export const INT8_MIN = -128;
export const INT8_MAX = 127;

/** Per-tensor scale/zero point (element 0): what every non-weight tensor carries. */
export function tensorScale(q: QuantParamsT): number {
  if (q.scale.length < 1) throw new Error('quantized tensor has no scale');
  return q.scale[0];
}

export function tensorZeroPoint(q: QuantParamsT): number {
  return q.zeroPoint.length > 0 ? q.zeroPoint[0] : 0;
}

/** Integer clamp range of a fused activation on an int8 output. */
export interface ActivationRange {
  min: number;
  max: number;
}

/**
 * TFLite's CalculateActivationRangeQuantized: the bounds are quantized with
 * the output's float32 scale, `zp + round(f / scale)` computed in float32
 * and rounded half away from zero, then intersected with the type's range.
 */
export function quantizedActivationRange(
  activation: FusedActivation, outScale: number, outZeroPoint: number,
  qmin = INT8_MIN, qmax = INT8_MAX,
): ActivationRange {
  const q = (f: number): number => outZeroPoint + roundHalfAwayF32(f32(f32(f) / f32(outScale)));
  switch (activation) {
    case 'NONE': return { min: qmin, max: qmax };
    case 'RELU': return { min: Math.max(qmin, q(0)), max: qmax };
    case 'RELU6': return { min: Math.max(qmin, q(0)), max: Math.min(qmax, q(6)) };
    case 'RELU_N1_TO_1': return { min: Math.max(qmin, q(-1)), max: Math.min(qmax, q(1)) };
  }
}

/** Float clamp range of a fused activation (TFLite's CalculateActivationRange). */
export function floatActivationRange(activation: FusedActivation): ActivationRange {
  switch (activation) {
    case 'NONE': return { min: -Infinity, max: Infinity };
    case 'RELU': return { min: 0, max: Infinity };
    case 'RELU6': return { min: 0, max: 6 };
    case 'RELU_N1_TO_1': return { min: -1, max: 1 };
  }
}

/** std::round on a value that is already a float32: half away from zero (x + 0.5 in double is exact). */
export const roundHalfAwayF32 = roundHalfAway;

/** Output size along one spatial axis (TFLite's ComputeOutSize). */
export function convOutSize(padding: Padding, inSize: number, filterSize: number, stride: number, dilation = 1): number {
  const effective = (filterSize - 1) * dilation + 1;
  if (padding === 'SAME') return Math.floor((inSize + stride - 1) / stride);
  return Math.floor((inSize + stride - effective) / stride);
}

/**
 * TFLite's ComputePaddingWithOffset: the leading pad is floor(total/2); when
 * the total is odd the extra row/column goes at the end (offset 1), which the
 * reference kernels get for free by bounds-checking against the input.
 */
export function padBefore(inSize: number, filterSize: number, stride: number, dilation: number, outSize: number): { pad: number; offset: number } {
  const effective = (filterSize - 1) * dilation + 1;
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  return { pad: Math.floor(total / 2), offset: total % 2 };
}

/** Spatial geometry of a windowed NHWC op (conv, depthwise, pooling). */
export interface WindowGeometry {
  batches: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

export interface WindowOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH?: number;
  dilationW?: number;
}

export function windowGeometry(
  inputShape: readonly number[], filterH: number, filterW: number, o: WindowOptions,
): WindowGeometry {
  if (inputShape.length !== 4) throw new Error(`expected an NHWC input; got shape [${inputShape.join(',')}]`);
  const [batches, inH, inW] = inputShape;
  const dilationH = o.dilationH ?? 1;
  const dilationW = o.dilationW ?? 1;
  for (const [name, v] of [['stride_h', o.strideH], ['stride_w', o.strideW], ['dilation_h', dilationH], ['dilation_w', dilationW]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer; got ${v}`);
  }
  const outH = convOutSize(o.padding, inH, filterH, o.strideH, dilationH);
  const outW = convOutSize(o.padding, inW, filterW, o.strideW, dilationW);
  if (outH < 1 || outW < 1) {
    throw new Error(`a ${filterH}x${filterW} window does not fit a ${inH}x${inW} input with ${o.padding} padding`);
  }
  return {
    batches, inH, inW, outH, outW, filterH, filterW,
    strideH: o.strideH, strideW: o.strideW, dilationH, dilationW,
    padTop: padBefore(inH, filterH, o.strideH, dilationH, outH).pad,
    padLeft: padBefore(inW, filterW, o.strideW, dilationW, outW).pad,
  };
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Per-channel requantization: one fixed-point multiplier and shift per output channel. */
export interface ChannelMultipliers {
  multiplier: Int32Array;
  shift: Int32Array;
}

/**
 * Calls `visit` for each filter tap of output pixel (b, oy, ox) that lands
 * inside the input (padding taps are skipped, as the kernels' zero padding
 * contributes nothing), with the tap's index fy·filterW + fx and the offset
 * of its input pixel in an NHWC buffer of `inC` channels.
 */
export function forEachTap(g: WindowGeometry, b: number, oy: number, ox: number, inC: number, visit: (tap: number, inputBase: number) => void): void {
  for (let fy = 0; fy < g.filterH; fy++) {
    const y = oy * g.strideH - g.padTop + fy * g.dilationH;
    if (y < 0 || y >= g.inH) continue;
    for (let fx = 0; fx < g.filterW; fx++) {
      const x = ox * g.strideW - g.padLeft + fx * g.dilationW;
      if (x < 0 || x >= g.inW) continue;
      visit(fy * g.filterW + fx, ((b * g.inH + y) * g.inW + x) * inC);
    }
  }
}
