// One kernel at a time against LiteRT.js: a conv producing realistic int8
// activations followed by the op under test, 100 seeded inputs each; int8,
// float-io and float32 all bit-identical (float32 sums in LiteRT's XNNPACK
// order, float-order.test.ts).

import { expect } from 'chai';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { Net, type Variant } from '../support/random-models.js';
import { compareWithLiteRt } from './parity-helpers.js';

const conv = (n: Net, c: number, k = 1): number => n.conv(n.input, c, k, { act: 'NONE' });

export const SINGLE_OPS: Array<[string, () => Net]> = [
  ['CONV_2D 3×3 stride 2 SAME, RELU6', () => { const n = new Net('conv', [1, 9, 8, 5], 31, [-1, 1]); return n.output(n.conv(n.input, 7, 3, { stride: 2, act: 'RELU6' })); }],
  ['CONV_2D 5×5 VALID, RELU', () => { const n = new Net('conv', [1, 10, 10, 3], 32, [-1, 1]); return n.output(n.conv(n.input, 6, 5, { padding: 'VALID', act: 'RELU' })); }],
  ['DEPTHWISE_CONV_2D multiplier 4, stride 2', () => { const n = new Net('dw', [1, 7, 7, 3], 26, [-1, 1]); return n.output(n.dw(n.input, 3, { mult: 4, stride: 2, act: 'NONE' })); }],
  ['FULLY_CONNECTED RELU', () => { const n = new Net('fc', [1, 40], 33, [-1, 1]); return n.output(n.fc(n.input, 12, 'RELU')); }],
  ['MEAN over H,W keep_dims', () => { const n = new Net('m', [1, 7, 7, 16], 11, [-1, 1]); return n.output(n.mean(conv(n, 16, 3), [1, 2], true)); }],
  ['MEAN over H,W', () => { const n = new Net('m', [1, 5, 6, 8], 12, [-1, 1]); return n.output(n.mean(conv(n, 8), [1, 2], false)); }],
  ['MEAN over channels', () => { const n = new Net('m', [1, 4, 4, 8], 13, [-1, 1]); return n.output(n.mean(conv(n, 8), [3], false)); }],
  ['MEAN over channels keep_dims (layer norm)', () => { const n = new Net('m', [1, 5, 4, 6], 14, [-1, 1]); return n.output(n.mean(conv(n, 7), [3], true)); }],
  ['MEAN over H,W,C keep_dims (layer norm)', () => { const n = new Net('m', [1, 5, 4, 6], 15, [-1, 1]); return n.output(n.mean(conv(n, 7), [1, 2, 3], true)); }],
  ['AVERAGE_POOL_2D 3×3 stride 2 SAME', () => { const n = new Net('ap', [1, 9, 9, 8], 14, [-1, 1]); return n.output(n.pool('avgpool', conv(n, 8), 3, 2, 'SAME')); }],
  ['MAX_POOL_2D 3×3 stride 2 SAME', () => { const n = new Net('mp', [1, 9, 9, 8], 15, [-1, 1]); return n.output(n.pool('maxpool', conv(n, 8), 3, 2, 'SAME')); }],
  ['ADD with broadcasting, RELU6', () => { const n = new Net('add', [1, 6, 6, 4], 18, [-1, 1]); const a = conv(n, 8); const b = n.mean(conv(n, 8, 3), [1, 2], true); return n.output(n.binary('add', a, b, 'RELU6')); }],
  ['SUB', () => { const n = new Net('sub', [1, 6, 6, 4], 16, [-1, 1]); const a = conv(n, 8); const b = n.conv(n.input, 8, 3, { act: 'RELU' }); return n.output(n.binary('sub', a, b)); }],
  ['MUL', () => { const n = new Net('mul', [1, 6, 6, 4], 17, [-1, 1]); const a = conv(n, 8); const b = n.conv(n.input, 8, 3, { act: 'RELU' }); return n.output(n.binary('mul', a, b)); }],
  ['CONCATENATION on channels', () => { const n = new Net('cat', [1, 5, 5, 3], 27, [-1, 1]); return n.output(n.concat([conv(n, 4), conv(n, 6, 3)], 3)); }],
  ['PAD', () => { const n = new Net('pad', [1, 5, 5, 3], 28, [-1, 1]); return n.output(n.pad(conv(n, 4), [[0, 0], [2, 1], [0, 3], [0, 0]])); }],
  ['RESHAPE', () => { const n = new Net('reshape', [1, 4, 4, 3], 29, [-1, 1]); return n.output(n.reshape(conv(n, 4), [1, 64])); }],
  ['SQUEEZE', () => { const n = new Net('squeeze', [1, 1, 1, 4], 25, [-1, 1]); return n.output(n.squeeze(conv(n, 8), [1, 2])); }],
  ['SOFTMAX', () => { const n = new Net('softmax', [1, 6, 6, 4], 24, [-1, 1]); return n.output(n.unary('softmax', conv(n, 10))); }],
  ['LOGISTIC', () => { const n = new Net('logistic', [1, 6, 6, 4], 19, [-1, 1]); return n.output(n.unary('logistic', conv(n, 8))); }],
  ['TANH', () => { const n = new Net('tanh', [1, 6, 6, 4], 20, [-1, 1]); return n.output(n.unary('tanh', conv(n, 8))); }],
  ['HARD_SWISH', () => { const n = new Net('hardswish', [1, 6, 6, 4], 21, [-1, 1]); return n.output(n.unary('hardswish', conv(n, 8))); }],
  ['RELU', () => { const n = new Net('relu', [1, 6, 6, 4], 22, [-1, 1]); return n.output(n.unary('relu', conv(n, 8))); }],
  ['RELU6', () => { const n = new Net('relu6', [1, 6, 6, 4], 23, [-1, 1]); return n.output(n.unary('relu6', conv(n, 8))); }],
  ['LEAKY_RELU alpha 0.2', () => { const n = new Net('leakyrelu', [1, 6, 6, 4], 34, [-1, 1]); return n.output(n.leakyRelu(conv(n, 8), 0.2)); }],
  ['LEAKY_RELU alpha 0.001 (XNNPACK refuses the slope)', () => { const n = new Net('leakyrelu', [1, 6, 6, 4], 35, [-1, 1]); return n.output(n.leakyRelu(conv(n, 8), 0.001)); }],
  ['PRELU per-channel alpha', () => { const n = new Net('prelu', [1, 6, 6, 4], 36, [-1, 1]); return n.output(n.prelu(conv(n, 8))); }],
  ['MAXIMUM with broadcasting', () => { const n = new Net('maximum', [1, 6, 6, 4], 37, [-1, 1]); const a = conv(n, 8); const b = n.mean(conv(n, 8, 3), [1, 2], true); return n.output(n.binary('maximum', a, b)); }],
  ['MINIMUM', () => { const n = new Net('minimum', [1, 6, 6, 4], 38, [-1, 1]); const a = conv(n, 8); const b = n.conv(n.input, 8, 3, { act: 'NONE' }); return n.output(n.binary('minimum', a, b)); }],
  ['REDUCE_MAX over H,W', () => { const n = new Net('reducemax', [1, 7, 7, 16], 39, [-1, 1]); return n.output(n.reduceMax(conv(n, 16, 3), [1, 2], false)); }],
  ['REDUCE_MAX over H,W keep_dims', () => { const n = new Net('reducemax', [1, 5, 6, 8], 40, [-1, 1]); return n.output(n.reduceMax(conv(n, 8), [1, 2], true)); }],
  ['TRANSPOSE_CONV 3×3 stride 2 SAME', () => { const n = new Net('tconv', [1, 5, 5, 4], 40, [-1, 1]); return n.output(n.tconv(conv(n, 6), 5, 3)); }],
  ['TRANSPOSE_CONV 3×3 stride 2 VALID', () => { const n = new Net('tconv', [1, 4, 5, 3], 41, [-1, 1]); return n.output(n.tconv(conv(n, 4), 6, 3, { padding: 'VALID' })); }],
  ['TRANSPOSE_CONV 2×2 stride 2 SAME, RELU6', () => { const n = new Net('tconv', [1, 4, 4, 3], 42, [-1, 1]); return n.output(n.tconv(conv(n, 8), 4, 2, { act: 'RELU6' })); }],
  ['RESIZE_NEAREST_NEIGHBOR 2× (tfjs: no flags)', () => { const n = new Net('rnn', [1, 5, 4, 3], 43, [-1, 1]); return n.output(n.resize(conv(n, 4), 'nearest', [10, 8])); }],
  ['RESIZE_NEAREST_NEIGHBOR 5×7→8×3 half_pixel_centers', () => { const n = new Net('rnn', [1, 5, 7, 3], 44, [-1, 1]); return n.output(n.resize(conv(n, 4), 'nearest', [8, 3], { halfPixelCenters: true })); }],
  ['RESIZE_NEAREST_NEIGHBOR 4×5→7×9 align_corners', () => { const n = new Net('rnn', [1, 4, 5, 3], 45, [-1, 1]); return n.output(n.resize(conv(n, 4), 'nearest', [7, 9], { alignCorners: true })); }],
  ['RESIZE_BILINEAR 2× (tfjs: no flags)', () => { const n = new Net('rbl', [1, 5, 4, 3], 46, [-1, 1]); return n.output(n.resize(conv(n, 4), 'bilinear', [10, 8])); }],
  ['RESIZE_BILINEAR 2× half_pixel_centers (Keras)', () => { const n = new Net('rbl', [1, 5, 6, 3], 47, [-1, 1]); return n.output(n.resize(conv(n, 5), 'bilinear', [10, 12], { halfPixelCenters: true })); }],
  ['RESIZE_BILINEAR 4×5→7×11 align_corners', () => { const n = new Net('rbl', [1, 4, 5, 3], 48, [-1, 1]); return n.output(n.resize(conv(n, 4), 'bilinear', [7, 11], { alignCorners: true })); }],
  ['MIRROR_PAD REFLECT', () => { const n = new Net('mpad', [1, 5, 6, 3], 49, [-1, 1]); return n.output(n.mirrorPad(conv(n, 4), [[0, 0], [4, 1], [2, 5], [0, 0]], 'REFLECT')); }],
  ['MIRROR_PAD SYMMETRIC', () => { const n = new Net('mpad', [1, 5, 6, 3], 50, [-1, 1]); return n.output(n.mirrorPad(conv(n, 4), [[0, 0], [5, 2], [0, 6], [0, 0]], 'SYMMETRIC')); }],
  ['STRIDED_SLICE crop (Cropping2D)', () => { const n = new Net('crop', [1, 9, 8, 3], 51, [-1, 1]); return n.output(n.stridedSlice(conv(n, 4), [0, 2, 1, 0], [1, -1, 7, 4], [1, 1, 1, 1], [1, 6, 6, 4])); }],
  ['STRIDED_SLICE masks, stride 2 and −1', () => {
    const n = new Net('slice', [1, 9, 8, 3], 52, [-1, 1]);
    return n.output(n.stridedSlice(conv(n, 6), [0, 1, -2, 5], [0, 0, 0, 1], [1, 2, -1, -2], [1, 4, 6, 2], { beginMask: 1, endMask: 3 }));
  }],
  ['STRIDED_SLICE shrink axis', () => { const n = new Net('slice', [1, 5, 4, 3], 53, [-1, 1]); return n.output(n.stridedSlice(conv(n, 4), [0, 2, 0, 0], [1, 3, 4, 4], [1, 1, 1, 1], [1, 4, 4], { shrinkAxisMask: 2 })); }],
  ['SLICE', () => { const n = new Net('slice', [1, 7, 6, 3], 54, [-1, 1]); return n.output(n.slice(conv(n, 5), [0, 1, 2, 1], [1, 5, -1, 3])); }],
  ['SQUARED_DIFFERENCE', () => { const n = new Net('sqd', [1, 6, 6, 4], 55, [-1, 1]); const a = conv(n, 8); const b = n.conv(n.input, 8, 3, { act: 'NONE' }); return n.output(n.binary('sqdiff', a, b)); }],
  ['SQUARED_DIFFERENCE against the channel mean (instance norm)', () => {
    const n = new Net('sqd', [1, 6, 6, 4], 56, [-1, 1]); const a = conv(n, 8, 3); return n.output(n.binary('sqdiff', a, n.mean(a, [1, 2], true)));
  }],  ['RSQRT of a LOGISTIC (positive) input', () => { const n = new Net('rsqrt', [1, 6, 6, 4], 57, [-1, 1]); return n.output(n.unary('rsqrt', n.unary('logistic', conv(n, 8)))); }],
  ['SOFTMAX over 300 channels (rows longer than their range of codes)', () => { const n = new Net('softmax-wide', [1, 3, 3, 4], 58, [-1, 1]); return n.output(n.unary('softmax', conv(n, 300))); }],

];

describe('single-op models vs LiteRT', function () {
  this.timeout(300_000);
  let lrt: LiteRtRunner;
  before(async () => {
    lrt = await loadLiteRt();
  });
  const cases: Array<[Variant, number]> = [['int8', 100], ['float-io', 30], ['float32', 20]];
  for (const [name, make] of SINGLE_OPS) {
    for (const [variant, runs] of cases) {
      it(`${name} (${variant}) agrees over ${runs} inputs`, async () => {
        const net = make();
        const r = await compareWithLiteRt(lrt, net.model(variant), runs, 3, { inputRange: net.inputRange, floatTolerance: 0 });
        expect(r.elements).to.be.greaterThan(0);
        expect(r.differing, `max |Δ| ${r.maxAbsDiff}`).to.equal(0);
      });
    }
  }
});
