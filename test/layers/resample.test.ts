// layers/resample: mirror padding and resizing on wasm and cpu. Forwards
// against tfjs's cpu kernels; gradients against loop references (mirror
// pad: each padded pixel sends its dy to the pixel it copied; resize: the
// separable weight matrices, which must first reproduce the forward
// kernel). tfjs's own resize gradients cannot serve as the reference: they
// ignore half-pixel centers, and tfjs-cpu 4.22's swap height and width on
// non-square images (a shape error, or wrong values for nearest).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { mirrorPad, resize, resizeMatrix, type Interpolation, type MirrorMode } from '../../layers/resample.js';
import type { Pair } from '../../layers/ops.js';
import { conv2dTranspose } from '../../layers/conv_transpose.js';
import { type HostTensor, onBackendNoLeak, randomHost, relativeError, toTensor, valueAndGrads } from './grad_check.js';

/** The input index padded index p copies along an axis of length n padded by `before`. */
function mirrorSource(p: number, n: number, before: number, mode: MirrorMode): number {
  const i = p - before;
  if (i < 0) return mode === 'reflect' ? -i : -i - 1;
  if (i >= n) return mode === 'reflect' ? 2 * n - 2 - i : 2 * n - 1 - i;
  return i;
}

function mirrorGradByLoops(x: HostTensor, w: HostTensor, pads: [Pair, Pair], mode: MirrorMode): Float32Array {
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const [, oh, ow] = w.shape as [number, number, number, number];
  const dx = new Float32Array(x.data.length);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let k = 0; k < c; k++) {
    const si = mirrorSource(i, h, pads[0][0], mode);
    const sj = mirrorSource(j, wd, pads[1][0], mode);
    dx[((b * h + si) * wd + sj) * c + k] += w.data[((b * oh + i) * ow + j) * c + k]!;
  }
  return dx;
}

/** y = rows · x · colsᵀ per batch and channel, in float64: the matrices' own forward. */
function resizeByMatrices(x: HostTensor, size: Pair, how: Interpolation, half: boolean): Float32Array {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const rows = resizeMatrix(h, size[0], how, half);
  const cols = resizeMatrix(w, size[1], how, half);
  const y = new Float32Array(n * size[0] * size[1] * c);
  for (let b = 0; b < n; b++) for (let p = 0; p < size[0]; p++) for (let q = 0; q < size[1]; q++) for (let k = 0; k < c; k++) {
    let s = 0;
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) s += rows[p * h + i]! * cols[q * w + j]! * x.data[((b * h + i) * w + j) * c + k]!;
    y[((b * size[0] + p) * size[1] + q) * c + k] = s;
  }
  return y;
}

function resizeGradByMatrices(x: HostTensor, dy: HostTensor, size: Pair, how: Interpolation, half: boolean): Float32Array {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const rows = resizeMatrix(h, size[0], how, half);
  const cols = resizeMatrix(w, size[1], how, half);
  const dx = new Float32Array(x.data.length);
  for (let b = 0; b < n; b++) for (let p = 0; p < size[0]; p++) for (let q = 0; q < size[1]; q++) for (let k = 0; k < c; k++) {
    const g = dy.data[((b * size[0] + p) * size[1] + q) * c + k]!;
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) dx[((b * h + i) * w + j) * c + k] += rows[p * h + i]! * cols[q * w + j]! * g;
  }
  return dx;
}

describe('layers/resample mirrorPad and resize', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  const padCases: Array<[[Pair, Pair], MirrorMode, number[]]> = [
    [[[2, 1], [3, 0]], 'reflect', [2, 5, 6, 3]],
    [[[4, 4], [1, 2]], 'reflect', [1, 5, 4, 2]],
    [[[3, 0], [4, 4]], 'symmetric', [2, 4, 4, 3]],
    [[[1, 1], [1, 1]], 'symmetric', [1, 1, 3, 2]],
  ];
  padCases.forEach(([pads, mode, shape], i) => {
    it(`mirrorPad ${mode} ${JSON.stringify(pads)} on ${shape.join('×')}: forward = tf.mirrorPad on cpu, dx = loop reference`, async () => {
      const x = randomHost(shape, 50 + i);
      await tf.setBackend('cpu');
      const want = valueAndGrads((t) => tf.mirrorPad(t, [[0, 0], pads[0], pads[1], [0, 0]], mode), [x], 60 + i);
      const weights = randomHost(want.value.shape, 60 + i);
      const loops = mirrorGradByLoops(x, weights, pads, mode);
      // tfjs's own MirrorPad gradient drops what the border received: it cannot be the reference.
      expect(relativeError(want.grads[0]!.data, loops), 'tfjs MirrorPad grad (known wrong)').to.be.greaterThan(1e-3);
      for (const backend of ['wasm', 'cpu']) {
        const got = await onBackendNoLeak(backend, () => valueAndGrads((t) => mirrorPad(t as tf.Tensor4D, pads, mode), [x], 60 + i));
        expect(Array.from(got.value.data), `${backend} forward`).to.deep.equal(Array.from(want.value.data));
        expect(relativeError(got.grads[0]!.data, loops), `${backend} dx`).to.be.at.most(1e-6);
      }
    });
  });

  it('crop (tf.slice, the tfjs op of crop): its gradient on wasm, pad of dy, equals cpu\'s', async () => {
    const x = randomHost([2, 7, 6, 3], 66);
    const crop = (t: tf.Tensor): tf.Tensor => tf.slice(t, [0, 1, 0, 0], [-1, 4, 3, -1]);
    const want = await onBackendNoLeak('cpu', () => valueAndGrads(crop, [x], 67));
    const got = await onBackendNoLeak('wasm', () => valueAndGrads(crop, [x], 67));
    expect(Array.from(got.value.data)).to.deep.equal(Array.from(want.value.data));
    expect(Array.from(got.grads[0]!.data)).to.deep.equal(Array.from(want.grads[0]!.data));
    // Rows 0 and 5–6 and columns 3–5 were cropped away: no gradient reaches them.
    expect(want.grads[0]!.data.filter((v) => v !== 0).length).to.equal(2 * 4 * 3 * 3);
  });

  const resizeCases: Array<[Interpolation, boolean, number[], Pair]> = [
    ['nearest', false, [2, 5, 4, 3], [10, 8]],
    ['nearest', false, [1, 3, 5, 2], [9, 10]],
    ['bilinear', false, [2, 5, 4, 3], [10, 8]],
    ['bilinear', true, [2, 5, 6, 3], [10, 12]],
    ['bilinear', true, [1, 3, 4, 2], [9, 8]],
  ];
  resizeCases.forEach(([how, half, shape, size], i) => {
    it(`resize ${how}${half ? ' half-pixel' : ''} ${shape.join('×')} → ${size.join('×')}: matrices reproduce the kernel, dx is their adjoint`, async () => {
      const x = randomHost(shape, 70 + i);
      await tf.setBackend('cpu');
      const kernel = (t: tf.Tensor): tf.Tensor => (how === 'nearest'
        ? tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, false, half) : tf.image.resizeBilinear(t as tf.Tensor4D, size, false, half));
      const want = tf.tidy(() => kernel(toTensor(x)).dataSync() as Float32Array);
      expect(relativeError(resizeByMatrices(x, size, how, half), want), 'matrices vs the cpu kernel').to.be.at.most(1e-6);
      const weights = randomHost([shape[0]!, ...size, shape[3]!], 80 + i);
      const reference = resizeGradByMatrices(x, weights, size, how, half);
      for (const backend of ['wasm', 'cpu']) {
        const got = await onBackendNoLeak(backend, () => valueAndGrads((t) => resize(t as tf.Tensor4D, size, how, half), [x], 80 + i));
        expect(relativeError(got.value.data, want), `${backend} forward`).to.be.at.most(1e-6);
        expect(relativeError(got.grads[0]!.data, reference), `${backend} dx`).to.be.at.most(1e-6);
      }
    });
  });
});

describe('layers/conv_transpose conv2dTranspose', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  // [input h, w], kernel, stride, padding: Keras' output sizes, kernels above, at and below the stride.
  const cases: Array<[Pair, Pair, Pair, 'same' | 'valid']> = [
    [[4, 5], [3, 3], [2, 2], 'same'],
    [[4, 5], [3, 3], [2, 2], 'valid'],
    [[3, 3], [2, 2], [2, 2], 'same'],
    [[5, 4], [4, 3], [2, 2], 'same'],
    [[3, 4], [1, 1], [2, 2], 'valid'],
    [[4, 3], [3, 2], [1, 1], 'same'],
    [[3, 5], [5, 3], [2, 1], 'valid'],
  ];
  cases.forEach(([hw, k, s, padding], i) => {
    it(`${k.join('×')} stride ${s.join('×')} ${padding} on ${hw.join('×')}: value and gradients = tfjs conv2dTranspose on cpu`, async () => {
      const out: Pair = [0, 1].map((a) => (padding === 'same' ? hw[a]! * s[a]! : hw[a]! * s[a]! + Math.max(k[a]! - s[a]!, 0))) as Pair;
      const x = randomHost([2, hw[0], hw[1], 3], 90 + i);
      const kernel = randomHost([k[0], k[1], 3, 4], 100 + i);
      await tf.setBackend('cpu');
      // tfjs wants the kernel as [kh, kw, cout, cin].
      const want = valueAndGrads((a, b) => tf.conv2dTranspose(a as tf.Tensor4D, tf.transpose(b, [0, 1, 3, 2]) as tf.Tensor4D,
        [2, out[0], out[1], 4], s, padding), [x, kernel], 110 + i);
      expect(want.value.shape).to.deep.equal([2, out[0], out[1], 4]);
      for (const backend of ['wasm', 'cpu']) {
        const got = await onBackendNoLeak(backend, () => valueAndGrads((a, b) => conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, s, padding), [x, kernel], 110 + i));
        expect(relativeError(got.value.data, want.value.data), `${backend} forward`).to.be.at.most(1e-5);
        expect(relativeError(got.grads[0]!.data, want.grads[0]!.data), `${backend} dx`).to.be.at.most(1e-5);
        expect(relativeError(got.grads[1]!.data, want.grads[1]!.data), `${backend} dkernel`).to.be.at.most(1e-5);
      }
    });
  });
});
