// The train graph's kernel of a fused layer — W·f folded with the moving
// statistics (f = γ/σ_mov) and fake-quantized per output channel — computed
// by three wasm SIMD passes (layers/wasm: scale, per-channel max |·|,
// quantize) instead of ~20 tfjs ops per layer (fold, scale, |·|, max,
// maximum, div, round, mul, reshapes, and their gradients); a plain JS loop
// over the heap, tried first, took ~25 ms of a MobileNet v2 step. Kernels are small next to activations (MobileNet v2 α0.35: 0.4M
// weights against 1.5M activation values per image), so the cost of a QAT
// layer's weights was tfjs's per-op overhead, not arithmetic: on a
// 52-layer MobileNet it was most of what a QAT step added to a float step.
//
// The arithmetic is the op form's, in float32: f = γ·(1/√(σ²+ε)), W·f, the
// scale from quantize/math.ts's symmetricRange of max|W·f| per channel, and
// round-half-even(W·f / s)·s. The gradient is the straight-through estimator
// (the quantizer's mask is all ones: every weight lies inside its channel's
// range): dW = dq·f and dγ = Σ dq·W · (1/√(σ²+ε)) per channel.
import * as tf from '@tensorflow/tfjs';
import { binaryOpWithGrad, unaryOpWithGrad } from '../../layers/custom_grad.js';
import { simdChannelAbsMax } from '../../layers/wasm/channel_stats.js';
import { simdChannelQuantize, simdChannelScale } from '../../layers/wasm/row_ops.js';
import { heapValues } from '../../layers/wasm/tfjs_heap.js';
import { symmetricRange } from '../../quantize/math.js';
import { outputChannels, type QConvLikeNode } from '../../quantize/fold.js';

const f32 = Math.fround;

/** The folded BN's per-channel inputs; null for a layer without one. */
export interface FoldInputs {
  gamma: tf.Tensor;
  movingVariance: tf.Tensor;
  epsilon: number;
}

export interface TrainKernel {
  /** The kernel the layer convolves with. */
  kernel: tf.Tensor;
  /** 1/σ_mov per output channel (f = γ·inv), or null without a BN. */
  inv: Float32Array | null;
  /** f = γ·inv per output channel, or null without a BN. */
  fold: Float32Array | null;
}

/** Whether this backend runs trainKernel (tfjs wasm: the values are read in place); elsewhere the caller keeps the op form. */
export function trainKernelAvailable(w: tf.Tensor): boolean {
  return heapValues(w) !== null;
}

/** 1/√(σ² + ε) per channel, in float32 steps. */
function inverseSigma(variance: Float32Array, epsilon: number): Float32Array {
  const eps = f32(epsilon);
  return Float32Array.from(variance, (v) => f32(1 / f32(Math.sqrt(f32(v + eps)))));
}

/**
 * W·f (or W without a fold) fake-quantized when `bits` is given, as one op
 * whose gradient reaches W and γ. Call only where trainKernelAvailable.
 */
export function trainKernel(node: QConvLikeNode, w: tf.Tensor, bn: FoldInputs | null, bits: number | null, perChannel: boolean): TrainKernel {
  const channels = outputChannels(node, w);
  if (!bn) {
    // Without a fold the quantizer's straight-through gradient is dy itself; nothing needs saving.
    const kernel = unaryOpWithGrad(w, (wIn) => quantizedTimes(wIn, null, channels, bits, perChannel), (dy) => dy, false);
    return { kernel, inv: null, fold: null };
  }
  const inv = inverseSigma(bn.movingVariance.dataSync() as Float32Array, bn.epsilon);
  const gammaValues = bn.gamma.dataSync() as Float32Array;
  const fold = Float32Array.from(gammaValues, (g, c) => f32(g * inv[c]!));
  const kernel = binaryOpWithGrad(w, bn.gamma,
    (wIn) => quantizedTimes(wIn, fold, channels, bits, perChannel),
    (dy, wIn) => foldBackward(dy, wIn, fold, inv, channels));
  return { kernel, inv, fold };
}

/** round-half-even(W·f / s)·s per channel (or W·f when bits is null). */
function quantizedTimes(w: tf.Tensor, fold: Float32Array | null, channels: number, bits: number | null, perChannel: boolean): tf.Tensor {
  return tf.tidy(() => {
    const folded = fold ? simdChannelScale(w, tf.tensor1d(fold)) : tf.clone(w);
    if (bits === null) return folded;
    const absMax = simdChannelAbsMax(folded, channels).dataSync() as Float32Array;
    const whole = perChannel ? 0 : absMax.reduce((a, b) => Math.max(a, b), 0);
    const scales = Float32Array.from(absMax, (m) => symmetricRange(perChannel ? m : whole, bits).scale);
    return simdChannelQuantize(folded, tf.tensor1d(scales));
  });
}

/** dW = dq·f, dγ = Σ dq·W · inv per channel. */
function foldBackward(dy: tf.Tensor, w: tf.Tensor, fold: Float32Array, inv: Float32Array, channels: number): [tf.Tensor, tf.Tensor] {
  // Σ dq·W in float64 over the heap (a kernel's worth of products, cheap in JS): the least rounding,
  // and the sums the README's results were trained with.
  const sums = new Float64Array(channels);
  const [g, x] = [heapValues(dy)!, heapValues(w)!];
  for (let i = 0, c = 0; i < g.length; i++, c = c + 1 === channels ? 0 : c + 1) sums[c] += f32(g[i]! * x[i]!);
  const dGamma = tf.tensor1d(Float32Array.from(sums, (v, k) => f32(f32(v) * inv[k]!)));
  return [tf.tidy(() => simdChannelScale(dy, tf.tensor1d(fold))), dGamma];
}
