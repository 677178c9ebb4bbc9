// LeNet-5 with ReLU and max pooling. The first conv pads 'same' so 28×28
// digits keep the 32×32 geometry of the original (28→14→10→5).
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import type { ZooOptions } from './common.js';

export function lenet5(o: ZooOptions): Graph {
  const b = new GraphBuilder('lenet5');
  let x = b.input('input', [...o.inputShape]);
  x = b.relu('conv1_relu', b.conv2d('conv1', x, { filters: 6, kernelSize: 5, padding: 'same' }));
  x = b.maxPool('pool1', x, { poolSize: 2 });
  x = b.relu('conv2_relu', b.conv2d('conv2', x, { filters: 16, kernelSize: 5, padding: 'valid' }));
  x = b.maxPool('pool2', x, { poolSize: 2 });
  x = b.flatten('flatten', x);
  x = b.relu('fc1_relu', b.dense('fc1', x, 120));
  x = b.relu('fc2_relu', b.dense('fc2', x, 84));
  return b.build([b.dense('logits', x, o.numClasses, { kernelInit: 'glorot' })]);
}
