// How the QAT IR ops compute, in the train graph and in the eval graph.
//
// Fused layers (qconv2d / qdepthwiseConv2d / qdense) with a folded batchNorm
// follow Jacob et al. 2018 / Krishnamoorthi 2018: the kernel is folded with
// the MOVING statistics, W·γ/σ_mov, and fake-quantized per output channel
// (symmetric, narrow range). Before the BN freeze the conv output is then
// corrected by σ_mov/σ_B and shifted by the batch-statistic bias
// β − γ·μ_B/σ_B, so training still normalises with batch statistics; after
// the freeze the moving statistics are used directly (β − γ·μ_mov/σ_mov).
//
// Approximation (to keep a QAT step ≤ 1.3× a float step): the reference
// scheme runs the conv twice, once in float to get μ_B/σ_B and once with the
// quantized folded kernel. We run it once: y = conv(x, q(W·f)) with f =
// γ/σ_mov, and take the batch statistics of z = y / f (per channel), which
// equals the float conv output W*x up to the weight-quantization error. So
// μ_B = mean(y)/f and σ_B² = var(y)/f²; the error is that of 8-bit weights,
// far below the batch-to-batch noise of the statistics themselves.
//
// The eval graph folds with moving statistics, uses frozen ranges and adds
// the bias exactly as the int8 model will hold it (quantizeBias), all through
// quantize/fold.ts and quantize/qparams.ts — the functions the exporter uses.
import * as tf from '@tensorflow/tfjs';
import { biasAdd, conv2d, conv2dConstInput, depthwiseConv2d, dense, relu6 } from '../../layers/ops.js';
import { conv2dTransposeFor } from '../../layers/conv_transpose.js';
import { batchNormFakeQuant, batchNormTraining, type FakeQuantClip } from '../../layers/batch_norm.js';
import { simdReductions, tensorMinMax } from '../../layers/reductions.js';
import { simdFakeQuant } from '../../layers/wasm/row_ops.js';
import { SMALLEST_POSITIVE, rangeGrad } from '../../layers/activation_grads.js';
import { fakeQuant } from '../../quantize/fake-quant.js';
import { rangeIncludingZero } from '../../quantize/ranges.js';
import { nudge, symmetricRange, unsignedGrid } from '../../quantize/math.js';
import { foldedParams, movingFoldScale, scaleKernel, type ParamLookup, type QConvLikeNode } from '../../quantize/fold.js';
import {
  activationRange, dequantizeBias, quantizeBias, weightAbsMax, weightQuantView, weightRanges,
} from '../../quantize/qparams.js';
import type { FusedActivation, NodeOf } from '../../src/ir/types.js';
import type { KernelContext, QatRuntime } from './context.js';
import { DEFAULT_QAT_RUNTIME, bessel, fakeQuantOn } from './context.js';
import { trainKernel, trainKernelAvailable } from './folded-kernel.js';

export function activate(y: tf.Tensor, act: FusedActivation): tf.Tensor {
  return act === 'relu' ? tf.relu(y) : act === 'relu6' ? relu6(y) : y;
}

function runLayer(node: QConvLikeNode, x: tf.Tensor, kernel: tf.Tensor, ctx: KernelContext): tf.Tensor {
  if (node.op === 'qdense') return dense(x as tf.Tensor2D, kernel as tf.Tensor2D);
  if (node.op === 'qconv2dTranspose') return conv2dTransposeFor(x as tf.Tensor4D, kernel as tf.Tensor4D, node.attrs.strides, node.attrs.padding);
  const a = node.attrs;
  // A conv on the model input (through a fakeQuant with no range gradient) skips the input gradient.
  const conv = node.op === 'qconv2d' ? (ctx.constInputs?.has(node.name) ? conv2dConstInput : conv2d) : depthwiseConv2d;
  return conv(x as tf.Tensor4D, kernel as tf.Tensor4D, a.strides, a.padding, a.dilations);
}

/**
 * Symmetric narrow-range fake quant of a (folded) kernel, per channel or
 * per tensor, with the range [−m, m], m = max|w| (quantize/qparams.ts), for
 * the EVAL graph: the fake-quant op, bit-exact with quantize/math.ts and so
 * with the exported int8 weights.
 */
export function fakeQuantWeightsExact(node: QConvLikeNode, kernel: tf.Tensor): tf.Tensor {
  const wq = node.attrs.weightQuant!;
  return tf.tidy(() => {
    const m = weightAbsMax(node, kernel);
    const { view, axis } = weightQuantView(node, kernel);
    const q = fakeQuant(view, tf.neg(m), m, { bits: wq.bits, narrowRange: true, rangeGradient: 'none', ...(axis !== undefined ? { axis } : {}) });
    return tf.reshape(q, kernel.shape);
  });
}

/**
 * The same weight quantization for the TRAIN graph, in 3 elementwise ops
 * instead of ~10: with the symmetric range the grid is the multiples of the
 * scale s (zero point in the middle), so q(w) = round(w/s)·s, and |w| ≤ m
 * needs no clamp. It differs from the exact op only on exact .5 ties (tf.round
 * rounds them to even) — irrelevant to training, and the eval graph uses
 * the exact op. Its gradient is the identity: every weight lies inside its
 * channel's range, so TF's straight-through mask is all ones, and the range
 * is a function of the weights that gets no gradient. As one custom op the
 * range computation stays off the tape.
 */
export function fakeQuantWeights(node: QConvLikeNode, kernel: tf.Tensor): tf.Tensor {
  const wq = node.attrs.weightQuant!;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as tf.Tensor;
    const m = weightAbsMax(node, w);
    const scales = Float32Array.from(m.dataSync(), (v) => symmetricRange(v, wq.bits).scale);
    m.dispose();
    const { view } = weightQuantView(node, w);
    const s = scales.length === 1 ? tf.scalar(scales[0]) : tf.tensor1d(scales);
    const q = tf.mul(tf.round(tf.div(view, s)), s);
    return { value: tf.reshape(q, w.shape), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor] };
  });
  return op(kernel);
}

/** The quantized kernel of a layer without a folded BN. */
function unfoldedTrainKernel(node: QConvLikeNode, w: tf.Tensor): tf.Tensor {
  const wq = node.attrs.weightQuant!;
  return trainKernelAvailable(w) ? trainKernel(node, w, null, wq.bits, wq.perChannel).kernel : fakeQuantWeights(node, w);
}

interface FoldedTrainKernel {
  kernel: tf.Tensor;
  /** f = γ/σ_mov, differentiable w.r.t. γ (made on demand: only a frozen BN's bias needs its gradient). */
  fold: () => tf.Tensor;
  /** f's values when the kernel was made in JS from them (wasm), else null. */
  foldValues: Float32Array | null;
}

/** The kernel folded with f = γ/σ_mov (fake-quantized when on) and f itself. */
function foldedTrainKernel(node: QConvLikeNode, w: tf.Tensor, ctx: KernelContext, quantOn: boolean): FoldedTrainKernel {
  const bn = node.attrs.batchNorm!;
  const wq = node.attrs.weightQuant;
  if (trainKernelAvailable(w)) {
    const gamma = ctx.param(node, 'gamma');
    const t = trainKernel(node, w, { gamma, movingVariance: ctx.param(node, 'movingVariance'), epsilon: bn.epsilon },
      quantOn && wq ? wq.bits : null, wq?.perChannel ?? true);
    return { kernel: t.kernel, fold: () => tf.mul(gamma, tf.tensor1d(t.inv!)), foldValues: t.fold };
  }
  const fold = movingFoldScale(node, lookup(ctx))!;
  const folded = scaleKernel(node, w, fold);
  return { kernel: quantOn ? fakeQuantWeights(node, folded) : folded, fold: () => fold, foldValues: null };
}

/**
 * ε·f² (the BN op's per-channel ε, see trainLayer) and, from the batch's
 * mean and variance of y, those of z = y / f: as numbers when f's are at
 * hand (the same float32 steps; 7 small tfjs ops fewer per layer), else as ops.
 */
function foldedStatistics(folded: FoldedTrainKernel, epsilon: number): {
  epsilonTimesFoldSquared: tf.Tensor1D;
  ofZ: (mean: tf.Tensor1D, variance: tf.Tensor1D) => { mean: tf.Tensor1D; variance: tf.Tensor1D };
} {
  const f = folded.foldValues;
  if (f) {
    const squared = Float32Array.from(f, (v) => Math.fround(v * v));
    const eps = Math.fround(epsilon);
    return {
      epsilonTimesFoldSquared: tf.tensor1d(Float32Array.from(squared, (v) => Math.fround(v * eps))),
      ofZ: (mean, variance) => {
        const [m, v] = [mean.dataSync(), variance.dataSync()];
        return {
          mean: tf.tensor1d(Float32Array.from(f, (fc, c) => Math.fround(m[c]! / fc))),
          variance: tf.tensor1d(Float32Array.from(squared, (sc, c) => Math.fround(v[c]! / sc))),
        };
      },
    };
  }
  const fold = folded.fold();
  const fSquared = tf.square(fold);
  return {
    epsilonTimesFoldSquared: tf.mul(fSquared, epsilon) as tf.Tensor1D,
    ofZ: (mean, variance) => ({ mean: tf.div(mean, fold) as tf.Tensor1D, variance: tf.div(variance, fSquared) as tf.Tensor1D }),
  };
}

const lookup = (ctx: KernelContext): ParamLookup => ({ get: (name) => ctx.variable(name) });

const runtime = (ctx: KernelContext): QatRuntime => ctx.qat ?? DEFAULT_QAT_RUNTIME;

const quantizing = fakeQuantOn;

function bnFrozen(q: QatRuntime): boolean {
  return q.observeOnly || (q.freezeBnStep !== null && q.step >= q.freezeBnStep);
}

/** The layer's activation, unless the fakeQuant after it applies it (ctx.deferredActivations). */
function layerActivation(node: QConvLikeNode, y: tf.Tensor, ctx: KernelContext): tf.Tensor {
  return ctx.deferredActivations?.has(node.name) ? y : activate(y, node.attrs.activation);
}

function trainLayer(node: QConvLikeNode, x: tf.Tensor, ctx: KernelContext): tf.Tensor {
  const q = runtime(ctx);
  const quantOn = quantizing(q) && node.attrs.weightQuant !== null;
  const w = ctx.param(node, 'kernel');
  const bn = node.attrs.batchNorm;
  const convBias = node.attrs.useBias ? ctx.param(node, 'bias') : null;
  if (!bn) {
    const y = runLayer(node, x, quantOn ? unfoldedTrainKernel(node, w) : w, ctx);
    return layerActivation(node, convBias ? biasAdd(y, convBias as tf.Tensor1D) : y, ctx);
  }
  const gamma = ctx.param(node, 'gamma');
  const beta = ctx.param(node, 'beta');
  const movingMean = ctx.param(node, 'movingMean');
  const folded = foldedTrainKernel(node, w, ctx, quantOn);
  const y = runLayer(node, x, folded.kernel, ctx);
  if (bnFrozen(q)) {
    const b = convBias ? tf.sub(convBias, movingMean) : tf.neg(movingMean);
    return layerActivation(node, biasAdd(y, tf.add(beta, tf.mul(b, folded.fold())) as tf.Tensor1D), ctx);
  }
  // Batch statistics of z = y / f, the (approximate) float conv output; see the header.
  // γ·(z − μ_z)/√(σ_z² + ε) + β is y normalised with ε·f² (f = γ/σ_mov, nonzero unless γ is exactly 0,
  // in which case that channel's output is constant anyway), so the σ_mov/σ_B correction and the
  // batch-statistic bias are one training-mode batch norm of y, with its closed-form backward. Its
  // ε·f² is a constant to that op: the gradient it drops is O(ε/σ_z²) of γ's.
  const stats = foldedStatistics(folded, bn.epsilon);
  const fq = fakeQuantWithBatchNorm(node, ctx);
  const act = fq ? ctx.activationInto?.get(fq.name) : undefined;
  const bnY = fq
    ? batchNormFakeQuant(y, gamma, beta, stats.epsilonTimesFoldSquared, (min, max) => emaClip({ min, max }, fq, ctx, runtime(ctx).emaDecay, act))
    : batchNormTraining(y, gamma, beta, stats.epsilonTimesFoldSquared);
  if (fq) ctx.appliedUpstream!.add(fq.name);
  const out = bnY.y;
  const { mean: meanZ, variance: varZ } = stats.ofZ(bnY.mean, bnY.variance);
  tf.dispose([bnY.mean, bnY.variance]);
  const count = y.size / y.shape[y.rank - 1]!;
  // The float graph's BN sees conv + bias, so its moving mean includes the conv bias.
  ctx.statUpdates.push(
    { name: node.params.movingMean, value: tf.keep(convBias ? tf.add(meanZ, convBias) : meanZ), momentum: bn.momentum },
    { name: node.params.movingVariance, value: tf.keep(tf.mul(varZ, bessel(count))), momentum: bn.momentum },
  );
  // Fused with its fake quant, the layer's output is already activated (in the clip) and quantized.
  return fq ? out : layerActivation(node, out, ctx);
}

function evalLayer(node: QConvLikeNode, x: tf.Tensor, ctx: KernelContext): tf.Tensor {
  const store = lookup(ctx);
  const { kernel, bias } = foldedParams(node, store);
  if (!node.attrs.weightQuant) return activate(biasAdd(runLayer(node, x, kernel, ctx), bias as tf.Tensor1D), node.attrs.activation);
  const y = runLayer(node, x, fakeQuantWeightsExact(node, kernel), ctx);
  const inFq = runtime(ctx).inputQuantizers.get(node.name) ?? null;
  let b: tf.Tensor = bias;
  if (inFq) {
    // The int32 bias the exporter writes, back in real units.
    const inputScale = activationRange(inFq, store).scale;
    const weightScales = weightRanges(node, kernel).map((r) => r.scale);
    b = tf.tensor1d(dequantizeBias(quantizeBias(bias.dataSync() as Float32Array, inputScale, weightScales), inputScale, weightScales));
  }
  return activate(biasAdd(y, b as tf.Tensor1D), node.attrs.activation);
}

function fusedLayer<K extends QConvLikeNode['op']>(node: NodeOf<K>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor {
  const n = node as QConvLikeNode;
  return ctx.training ? trainLayer(n, x, ctx) : evalLayer(n, x, ctx);
}

// ---------------------------------------------------------------------------
// fakeQuant: EMA-observed or learned activation ranges.
// ---------------------------------------------------------------------------

/**
 * This batch's EMA of the range (quantize/ranges.ts's batchRange: widened to
 * include 0). The first observation (stored max ≤ min, as initialised)
 * takes the batch range. Unlike ranges.ts's observeEma this queues the new
 * values as range updates (and returns them) instead of assigning them, so
 * fakeQuants sharing a range (concat)
 * combine their observations, and needs no `observed` counter variable (the
 * contract gives a fakeQuant only min/max).
 */
function observe(x: tf.Tensor, node: NodeOf<'fakeQuant'>, ctx: KernelContext, decay: number, act?: 'relu' | 'relu6'): { min: number; max: number } {
  return observeRange(extremes(x), node, ctx, decay, act);
}

/** x's smallest and largest element, as numbers. */
function extremes(x: tf.Tensor): { min: number; max: number } {
  const whole = tensorMinMax(x);
  const range = { min: whole.min.dataSync()[0]!, max: whole.max.dataSync()[0]! };
  tf.dispose([whole.min, whole.max]);
  return range;
}

/** observe, given the batch's smallest and largest x. */
function observeRange(whole: { min: number; max: number }, node: NodeOf<'fakeQuant'>, ctx: KernelContext, decay: number, act?: 'relu' | 'relu6'): { min: number; max: number } {
  const oldMin = ctx.variable(node.params.min);
  const oldMax = ctx.variable(node.params.max);
  // The range of act(x), act being monotone: act of the range of x.
  const activated = (v: number): number => (act === 'relu6' ? Math.min(Math.max(v, 0), 6) : act === 'relu' ? Math.max(v, 0) : v);
  const [batchMin, batchMax] = rangeIncludingZero(activated(whole.min), activated(whole.max));
  // Scalars, so in JS with float32 rounding at each step as the tfjs ops would: ~12 fewer ops per activation.
  const [lo, hi] = [oldMin.dataSync()[0]!, oldMax.dataSync()[0]!];
  const seen = hi > lo;
  const [keep, take] = [Math.fround(decay), Math.fround(1 - decay)];
  const ema = (old: number, b: number): number => (seen ? Math.fround(Math.fround(old * keep) + Math.fround(b * take)) : b);
  const range = { min: ema(lo, batchMin), max: ema(hi, batchMax) };
  pushRange(ctx, node, tf.fill(oldMin.shape, range.min), tf.fill(oldMax.shape, range.max));
  return range;
}

function pushRange(ctx: KernelContext, node: NodeOf<'fakeQuant'>, min: tf.Tensor, max: tf.Tensor): void {
  ctx.rangeUpdates.push(
    { name: node.params.min, value: tf.keep(min), combine: 'min' },
    { name: node.params.max, value: tf.keep(max), combine: 'max' },
  );
}

/**
 * Observes the batch range and fake-quantizes with it, as one op whose
 * gradient is the straight-through estimator only: the observation (min/max
 * reductions) stays off the tape, so the backward pass pays nothing for it.
 *
 * Cheaper than the exact fake-quant op (this runs on every activation of
 * every training step): the nudged range comes from math.ts as numbers, so
 *   y = round(clip(x, nmin, nmax) / s) · s
 * — the grid nmin + i·s is the multiples of s, since nmin = (qmin − zp)·s —
 * and the backward is one pass that passes dy where x was inside the clip
 * (recomputed from x, which costs no copy to keep: no mask is written): 6
 * elementwise ops instead of 14. It differs from
 * the exact op only on exact .5 ties (tf.round rounds to even); the eval
 * graph, which must match the exporter bit for bit, uses the exact op.
 */
function observingFakeQuant(x: tf.Tensor, node: NodeOf<'fakeQuant'>, ctx: KernelContext, decay: number, act?: 'relu' | 'relu6'): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xIn = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const clip = emaClip(extremes(xIn), node, ctx, decay, act);
    save([xIn]);
    return {
      value: roundedClip(xIn, clip.lo, clip.hi, clip.scale),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [rangeGrad(dy as tf.Tensor, saved[0]!, clip.passFrom, clip.hi)],
    };
  });
  return op(x);
}

/** The EMA fake quant's clip for a batch whose x (before `act`) spans `whole`; queues the range update. */
function emaClip(whole: { min: number; max: number }, node: NodeOf<'fakeQuant'>, ctx: KernelContext, decay: number, act?: 'relu' | 'relu6'): FakeQuantClip {
  const range = observeRange(whole, node, ctx, decay, act);
  const r = nudge(range.min, range.max, unsignedGrid(node.attrs.bits, node.attrs.narrowRange));
  // With the activation applied here the clip is [0, min(6, max)] and the gradient passes where
  // 0 < x ≤ hi: relu's convention at 0 times the fake quant's. (The range includes 0, so the
  // nudged min is ≤ 0 and the lower clip is the activation's.) Clipping at the smallest positive
  // float instead would give the same values, but dividing that denormal for every x ≤ 0 made
  // the pass ~4× slower on x86.
  const [lo, hi] = act ? [0, act === 'relu6' ? Math.min(r.nudgedMax, 6) : r.nudgedMax] : [r.nudgedMin, r.nudgedMax];
  return { lo, hi, scale: r.scale, passFrom: act ? SMALLEST_POSITIVE : lo };
}

/** Whether a fake quant runs as observingFakeQuant now: training with fake quant on and EMA-observed ranges. */
function observesWhileQuantizing(node: NodeOf<'fakeQuant'>, ctx: KernelContext): boolean {
  const q = runtime(ctx);
  return !node.attrs.fixedRange && !q.observeOnly && ctx.training && quantizing(q) && !(q.rangeMode === 'learned' && q.step > 0);
}

/** The fake quant a layer's batch norm runs with as one op (batchNormFakeQuant) on this step, if any. */
function fakeQuantWithBatchNorm(node: QConvLikeNode, ctx: KernelContext): NodeOf<'fakeQuant'> | null {
  const fq = ctx.fakeQuantAfter?.get(node.name);
  return fq && ctx.appliedUpstream && simdReductions() && observesWhileQuantizing(fq, ctx) ? fq : null;
}

/** round(clip(x, lo, hi) / scale) · scale, in one pass on wasm. */
function roundedClip(x: tf.Tensor, lo: number, hi: number, scale: number): tf.Tensor {
  if (simdReductions()) return simdFakeQuant(x, lo, hi, scale);
  return tf.mul(tf.round(tf.div(tf.clipByValue(x, lo, hi), scale)), scale);
}

function constantRange(r: [number, number]): [tf.Tensor, tf.Tensor] {
  return [tf.scalar(r[0]), tf.scalar(r[1])];
}

function fakeQuantKernel(node: NodeOf<'fakeQuant'>, [input]: tf.Tensor[], ctx: KernelContext): tf.Tensor {
  if (ctx.appliedUpstream?.has(node.name)) return input!;
  const { bits, narrowRange, fixedRange } = node.attrs;
  const q = runtime(ctx);
  // A layer that left its activation to this node (ctx.activationInto): fused into the EMA fake quant, the
  // last case below (one pass forward and backward instead of two); applied first in the others.
  const act = ctx.activationInto?.get(node.name);
  const x = (): tf.Tensor => (act ? activate(input!, act) : input!);
  if (fixedRange) {
    if (ctx.training && !quantizing(q)) return x();
    const [lo, hi] = constantRange(fixedRange);
    return fakeQuant(x(), lo, hi, { bits, narrowRange, rangeGradient: 'none' });
  }
  if (q.observeOnly) {
    const observed = x();
    observe(observed, node, ctx, q.observeDecay ?? q.emaDecay);
    return observed;
  }
  if (!ctx.training) {
    return fakeQuant(x(), ctx.variable(node.params.min), ctx.variable(node.params.max), { bits, narrowRange, rangeGradient: 'none' });
  }
  if (!quantizing(q)) {
    // Quant delay: identity while the ranges are observed (nothing here is on the gradient path).
    const observed = x();
    observe(observed, node, ctx, q.emaDecay);
    return observed;
  }
  // Learned ranges start from at least one observation (step 0 with no delay observes).
  if (q.rangeMode === 'learned' && q.step > 0) {
    return fakeQuant(x(), ctx.variable(node.params.min), ctx.variable(node.params.max), { bits, narrowRange, rangeGradient: 'tf' });
  }
  return observingFakeQuant(input!, node, ctx, q.emaDecay, act);
}

export const QAT_TFJS_OPS = {
  qconv2d: (node: NodeOf<'qconv2d'>, xs: tf.Tensor[], ctx: KernelContext) => fusedLayer(node, xs, ctx),
  qdepthwiseConv2d: (node: NodeOf<'qdepthwiseConv2d'>, xs: tf.Tensor[], ctx: KernelContext) => fusedLayer(node, xs, ctx),
  qdense: (node: NodeOf<'qdense'>, xs: tf.Tensor[], ctx: KernelContext) => fusedLayer(node, xs, ctx),
  qadd: (node: NodeOf<'qadd'>, xs: tf.Tensor[]) => activate(xs.reduce((acc, t) => tf.add(acc, t)), node.attrs.activation),
  fakeQuant: fakeQuantKernel,
  qconv2dTranspose: (node: NodeOf<'qconv2dTranspose'>, xs: tf.Tensor[], ctx: KernelContext) => fusedLayer(node, xs, ctx),
};
