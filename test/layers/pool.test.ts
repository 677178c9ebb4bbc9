// layers/pool maxPool gradients on wasm and cpu against tfjs's MaxPoolGrad on
// the cpu backend, including tied maxima (quantized activations tie often).
// With ties the gradient goes to the first maximum of the window on cpu (as
// in TF) and to the last one on wasm (its argmax kernel compares with ≥); a
// direct loop reference pins both.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { globalAvgPool, maxPool } from '../../layers/ops.js';
import type { Padding, Pair } from '../../layers/ops.js';
import { HostTensor, randomHost, relativeError, valueAndGrads } from './grad_check.js';

interface PoolCase { size: number; stride: number; padding: Padding; hw: [number, number]; ties: boolean }

const CASES: PoolCase[] = [];
for (const [size, stride] of [[2, 2], [3, 2], [3, 1], [2, 1]]) {
  for (const padding of ['valid', 'same'] as Padding[]) {
    for (const hw of [[8, 8], [7, 9]] as Array<[number, number]>) {
      for (const ties of [false, true]) CASES.push({ size, stride, padding, hw, ties });
    }
  }
}

/** Values on a coarse grid (−1, −0.5, 0, 0.5) so windows hold tied maxima. */
function input(c: PoolCase, seed: number): HostTensor {
  const h = randomHost([3, c.hw[0], c.hw[1], 2], seed);
  if (c.ties) h.data.forEach((v, i) => { h.data[i] = Math.floor(v * 2) / 2; });
  return h;
}

/** d Σ(maxPool(x) ⊙ w) / dx by direct loops; `pick` chooses among tied maxima. */
function poolGradByLoops(x: HostTensor, w: HostTensor, c: PoolCase, pick: 'first' | 'last'): Float32Array {
  const [n, h, wd, ch] = x.shape;
  const [, oh, ow] = w.shape;
  const span = (o: number, size: number) => (c.padding === 'same' ? Math.max((o - 1) * c.stride + c.size - size, 0) : 0);
  const top = Math.floor(span(oh, h) / 2);
  const left = Math.floor(span(ow, wd) / 2);
  const dx = new Float32Array(x.data.length);
  const at = (b: number, r: number, q: number, k: number) => ((b * h + r) * wd + q) * ch + k;
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let k = 0; k < ch; k++) {
    let best = -Infinity;
    let where = -1;
    for (let p = 0; p < c.size; p++) for (let q = 0; q < c.size; q++) {
      const r = i * c.stride - top + p;
      const col = j * c.stride - left + q;
      if (r < 0 || r >= h || col < 0 || col >= wd) continue;
      const v = x.data[at(b, r, col, k)];
      if (v > best || (pick === 'last' && v === best)) { best = v; where = at(b, r, col, k); }
    }
    dx[where] += w.data[((b * oh + i) * ow + j) * ch + k];
  }
  return dx;
}

describe('layers/pool maxPool gradients', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  after(async () => {
    await tf.setBackend('cpu');
  });

  CASES.forEach((c, i) => {
    const name = `${c.size}x${c.size} s${c.stride} ${c.padding} ${c.hw.join('x')}${c.ties ? ' with ties' : ''}`;
    it(`${name} matches tfjs cpu MaxPoolGrad on wasm and cpu`, async () => {
      const x = input(c, 300 + i);
      const s: Pair = [c.stride, c.stride];
      const k: Pair = [c.size, c.size];
      await tf.setBackend('cpu');
      const want = valueAndGrads(t => tf.maxPool(t as tf.Tensor4D, k, s, c.padding), [x], 17 + i);
      const weights = randomHost(want.value.shape, 17 + i);
      expect(relativeError(poolGradByLoops(x, weights, c, 'first'), want.grads[0].data), 'loop reference vs tfjs').to.be.at.most(1e-6);
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const got = valueAndGrads(t => maxPool(t as tf.Tensor4D, k, s, c.padding), [x], 17 + i);
        expect(tf.memory().numTensors, `leak on ${backend}`).to.equal(before);
        expect(got.grads[0].shape).to.deep.equal(want.grads[0].shape);
        expect(relativeError(got.value.data, want.value.data), `${backend} forward`).to.be.at.most(1e-6);
        const expected = c.ties ? poolGradByLoops(x, weights, c, backend === 'wasm' ? 'last' : 'first') : want.grads[0].data;
        expect(relativeError(got.grads[0].data, expected), `${backend} dx`).to.be.at.most(1e-6);
      }
    });
  });
});

describe('layers/pool globalAvgPool', () => {
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const shape of [[3, 5, 7, 4], [2, 1, 1, 9], [1, 2, 2, 1]] as Array<[number, number, number, number]>) {
    it(`${shape.join('x')}: value and gradient bit-identical to tf.mean's on cpu, on wasm and cpu`, async () => {
      const x = randomHost(shape, 41);
      await tf.setBackend('cpu');
      const want = valueAndGrads((t) => tf.mean(t, [1, 2]), [x], 43);
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const got = valueAndGrads((t) => globalAvgPool(t as tf.Tensor4D), [x], 43);
        expect(tf.memory().numTensors, `leak on ${backend}`).to.equal(before);
        expect(got.value.shape).to.deep.equal([shape[0], shape[3]]);
        expect(got.grads[0]!.shape).to.deep.equal(shape);
        expect(Array.from(got.grads[0]!.data), `${backend} dx`).to.deep.equal(Array.from(want.grads[0]!.data));
        expect(relativeError(got.value.data, want.value.data), `${backend} forward`).to.be.at.most(1e-6);
      }
    });
  }
});
