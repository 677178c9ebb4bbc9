// The one home of quantization arithmetic. The fake-quant op, the rewrite,
// the exporter and the interpreter all import from here, so a range trained
// in tfjs becomes exactly the scale/zero point the int8 kernels run with.
//
// Float steps are done in float32 (Math.fround) because tfjs computes the
// fake-quant op in float32; doing them in float64 here would make export
// disagree with the eval graph in the last bit.

const f32 = Math.fround;

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Integer grid of a quantizer: TF's FakeQuant grid is unsigned [narrow?1:0, 2^bits-1]. */
export interface QuantGrid {
  qmin: number;
  qmax: number;
}

export function unsignedGrid(bits: number, narrowRange: boolean): QuantGrid {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new Error(`bit width must be an integer from 2 to 16; got ${bits}`);
  }
  return { qmin: narrowRange ? 1 : 0, qmax: 2 ** bits - 1 };
}

/** Offset that moves an unsigned grid value onto the signed grid of the same width. */
export function signedOffset(bits: number): number {
  return 2 ** (bits - 1);
}

/** A range after TensorFlow's nudging: zero is exactly representable. */
export interface NudgedRange {
  scale: number;
  /** Zero point on the unsigned grid (TF FakeQuant's convention). */
  zeroPoint: number;
  nudgedMin: number;
  nudgedMax: number;
  qmin: number;
  qmax: number;
}

/** Smallest scale we allow, so a range narrower than any float32 step still divides. */
export const MIN_SCALE = 2 ** -24;

/**
 * The scale of a one-point range (min = max, e.g. a ReLU that was never
 * positive during calibration): any scale holds that value, and this one
 * keeps the rescale factors of the ops that write or read the tensor within
 * what XNNPACK accepts. With the smallest scale instead, the
 * FULLY_CONNECTED writing such a tensor had an input·weight scale over 256
 * times its output scale, and LiteRT failed to create its XNNPACK runtime
 * for the whole model.
 */
export const POINT_RANGE_SCALE = 2 ** -8;

/** The bit widths quantization supports: an integer from 2 to 8. */
export function isBitWidth(b: unknown): b is number {
  return typeof b === 'number' && Number.isInteger(b) && b >= 2 && b <= 8;
}

/** Round half away from zero, like C's std::round. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * TensorFlow's FakeQuantWithMinMaxVars nudging, in float32:
 * scale = (max-min)/(qmax-qmin); zp = round(qmin - min/scale) clamped to the grid.
 */
export function nudge(min: number, max: number, grid: QuantGrid): NudgedRange {
  const { qmin, qmax } = grid;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new Error(`quantization range must be finite; got [${min}, ${max}]`);
  }
  const width = f32(f32(max) - f32(min));
  let scale = f32(width / f32(qmax - qmin));
  if (width === 0) scale = POINT_RANGE_SCALE;
  else if (!(scale >= MIN_SCALE)) scale = f32(MIN_SCALE);
  const zpFromMin = f32(f32(qmin) - f32(f32(min) / scale));
  let zeroPoint: number;
  if (zpFromMin < qmin) zeroPoint = qmin;
  else if (zpFromMin > qmax) zeroPoint = qmax;
  else zeroPoint = roundHalfAway(zpFromMin);
  return {
    scale,
    zeroPoint,
    nudgedMin: f32(f32(qmin - zeroPoint) * scale),
    nudgedMax: f32(f32(qmax - zeroPoint) * scale),
    qmin,
    qmax,
  };
}

/**
 * Grid index (unsigned, in [qmin,qmax]) the fake-quant op maps x to:
 * clamp to the nudged range, shift, divide by the scale, round half up — in
 * float32, step for step as the tfjs op computes it. FakeQuantWithMinMaxVars
 * divides by the scale (only the Args variant multiplies by its reciprocal,
 * which lands on the other side of a half step for some inputs).
 */
export function fakeQuantIndex(x: number, r: NudgedRange): number {
  const clamped = Math.min(Math.max(f32(x), r.nudgedMin), r.nudgedMax);
  const index = Math.floor(f32(f32(f32(clamped - r.nudgedMin) / r.scale) + 0.5));
  return Math.min(index, r.qmax - r.qmin) + r.qmin;
}

/**
 * Smallest |w| a symmetric weight range is widened to: below it the scale
 * would hit MIN_SCALE and the zero point would leave the middle of the grid
 * (an all-zero channel must still get int8 zero point 0).
 */
export const MIN_SYMMETRIC_ABS = 2 ** -14;

/** Symmetric narrow-range grid for weights: [−m, m] so the int8 zero point is 0. */
export function symmetricRange(absMax: number, bits: number): NudgedRange {
  const m = Math.max(f32(absMax), MIN_SYMMETRIC_ABS);
  return nudge(-m, m, unsignedGrid(bits, true));
}

/** The real value the fake-quant op outputs for x. */
export function fakeQuantValue(x: number, r: NudgedRange): number {
  return f32(f32((fakeQuantIndex(x, r) - r.qmin) * r.scale) + r.nudgedMin);
}

/** TFLite-style quantization parameters of a range on a signed (int8) or unsigned grid. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** Scale and zero point for storage on the signed grid (int8 for 8 bits). */
export function signedParams(r: NudgedRange, bits: number): QuantParams {
  return { scale: r.scale, zeroPoint: r.zeroPoint - signedOffset(bits) };
}

/** Input statistics a TFLite user feeds: real = (q - mean) / std. */
export function meanStd(p: QuantParams): { mean: number; std: number } {
  return { mean: p.zeroPoint, std: 1 / p.scale };
}

/** q = round(x/scale) + zp, clamped; round half away from zero, as TFLite's QUANTIZE reference. */
export function quantize(x: number, p: QuantParams, lo: number, hi: number): number {
  const q = roundHalfAway(x / p.scale) + p.zeroPoint;
  return q < lo ? lo : q > hi ? hi : q;
}

export function dequantize(q: number, p: QuantParams): number {
  return (q - p.zeroPoint) * p.scale;
}

// ---------------------------------------------------------------------------
// Fixed-point requantization (gemmlowp / TFLite reference semantics).
// ---------------------------------------------------------------------------

/** 32-bit fixed-point multiplier in [2^30, 2^31) (or 0) and a power-of-two shift. */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** frexp: x = fraction * 2^exponent with fraction in [0.5, 1). */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  let exponent = Math.ceil(Math.log2(Math.abs(x))) | 0;
  let fraction = x / 2 ** exponent;
  // log2 can be off by one near powers of two.
  while (Math.abs(fraction) >= 1) { fraction /= 2; exponent++; }
  while (Math.abs(fraction) < 0.5) { fraction *= 2; exponent--; }
  return { fraction, exponent };
}

/** TFLite's QuantizeMultiplier: real ≈ multiplier · 2^(shift−31). */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  if (!(real > 0) || !Number.isFinite(real)) {
    throw new Error(`a requantization multiplier must be positive and finite; got ${real}`);
  }
  const { fraction, exponent } = frexp(real);
  let shift = exponent;
  let qFixed = roundHalfAway(fraction * 2 ** 31);
  if (qFixed === 2 ** 31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) return { multiplier: INT32_MAX, shift: 30 };
  return { multiplier: qFixed, shift };
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: (a·b + nudge) / 2^31 truncated
 * toward zero, computed exactly in doubles (a·b needs 62 bits) by splitting b.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bh = b >> 16;
  const bl = b & 0xffff;
  const x = a * bh; // exact: |x| < 2^46
  const negative = (a < 0) !== (b < 0) && a !== 0 && b !== 0;
  const z = a * bl + (negative ? 1 - 2 ** 30 : 2 ** 30); // exact: |z| < 2^48
  // a·b + nudge = x·2^16 + z = q1·2^31 + w with w small enough to be exact.
  const q1 = Math.floor(x / 32768);
  const w = (x - q1 * 32768) * 65536 + z;
  const wq = Math.floor(w / 2147483648);
  let result = q1 + wq;
  if (negative && w - wq * 2147483648 !== 0) result += 1; // floor → trunc for negatives
  return result;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier (double-rounding reference form). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul((x * 2 ** left) | 0, multiplier), right);
}

/** How a kernel applies a fixed-point multiplier (x · multiplier · 2^(shift − 31), rounded). */
export type FixedPointMultiply = (x: number, multiplier: number, shift: number) => number;

/**
 * MultiplyByQuantizedMultiplier as TFLite builds it with TFLITE_SINGLE_ROUNDING:
 * the 64-bit product x · multiplier rounded once (half up) by 31 − shift bits.
 * LiteRT.js runs its builtin CONV_2D this way (measured with INT4 filters,
 * which its XNNPACK delegate leaves to the builtin kernel).
 */
export function multiplyByQuantizedMultiplierSingleRounding(x: number, multiplier: number, shift: number): number {
  const t = 31 - shift;
  if (t < 17) {
    const v = (BigInt(x) * BigInt(multiplier) + (1n << BigInt(t - 1))) >> BigInt(t);
    return Number(v);
  }
  // Exact in doubles: split the multiplier so both partial products stay
  // below 2^53, and fold the rounding term into the high part (t ≥ 17 makes
  // it a multiple of 2^16).
  const hi = x * (multiplier >>> 16);
  const lo = x * (multiplier & 0xffff);
  // Scaling by powers of two is exact, so multiplying by 2^−k is dividing.
  return Math.floor((hi + POW2[t - 17]! + Math.floor(lo * INV_POW2[16]!)) * INV_POW2[t - 16]!);
}

const POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);
const INV_POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** -k);

// ---------------------------------------------------------------------------
// Integer helpers for the interpreter's kernels (TFLite reference semantics).
// ---------------------------------------------------------------------------

/**
 * Per-output-channel multipliers as TFLite's PopulateConvolutionQuantizationParams
 * computes them: (double)input_scale · (double)filter_scale[c] / (double)output_scale.
 * A single filter scale is broadcast to every channel.
 */
export function perChannelMultipliers(
  inputScale: number, filterScales: ArrayLike<number>, outputScale: number, channels: number,
): { multiplier: Int32Array; shift: Int32Array } {
  if (filterScales.length !== 1 && filterScales.length !== channels) {
    throw new Error(`expected 1 or ${channels} filter scales; got ${filterScales.length}`);
  }
  const multiplier = new Int32Array(channels);
  const shift = new Int32Array(channels);
  const sIn = Math.fround(inputScale);
  const sOut = Math.fround(outputScale);
  for (let c = 0; c < channels; c++) {
    const sF = Math.fround(filterScales.length === 1 ? filterScales[0] : filterScales[c]);
    const q = quantizeMultiplier((sIn * sF) / sOut);
    multiplier[c] = q.multiplier;
    shift[c] = q.shift;
  }
  return { multiplier, shift };
}

/** int16 gemmlowp SaturatingRoundingDoublingHighMul: (a·b + nudge) / 2^15, truncated. */
export function saturatingRoundingDoublingHighMulInt16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  const nudgeV = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return Math.trunc((ab + nudgeV) / 32768);
}

/** int16 SaturatingDoublingHighMul (ARM SQDMULH): a·b / 2^15 truncated toward zero. */
export function saturatingDoublingHighMulInt16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return Math.trunc((a * b) / 32768);
}

/** Left shift of an int16 value, saturating to the int16 range. */
export function saturatingLeftShiftInt16(x: number, amount: number): number {
  const r = x * 2 ** amount;
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** TFLite's DownScaleInt32ToInt16Multiplier: round a Q31 multiplier to Q15. */
export function downScaleInt32ToInt16Multiplier(m: number): number {
  if (m >= INT32_MAX - (1 << 15)) return 32767;
  return (m + (1 << 15)) >> 16;
}

/** Wrap a number to int16 as a C cast does. */
export function toInt16(x: number): number {
  return (x << 16) >> 16;
}
