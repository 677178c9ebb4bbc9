// Window geometry shared by the forward conv and its two gradient convs.
// The forward pass pads with tfjs's own rule (TF's SAME: total padding split
// with the odd pixel at the bottom/right), so the gradients must read the
// same numbers rather than re-derive them.
import * as tf from '@tensorflow/tfjs';

export type Padding = 'same' | 'valid';
export type Pair = [number, number];

/** Geometry of one spatial axis of a forward conv. */
export interface AxisGeometry {
  /** input length */
  size: number;
  /** output length */
  out: number;
  kernel: number;
  stride: number;
  dilation: number;
  /** zeros added before the first input element */
  padBefore: number;
}

export interface ConvGeometry {
  height: AxisGeometry;
  width: AxisGeometry;
}

export function convGeometry(
  xShape: number[], filterShape: number[], strides: Pair, padding: Padding, dilations: Pair, depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations, padding, undefined, depthwise,
  );
  return {
    height: {
      size: info.inHeight, out: info.outHeight, kernel: info.filterHeight,
      stride: info.strideHeight, dilation: info.dilationHeight, padBefore: info.padInfo.top,
    },
    width: {
      size: info.inWidth, out: info.outWidth, kernel: info.filterWidth,
      stride: info.strideWidth, dilation: info.dilationWidth, padBefore: info.padInfo.left,
    },
  };
}

/** Span of the dilated kernel. */
export function effectiveKernel(a: AxisGeometry): number {
  return (a.kernel - 1) * a.dilation + 1;
}

/**
 * Input extent the forward pass actually reads, counted from the first
 * padded position: rows past it (valid padding with a leftover, or SAME
 * padding clamped at 0) never touch the output and get no gradient.
 */
export function usedExtent(a: AxisGeometry): number {
  return (a.out - 1) * a.stride + effectiveKernel(a);
}

/**
 * Padding of the input-gradient conv: dy spread to length (out−1)·stride+1,
 * then convolved (stride 1, same dilation) with the flipped kernel so the
 * result has the input's length. Both sides are ≥ 0 for valid and SAME.
 */
export function inputGradPadding(a: AxisGeometry): Pair {
  const before = effectiveKernel(a) - 1 - a.padBefore;
  const after = a.size + a.padBefore - (a.out - 1) * a.stride - 1;
  return [before, after];
}
