// Ops that move pixels without weights, for decoders: crop, mirror padding
// and upsampling by whole factors (Keras Cropping2D, reflect/symmetric
// padding, UpSampling2D).
import type { OpSpec } from './spec.js';
import { fmtShape, isPair, noParams, problem, requireRank } from './spec.js';
import type { Pair } from '../types.js';

/** [[top, bottom], [left, right]] of non-negative integers. */
export function isSpatialPairs(v: unknown): v is [Pair, Pair] {
  return Array.isArray(v) && v.length === 2
    && v.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n >= 0));
}

export const crop: OpSpec<'crop'> = {
  arity: 1,
  checkAttrs: (a) => (isSpatialPairs(a.cropping) ? undefined : 'cropping must be [[top, bottom], [left, right]] of non-negative integers'),
  inferShape(node, [x]) {
    requireRank(x, 3, 'crop input');
    const [[t, b], [l, r]] = node.attrs.cropping;
    const h = x[0] - t - b;
    const w = x[1] - l - r;
    if (h < 1 || w < 1) problem(`cropping ${JSON.stringify(node.attrs.cropping)} leaves nothing of the ${fmtShape(x)} input`);
    return [h, w, x[2]];
  },
  params: noParams,
};

export const mirrorPad: OpSpec<'mirrorPad'> = {
  arity: 1,
  checkAttrs: (a) => (!isSpatialPairs(a.paddings) ? 'paddings must be [[top, bottom], [left, right]] of non-negative integers'
    : a.mode !== 'reflect' && a.mode !== 'symmetric' ? "mode must be 'reflect' or 'symmetric'" : undefined),
  inferShape(node, [x]) {
    requireRank(x, 3, 'mirrorPad input');
    const [[t, b], [l, r]] = node.attrs.paddings;
    // A reflection skips the edge pixel, so it can mirror at most size − 1 of them (symmetric: size).
    const most = (n: number): number => (node.attrs.mode === 'reflect' ? n - 1 : n);
    if (Math.max(t, b) > most(x[0]) || Math.max(l, r) > most(x[1])) {
      problem(`${node.attrs.mode} padding ${JSON.stringify(node.attrs.paddings)} is wider than the ${fmtShape(x)} input allows (at most ${most(x[0])}×${most(x[1])})`);
    }
    return [x[0] + t + b, x[1] + l + r, x[2]];
  },
  params: noParams,
};

const sizeProblem = (size: unknown): string | undefined => (isPair(size) ? undefined : 'size must be two positive integers (the row and column factors)');

function upsampledShape(x: readonly number[], size: Pair): number[] {
  requireRank(x, 3, 'upsample input');
  return [x[0] * size[0], x[1] * size[1], x[2]];
}

export const upsampleNearest: OpSpec<'upsampleNearest'> = {
  arity: 1,
  checkAttrs: (a) => sizeProblem(a.size),
  inferShape: (node, [x]) => upsampledShape(x, node.attrs.size),
  params: noParams,
};

export const upsampleBilinear: OpSpec<'upsampleBilinear'> = {
  arity: 1,
  checkAttrs: (a) => sizeProblem(a.size) ?? (typeof a.halfPixelCenters === 'boolean' ? undefined : 'halfPixelCenters must be true or false'),
  inferShape: (node, [x]) => upsampledShape(x, node.attrs.size),
  params: noParams,
};
