// Instance and layer normalization, and their QAT twin qnorm. Statistics are
// per example (no moving state): the same arithmetic trains and evaluates.
// γ (scale) and β (center) are trained weights; qnorm adds a min/max range
// pair per intermediate of its int8 decomposition (quantize/norm-decomposition.ts).
import { isBitWidth } from '../../../quantize/math.js';
import { intermediateRoles, normAxes, normParamShape, rangeParamRoles } from '../../../quantize/norm-decomposition.js';
import type { NodeOf, NormAttrs, ParamSpec, Shape } from '../types.js';
import type { OpSpec } from './spec.js';
import { firstProblem, fmtShape, problem, requireRank } from './spec.js';

function normChecks(a: NormAttrs): string | undefined {
  return firstProblem(
    [typeof a.epsilon === 'number' && a.epsilon > 0, 'epsilon must be a positive number'],
    [typeof a.center === 'boolean', 'center must be true or false'],
    [typeof a.scale === 'boolean', 'scale must be true or false'],
  );
}

const isAxisList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x, i) => Number.isInteger(x) && x >= 0 && (i === 0 || x > v[i - 1]));

function checkAxes(axes: readonly number[], x: Shape, what: string): void {
  if (axes.some((a) => a >= x.length)) problem(`${what} ${fmtShape(axes)} do not fit an input of shape ${fmtShape(x)} (axes count from 0, without the batch)`);
}

function gammaBeta(a: NormAttrs, shape: number[]): ParamSpec[] {
  return [
    ...(a.scale ? [{ role: 'gamma', shape, kind: 'weight' as const, init: { type: 'ones' as const } }] : []),
    ...(a.center ? [{ role: 'beta', shape, kind: 'weight' as const, init: { type: 'zeros' as const } }] : []),
  ];
}

export const instanceNorm: OpSpec<'instanceNorm'> = {
  arity: 1,
  checkAttrs: normChecks,
  inferShape(_n, [x]) {
    requireRank(x, 3, 'instanceNorm input');
    return x;
  },
  params: (node, [x]) => gammaBeta(node.attrs, normParamShape(x, normAxes(node, x.length).paramAxes)),
};

export const layerNorm: OpSpec<'layerNorm'> = {
  arity: 1,
  checkAttrs: (a) => normChecks(a) ?? firstProblem([isAxisList(a.axes), 'axes must be increasing non-negative integers, at least one']),
  inferShape(node, [x]) {
    checkAxes(node.attrs.axes, x, 'layerNorm axes');
    return x;
  },
  params: (node, [x]) => gammaBeta(node.attrs, normParamShape(x, node.attrs.axes)),
};

export const qnorm: OpSpec<'qnorm'> = {
  arity: 1,
  checkAttrs: (a) => normChecks(a) ?? firstProblem(
    [isAxisList(a.axes), 'axes must be increasing non-negative integers, at least one'],
    [isAxisList(a.paramAxes), 'paramAxes must be increasing non-negative integers, at least one'],
    [isBitWidth(a.bits), 'bits must be an integer from 2 to 8'],
  ),
  inferShape(node, [x]) {
    checkAxes(node.attrs.axes, x, 'qnorm axes');
    checkAxes(node.attrs.paramAxes, x, 'qnorm paramAxes');
    return x;
  },
  params(node: NodeOf<'qnorm'>, [x]) {
    const ranges = intermediateRoles(node.attrs).flatMap((r) => rangeParamRoles(r))
      .map((role): ParamSpec => ({ role, shape: [], kind: 'range', init: { type: 'zeros' } }));
    return [...gammaBeta(node.attrs, normParamShape(x, node.attrs.paramAxes)), ...ranges];
  },
};
