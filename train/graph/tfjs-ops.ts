// How each IR op computes in tfjs, for both graphs. Conv and dense go
// through layers/ops.ts so training uses the project's fast gradients.
// `ctx.training` is the only difference between the train and eval graphs.
import * as tf from '@tensorflow/tfjs';
import { batchNormActivation, batchNormTraining } from '../../layers/batch_norm.js';
import { simdReductions } from '../../layers/reductions.js';
import { biasAdd, conv2d, conv2dConstInput, depthwiseConv2d, dense, globalAvgPool, maxPool, relu6 } from '../../layers/ops.js';
import type { NodeOf, OpName } from '../../src/ir/types.js';
import { hashString, mixSeed } from '../random.js';
import { bessel, inferenceMode, type KernelContext } from './context.js';
import { activate, QAT_TFJS_OPS } from './qat-ops.js';
import { hardSwish, leakyRelu, prelu } from '../../layers/activations.js';
import { hardSigmoidOp, quantizedSlope, swishOp } from './activation-quant.js';
import { floatNorm, simulatedNorm } from './qnorm.js';
import { mirrorPad, resize } from '../../layers/resample.js';
import { conv2dTransposeFor } from '../../layers/conv_transpose.js';
import { maximum, minimum } from '../../layers/elementwise.js';

export type { KernelContext, StatUpdate, RangeUpdate, QatRuntime } from './context.js';

export type TfjsOp<K extends OpName> = (node: NodeOf<K>, inputs: tf.Tensor[], ctx: KernelContext) => tf.Tensor;

const as4 = (t: tf.Tensor): tf.Tensor4D => t as tf.Tensor4D;

function withBias(node: { name: string; params: Record<string, string> }, y: tf.Tensor, useBias: boolean, ctx: KernelContext): tf.Tensor {
  return useBias ? biasAdd(y, ctx.param(node, 'bias') as tf.Tensor1D) : y;
}

export const TFJS_OPS: { [K in OpName]: TfjsOp<K> } = {
  input: (node, _x, ctx) => ctx.feed(node.name),
  conv2d: (node, [x], ctx) => {
    const a = node.attrs;
    // A conv on the model input needs no input gradient (layers/ops conv2dConstInput skips it).
    const conv = ctx.constInputs?.has(node.name) ? conv2dConstInput : conv2d;
    return withBias(node, conv(as4(x), as4(ctx.param(node, 'kernel')), a.strides, a.padding, a.dilations), a.useBias, ctx);
  },
  depthwiseConv2d: (node, [x], ctx) => {
    const a = node.attrs;
    return withBias(node, depthwiseConv2d(as4(x), as4(ctx.param(node, 'kernel')), a.strides, a.padding, a.dilations), a.useBias, ctx);
  },
  dense: (node, [x], ctx) =>
    withBias(node, dense(x as tf.Tensor2D, ctx.param(node, 'kernel') as tf.Tensor2D), node.attrs.useBias, ctx),
  batchNorm: (node, [x], ctx) => {
    const { epsilon, momentum } = node.attrs;
    const gamma = ctx.param(node, 'gamma');
    const beta = ctx.param(node, 'beta');
    if (inferenceMode(ctx)) {
      // Moving statistics folded into one scale and shift: the form the exporter will fold into the conv.
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(ctx.param(node, 'movingVariance'), epsilon)));
      const shift = tf.sub(beta, tf.mul(ctx.param(node, 'movingMean'), scale));
      return tf.add(tf.mul(x, scale), shift);
    }
    const count = x.size / x.shape[x.rank - 1];
    // Its only consumer's relu/relu6 in the same op (layers/batch_norm batchNormActivation), which then passes y through.
    const act = simdReductions() && ctx.appliedUpstream ? ctx.activationAfterNorm?.get(node.name) : undefined;
    if (act) ctx.appliedUpstream!.add(act.name);
    const { y, mean, variance } = act ? batchNormActivation(x, gamma, beta, epsilon, act.op) : batchNormTraining(x, gamma, beta, epsilon);
    ctx.statUpdates.push(
      { name: node.params.movingMean, value: mean, momentum },
      { name: node.params.movingVariance, value: tf.keep(tf.mul(variance, bessel(count))), momentum },
    );
    variance.dispose();
    return y;
  },
  relu: (node, [x], ctx) => (ctx.appliedUpstream?.has(node.name) ? x : tf.relu(x)),
  relu6: (node, [x], ctx) => (ctx.appliedUpstream?.has(node.name) ? x : relu6(x)),
  add: (_n, xs) => xs.reduce((acc, t) => tf.add(acc, t)),
  concat: (_n, xs) => (xs.length === 1 ? xs[0] : tf.concat(xs, -1)),
  // layers/ops maxPool: wasm's built-in MaxPoolGrad is wrong for windows with no positive value.
  maxPool: (node, [x]) => maxPool(as4(x), node.attrs.poolSize, node.attrs.strides, node.attrs.padding),
  avgPool: (node, [x]) => tf.avgPool(as4(x), node.attrs.poolSize, node.attrs.strides, node.attrs.padding),
  // layers/ops globalAvgPool: tfjs's Mean gradient fills a ones tensor of x's shape in JS.
  globalAvgPool: (_n, [x]) => globalAvgPool(as4(x)),
  flatten: (_n, [x]) => tf.reshape(x, [x.shape[0], -1]),
  reshape: (node, [x]) => tf.reshape(x, [x.shape[0], ...node.attrs.shape]),
  pad: (node, [x]) => {
    const [[t, b], [l, r]] = node.attrs.paddings;
    return tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
  },
  dropout: (node, [x], ctx) => {
    if (inferenceMode(ctx) || node.attrs.rate === 0) return x;
    // One mask stream per (step, node): reproducible and independent of the backend.
    const seed = mixSeed(ctx.stepSeed, hashString(node.name));
    const offset = ctx.exampleOffset ?? 0;
    if (offset === 0) return tf.dropout(x, node.attrs.rate, undefined, seed);
    // tf.dropout draws one mask in row-major order, so a part of the batch
    // starting at example `offset` gets rows offset… of the whole batch's
    // mask by running behind `offset` rows of zeros. Cost: those extra rows.
    const padded = tf.concat([tf.zeros([offset, ...x.shape.slice(1)]), x], 0);
    return tf.slice(tf.dropout(padded, node.attrs.rate, undefined, seed), offset, x.shape[0]);
  },
  softmax: (_n, [x]) => tf.softmax(x),
  ...QAT_TFJS_OPS,
  sigmoid: (_n, [x]) => tf.sigmoid(x),
  tanh: (_n, [x]) => tf.tanh(x),
  hardSwish: (_n, [x]) => hardSwish(x),
  hardSigmoid: (_n, [x], ctx) => hardSigmoidOp(x, ctx),
  swish: (_n, [x], ctx) => swishOp(x, ctx),
  leakyRelu: (node, [x]) => leakyRelu(x, node.attrs.alpha),
  prelu: (node, [x], ctx) => prelu(x, quantizedSlope(ctx.param(node, 'alpha'), ctx)),
  instanceNorm: floatNorm,
  layerNorm: floatNorm,
  qnorm: simulatedNorm,
  crop: (node, [x]) => {
    const [[t, b], [l, r]] = node.attrs.cropping;
    return tf.slice(x, [0, t, l, 0], [-1, x.shape[1]! - t - b, x.shape[2]! - l - r, -1]);
  },
  mirrorPad: (node, [x]) => mirrorPad(as4(x), node.attrs.paddings, node.attrs.mode),
  upsampleNearest: (node, [x]) => resize(as4(x), upsampledSize(x, node.attrs.size), 'nearest', false),
  upsampleBilinear: (node, [x]) => resize(as4(x), upsampledSize(x, node.attrs.size), 'bilinear', node.attrs.halfPixelCenters),
  conv2dTranspose: (node, [x], ctx) => {
    const a = node.attrs;
    return withBias(node, conv2dTransposeFor(as4(x), as4(ctx.param(node, 'kernel')), a.strides, a.padding), a.useBias, ctx);
  },
  // tfjs's Mul and Sub gradients sum over broadcast axes themselves; Maximum and Minimum's do not (layers/elementwise).
  mul: (_n, [a, b]) => tf.mul(a, b),
  sub: (_n, [a, b]) => tf.sub(a, b),
  maximum: (_n, [a, b]) => maximum(a, b),
  minimum: (_n, [a, b]) => minimum(a, b),
  mulConstant: (node, [x]) => tf.mul(x, tf.scalar(node.attrs.factor)),
  globalMaxPool: (_n, [x]) => tf.max(x, [1, 2]),
  qmul: (node, [a, b]) => activate(tf.mul(a, b), node.attrs.activation),
  qsub: (node, [a, b]) => activate(tf.sub(a, b), node.attrs.activation),
};

function upsampledSize(x: tf.Tensor, [fh, fw]: [number, number]): [number, number] {
  return [x.shape[1]! * fh, x.shape[2]! * fw];
}
