// A small encoder–decoder for per-pixel classes (28×28×1 → 28×28×classes).
// The encoder widens the view with dilated 3×3 convolutions instead of
// striding, so every map stays at the input's resolution and the decoder
// needs no upsampling op; a skip concatenation hands the first block's
// fine detail to the decoder, as a U-Net's skips do. Output: per-pixel
// logits (training applies the softmax over the channel axis).
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import type { ZooOptions } from './common.js';

function convBnRelu(b: GraphBuilder, name: string, x: string, filters: number, dilation: number): string {
  const y = b.conv2d(name, x, { filters, kernelSize: 3, dilations: dilation, padding: 'same', useBias: false });
  return b.relu(`${name}_relu`, b.batchNorm(`${name}_bn`, y));
}

export function unetTiny(o: ZooOptions): Graph {
  const b = new GraphBuilder('unet-tiny');
  const x = b.input('input', [...o.inputShape]);
  const e1 = convBnRelu(b, 'enc1', x, 16, 1);
  const e2 = convBnRelu(b, 'enc2', e1, 32, 2);
  const e3 = convBnRelu(b, 'enc3', e2, 32, 4);
  const skip = b.concat('skip', [e3, e1]);
  const d1 = convBnRelu(b, 'dec1', skip, 16, 1);
  return b.build([b.conv2d('logits', d1, { filters: o.numClasses, kernelSize: 1, kernelInit: 'glorot' })]);
}
