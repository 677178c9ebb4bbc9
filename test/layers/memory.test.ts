// The training-memory measures: the fused training-mode batch norm against
// the composite it replaces, the backward pass freeing each op's inputs as
// it goes, and wasm's buffer-sharing Identity.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { bufferMeter } from '../../src/backend-memory.js';
import { batchNormTraining } from '../../layers/batch_norm.js';
import * as ops from '../../layers/ops.js';
import { randomHost, relativeError, toTensor, valueAndGrads, type HostTensor } from './grad_check.js';

const TOLERANCE = 1e-5;

/** The training-mode BN as tfjs's own ops compute it (what the train graph used before the fused op). */
function compositeBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}

/** Bytes in wasm buffers at the peak of `f`, above those live before it. */
function peakBytes(f: () => tf.Tensor[]): number {
  const meter = bufferMeter()!;
  meter.resetPeak();
  const before = meter.live();
  tf.dispose(f());
  expect(meter.live(), 'all freed').to.equal(before);
  return meter.peak() - before;
}

describe('training memory: fused batch norm, early-freed backward, shared Identity', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const shape of [[4, 5, 6, 8], [7, 3, 3, 2], [16, 12]]) {
    it(`batchNormTraining ${shape.join('x')}: value and gradients equal the composite's on wasm and cpu`, async () => {
      const c = shape[shape.length - 1];
      const x = randomHost(shape, 31);
      x.data.forEach((v, i) => { x.data[i] = 3 * v + (i % c); });
      const gamma = randomHost([c], 32);
      const beta = randomHost([c], 33);
      const fused = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        const r = batchNormTraining(a, g, b, 1e-3);
        tf.dispose([r.mean, r.variance]);
        return r.y;
      };
      await tf.setBackend('cpu');
      const want = valueAndGrads((a, g, b) => compositeBatchNorm(a, g, b, 1e-3), [x, gamma, beta], 34);
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const got = valueAndGrads(fused, [x, gamma, beta], 34);
        expect(tf.memory().numTensors, `leak on ${backend}`).to.equal(before);
        expect(relativeError(got.value.data, want.value.data), `${backend} forward`).to.be.at.most(TOLERANCE);
        got.grads.forEach((g, k) => {
          expect(g.shape, `${backend} grad ${k} shape`).to.deep.equal(want.grads[k].shape);
          expect(relativeError(g.data, want.grads[k].data), `${backend} grad ${k}`).to.be.at.most(TOLERANCE);
        });
      }
    });
  }

  it('batchNormTraining reports the batch mean and biased variance per channel', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d([1, 10, 3, 20, 5, 30, 7, 40], [2, 2, 1, 2]);
    const r = batchNormTraining(x, tf.ones([2]), tf.zeros([2]), 0);
    expect(Array.from(r.mean.dataSync())).to.deep.equal([4, 25]);
    expect(Array.from(r.variance.dataSync())).to.deep.equal([5, 125]);
    tf.dispose([x, r.y, r.mean, r.variance]);
  });

  it('a deep chain\'s backward holds a few activations at a time, not one per op', async () => {
    await tf.setBackend('wasm');
    const n = 64 * 1024;
    const depth = 40;
    const x = tf.randomUniform([64, 1024], -1, 7, 'float32', 5);
    const chain = (t: tf.Tensor): tf.Tensor => {
      let y = t;
      for (let k = 0; k < depth; k++) y = ops.relu6(tf.mul(y, 1.01));
      return tf.sum(y);
    };
    const peak = peakBytes(() => tf.grads(chain)([x]));
    // Forward keeps ≈2 tensors per layer for the backward (mul's input, relu6's
    // input); without the early release every dy and temporary stayed too (≈7 per layer).
    expect(peak / (4 * n)).to.be.below(3.2 * depth);
    x.dispose();
  });

  it('gradients through ops whose backward passes dy straight on are intact, and a caller\'s dy survives', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([-1, 0.5, 2, 7]);
    const dy = tf.tensor1d([1, 2, 3, 4]);
    const f = (t: tf.Tensor): tf.Tensor => ops.relu6(tf.reshape(tf.add(tf.reshape(ops.relu6(t), [2, 2]), 1), [4]));
    const [g] = tf.grads(f)([x], dy);
    // relu6(relu6(x) + 1): outer slope 1 where relu6(x)+1 ≤ 6; inner slope 1 on (0, 6].
    expect(Array.from(g.dataSync())).to.deep.equal([0, 2, 3, 0]);
    expect(Array.from(dy.dataSync()), 'the caller\'s dy').to.deep.equal([1, 2, 3, 4]);
    tf.dispose([x, dy, g]);
  });

  it('on wasm a clone shares its buffer and outlives the original', async () => {
    await tf.setBackend('wasm');
    const meter = bufferMeter()!;
    const before = meter.live();
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    expect(meter.live() - before, 'one buffer for both').to.equal(12);
    a.dispose();
    expect(Array.from(b.dataSync())).to.deep.equal([1, 2, 3]);
    b.dispose();
    expect(meter.live()).to.equal(before);
  });

  it('on wasm a saved input costs no copy: a conv step\'s peak is its activations, not twice them', async () => {
    await tf.setBackend('wasm');
    const xs: HostTensor = randomHost([8, 16, 16, 32], 41);
    const x = toTensor(xs);
    const w = tf.variable(toTensor(randomHost([1, 1, 32, 32], 42)));
    const before = tf.memory().numBytes;
    const peak = peakBytes(() => {
      const r = tf.variableGrads(() => tf.sum(ops.conv2d(x as tf.Tensor4D, w as unknown as tf.Tensor4D, [1, 1], 'same')), [w]);
      return [r.value, ...Object.values(r.grads)];
    });
    // x itself is already live; a copy of it would add another 32 KiB.
    expect(peak).to.be.below(3.5 * 4 * x.size);
    tf.dispose([x, w]);
  });
});
