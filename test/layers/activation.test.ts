// layers/ops relu6 and biasAdd gradients on wasm and cpu against tfjs's own
// tf.relu6 / tf.add gradients on the cpu backend, including inputs exactly
// at the relu6 kinks (0 and 6), where the conventions could differ.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import * as ops from '../../layers/ops.js';
import { HostTensor, randomHost, relativeError, valueAndGrads } from './grad_check.js';

const TOLERANCE = 1e-5;

/** Values in [−2, 8) with exact 0s and 6s sprinkled in. */
function activations(shape: number[], seed: number): HostTensor {
  const h = randomHost(shape, seed);
  h.data.forEach((v, i) => { h.data[i] = i % 7 === 0 ? 0 : i % 11 === 0 ? 6 : 3 + 5 * v; });
  return h;
}

async function check(name: string, mine: (...t: tf.Tensor[]) => tf.Tensor, ref: (...t: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[]): Promise<void> {
  await tf.setBackend('cpu');
  const want = valueAndGrads(ref, inputs, 5);
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const got = valueAndGrads(mine, inputs, 5);
    expect(tf.memory().numTensors, `${name}: leak on ${backend}`).to.equal(before);
    expect(relativeError(got.value.data, want.value.data), `${name} ${backend} forward`).to.be.at.most(TOLERANCE);
    got.grads.forEach((g, k) => {
      expect(g.shape, `${name} ${backend} grad ${k} shape`).to.deep.equal(want.grads[k].shape);
      expect(relativeError(g.data, want.grads[k].data), `${name} ${backend} grad ${k}`).to.be.at.most(TOLERANCE);
    });
  }
}

describe('layers/ops relu6 and biasAdd gradients', () => {
  const previous = ops.gradFormulation();
  before(async () => {
    await selectBackend('wasm');
  });

  after(async () => {
    ops.setGradFormulation(previous);
    await tf.setBackend('cpu');
  });

  for (const formulation of ops.GRAD_FORMULATIONS) {
    for (const shape of [[3, 5, 7, 4], [6, 9]]) {
      it(`relu6 ${shape.join('x')} (${formulation}) matches tf.relu6 on wasm and cpu`, async () => {
        ops.setGradFormulation(formulation);
        await check('relu6', x => ops.relu6(x), x => tf.relu6(x), [activations(shape, 11)]);
      });

      it(`biasAdd ${shape.join('x')} (${formulation}) matches tf.add on wasm and cpu`, async () => {
        ops.setGradFormulation(formulation);
        const bias = randomHost([shape[shape.length - 1]], 13);
        await check('biasAdd', (x, b) => ops.biasAdd(x, b as tf.Tensor1D), (x, b) => tf.add(x, b), [randomHost(shape, 12), bias]);
      });
    }
  }

  it('relu6 passes the gradient on (0, 6] and blocks it at 0, below 0 and above 6', async () => {
    await tf.setBackend('wasm');
    const g = tf.tidy(() => tf.grad(x => tf.sum(ops.relu6(x)))(tf.tensor1d([-1, 0, 0.5, 6, 6.5])).dataSync());
    expect(Array.from(g)).to.deep.equal([0, 0, 1, 1, 0]);
  });
});
