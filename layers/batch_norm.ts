// Training-mode batch normalisation as one op with its closed-form backward.
// Built from tf.moments/sub/mul/add, every primitive's gradient keeps its own
// inputs alive until the backward pass: about ten activation-sized tensors
// per BN layer, which is what made MobileNet steps outgrow the wasm heap.
// Here the backward keeps only the normalised activations and two
// per-channel vectors.
import * as tf from '@tensorflow/tfjs';
import { SMALLEST_POSITIVE } from './activation_grads.js';
import { channelDot, channelMoments, channelSum, simdReductions } from './reductions.js';
import {
  simdBatchNormBackward, simdBatchNormFakeQuant, simdBatchNormForward, simdBatchNormRange, simdBatchNormRangeGrad,
} from './wasm/row_ops.js';

export interface BatchNormTraining {
  y: tf.Tensor;
  /** Batch mean per channel (kept: the caller disposes it). */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel (kept: the caller disposes it). */
  variance: tf.Tensor1D;
}

/**
 * What runs on the normalised activations inside the one op: its forward
 * from (x, μ, 1/σ, γ, β), giving x̂ and the op's value, and what its
 * backward does to dy before the batch norm's own backward, given x̂, γ, β.
 */
interface NormHead {
  forward(x: tf.Tensor, mean: tf.Tensor1D, inv: tf.Tensor1D, gamma: tf.Tensor, beta: tf.Tensor): { normed: tf.Tensor; value: tf.Tensor };
  maskGrad?(dy: tf.Tensor, normed: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor;
}

function trainingNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number | tf.Tensor1D, head: NormHead): BatchNormTraining {
  const count = x.size / x.shape[x.rank - 1]!;
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, gIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const m = channelMoments(xIn);
    mean = tf.keep(m.mean as tf.Tensor1D);
    variance = tf.keep(m.variance as tf.Tensor1D);
    const inv = tf.rsqrt(tf.add(m.variance, epsilon)) as tf.Tensor1D;
    const { normed, value } = head.forward(xIn, m.mean, inv, gIn, bIn);
    save([normed, inv, gIn, bIn]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xhat, invStd, g, b] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return batchNormBackward(head.maskGrad ? head.maskGrad(dy, xhat, g, b) : dy, xhat, invStd, g, count);
      },
    };
  });
  const y = op(x, gamma, beta);
  return { y, mean: mean!, variance: variance! };
}

/**
 * y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over every axis but the last.
 * Gradients for x, γ and β; dx includes the batch statistics' own
 * dependence on x, as differentiating the composite would. ε may be one
 * per channel; it is a constant here (no gradient reaches its inputs).
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number | tf.Tensor1D): BatchNormTraining {
  return trainingNorm(x, gamma, beta, epsilon, {
    forward: (xIn, mean, inv, g, b) => {
      const { normed, y } = simdReductions() ? simdBatchNormForward(xIn, mean, inv, g, b) : tfBatchNormForward(xIn, mean, inv, g, b);
      return { normed, value: y };
    },
  });
}

/**
 * relu or relu6 of batchNormTraining as one op on wasm: the clip is in the
 * forward pass, and the backward recomputes the batch norm's output from x̂
 * for relu's mask (0 < y, and y ≤ 6 for relu6: tfjs's convention at the
 * kinks), so that output is neither written nor kept. Call only where
 * simdReductions().
 */
export function batchNormActivation(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number | tf.Tensor1D, act: 'relu' | 'relu6'): BatchNormTraining {
  const hi = act === 'relu6' ? 6 : Infinity;
  return trainingNorm(x, gamma, beta, epsilon, {
    forward: (xIn, mean, inv, g, b) => {
      const { normed, y } = simdBatchNormForward(xIn, mean, inv, g, b, 0, hi);
      return { normed, value: y };
    },
    maskGrad: (dy, normed, g, b) => simdBatchNormRangeGrad(dy, normed, g, b, SMALLEST_POSITIVE, hi),
  });
}

/** [dx, dγ, dβ] of y = γ·x̂ + β, x̂ = (x − μ)·inv, μ and σ² the batch's own over `count` rows. */
function batchNormBackward(dy: tf.Tensor, xhat: tf.Tensor, invStd: tf.Tensor, g: tf.Tensor, count: number): tf.Tensor[] {
  const dBeta = channelSum(dy);
  const dGamma = channelDot(dy, xhat);
  // dx = γ/(N·σ) · (N·dy − Σdy − x̂·Σ(dy·x̂))
  const scale = tf.div(tf.mul(g, invStd), count) as tf.Tensor1D;
  const dx = simdReductions()
    ? simdBatchNormBackward(dy, xhat, dBeta, dGamma, scale, count)
    : tf.mul(tf.sub(tf.sub(tf.mul(dy, count), dBeta), tf.mul(xhat, dGamma)), scale);
  return [dx, dGamma, dBeta];
}

/** Where a fake quant after a batch norm clips and rounds, given the batch norm output's range. */
export interface FakeQuantClip {
  lo: number;
  hi: number;
  scale: number;
  /** The straight-through gradient passes where passFrom ≤ y ≤ hi. */
  passFrom: number;
}

/**
 * batchNormTraining followed by a fake quant whose clip depends on the
 * output's range (`clipFor`, given its min and max), as one op on wasm:
 * the batch norm's output y is never written — one pass writes x̂ and finds
 * y's range, the next writes the fake quant of y = γ·x̂ + β, and the
 * backward recomputes y from x̂ for the straight-through mask. The same
 * float32 operations as the two ops apart, two activation-sized passes and
 * one kept tensor fewer. Call only where simdReductions().
 */
export function batchNormFakeQuant(
  x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: tf.Tensor1D, clipFor: (min: number, max: number) => FakeQuantClip,
): BatchNormTraining {
  let clip: FakeQuantClip | undefined;
  return trainingNorm(x, gamma, beta, epsilon, {
    forward: (xIn, mean, inv, g, b) => {
      const r = simdBatchNormRange(xIn, mean, inv, g, b);
      clip = clipFor(r.min.dataSync()[0]!, r.max.dataSync()[0]!);
      tf.dispose([r.min, r.max]);
      return { normed: r.normed, value: simdBatchNormFakeQuant(r.normed, g, b, clip.lo, clip.hi, clip.scale) };
    },
    maskGrad: (dy, normed, g, b) => simdBatchNormRangeGrad(dy, normed, g, b, clip!.passFrom, clip!.hi),
  });
}

function tfBatchNormForward(x: tf.Tensor, mean: tf.Tensor, inv: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): { normed: tf.Tensor; y: tf.Tensor } {
  const normed = tf.mul(tf.sub(x, mean), inv);
  return { normed, y: tf.add(tf.mul(normed, gamma), beta) };
}
