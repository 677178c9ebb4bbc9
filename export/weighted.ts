// The weighted layers of a float or QAT graph in one shape the lowerings
// share: kind, attributes, the eval-mode kernel (BN folded with the moving
// statistics) in the IR's layout, the float bias and the fused activation.

import type * as tf from '@tensorflow/tfjs';
import type { IRNode, NodeOf, Padding, Pair } from '../src/ir/types.js';
import type { ParamLookup } from '../quantize/fold.js';
import type { Fusion, FusedActivation } from './fuse.js';
import { weightedKind, type WeightedKind } from '../quantize/weight-layout.js';

export interface WeightedLayer {
  name: string;
  kind: WeightedKind;
  /** Conv/depthwise window (absent for dense). */
  window?: { strides: Pair; padding: Padding; dilations: Pair; depthMultiplier: number };
  kernel: Float32Array;
  kernelShape: number[];
  bias: Float32Array;
  activation: FusedActivation;
}

export function readVariable(store: ParamLookup, name: string): Float32Array {
  return Float32Array.from(store.get(name).dataSync() as Float32Array);
}

export function tensorData(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

type FloatWeighted = NodeOf<'conv2d'> | NodeOf<'depthwiseConv2d'> | NodeOf<'dense'> | NodeOf<'conv2dTranspose'>;

/** Window attributes shared by the float and QAT conv ops. */
export function windowOf(kind: WeightedKind, attrs: object): WeightedLayer['window'] {
  if (kind === 'dense') return undefined;
  // A transposed conv has no dilation.
  const a = attrs as { strides: Pair; padding: Padding; dilations?: Pair; depthMultiplier?: number };
  return { strides: a.strides, padding: a.padding, dilations: a.dilations ?? [1, 1], depthMultiplier: a.depthMultiplier ?? 1 };
}

/**
 * A float-IR conv/depthwise/dense with its fused BN and activation. BN is
 * folded exactly as the eval graph applies it: scale = γ/√(σ²+ε) per output
 * channel, shift = β − μ·scale, kernel·scale and bias·scale + shift.
 */
export function floatWeighted(node: IRNode, fusion: Fusion | undefined, store: ParamLookup): WeightedLayer {
  const kind = weightedKind(node.op);
  if (!kind) throw new Error(`export: ${node.name} is not a weighted layer`);
  const n = node as FloatWeighted;
  const kernel = readVariable(store, n.params.kernel!);
  const kernelShape = [...store.get(n.params.kernel!).shape];
  const channels = kind === 'dense' ? kernelShape[1]! : kind === 'depthwise' ? kernelShape[2]! * kernelShape[3]! : kernelShape[3]!;
  const bias = n.attrs.useBias ? readVariable(store, n.params.bias!) : new Float32Array(channels);
  const bn = fusion?.batchNorm;
  if (bn) {
    const gamma = readVariable(store, bn.params.gamma!);
    const beta = readVariable(store, bn.params.beta!);
    const mean = readVariable(store, bn.params.movingMean!);
    const variance = readVariable(store, bn.params.movingVariance!);
    const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c]! + bn.attrs.epsilon));
    // In every IR layout the output channel is the fastest-varying index.
    for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! * scale[i % channels]!;
    for (let c = 0; c < channels; c++) bias[c] = (bias[c]! - mean[c]!) * scale[c]! + beta[c]!;
  }
  const layer: WeightedLayer = { name: node.name, kind, kernel, kernelShape, bias, activation: fusion?.activation ?? 'none' };
  const window = windowOf(kind, n.attrs);
  if (window) layer.window = window;
  return layer;
}
