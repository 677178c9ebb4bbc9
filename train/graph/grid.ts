// An activation grid as the integer eval graph sees it: a fakeQuant's
// frozen range (quantize/qparams.ts activationRange) in the int8 tensor's
// terms — signed codes q in [qmin−2^(b−1), qmax−2^(b−1)], zero point zp —
// and the two conversions between real values on the grid and codes.
//
// Tensors between layers stay real values (what the fakeQuant op outputs:
// f32(f32(i·s) + nudgedMin) for grid index i), so runAll keeps comparing
// with dequantized interpreter tensors; each integer op recovers the codes.
// Recovery is exact: a grid value minus nudgedMin divided by s is within a
// few float32 ulps of the integer index, far from the .5 where rounding
// could go the other way.
import * as tf from '@tensorflow/tfjs';
import { signedOffset, type NudgedRange } from '../../quantize/math.js';

export interface ActivationGrid {
  range: NudgedRange;
  bits: number;
  /** float32 scale, as the int8 tensor stores it. */
  scale: number;
  /** Zero point on the signed grid (int8 for 8 bits). */
  zeroPoint: number;
  /** Signed grid ends. */
  qmin: number;
  qmax: number;
  /** max |q − zp| over the grid: the bound integer accumulations are planned with. */
  centeredAbsMax: number;
}

export function activationGrid(range: NudgedRange, bits: number): ActivationGrid {
  const off = signedOffset(bits);
  return {
    range, bits, scale: Math.fround(range.scale), zeroPoint: range.zeroPoint - off,
    qmin: range.qmin - off, qmax: range.qmax - off,
    centeredAbsMax: Math.max(range.zeroPoint - range.qmin, range.qmax - range.zeroPoint),
  };
}

/**
 * q − zp of values on the grid: the operand every integer kernel multiplies.
 * x = f32(f32(i·s) + nudgedMin) with nudgedMin = (qmin − zp)·s, so x/s is
 * i + qmin − zp = q − zp within ~2^-16 (a few float32 roundings of numbers
 * ≤ 2^8): one division and a rounding recover it exactly.
 */
export function gridCentered(x: tf.Tensor, g: ActivationGrid): tf.Tensor {
  return tf.round(tf.div(x, g.scale));
}

/** Signed codes q (what the int8 tensor holds) of values on the grid. */
export function gridCodes(x: tf.Tensor, g: ActivationGrid): tf.Tensor {
  return tf.add(gridCentered(x, g), g.zeroPoint);
}

/**
 * Real values of signed codes, computed exactly as the fakeQuant op computes
 * its output (index·s + nudgedMin in float32, index = q − qmin), so a
 * fakeQuant of the same range returns them unchanged.
 */
export function gridValues(q: tf.Tensor, g: ActivationGrid): tf.Tensor {
  return gridIndexValues(tf.sub(q, g.qmin), g);
}

/** Real values of grid indices i = q − qmin. */
export function gridIndexValues(index: tf.Tensor, g: ActivationGrid): tf.Tensor {
  return tf.add(tf.mul(index, g.scale), g.range.nudgedMin);
}

/**
 * The requantized output of an integer op: codes zp + r (r the rounded
 * rescaled accumulator) clamped to [lo, hi], as real values on the grid.
 * The shift to grid indices is folded into the clamp (one op fewer).
 */
export function requantizedValues(rounded: tf.Tensor, g: ActivationGrid, lo: number, hi: number): tf.Tensor {
  const shift = g.zeroPoint - g.qmin;
  return gridIndexValues(tf.clipByValue(tf.add(rounded, shift), lo - g.qmin, hi - g.qmin), g);
}
