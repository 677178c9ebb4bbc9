// A small image-to-image generator after the fast style-transfer nets:
// reflect-padded 9×9 convolution in, a stride-2 convolution down, residual
// blocks, resize-then-convolve up (nearest upsampling and a 3×3 conv, which
// avoids the checkerboard a transposed convolution draws), and a
// reflect-padded 9×9 convolution out, every inner convolution followed by
// ReLU and instance normalization. The seed goes down twice; on 28×28 items
// that leaves 7×7 maps, and one step down denoised better in the same time
// (fashion-denoise, 5,000 images, 2 epochs at lr 3e-3: 17.13 dB against 16.51).
//
// ReLU comes before the norm (conv → ReLU → norm, not conv → norm → ReLU):
// the convolution then takes the ReLU as its fused activation, as in every
// other zoo model, and the norm's int8 decomposition ends the layer. A ReLU
// after the norm would be a lone int8 op of its own between the two.
//
// The output is the seed's "tanh scaled to the image's range": targets are
// images in [0, 1], and (1 + tanh(z/2))/2 is exactly sigmoid(z), so the
// affine map is written as a sigmoid — one LOGISTIC in the int8 model whose
// fixed output grid (scale 1/256, zero point −128) is tanh's grid mapped
// onto [0, 1], with no learned output range and no extra MUL/ADD.
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import type { ZooOptions } from './common.js';

/** Channels after the stem; each stride-2 stage doubles them. DOWN is how many stride-2 stages. */
const WIDTH = 8;
const DOWN = 1;
const BLOCKS = 2;

/** Convolution, fused ReLU (unless `relu` is false), instance norm. */
function convIn(b: GraphBuilder, name: string, x: string, filters: number, k: number, o: { strides?: number; relu?: boolean } = {}): string {
  let y = b.conv2d(name, x, { filters, kernelSize: k, strides: o.strides ?? 1, padding: 'same' });
  if (o.relu !== false) y = b.relu(`${name}_relu`, y);
  return b.instanceNorm(`${name}_in`, y);
}

/** Reflect padding then a 'valid' k×k convolution: same size, with no dark border for the net to undo. */
function reflectConv(b: GraphBuilder, name: string, x: string, filters: number, k: number): string {
  const p = (k - 1) / 2;
  const padded = b.mirrorPad(`${name}_pad`, x, [[p, p], [p, p]]);
  return b.conv2d(name, padded, { filters, kernelSize: k, padding: 'valid' });
}

export function styleNet(o: ZooOptions): Graph {
  const b = new GraphBuilder('style-net');
  const x = b.input('input', [...o.inputShape]);
  let y = b.instanceNorm('stem_in', b.relu('stem_relu', reflectConv(b, 'stem', x, WIDTH, 9)));
  const sizes: Array<[number, number]> = [];
  let width = WIDTH;
  for (let i = 1; i <= DOWN; i++) {
    const [h, w] = b.shape(y);
    sizes.push([h!, w!]);
    width *= 2;
    y = convIn(b, `down${i}`, y, width, 3, { strides: 2 });
  }
  for (let i = 1; i <= BLOCKS; i++) {
    const h = convIn(b, `res${i}a`, y, width, 3);
    y = b.add(`res${i}_add`, [y, convIn(b, `res${i}b`, h, width, 3, { relu: false })]);
  }
  for (let i = DOWN; i >= 1; i--) {
    width /= 2;
    y = b.upsample(`up${i}_resize`, y, 2, { interpolation: 'nearest' });
    // Odd sizes (a 7×7 map doubles to 14, a 15×15 one to 16): crop back to the encoder's size.
    const [h, w] = b.shape(y);
    const [sh, sw] = sizes[i - 1]!;
    if (h! > sh || w! > sw) y = b.crop(`up${i}_crop`, y, [[0, h! - sh], [0, w! - sw]]);
    y = convIn(b, `up${i}`, y, width, 3);
  }
  return b.build([b.sigmoid('image', reflectConv(b, 'out', y, o.inputShape[2], 9))]);
}
