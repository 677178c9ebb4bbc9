// The reference CNN (Keras' mnist_cnn example, one dropout). Dropout 0.25
// rather than 0.5: with three epochs on 8,495 digits the net underfits, not overfits.
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, KernelInit } from '../../src/ir/types.js';
import type { ZooOptions } from './common.js';

export const MNIST_CNN_DROPOUT = 0.25;

export function mnistCnn(o: ZooOptions): Graph {
  const b = new GraphBuilder('mnist-cnn');
  // Under PyTorch's init every layer, logits included, draws from its fan-in; otherwise He, with Glorot logits.
  const torch = o.init === 'torch';
  const hidden: { kernelInit?: KernelInit } = torch ? { kernelInit: 'torch' } : {};
  let x = b.input('input', [...o.inputShape]);
  x = b.relu('conv1_relu', b.conv2d('conv1', x, { filters: 32, kernelSize: 3, padding: 'valid', ...hidden }));
  x = b.relu('conv2_relu', b.conv2d('conv2', x, { filters: 64, kernelSize: 3, padding: 'valid', ...hidden }));
  x = b.maxPool('pool', x, { poolSize: 2 });
  x = b.flatten('flatten', x);
  x = b.relu('fc1_relu', b.dense('fc1', x, 128, hidden));
  const rate = o.dropout ?? MNIST_CNN_DROPOUT;
  if (rate > 0) x = b.dropout('dropout', x, rate);
  return b.build([b.dense('logits', x, o.numClasses, { kernelInit: torch ? 'torch' : 'glorot' })]);
}
