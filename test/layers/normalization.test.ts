// The fused instance / layer normalization against tfjs's autodiff of the
// composite on the cpu backend: value and the gradients of x, γ and β, on
// wasm and cpu.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { normalize } from '../../layers/normalization.js';
import { randomHost, relativeError, valueAndGrads } from './grad_check.js';

const TOLERANCE = 2e-5;

function composite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, axes: number[], epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}

interface Case {
  name: string;
  shape: number[];
  axes: number[];
  /** γ/β broadcast shape. */
  param: number[];
}

const CASES: Case[] = [
  { name: 'instance norm (H, W per channel)', shape: [3, 5, 4, 6], axes: [1, 2], param: [1, 1, 1, 6] },
  { name: 'layer norm over the last axis', shape: [2, 4, 3, 8], axes: [3], param: [1, 1, 1, 8] },
  { name: 'layer norm over H, W, C', shape: [2, 3, 4, 5], axes: [1, 2, 3], param: [1, 3, 4, 5] },
  { name: 'layer norm of features', shape: [5, 12], axes: [1], param: [1, 12] },
];

describe('layers/normalization: fused norm vs the composite\'s autodiff', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of CASES) {
    it(`${c.name} ${c.shape.join('x')}: value and gradients on wasm and cpu`, async () => {
      const x = randomHost(c.shape, 41);
      x.data.forEach((v, i) => { x.data[i] = 3 * v + (i % 7) - 2; });
      const gamma = randomHost(c.param, 42);
      const beta = randomHost(c.param, 43);
      await tf.setBackend('cpu');
      const want = valueAndGrads((a, g, b) => composite(a, g, b, c.axes, 1e-3), [x, gamma, beta], 44);
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const got = valueAndGrads((a, g, b) => normalize(a, g, b, c.axes, 1e-3), [x, gamma, beta], 44);
        expect(tf.memory().numTensors, `leak on ${backend}`).to.equal(before);
        expect(relativeError(got.value.data, want.value.data), `${backend} forward`).to.be.at.most(TOLERANCE);
        got.grads.forEach((g, k) => {
          expect(g.shape, `${backend} grad ${k} shape`).to.deep.equal(want.grads[k]!.shape);
          expect(relativeError(g.data, want.grads[k]!.data), `${backend} grad ${k}`).to.be.at.most(TOLERANCE);
        });
      }
    });
  }
});
