// The MobileNet v3 / Keras activations and elementwise ops: forward and
// gradients on wasm (and cpu) against the same functions on the cpu backend,
// where tfjs's own kernels are the reference.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import * as act from '../../layers/activations.js';
import { maximum, minimum } from '../../layers/elementwise.js';
import { randomHost, relativeError, valueAndGrads, type HostTensor } from './grad_check.js';

const TOLERANCE = 1e-5;

/** Values spread over [−6, 6): across every kink of relu6(x + 3). */
function spread(shape: number[], seed: number): HostTensor {
  const h = randomHost(shape, seed);
  h.data.forEach((v, i) => { h.data[i] = 6 * v; });
  return h;
}

async function check(name: string, f: (...t: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[]): Promise<void> {
  await tf.setBackend('cpu');
  const want = valueAndGrads(f, inputs, 5);
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const got = valueAndGrads(f, inputs, 5);
    expect(tf.memory().numTensors, `${name}: leak on ${backend}`).to.equal(before);
    expect(relativeError(got.value.data, want.value.data), `${name} ${backend} forward`).to.be.at.most(TOLERANCE);
    got.grads.forEach((g, k) => {
      expect(g.shape, `${name} ${backend} grad ${k} shape`).to.deep.equal(want.grads[k]!.shape);
      expect(relativeError(g.data, want.grads[k]!.data), `${name} ${backend} grad ${k}`).to.be.at.most(TOLERANCE);
    });
  }
}

describe('layers/activations: MobileNet v3 and Keras activations and elementwise ops on wasm', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  const shape = [2, 5, 4, 6];
  it('hard sigmoid relu6(x + 3)/6', () => check('hardSigmoidRelu6', (x) => act.hardSigmoidRelu6(x), [spread(shape, 1)]));
  it('hard sigmoid clip(0.2x + 0.5)', () => check('hardSigmoidLinear', (x) => act.hardSigmoidLinear(x), [spread(shape, 2)]));
  it('hard swish', () => check('hardSwish', (x) => act.hardSwish(x), [spread(shape, 3)]));
  it('swish', () => check('swish', (x) => act.swish(x), [spread(shape, 4)]));
  it('sigmoid and tanh', async () => {
    await check('sigmoid', (x) => tf.sigmoid(x), [spread(shape, 5)]);
    await check('tanh', (x) => tf.tanh(x), [spread(shape, 6)]);
  });
  it('leaky relu α 0.2', () => check('leakyRelu', (x) => act.leakyRelu(x, 0.2), [spread(shape, 7)]));
  it('prelu with a per-channel α gets gradients for x and α', () => check('prelu', (x, a) => act.prelu(x, a), [spread(shape, 8), randomHost([6], 9)]));
  it('squeeze-excite gate: [N,1,1,C] × [N,H,W,C] with gradients for both', () =>
    check('mul', (g, x) => tf.mul(g, x), [randomHost([2, 1, 1, 6], 10), spread(shape, 11)]));
  it('subtract with broadcasting', () => check('sub', (a, b) => tf.sub(a, b), [spread(shape, 12), randomHost([6], 13)]));

  /** tf.maximum/minimum as the reference, with the broadcast input tiled so tfjs's own gradient applies. */
  function tiledReference(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) {
    return (a: tf.Tensor, b: tf.Tensor): tf.Tensor => op(a, tf.mul(b, tf.onesLike(a)));
  }
  for (const [name, mine, theirs] of [['maximum', maximum, tf.maximum], ['minimum', minimum, tf.minimum]] as const) {
    it(`${name} with a broadcast [1,1,1,C] input (tfjs's own gradient rejects it) and with equal shapes`, async () => {
      for (const bShape of [[1, 1, 1, 6], shape]) {
        const inputs = [spread(shape, 14), spread(bShape, 15)];
        await tf.setBackend('cpu');
        const want = valueAndGrads(tiledReference(theirs), inputs, 5);
        for (const backend of ['wasm', 'cpu']) {
          await tf.setBackend(backend);
          const got = valueAndGrads((a, b) => mine(a, b), inputs, 5);
          expect(relativeError(got.value.data, want.value.data), `${name} ${backend} forward`).to.be.at.most(TOLERANCE);
          got.grads.forEach((g, k) => {
            expect(g.shape, `${name} grad ${k} shape`).to.deep.equal(inputs[k]!.shape);
            expect(relativeError(g.data, want.grads[k]!.data), `${name} ${backend} grad ${k}`).to.be.at.most(TOLERANCE);
          });
        }
      }
    });
  }

  it('tfjs\'s own minimum gradient fails on a broadcast input (why layers/elementwise exists)', async () => {
    await tf.setBackend('cpu');
    const a = tf.ones([2, 3]);
    const b = tf.ones([1, 3]);
    const before = tf.memory().numTensors;
    expect(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.minimum(x, y)))([a, b])).to.throw(/does not match the shape/);
    // The failed backward pass leaves its tape's tensors behind until the next gradient
    // computation releases them; release them here, not inside a later test's leak check.
    tf.dispose(tf.grads((x: tf.Tensor) => tf.sum(x))([a]));
    expect(tf.memory().numTensors).to.equal(before);
    tf.dispose([a, b]);
  });
  it('the hard sigmoids differ: Keras/MobileNet v3 and tfjs-layers formulas are not interchangeable', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([-3, -1, 0, 1, 2.5]);
    const a = act.hardSigmoidRelu6(x);
    const b = act.hardSigmoidLinear(x);
    expect(Array.from(a.dataSync()).map((v) => +v.toFixed(6))).to.deep.equal([0, 0.333333, 0.5, 0.666667, 0.916667]);
    expect(Array.from(b.dataSync()).map((v) => +v.toFixed(6))).to.deep.equal([0, 0.3, 0.5, 0.7, 1]);
    tf.dispose([x, a, b]);
  });
});
