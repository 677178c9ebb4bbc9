// Conv and depthwise-conv gradients written as forward convs, the one conv
// kernel every tfjs backend runs natively (wasm lacks the backprop-filter
// kernels, and its backprop-input kernel is ~10× slower than a forward conv;
// see /work/shared/notes/wasm-training.md).
//
// Filter gradient: correlate the padded input with dy. Making the input's
// channels the batch and dy the filter turns that into one conv whose stride
// is the forward dilation and whose dilation is the forward stride.
// Input gradient: convolve dy (zeros spread between its elements for
// stride > 1) with the spatially flipped kernel, channels swapped; or, for
// strided convs, one smaller conv per stride phase (stride_phase.ts).
import * as tf from '@tensorflow/tfjs';
import { AxisGeometry, ConvGeometry, inputGradPadding, usedExtent } from './conv_geometry.js';
import { inputGradByStridePhase } from './stride_phase.js';
import { flipHW } from './filter_taps.js';
import { gradFormulation } from './grad_options.js';

/** The filter rotated 180° in H and W; 'baseline' keeps tfjs's Reverse (slow on wasm) to stay the earlier path. */
function flipped180(filter: tf.Tensor4D): tf.Tensor4D {
  return gradFormulation() === 'baseline' ? tf.reverse(filter, [0, 1]) : flipHW(filter);
}

type Explicit = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Spreads dy [b, oh, ow, c] to [b, (oh−1)·sh+1, (ow−1)·sw+1, c] with zeros
 * between elements and returns it with the explicit padding that makes a
 * stride-1 conv over it produce the input's height and width.
 */
function spreadForInputGrad(dy: tf.Tensor4D, g: ConvGeometry): { spread: tf.Tensor4D; pad: Explicit } {
  const [b, oh, ow, c] = dy.shape;
  const sh = g.height.stride;
  const sw = g.width.stride;
  let [padTop, padBottom] = inputGradPadding(g.height);
  let [padLeft, padRight] = inputGradPadding(g.width);
  if (sh === 1 && sw === 1) return { spread: dy, pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]] };
  // Zeros after each element along a new unit axis, then fold it back in:
  // this leaves (s−1) trailing zeros, which stand in for part of the padding.
  const blocks = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  let spread = tf.reshape(blocks, [b, oh * sh, ow * sw, c]) as tf.Tensor4D;
  padBottom -= sh - 1;
  padRight -= sw - 1;
  if (padBottom < 0 || padRight < 0) {
    spread = tf.slice(spread, [0, 0, 0, 0], [b, oh * sh + Math.min(padBottom, 0), ow * sw + Math.min(padRight, 0), c]);
    padBottom = Math.max(padBottom, 0);
    padRight = Math.max(padRight, 0);
  }
  return { spread, pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]] };
}

/**
 * Padding of the filter-gradient conv on a [*, h, w, *] input, and the
 * input extent to keep: rows/cols the forward pass never read are cut off
 * so the result is exactly kernel-sized.
 */
function filterGradWindow(a: AxisGeometry): { pad: [number, number]; keep: number } {
  const after = usedExtent(a) - a.size - a.padBefore;
  if (after >= 0) return { pad: [a.padBefore, after], keep: a.size };
  return { pad: [a.padBefore, 0], keep: a.size + after };
}

function cropHW(t: tf.Tensor4D, keepH: number, keepW: number): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  if (keepH === h && keepW === w) return t;
  return tf.slice(t, [0, 0, 0, 0], [n, keepH, keepW, c]);
}

/** d loss / d x of conv2d(x, filter) given dy. */
export function convInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { spread, pad } = spreadForInputGrad(dy, g);
  const flipped = tf.transpose(flipped180(filter), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(spread, flipped, 1, pad, 'NHWC', [g.height.dilation, g.width.dilation]);
}

/** convInputGrad for stride > 1 (dilation 1) without spreading dy; see stride_phase.ts. */
export function convInputGradByPhase(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return inputGradByStridePhase(dy, filter, g, filter.shape[2],
    (dyp, sub) => tf.conv2d(dyp, tf.transpose(sub, [0, 1, 3, 2]) as tf.Tensor4D, 1, 'valid'));
}

/** d loss / d filter of conv2d(x, filter) given dy. */
export function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const h = filterGradWindow(g.height);
  const w = filterGradWindow(g.width);
  // [cin, h, w, batch]: input channels become the batch, the batch is summed.
  const xt = cropHW(tf.transpose(x, [3, 1, 2, 0]), h.keep, w.keep);
  // [oh, ow, batch, cout]: dy is the filter.
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const out = tf.conv2d(
    xt, dyt, [g.height.dilation, g.width.dilation], [[0, 0], h.pad, w.pad, [0, 0]], 'NHWC',
    [g.height.stride, g.width.stride],
  );
  return tf.transpose(out, [1, 2, 0, 3]);
}

/** d loss / d x of depthwiseConv2d(x, filter [kh, kw, c, m]) given dy. */
export function depthwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [kh, kw, c, m] = filter.shape;
  const { spread, pad } = spreadForInputGrad(dy, g);
  // Each of the c·m output channels feeds back into its own input channel:
  // a multiplier-1 depthwise conv over c·m channels, then the m summed.
  const flipped = tf.reshape(flipped180(filter), [kh, kw, c * m, 1]) as tf.Tensor4D;
  const perOutput = tf.depthwiseConv2d(spread, flipped, 1, pad, 'NHWC', [g.height.dilation, g.width.dilation]);
  if (m === 1) return perOutput;
  const [b, h, w] = perOutput.shape;
  return tf.sum(tf.reshape(perOutput, [b, h, w, c, m]), 4) as tf.Tensor4D;
}

/** depthwiseInputGrad for stride > 1 (dilation 1) without spreading dy; see stride_phase.ts. */
export function depthwiseInputGradByPhase(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [, , c, m] = filter.shape;
  return inputGradByStridePhase(dy, filter, g, c, (dyp, sub) => {
    const [nh, nw] = sub.shape;
    const perOutput = tf.depthwiseConv2d(dyp, tf.reshape(sub, [nh, nw, c * m, 1]) as tf.Tensor4D, 1, 'valid');
    if (m === 1) return perOutput;
    const [b, h, w] = perOutput.shape;
    return tf.sum(tf.reshape(perOutput, [b, h, w, c, m]), 4) as tf.Tensor4D;
  });
}

/** d loss / d filter of depthwiseConv2d(x, filter [kh, kw, c, m]) given dy. */
export function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: ConvGeometry): tf.Tensor4D {
  const [kh, kw, c, m] = filterShape;
  const [b, , , ] = x.shape;
  const [, oh, ow] = dy.shape;
  const h = filterGradWindow(g.height);
  const w = filterGradWindow(g.width);
  // One image whose b·c channels are (batch, channel) pairs; dy supplies a
  // separate [oh, ow] filter to each pair, so a depthwise conv correlates
  // every pair with its own dy, and summing over the batch finishes the job.
  const xt = tf.transpose(x, [1, 2, 0, 3]);
  const xr = cropHW(tf.reshape(xt, [1, g.height.size, g.width.size, b * c]) as tf.Tensor4D, h.keep, w.keep);
  const dyr = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, b * c, m]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(
    xr, dyr, [g.height.dilation, g.width.dilation], [[0, 0], h.pad, w.pad, [0, 0]], 'NHWC',
    [g.height.stride, g.width.stride],
  );
  return tf.reshape(tf.sum(tf.reshape(out, [kh, kw, b, c * m]), 2), [kh, kw, c, m]);
}
