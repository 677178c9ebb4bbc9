import type { OpSpec } from './spec.js';
import { firstProblem, isPair, isPadding, noParams, requireRank, spatialOut } from './spec.js';

function windowPool<K extends 'maxPool' | 'avgPool'>(): OpSpec<K> {
  return {
    arity: 1,
    checkAttrs: (a) => firstProblem(
      [isPair(a.poolSize), 'poolSize must be two positive integers'],
      [isPair(a.strides), 'strides must be two positive integers'],
      [isPadding(a.padding), "padding must be 'same' or 'valid'"],
    ),
    inferShape(node, [x]) {
      requireRank(x, 3, `${node.op} input`);
      const a = node.attrs;
      return [...spatialOut(node.name, x, a.poolSize, a.strides, [1, 1], a.padding), x[2]];
    },
    params: noParams,
  };
}

export const maxPool = windowPool<'maxPool'>();
export const avgPool = windowPool<'avgPool'>();

/** A reduction over height and width: [h, w, c] → [c]. */
function globalPool<K extends 'globalAvgPool' | 'globalMaxPool'>(op: K): OpSpec<K> {
  return {
    arity: 1,
    checkAttrs: () => undefined,
    inferShape(_n, [x]) {
      requireRank(x, 3, `${op} input`);
      return [x[2]];
    },
    params: noParams,
  };
}

export const globalAvgPool = globalPool('globalAvgPool');
export const globalMaxPool = globalPool('globalMaxPool');
