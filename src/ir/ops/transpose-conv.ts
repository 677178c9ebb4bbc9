// conv2dTranspose (Keras Conv2DTranspose, TFLite TRANSPOSE_CONV) and its QAT
// twin. The kernel is kept as conv2d keeps its own, [kh, kw, cin, cout] with
// the output channels last, so batch-norm folding and per-channel weight
// quantization treat it as they treat conv2d; tfjs and Keras store
// [kh, kw, cout, cin], and the tfjs op and the importer swap the last axes.
import type { OpSpec } from './spec.js';
import { firstProblem, isPair, isPadding, isPosInt, problem, requireRank } from './spec.js';
import { biasInit, kernelInit } from './conv.js';
import { bnParams, quantChecks } from './quantized.js';
import type { NodeOf, OpAttrs, ParamSpec, Shape } from '../types.js';

/**
 * Keras' output length of a transposed convolution: 'same' multiplies by
 * the stride; 'valid' adds what the kernel overhangs the last stride.
 */
export function transposedLength(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? size * stride : size * stride + Math.max(kernel - stride, 0);
}

const checks = (a: OpAttrs['conv2dTranspose']): string | undefined => firstProblem(
  [isPosInt(a.filters), 'filters must be a positive integer'],
  [isPair(a.kernelSize), 'kernelSize must be two positive integers'],
  [isPair(a.strides), 'strides must be two positive integers'],
  [isPadding(a.padding), "padding must be 'same' or 'valid'"],
  [typeof a.useBias === 'boolean', 'useBias must be true or false'],
);

function outShape(node: NodeOf<'conv2dTranspose'>, x: Shape): Shape {
  requireRank(x, 3, 'conv2dTranspose input');
  const a = node.attrs;
  const h = transposedLength(x[0], a.kernelSize[0], a.strides[0], a.padding);
  const w = transposedLength(x[1], a.kernelSize[1], a.strides[1], a.padding);
  if (!Number.isSafeInteger(h * w * a.filters)) problem(`its ${h}×${w}×${a.filters} output is too large`);
  return [h, w, a.filters];
}

function kernelParams(node: NodeOf<'conv2dTranspose'>, x: Shape): ParamSpec[] {
  const a = node.attrs;
  const [kh, kw] = a.kernelSize;
  // Each output pixel sums about kh·kw·cin / (sh·sw) products: the fan-in He needs.
  const fanIn = Math.max(1, (kh * kw * x[2]) / (a.strides[0] * a.strides[1]));
  const p: ParamSpec[] = [
    { role: 'kernel', shape: [kh, kw, x[2], a.filters], kind: 'weight', init: kernelInit(a.kernelInit, fanIn, kh * kw * a.filters) },
  ];
  if (a.useBias) p.push({ role: 'bias', shape: [a.filters], kind: 'weight', init: biasInit(a.kernelInit, fanIn) });
  return p;
}

export const conv2dTranspose: OpSpec<'conv2dTranspose'> = {
  arity: 1,
  checkAttrs: checks,
  inferShape: (node, [x]) => outShape(node, x),
  params: (node, [x]) => kernelParams(node, x),
};

const asFloat = (n: NodeOf<'qconv2dTranspose'>): NodeOf<'conv2dTranspose'> => n as unknown as NodeOf<'conv2dTranspose'>;

export const qconv2dTranspose: OpSpec<'qconv2dTranspose'> = {
  arity: 1,
  checkAttrs: (a) => checks(a) ?? quantChecks(a),
  inferShape: (node, [x]) => outShape(asFloat(node), x),
  params(node, [x]) {
    const p = kernelParams(asFloat(node), x);
    return node.attrs.batchNorm === null ? p : [...p, ...bnParams(node.attrs.filters)];
  },
};
