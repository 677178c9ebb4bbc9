// The activations beyond relu/relu6: shape-preserving, one input. Only
// prelu owns a parameter, its per-channel slope.
import type { OpSpec } from './spec.js';
import { noParams } from './spec.js';

type Plain = 'sigmoid' | 'tanh' | 'hardSwish' | 'hardSigmoid' | 'swish';

function plain<K extends Plain>(): OpSpec<K> {
  return { arity: 1, checkAttrs: () => undefined, inferShape: (_n, [x]) => x, params: noParams };
}

export const sigmoid = plain<'sigmoid'>();
export const tanh = plain<'tanh'>();
export const hardSwish = plain<'hardSwish'>();
export const hardSigmoid = plain<'hardSigmoid'>();
export const swish = plain<'swish'>();

export const leakyRelu: OpSpec<'leakyRelu'> = {
  arity: 1,
  checkAttrs: (a) => (typeof a.alpha === 'number' && Number.isFinite(a.alpha) ? undefined : 'alpha must be a finite number'),
  inferShape: (_n, [x]) => x,
  params: noParams,
};

/**
 * The slope has the input's rank with every axis but the channels 1
 * ([1, 1, c] for an image): the layout Keras saves with shared_axes [1, 2]
 * and TFLite's PRELU broadcasts. Keras starts it at zero (a relu).
 */
export const prelu: OpSpec<'prelu'> = {
  arity: 1,
  checkAttrs: () => undefined,
  inferShape: (_n, [x]) => x,
  params: (_n, [x]) => [{ role: 'alpha', shape: [...x.map(() => 1).slice(1), x[x.length - 1]!], kind: 'weight', init: { type: 'zeros' } }],
};
