// Quantization parameters of the QAT IR, shared by the eval graph and the
// exporter: weight ranges of a folded kernel, the frozen range of a
// fakeQuant node, and the int32 bias. Every number goes through
// quantize/math.ts, so the eval graph simulates exactly what gets exported.
import * as tf from '@tensorflow/tfjs';
import { MIN_SYMMETRIC_ABS, nudge, roundHalfAway, signedParams, symmetricRange, unsignedGrid, INT32_MAX, INT32_MIN, type NudgedRange, type QuantParams } from './math.js';
import type { Graph, IRNode, NodeOf } from '../src/ir/types.js';
import { inputFakeQuant, nodesByName } from './graph.js';
import { outputChannels, type ParamLookup, type QConvLikeNode } from './fold.js';

const f32 = Math.fround;

export function weightQuantOf(node: QConvLikeNode): { bits: number; perChannel: boolean } {
  const wq = node.attrs.weightQuant;
  if (!wq) throw new Error(`layer '${node.name}' is left float (weightQuant null); it has no weight ranges`);
  return wq;
}

/**
 * The kernel viewed for per-channel fake quant: [.., C] with C the output
 * channels on `axis` (depthwise [kh,kw,cin,mult] → [kh,kw,cin·mult]).
 * Per-tensor: the kernel itself and no axis.
 */
export function weightQuantView(node: QConvLikeNode, kernel: tf.Tensor): { view: tf.Tensor; axis?: number } {
  if (!weightQuantOf(node).perChannel) return { view: kernel };
  if (node.op === 'qdepthwiseConv2d') {
    const [kh, kw, cin, m] = kernel.shape;
    return { view: tf.reshape(kernel, [kh, kw, cin * m]), axis: 2 };
  }
  return { view: kernel, axis: kernel.rank - 1 };
}

/**
 * max |w| per output channel ([C]) when per-channel, else over the whole
 * kernel (scalar), widened to math.ts's MIN_SYMMETRIC_ABS as symmetricRange
 * does (an all-zero channel keeps int8 zero point 0). Exact in float32.
 */
export function weightAbsMax(node: QConvLikeNode, kernel: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(kernel);
    const m = weightQuantOf(node).perChannel ? tf.max(tf.reshape(a, [-1, outputChannels(node, kernel)]), 0) : tf.max(a);
    return tf.maximum(m, MIN_SYMMETRIC_ABS);
  });
}

/**
 * Weight ranges of a folded kernel: one per output channel (conv cout,
 * depthwise cin·mult, dense out) when per-channel, else one.
 */
export function weightRanges(node: QConvLikeNode, foldedKernel: tf.Tensor): NudgedRange[] {
  const { bits } = weightQuantOf(node);
  const m = weightAbsMax(node, foldedKernel);
  const values = m.dataSync();
  m.dispose();
  // Symmetric narrow range [−m, m] on the grid [1, 2^bits − 1]: int8 zero point 0, values in [−127, 127].
  return Array.from(values, (v) => symmetricRange(v, bits));
}

/** The frozen range of a fakeQuant node: its fixedRange, or its min/max variables. */
export function activationRange(fq: NodeOf<'fakeQuant'>, store: ParamLookup): NudgedRange {
  const grid = unsignedGrid(fq.attrs.bits, fq.attrs.narrowRange);
  if (fq.attrs.fixedRange) return nudge(fq.attrs.fixedRange[0], fq.attrs.fixedRange[1], grid);
  const min = store.get(fq.params.min).dataSync()[0];
  const max = store.get(fq.params.max).dataSync()[0];
  return nudge(min, max, grid);
}

/** The int8 quantization of a fakeQuant's frozen range: float32 scale, signed zero point. */
export function activationQuant(fq: NodeOf<'fakeQuant'>, store: ParamLookup): QuantParams {
  const p = signedParams(activationRange(fq, store), fq.attrs.bits);
  return { scale: f32(p.scale), zeroPoint: p.zeroPoint };
}

/** Bias scale per channel: float32(input scale × weight scale), as TFLite's quantizer computes it. */
export function biasScales(inputScale: number, weightScales: ArrayLike<number>): Float32Array {
  const out = new Float32Array(weightScales.length);
  for (let c = 0; c < weightScales.length; c++) out[c] = f32(f32(inputScale) * f32(weightScales[c]));
  return out;
}

/**
 * int32 bias: round(bias / (inputScale · weightScale_c)), half away from
 * zero, division in float32 (TFLite's SymmetricPerChannelBiasQuantize).
 * One weight scale is broadcast to every channel.
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: number[]): Int32Array {
  if (weightScales.length !== 1 && weightScales.length !== bias.length) {
    throw new Error(`expected 1 or ${bias.length} weight scales for the bias; got ${weightScales.length}`);
  }
  const scales = biasScales(inputScale, weightScales);
  const out = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const s = scales[weightScales.length === 1 ? 0 : c];
    const q = roundHalfAway(f32(f32(bias[c]) / s));
    out[c] = q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : q;
  }
  return out;
}

/** The real bias the int32 values stand for: q_c · scale_c in float32 (what the eval graph adds). */
export function dequantizeBias(q: Int32Array, inputScale: number, weightScales: number[]): Float32Array {
  const scales = biasScales(inputScale, weightScales);
  return Float32Array.from(q, (v, c) => f32(v * scales[weightScales.length === 1 ? 0 : c]));
}

/**
 * The fakeQuant node whose output reaches `node`'s input `index`, looking
 * through range-keeping ops (pool, reshape, …), or null if that input is float.
 */
export function inputQuantizer(graph: Graph, node: IRNode, index = 0): NodeOf<'fakeQuant'> | null {
  return inputFakeQuant(node, index, nodesByName(graph.nodes));
}
