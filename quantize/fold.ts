// Batch-norm folding for the eval graph and the exporter (one function, so
// both fold in the same float32 operations): W·γ/σ into the kernel and
// β + (b − μ)·γ/σ into the bias, with σ = sqrt(moving variance + ε).
import * as tf from '@tensorflow/tfjs';
import type { NodeOf } from '../src/ir/types.js';
import { FOLDS_BATCH_NORM, OP_TABLE } from './op-table.js';

/** A fused conv-like layer of the QAT IR. */
export type QConvLikeNode = NodeOf<'qconv2d'> | NodeOf<'qdepthwiseConv2d'> | NodeOf<'qdense'> | NodeOf<'qconv2dTranspose'>;

/** The fused layers: the QAT twins of the ops that fold a batchNorm (op-table.ts). */
export const QCONV_OPS: ReadonlySet<string> = new Set(FOLDS_BATCH_NORM.map((op) => OP_TABLE[op].qatTwin!));

export function isQConvLike(n: { op: string }): n is QConvLikeNode {
  return QCONV_OPS.has(n.op);
}

/** Where folding reads variables: a VariableStore, or anything with its `get`. */
export interface ParamLookup {
  get(name: string): tf.Tensor;
}

/** Number of output channels of the layer given its kernel (depthwise: cin·multiplier). */
export function outputChannels(node: QConvLikeNode, kernel: tf.Tensor): number {
  const s = kernel.shape as number[];
  return node.op === 'qdepthwiseConv2d' ? s[2] * s[3] : s[s.length - 1];
}

/**
 * Multiplies a kernel by a per-output-channel vector: conv [kh,kw,cin,cout]
 * and dense [in,out] broadcast on the last axis; depthwise [kh,kw,cin,mult]
 * needs the vector as [cin, mult] (output channel c = i·mult + j).
 */
export function scaleKernel(node: QConvLikeNode, kernel: tf.Tensor, perChannel: tf.Tensor): tf.Tensor {
  if (node.op !== 'qdepthwiseConv2d') return tf.mul(kernel, perChannel);
  return tf.mul(kernel, tf.reshape(perChannel, [(kernel.shape as number[])[2], (kernel.shape as number[])[3]]));
}

/** γ/σ with the moving variance — the eval-mode fold factor — or null without a folded BN. */
export function movingFoldScale(node: QConvLikeNode, store: ParamLookup): tf.Tensor | null {
  const bn = node.attrs.batchNorm;
  if (!bn) return null;
  return tf.tidy(() => tf.mul(store.get(node.params.gamma), tf.rsqrt(tf.add(store.get(node.params.movingVariance), bn.epsilon))));
}

/**
 * Eval-mode (moving statistics) folded float kernel, in the float op's
 * layout, and the float bias per output channel (zeros without conv bias
 * and BN). The caller disposes both.
 */
export function foldedParams(node: QConvLikeNode, store: ParamLookup): { kernel: tf.Tensor; bias: tf.Tensor } {
  return tf.tidy(() => {
    const w = store.get(node.params.kernel);
    const channels = outputChannels(node, w);
    const b = node.attrs.useBias ? store.get(node.params.bias) : tf.zeros([channels]);
    const scale = movingFoldScale(node, store);
    if (!scale) return { kernel: tf.clone(w), bias: tf.clone(b) };
    const kernel = scaleKernel(node, w, scale);
    const bias = tf.add(store.get(node.params.beta), tf.mul(tf.sub(b, store.get(node.params.movingMean)), scale));
    return { kernel, bias };
  });
}
