// A CIFAR-style ResNet: stem conv then three stages of two basic blocks
// (conv → BN → ReLU → conv → BN, add shortcut, ReLU); a stage that changes
// shape uses a 1×1 conv + BN shortcut.
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { classifier, convBnAct, stageStride, type ZooOptions } from './common.js';

const WIDTHS = [16, 32, 64];
const BLOCKS_PER_STAGE = 2;

export function resnetTiny(o: ZooOptions): Graph {
  const alpha = o.alpha ?? 1;
  const width = (f: number): number => Math.max(4, Math.round(f * alpha));
  const b = new GraphBuilder('resnet-tiny');
  let x = b.input('input', [...o.inputShape]);
  x = convBnAct(b, 'conv1', x, { filters: width(16), kernelSize: 3, act: 'relu' });
  WIDTHS.forEach((w, stage) => {
    for (let i = 0; i < BLOCKS_PER_STAGE; i++) {
      const name = `stage${stage + 1}_block${i + 1}`;
      const filters = width(w);
      const stride = stage > 0 && i === 0 ? stageStride(b, x) : 1;
      let y = convBnAct(b, `${name}_conv1`, x, { filters, kernelSize: 3, strides: stride, act: 'relu' });
      y = convBnAct(b, `${name}_conv2`, y, { filters, kernelSize: 3, act: 'none' });
      const shortcut = stride !== 1 || b.shape(x)[2] !== filters
        ? convBnAct(b, `${name}_shortcut`, x, { filters, kernelSize: 1, strides: stride, act: 'none' })
        : x;
      x = b.relu(`${name}_relu`, b.add(`${name}_add`, [shortcut, y]));
    }
  });
  return b.build([classifier(b, x, o.numClasses, 0)]);
}
