// Integer accumulation Σ (q_x − zp_x)·w_q of a conv / depthwise / dense
// layer, computed with tfjs's float32 kernels and returned as exact int32.
//
// Why float32 can be exact: every operand is an integer, and a float32
// holds every integer of magnitude ≤ 2^24. If the contraction has length K,
// |q_x − zp_x| ≤ X and |w| ≤ W, every product and every partial sum — in
// whatever order or blocking the backend adds them, with or without FMA — is
// an integer of magnitude ≤ K·X·W, so the float32 result is the exact integer
// whenever K·X·W ≤ 2^24. For int8 (X ≤ 255, W ≤ 127) that is K ≤ 518.
//
// Longer contractions are cut into pieces that each satisfy the bound, run
// as separate convs/matmuls, converted to int32 (exact: integer-valued) and
// added in int32:
//  - chunks along the input channels (conv: K = kh·kw·cin_chunk; dense:
//    K = in_chunk), which keeps the total work of one conv;
//  - and/or the weight split w = 16·wh + wl with wl ∈ [−8, 7] and
//    |wh| ≤ ⌊(W + 8)/16⌋ (8 for W = 127): two convs with digits ≤ 8, so
//    K ≤ 2^24/(255·8) = 8224 per piece; combined as 16·acc_h + acc_l in int32.
// planAccumulation picks the split only when it needs fewer than half the
// convs plain chunking would (e.g. mnist-cnn's fc1, K = 9216: 2×2 matmuls
// instead of 18).
//
// The int32 bias is added the same way: in float32 when one piece suffices
// and |acc| + |bias| ≤ 2^24 (the common case, no int32 work at all), else in
// int32 after the pieces. Either way the result is f32(acc + bias), the
// float32 rounding of the exact int32 sum, which is what XNNPACK's fp32
// requantization multiplies.
import * as tf from '@tensorflow/tfjs';
import { conv2d, dense, depthwiseConv2d, type Padding, type Pair } from '../../layers/ops.js';

/** Integers of magnitude up to this are exact in float32. */
export const FLOAT32_EXACT_INTEGER = 2 ** 24;

export type ContractionKind = 'conv' | 'depthwise' | 'dense';

export interface Contraction {
  kind: ContractionKind;
  /** Window (conv / depthwise only). */
  strides?: Pair;
  padding?: Padding;
  dilations?: Pair;
}

export interface AccumulationPlan {
  /** Weight split w = 16·wh + wl into two convs. */
  split: boolean;
  /** Pieces along the input channels (1: the whole contraction at once). */
  chunks: number;
  /** Input channels per piece (the last may be shorter). */
  chunkSize: number;
  /** Largest |partial sum| any piece can reach (≤ 2^24). */
  bound: number;
}

/** Largest |digit| of the weight split for |w| ≤ wAbsMax. */
export function splitDigitMax(wAbsMax: number): number {
  return Math.max(8, Math.floor((wAbsMax + 8) / 16));
}

/**
 * How to accumulate a contraction of `taps`·`inChannels` terms (taps =
 * kh·kw, or 1 for dense; depthwise contracts over taps only) with
 * |x| ≤ xAbsMax and |w| ≤ wAbsMax exactly in float32 pieces.
 */
export function planAccumulation(kind: ContractionKind, taps: number, inChannels: number, xAbsMax: number, wAbsMax: number): AccumulationPlan {
  const channels = kind === 'depthwise' ? 1 : inChannels;
  const perPiece = (digit: number): number => {
    const maxTerms = xAbsMax * digit === 0 ? Infinity : Math.floor(FLOAT32_EXACT_INTEGER / (xAbsMax * digit));
    return Math.floor(maxTerms / taps);
  };
  const pieces = (digit: number): { chunks: number; chunkSize: number } => {
    const c = perPiece(digit);
    if (c < 1) return { chunks: Infinity, chunkSize: 0 };
    const chunks = Math.ceil(channels / Math.min(c, channels));
    return { chunks, chunkSize: Math.ceil(channels / chunks) };
  };
  const bound = (digit: number, chunkSize: number): number => taps * chunkSize * xAbsMax * digit;
  const direct = pieces(wAbsMax);
  const d = splitDigitMax(wAbsMax);
  const split = pieces(d);
  if (direct.chunks === 1) return { split: false, ...direct, bound: bound(wAbsMax, direct.chunkSize) };
  if (Number.isFinite(split.chunks) && 2 * split.chunks < direct.chunks) return { split: true, ...split, bound: bound(d, split.chunkSize) };
  if (kind !== 'depthwise' && Number.isFinite(direct.chunks)) return { split: false, ...direct, bound: bound(wAbsMax, direct.chunkSize) };
  throw new Error(`an integer accumulation of ${taps}×${channels} terms with |x| ≤ ${xAbsMax}, |w| ≤ ${wAbsMax} cannot be made exact in float32 pieces`);
}

function contract(c: Contraction, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  if (c.kind === 'dense') return dense(x as tf.Tensor2D, w as tf.Tensor2D);
  const op = c.kind === 'conv' ? conv2d : depthwiseConv2d;
  return op(x as tf.Tensor4D, w as tf.Tensor4D, c.strides ?? [1, 1], c.padding ?? 'valid', c.dilations ?? [1, 1]);
}

/** One piece's exact float32 sum, as int32. */
function exactPiece(c: Contraction, x: tf.Tensor, w: tf.Tensor, split: boolean): tf.Tensor {
  if (!split) return tf.cast(contract(c, x, w), 'int32');
  const wh = tf.floor(tf.div(tf.add(w, 8), 16));
  const wl = tf.sub(w, tf.mul(wh, 16));
  const hi = tf.cast(contract(c, x, wh), 'int32');
  const lo = tf.cast(contract(c, x, wl), 'int32');
  return tf.add(tf.mul(hi, tf.scalar(16, 'int32')), lo);
}

function contractionSize(c: Contraction, w: tf.Tensor): { taps: number; inAxis: number; inChannels: number } {
  const taps = c.kind === 'dense' ? 1 : w.shape[0]! * w.shape[1]!;
  const inAxis = c.kind === 'dense' ? 0 : 2;
  return { taps, inAxis, inChannels: w.shape[inAxis]! };
}

/**
 * f32(Σ x·w + bias_c) per output channel (the last axis), with the sum and
 * the bias add exact (see the header). Arguments as exactAccumulate's.
 */
export function accumulateWithBias(c: Contraction, x: tf.Tensor, w: tf.Tensor, bias: Int32Array, xAbsMax: number, wAbsMax: number): tf.Tensor {
  return tf.tidy(() => {
    const { taps, inChannels } = contractionSize(c, w);
    const plan = planAccumulation(c.kind, taps, inChannels, xAbsMax, wAbsMax);
    let biasAbsMax = 0;
    for (const b of bias) biasAbsMax = Math.max(biasAbsMax, Math.abs(b));
    if (plan.chunks === 1 && !plan.split && plan.bound + biasAbsMax <= FLOAT32_EXACT_INTEGER) {
      return tf.add(contract(c, x, w), tf.tensor1d(Float32Array.from(bias)));
    }
    const acc = tf.add(exactAccumulate(c, x, w, xAbsMax, wAbsMax), tf.tensor1d(bias, 'int32'));
    return toFloat32(acc);
  });
}

/**
 * int32 → float32 rounded to nearest even, as C's (float) cast. The wasm
 * backend's cast does exactly that; the cpu backend may keep the int32
 * buffer behind the float32 tensor (so a later multiply would see the
 * unrounded integer): an add of 0 makes it store float32.
 */
export function toFloat32(t: tf.Tensor): tf.Tensor {
  const f = tf.cast(t, 'float32');
  return tf.getBackend() === 'cpu' ? tf.add(f, 0) : f;
}

/**
 * Σ x·w over the layer's contraction, exact, as an int32 tensor of the
 * layer's output shape. x and w are integer-valued float32 tensors (x:
 * q − zp of the input, NHWC or [batch, in]; w: int weights in the float
 * op's layout) with |x| ≤ xAbsMax and |w| ≤ wAbsMax.
 */
export function exactAccumulate(c: Contraction, x: tf.Tensor, w: tf.Tensor, xAbsMax: number, wAbsMax: number): tf.Tensor {
  return tf.tidy(() => {
    const { taps, inAxis, inChannels } = contractionSize(c, w);
    const plan = planAccumulation(c.kind, taps, inChannels, xAbsMax, wAbsMax);
    if (plan.chunks === 1) return exactPiece(c, x, w, plan.split);
    let acc: tf.Tensor | null = null;
    const xAxis = x.rank - 1;
    for (let c0 = 0; c0 < inChannels; c0 += plan.chunkSize) {
      const n = Math.min(plan.chunkSize, inChannels - c0);
      const xs = tf.slice(x, x.shape.map((_, i) => (i === xAxis ? c0 : 0)), x.shape.map((d, i) => (i === xAxis ? n : d!)));
      const ws = tf.slice(w, w.shape.map((_, i) => (i === inAxis ? c0 : 0)), w.shape.map((d, i) => (i === inAxis ? n : d!)));
      const part = exactPiece(c, xs, ws, plan.split);
      acc = acc ? tf.add(acc, part) : part;
    }
    return acc!;
  });
}
