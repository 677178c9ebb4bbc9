// A small image-to-image generator after the style-transfer nets: a 9×9
// stem, residual blocks, and a 9×9 convolution back to the image's
// channels, added to the input. It keeps the input's resolution throughout
// (no down- or upsampling), and its output is linear: targets are images in
// [0, 1] and the int8 output's range is learned like any activation's.
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import type { ZooOptions } from './common.js';

const WIDTH = 16;
const BLOCKS = 2;

function convBn(b: GraphBuilder, name: string, x: string, filters: number, k: number): string {
  return b.batchNorm(`${name}_bn`, b.conv2d(name, x, { filters, kernelSize: k, padding: 'same', useBias: false }));
}

export function styleNet(o: ZooOptions): Graph {
  const b = new GraphBuilder('style-net');
  const x = b.input('input', [...o.inputShape]);
  let y = b.relu('stem_relu', convBn(b, 'stem', x, WIDTH / 2, 9));
  y = b.relu('widen_relu', convBn(b, 'widen', y, WIDTH, 3));
  for (let i = 1; i <= BLOCKS; i++) {
    const h = b.relu(`res${i}a_relu`, convBn(b, `res${i}a`, y, WIDTH, 3));
    y = b.relu(`res${i}_relu`, b.add(`res${i}_add`, [y, convBn(b, `res${i}b`, h, WIDTH, 3)]));
  }
  // The net predicts a correction to its input (the noise, for denoising), which it learns far faster than the image itself.
  const correction = b.conv2d('correction', y, { filters: o.inputShape[2], kernelSize: 9, kernelInit: 'zeros' });
  return b.build([b.add('image', [x, correction])]);
}
