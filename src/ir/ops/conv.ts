// conv2d and depthwiseConv2d: NHWC, filters [kh, kw, cin, cout] and
// [kh, kw, cin, multiplier] (the TFLite exporter transposes as it needs).
import type { OpSpec } from './spec.js';
import { firstProblem, isPair, isPadding, isPosInt, requireRank, spatialOut } from './spec.js';
import type { InitSpec, KernelInit, ParamSpec } from '../types.js';

export function kernelInit(kind: KernelInit | undefined, fanIn: number, fanOut: number): InitSpec {
  // A residual branch that starts at zero leaves its block the identity until training gives it something to add.
  if (kind === 'zeros') return { type: 'zeros' };
  if (kind === 'torch') return { type: 'fanInUniform', fanIn };
  return kind === 'glorot' ? { type: 'glorotUniform', fanIn, fanOut } : { type: 'heNormal', fanIn };
}

/** Biases start at zero, except under PyTorch's init, which draws them like the kernel. */
export function biasInit(kind: KernelInit | undefined, fanIn: number): InitSpec {
  return kind === 'torch' ? { type: 'fanInUniform', fanIn } : { type: 'zeros' };
}

const windowChecks = (a: { kernelSize: unknown; strides: unknown; padding: unknown; dilations: unknown; useBias: unknown }): Array<[boolean, string]> => [
  [isPair(a.kernelSize), 'kernelSize must be two positive integers'],
  [isPair(a.strides), 'strides must be two positive integers'],
  [isPair(a.dilations), 'dilations must be two positive integers'],
  [isPadding(a.padding), "padding must be 'same' or 'valid'"],
  [typeof a.useBias === 'boolean', 'useBias must be true or false'],
];

export const conv2d: OpSpec<'conv2d'> = {
  arity: 1,
  checkAttrs: (a) => firstProblem([isPosInt(a.filters), 'filters must be a positive integer'], ...windowChecks(a)),
  inferShape(node, [x]) {
    requireRank(x, 3, 'conv2d input');
    const a = node.attrs;
    return [...spatialOut(node.name, x, a.kernelSize, a.strides, a.dilations, a.padding), a.filters];
  },
  params(node, [x]) {
    const a = node.attrs;
    const [kh, kw] = a.kernelSize;
    const cin = x[2];
    const p: ParamSpec[] = [
      { role: 'kernel', shape: [kh, kw, cin, a.filters], kind: 'weight', init: kernelInit(a.kernelInit, kh * kw * cin, kh * kw * a.filters) },
    ];
    if (a.useBias) p.push({ role: 'bias', shape: [a.filters], kind: 'weight', init: biasInit(a.kernelInit, kh * kw * cin) });
    return p;
  },
};

export const depthwiseConv2d: OpSpec<'depthwiseConv2d'> = {
  arity: 1,
  checkAttrs: (a) => firstProblem([isPosInt(a.depthMultiplier), 'depthMultiplier must be a positive integer'], ...windowChecks(a)),
  inferShape(node, [x]) {
    requireRank(x, 3, 'depthwiseConv2d input');
    const a = node.attrs;
    return [...spatialOut(node.name, x, a.kernelSize, a.strides, a.dilations, a.padding), x[2] * a.depthMultiplier];
  },
  params(node, [x]) {
    const a = node.attrs;
    const [kh, kw] = a.kernelSize;
    const m = a.depthMultiplier;
    // Each output channel sees kh·kw inputs: that is the fan-in He needs.
    const p: ParamSpec[] = [
      { role: 'kernel', shape: [kh, kw, x[2], m], kind: 'weight', init: kernelInit(a.kernelInit, kh * kw, kh * kw * m) },
    ];
    if (a.useBias) p.push({ role: 'bias', shape: [x[2] * m], kind: 'weight', init: biasInit(a.kernelInit, kh * kw) });
    return p;
  },
};
