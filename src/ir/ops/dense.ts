import type { OpSpec } from './spec.js';
import { firstProblem, fmtShape, isPosInt, problem } from './spec.js';
import type { ParamSpec } from '../types.js';
import { biasInit } from './conv.js';

export const dense: OpSpec<'dense'> = {
  arity: 1,
  checkAttrs: (a) => firstProblem(
    [isPosInt(a.units), 'units must be a positive integer'],
    [typeof a.useBias === 'boolean', 'useBias must be true or false'],
  ),
  inferShape(node, [x]) {
    if (x.length !== 1) problem(`dense needs a flat [features] input, got ${fmtShape(x)} (add a flatten or globalAvgPool before it)`);
    return [node.attrs.units];
  },
  params(node, [x]) {
    const { units, useBias, kernelInit } = node.attrs;
    const p: ParamSpec[] = [{
      role: 'kernel', shape: [x[0], units], kind: 'weight',
      init: kernelInit === 'glorot' ? { type: 'glorotUniform', fanIn: x[0], fanOut: units } : kernelInit === 'torch' ? { type: 'fanInUniform', fanIn: x[0] } : { type: 'heNormal', fanIn: x[0] },
    }];
    if (useBias) p.push({ role: 'bias', shape: [units], kind: 'weight', init: biasInit(kernelInit, x[0]) });
    return p;
  },
};
