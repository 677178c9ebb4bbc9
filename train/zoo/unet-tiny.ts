// A small U-Net for per-pixel classes (28×28×1 → 28×28×classes): two
// stride-2 convolutions down, two upsampling steps back, each followed by a
// skip concatenation with the encoder map of the same size and a 3×3 conv.
// `upsample` picks the way up: a learned 2×2-stride transposed convolution,
// or nearest / bilinear upsampling followed by a 3×3 conv (resize-conv).
// Output: per-pixel logits (training applies the softmax over the channels).
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import type { UpsampleMode, ZooOptions } from './common.js';

function convBnRelu(b: GraphBuilder, name: string, x: string, filters: number, strides = 1): string {
  const y = b.conv2d(name, x, { filters, kernelSize: 3, strides, padding: 'same', useBias: false });
  return b.relu(`${name}_relu`, b.batchNorm(`${name}_bn`, y));
}

/** Doubles x's resolution to `skip`'s (cropping the extra row/column of odd sizes) and concatenates the two. */
function upAndJoin(b: GraphBuilder, name: string, x: string, skip: string, filters: number, mode: UpsampleMode): string {
  let y: string;
  if (mode === 'transpose') {
    y = b.conv2dTranspose(name, x, { filters, kernelSize: 2, strides: 2, padding: 'same', useBias: false });
    y = b.relu(`${name}_relu`, b.batchNorm(`${name}_bn`, y));
  } else {
    y = convBnRelu(b, name, b.upsample(`${name}_resize`, x, 2, { interpolation: mode }), filters);
  }
  const [h, w] = b.shape(y);
  const [sh, sw] = b.shape(skip);
  if (h! > sh! || w! > sw!) y = b.crop(`${name}_crop`, y, [[0, h! - sh!], [0, w! - sw!]]);
  return b.concat(`${name}_skip`, [y, skip]);
}

export function unetTiny(o: ZooOptions): Graph {
  const mode = o.upsample ?? 'transpose';
  const b = new GraphBuilder('unet-tiny');
  const x = b.input('input', [...o.inputShape]);
  const e1 = convBnRelu(b, 'enc1', x, 16);
  const e2 = convBnRelu(b, 'enc2', convBnRelu(b, 'down1', e1, 32, 2), 32);
  const bottom = convBnRelu(b, 'bottom', convBnRelu(b, 'down2', e2, 48, 2), 48);
  const d2 = convBnRelu(b, 'dec2', upAndJoin(b, 'up2', bottom, e2, 32, mode), 32);
  const d1 = convBnRelu(b, 'dec1', upAndJoin(b, 'up1', d2, e1, 16, mode), 16);
  return b.build([b.conv2d('logits', d1, { filters: o.numClasses, kernelSize: 1, kernelInit: 'glorot' })]);
}
