// Ops that only move data: input, flatten, reshape, pad.
import type { OpSpec } from './spec.js';
import { fmtShape, isPosInt, noParams, problem, requireRank } from './spec.js';

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export const input: OpSpec<'input'> = {
  arity: 0,
  checkAttrs: (a) => (Array.isArray(a.shape) && a.shape.length > 0 && a.shape.every(isPosInt)
    ? undefined : 'shape must be a non-empty list of positive integers (without the batch dimension)'),
  inferShape: (node) => node.attrs.shape,
  params: noParams,
};

export const flatten: OpSpec<'flatten'> = {
  arity: 1,
  checkAttrs: () => undefined,
  inferShape: (_n, [x]) => [size(x)],
  params: noParams,
};

export const reshape: OpSpec<'reshape'> = {
  arity: 1,
  checkAttrs: (a) => (Array.isArray(a.shape) && a.shape.length > 0
    && a.shape.every((d) => isPosInt(d) || d === -1) && a.shape.filter((d) => d === -1).length <= 1
    ? undefined : 'shape must list positive integers with at most one -1'),
  inferShape(node, [x]) {
    const want = node.attrs.shape;
    const known = size(want.filter((d) => d !== -1));
    const total = size(x);
    if (want.includes(-1)) {
      if (total % known !== 0) problem(`cannot reshape ${fmtShape(x)} (${total} values) to ${fmtShape(want)}`);
      return want.map((d) => (d === -1 ? total / known : d));
    }
    if (known !== total) problem(`cannot reshape ${fmtShape(x)} (${total} values) to ${fmtShape(want)} (${known} values)`);
    return want;
  },
  params: noParams,
};

export const pad: OpSpec<'pad'> = {
  arity: 1,
  checkAttrs: (a) => (Array.isArray(a.paddings) && a.paddings.length === 2
    && a.paddings.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))
    ? undefined : 'paddings must be [[top, bottom], [left, right]] of non-negative integers'),
  inferShape(node, [x]) {
    requireRank(x, 3, 'pad input');
    const [[t, b], [l, r]] = node.attrs.paddings;
    return [x[0] + t + b, x[1] + l + r, x[2]];
  },
  params: noParams,
};
