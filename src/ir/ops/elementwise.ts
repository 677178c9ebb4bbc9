// Shape-preserving single-input ops without parameters.
import type { OpSpec } from './spec.js';
import { fmtShape, noParams, problem } from './spec.js';

type Unary = 'relu' | 'relu6' | 'softmax' | 'dropout';

function unary<K extends Unary>(checkAttrs: OpSpec<K>['checkAttrs'] = () => undefined): OpSpec<K> {
  return { arity: 1, checkAttrs, inferShape: (_n, [x]) => x, params: noParams };
}

export const relu = unary<'relu'>();
export const relu6 = unary<'relu6'>();
export const dropout = unary<'dropout'>((a) =>
  typeof a.rate === 'number' && a.rate >= 0 && a.rate < 1 ? undefined : 'rate must be in [0, 1)');
export const softmax: OpSpec<'softmax'> = {
  ...unary<'softmax'>(),
  inferShape(_n, [x]) {
    // Over the last axis: flat [classes] logits, or [h, w, classes] for a class per pixel (TFLite SOFTMAX works on the last axis).
    if (x.length !== 1 && x.length !== 3) problem(`softmax expects [classes] or per-pixel [height, width, classes] logits, got ${fmtShape(x)}`);
    return x;
  },
};
