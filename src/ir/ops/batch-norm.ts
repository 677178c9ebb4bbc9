// Batch normalisation over the last axis. gamma/beta are trained; the moving
// statistics are `stat` variables the train graph updates and the eval graph
// (and later BN folding) reads.
import type { OpSpec } from './spec.js';
import { firstProblem } from './spec.js';

export const batchNorm: OpSpec<'batchNorm'> = {
  arity: 1,
  checkAttrs: (a) => firstProblem(
    [typeof a.epsilon === 'number' && a.epsilon > 0, 'epsilon must be a positive number'],
    [typeof a.momentum === 'number' && a.momentum >= 0 && a.momentum < 1, 'momentum must be in [0, 1)'],
  ),
  inferShape: (_node, [x]) => x,
  params(_node, [x]) {
    const c = [x[x.length - 1]];
    return [
      { role: 'gamma', shape: c, kind: 'weight', init: { type: 'ones' } },
      { role: 'beta', shape: c, kind: 'weight', init: { type: 'zeros' } },
      { role: 'movingMean', shape: c, kind: 'stat', init: { type: 'zeros' } },
      { role: 'movingVariance', shape: c, kind: 'stat', init: { type: 'ones' } },
    ];
  },
};
