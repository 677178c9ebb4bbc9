// MobileNet v1: a stem conv then 13 depthwise-separable blocks
// (dw 3×3 → BN → ReLU6 → pw 1×1 → BN → ReLU6), width multiplier alpha.
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { classifier, convBnAct, dwBnAct, stageStride, stemStride, type ZooOptions } from './common.js';

/** [pointwise filters, stride] of blocks 1..13 at alpha 1. */
const BLOCKS: Array<[number, 1 | 2]> = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

export function mobilenetV1(o: ZooOptions): Graph {
  const alpha = o.alpha ?? 1;
  const width = (f: number): number => Math.max(1, Math.floor(f * alpha));
  const b = new GraphBuilder('mobilenet-v1');
  let x = b.input('input', [...o.inputShape]);
  x = convBnAct(b, 'conv1', x, { filters: width(32), kernelSize: 3, strides: stemStride(o.inputShape), act: 'relu6' });
  BLOCKS.forEach(([filters, stride], i) => {
    const name = `block${i + 1}`;
    x = dwBnAct(b, `${name}_dw`, x, { strides: stride === 2 ? stageStride(b, x) : 1, act: 'relu6' });
    x = convBnAct(b, `${name}_pw`, x, { filters: width(filters), kernelSize: 1, act: 'relu6' });
  });
  return b.build([classifier(b, x, o.numClasses, 0.2)]);
}
