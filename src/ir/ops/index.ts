// The op table: one spec per op. Adding an op (e.g. fakeQuant) means one
// attrs row in types.ts, one spec here and one kernel in train/graph.
import type { OpName } from '../types.js';
import type { OpSpec } from './spec.js';
import { conv2d, depthwiseConv2d } from './conv.js';
import { dense } from './dense.js';
import { batchNorm } from './batch-norm.js';
import { relu, relu6, softmax, dropout } from './elementwise.js';
import { add, concat } from './merge.js';
import { maxPool, avgPool, globalAvgPool } from './pool.js';
import { input, flatten, reshape, pad } from './shape.js';
import { qconv2d, qdepthwiseConv2d, qdense, qadd, fakeQuant } from './quantized.js';
import { sigmoid, tanh, hardSwish, hardSigmoid, swish, leakyRelu, prelu } from './activations.js';
import { instanceNorm, layerNorm, qnorm } from './normalization.js';
import { crop, mirrorPad, upsampleBilinear, upsampleNearest } from './decoder.js';
import { conv2dTranspose, qconv2dTranspose } from './transpose-conv.js';

export const OP_SPECS: { [K in OpName]: OpSpec<K> } = {
  input, conv2d, depthwiseConv2d, dense, batchNorm, relu, relu6, add, concat,
  maxPool, avgPool, globalAvgPool, flatten, reshape, pad, dropout, softmax,
  qconv2d, qdepthwiseConv2d, qdense, qadd, fakeQuant,
  sigmoid, tanh, hardSwish, hardSigmoid, swish, leakyRelu, prelu,
  instanceNorm, layerNorm, qnorm,
  crop, mirrorPad, upsampleNearest, upsampleBilinear,
  conv2dTranspose, qconv2dTranspose,
};

export const OP_NAMES = Object.keys(OP_SPECS) as OpName[];

export function specOf<K extends OpName>(op: K): OpSpec<K> {
  return OP_SPECS[op] as OpSpec<K>;
}

export { ShapeProblem, fmtShape } from './spec.js';
export type { OpSpec } from './spec.js';
