// The SIMD training kernels (layers/wasm/) against tfjs's own gradients on
// the cpu backend: depthwise gradients with channel counts that use every
// channel block width (16, 4 and the scalar tail), conv filter gradients
// (1×1 and larger, strided, dilated) with channel counts that use every
// tile, and both across a growth of the tfjs wasm heap (the kernels share
// that memory).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import * as ops from '../../layers/ops.js';
import { simdKernelsAvailable } from '../../layers/wasm/tfjs_heap.js';
import { dilateFilter, randomHost, relativeError, valueAndGrads, type GradResult, type HostTensor, onBackendNoLeak } from './grad_check.js';

const TOLERANCE = 1e-4;

interface Case {
  kernel: [number, number];
  stride: number;
  dilation: number;
  padding: ops.Padding;
  size: [number, number];
  channels: number;
  multiplier: number;
}

const CASES: Case[] = [];
for (const [stride, dilation] of [[1, 1], [2, 1], [1, 2], [3, 1]] as Array<[number, number]>) {
  for (const padding of ['same', 'valid'] as ops.Padding[]) {
    CASES.push({ kernel: [3, 3], stride, dilation, padding, size: [9, 8], channels: 37, multiplier: 1 });
  }
}
CASES.push({ kernel: [3, 1], stride: 2, dilation: 1, padding: 'same', size: [7, 10], channels: 21, multiplier: 1 });
CASES.push({ kernel: [5, 5], stride: 1, dilation: 1, padding: 'same', size: [6, 6], channels: 16, multiplier: 1 });
CASES.push({ kernel: [3, 3], stride: 2, dilation: 1, padding: 'valid', size: [8, 8], channels: 9, multiplier: 3 });
CASES.push({ kernel: [2, 2], stride: 1, dilation: 1, padding: 'same', size: [4, 4], channels: 64, multiplier: 1 });

/** Convs with channel counts covering every tile, strided, dilated, padded. */
const CONVS: Array<{ kernel: number; stride: number; dilation: number; padding: ops.Padding; size: [number, number]; cin: number; cout: number }> = [
  { kernel: 3, stride: 1, dilation: 1, padding: 'valid', size: [10, 9], cin: 13, cout: 15 },
  { kernel: 3, stride: 2, dilation: 1, padding: 'same', size: [9, 9], cin: 8, cout: 24 },
  { kernel: 3, stride: 1, dilation: 2, padding: 'same', size: [8, 7], cin: 5, cout: 12 },
  { kernel: 5, stride: 3, dilation: 1, padding: 'valid', size: [12, 11], cin: 4, cout: 9 },
  { kernel: 1, stride: 2, dilation: 1, padding: 'same', size: [7, 8], cin: 6, cout: 8 },
  { kernel: 2, stride: 1, dilation: 1, padding: 'same', size: [24, 24], cin: 32, cout: 64 }, // rectangles split into row bands
];

/** 1×1 convs: channel counts covering the 4×8, 4×4, 4×1, 1×8, 1×4 and 1×1 tiles; pixel counts past one row chunk. */
const POINTWISE: Array<{ batch: number; size: [number, number]; cin: number; cout: number }> = [
  { batch: 2, size: [5, 7], cin: 13, cout: 15 },
  { batch: 3, size: [16, 16], cin: 48, cout: 24 },
  { batch: 2, size: [3, 3], cin: 1, cout: 3 },
  { batch: 4, size: [32, 32], cin: 7, cout: 40 },
];

const describeCase = (c: Case): string =>
  `k${c.kernel.join('x')} s${c.stride} d${c.dilation} ${c.padding} ${c.size.join('x')} c${c.channels} m${c.multiplier}`;

function inputsOf(c: Case, seed: number): HostTensor[] {
  return [
    randomHost([3, c.size[0], c.size[1], c.channels], seed),
    randomHost([c.kernel[0], c.kernel[1], c.channels, c.multiplier], seed + 1),
  ];
}

function ours(c: Case) {
  return (x: tf.Tensor, f: tf.Tensor): tf.Tensor =>
    ops.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, [c.stride, c.stride], c.padding, [c.dilation, c.dilation]);
}

function reference(c: Case) {
  return (x: tf.Tensor, f: tf.Tensor): tf.Tensor => {
    const f4 = c.dilation > 1 ? dilateFilter(f as tf.Tensor4D, [c.dilation, c.dilation]) : f as tf.Tensor4D;
    return tf.depthwiseConv2d(x as tf.Tensor4D, f4, c.stride, c.padding);
  };
}

function expectClose(got: GradResult, want: GradResult): void {
  for (const [i, name] of ['input gradient', 'filter gradient'].entries()) {
    expect(got.grads[i]!.shape, name).to.deep.equal(want.grads[i]!.shape);
    expect(relativeError(got.grads[i]!.data, want.grads[i]!.data), name).to.be.at.most(TOLERANCE);
  }
}

describe('SIMD training kernels (wasm)', function () {
  before(async () => {
    await selectBackend('wasm');
    ops.setGradFormulation('simd');
  });
  after(async () => {
    ops.setGradFormulation('simd');
    await tf.setBackend('cpu');
  });

  it('are available on the wasm backend', () => {
    expect(simdKernelsAvailable()).to.equal(true);
  });

  CASES.forEach((c, i) => {
    it(`depthwise ${describeCase(c)} matches tfjs cpu gradients`, async () => {
      const inputs = inputsOf(c, 500 + 11 * i);
      const want = await onBackendNoLeak('cpu', () => valueAndGrads(reference(c), inputs, 77 + i));
      const got = await onBackendNoLeak('wasm', () => valueAndGrads(ours(c), inputs, 77 + i));
      expectClose(got, want);
    });
  });

  POINTWISE.forEach((c, i) => {
    it(`pointwise ${c.size.join('x')} cin ${c.cin} cout ${c.cout} (batch ${c.batch}) matches tfjs cpu gradients`, async () => {
      const inputs = [randomHost([c.batch, c.size[0], c.size[1], c.cin], 900 + 13 * i), randomHost([1, 1, c.cin, c.cout], 901 + 13 * i)];
      const conv = (f: typeof ops.conv2d | typeof tf.conv2d) => (x: tf.Tensor, w: tf.Tensor): tf.Tensor =>
        f(x as tf.Tensor4D, w as tf.Tensor4D, [1, 1], 'same');
      const want = await onBackendNoLeak('cpu', () => valueAndGrads(conv(tf.conv2d), inputs, 31 + i));
      const got = await onBackendNoLeak('wasm', () => valueAndGrads(conv(ops.conv2d), inputs, 31 + i));
      expectClose(got, want);
    });
  });

  CONVS.forEach((c, i) => {
    const name = `conv k${c.kernel} s${c.stride} d${c.dilation} ${c.padding} ${c.size.join('x')} cin ${c.cin} cout ${c.cout}`;
    it(`${name} matches tfjs cpu gradients`, async () => {
      const inputs = [randomHost([2, c.size[0], c.size[1], c.cin], 700 + 5 * i), randomHost([c.kernel, c.kernel, c.cin, c.cout], 701 + 5 * i)];
      const want = await onBackendNoLeak('cpu', () => valueAndGrads((x, f) => {
        const f4 = c.dilation > 1 ? dilateFilter(f as tf.Tensor4D, [c.dilation, c.dilation]) : f as tf.Tensor4D;
        return tf.conv2d(x as tf.Tensor4D, f4, c.stride, c.padding);
      }, inputs, 41 + i));
      const got = await onBackendNoLeak('wasm', () => valueAndGrads((x, f) =>
        ops.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, [c.stride, c.stride], c.padding, [c.dilation, c.dilation]), inputs, 41 + i));
      expectClose(got, want);
    });
  });

  it('stays correct after the wasm heap grows', async function () {
    const c = CASES[0]!;
    const inputs = inputsOf(c, 4242);
    const want = await onBackendNoLeak('cpu', () => valueAndGrads(reference(c), inputs, 5));
    await tf.setBackend('wasm');
    const heap = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    const before = heap();
    // The heap is capped at 4 GiB; doubling a heap already past 1.5 GiB could fail for that reason alone.
    if (before > 1.5 * 2 ** 30) this.skip();
    // Larger than the current heap, so tfjs must grow its memory.
    const big = tf.zeros([Math.ceil(before / 4) + 1024]);
    try {
      expect(heap()).to.be.greaterThan(before);
      expectClose(await onBackendNoLeak('wasm', () => valueAndGrads(ours(c), inputs, 5)), want);
      const pw = [randomHost([2, 6, 6, 24], 17), randomHost([1, 1, 24, 16], 18)];
      const conv = (f: typeof ops.conv2d | typeof tf.conv2d) => (x: tf.Tensor, w: tf.Tensor): tf.Tensor =>
        f(x as tf.Tensor4D, w as tf.Tensor4D, [1, 1], 'valid');
      const pwWant = await onBackendNoLeak('cpu', () => valueAndGrads(conv(tf.conv2d), pw, 6));
      expectClose(await onBackendNoLeak('wasm', () => valueAndGrads(conv(ops.conv2d), pw, 6)), pwWant);
    } finally {
      big.dispose();
    }
  });
});
