// MobileNet v2: inverted residual blocks (1×1 expand → BN → ReLU6 → dw 3×3 →
// BN → ReLU6 → 1×1 linear project → BN, plus a residual add when the shape
// is unchanged), width multiplier alpha with channels divisible by 8.
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { classifier, convBnAct, dwBnAct, makeDivisible, stageStride, stemStride, type ZooOptions } from './common.js';

/** [expansion t, output channels c, repeats n, first stride s] at alpha 1. */
const STAGES: Array<[number, number, number, 1 | 2]> = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

export function mobilenetV2(o: ZooOptions): Graph {
  const alpha = o.alpha ?? 1;
  const b = new GraphBuilder('mobilenet-v2');
  let x = b.input('input', [...o.inputShape]);
  x = convBnAct(b, 'conv1', x, { filters: makeDivisible(32 * alpha), kernelSize: 3, strides: stemStride(o.inputShape), act: 'relu6' });
  let block = 0;
  for (const [t, c, n, s] of STAGES) {
    const out = makeDivisible(c * alpha);
    for (let r = 0; r < n; r++, block++) {
      const name = `block${block}`;
      const inC = b.shape(x)[2];
      const stride = r === 0 && s === 2 ? stageStride(b, x) : 1;
      let y = x;
      if (t !== 1) y = convBnAct(b, `${name}_expand`, y, { filters: inC * t, kernelSize: 1, act: 'relu6' });
      y = dwBnAct(b, `${name}_dw`, y, { strides: stride, act: 'relu6' });
      y = convBnAct(b, `${name}_project`, y, { filters: out, kernelSize: 1, act: 'none' });
      x = stride === 1 && inC === out ? b.add(`${name}_add`, [x, y]) : y;
    }
  }
  const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = convBnAct(b, 'conv_last', x, { filters: last, kernelSize: 1, act: 'relu6' });
  return b.build([classifier(b, x, o.numClasses, 0.2)]);
}
