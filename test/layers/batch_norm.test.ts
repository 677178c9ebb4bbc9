// Training batch norm (layers/batch_norm.ts) and relu6 (layers/ops.ts) on
// wasm, where their forward and backward passes run on the project's row
// and channel kernels, against tfjs's autodiff of the composite on the cpu
// backend: values, batch statistics and the gradients of x, γ and β, for
// channel counts that use the vector body and the scalar tail.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { batchNormTraining } from '../../layers/batch_norm.js';
import { relu6 } from '../../layers/ops.js';
import { simdKernelsAvailable } from '../../layers/wasm/tfjs_heap.js';
import { tensorMinMax } from '../../layers/reductions.js';
import {
  simdBatchNormFakeQuant, simdBatchNormForward, simdBatchNormRange, simdBatchNormRangeGrad, simdFakeQuant, simdRangeGrad,
} from '../../layers/wasm/row_ops.js';
import { onBackendNoLeak, randomHost, relativeError, valueAndGrads, type HostTensor } from './grad_check.js';

const TOLERANCE = 2e-5;

function composite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: tf.Tensor | number): tf.Tensor {
  const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}

const SHAPES: number[][] = [[3, 5, 4, 6], [2, 6, 6, 16], [4, 3, 3, 1], [9, 21]];

describe('training batch norm and relu6 on the wasm kernels vs cpu autodiff', function () {
  this.timeout(120000);
  before(async function () {
    await selectBackend('wasm');
    if (!simdKernelsAvailable()) this.skip();
  });

  for (const shape of SHAPES) {
    for (const perChannelEpsilon of [false, true]) {
      it(`[${shape.join(', ')}]${perChannelEpsilon ? ', ε per channel' : ''}: value, statistics and gradients`, async () => {
        const c = shape[shape.length - 1]!;
        const inputs: HostTensor[] = [
          randomHost(shape, 3 + c),
          { shape: [c], data: randomHost([c], 5).data.map((v) => 1 + v / 2) },
          randomHost([c], 7),
        ];
        const eps = perChannelEpsilon ? Float32Array.from({ length: c }, (_, i) => 1e-3 * (1 + i)) : null;
        const epsilonOf = (): tf.Tensor1D | number => (eps ? tf.tensor1d(eps) : 1e-3);
        const ref = await onBackendNoLeak('cpu', () => valueAndGrads((x, g, b) => composite(x, g, b, epsilonOf()), inputs, 11));
        const stats: Float32Array[] = [];
        const got = await onBackendNoLeak('wasm', () => valueAndGrads((x, g, b) => {
          const r = batchNormTraining(x, g, b, epsilonOf());
          if (stats.length === 0) stats.push(r.mean.dataSync() as Float32Array, r.variance.dataSync() as Float32Array);
          tf.dispose([r.mean, r.variance]);
          return r.y;
        }, inputs, 11));
        expect(relativeError(got.value.data, ref.value.data), 'value').to.be.below(TOLERANCE);
        got.grads.forEach((g, i) => expect(relativeError(g.data, ref.grads[i]!.data), ['dx', 'dγ', 'dβ'][i]).to.be.below(TOLERANCE));
        const x = inputs[0]!.data;
        const rows = x.length / c;
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += x[r * c + ch]!;
          expect(stats[0]![ch]).to.be.closeTo(s / rows, 1e-6);
        }
      });
    }
  }

  it('relu6: gradient passes on (0, 6], including the kinks, as tfjs\'s does', async () => {
    const h = randomHost([5, 7, 7, 13], 21);
    const data = h.data.map((v, i) => (i % 11 === 0 ? 0 : i % 13 === 0 ? 6 : v * 8));
    const x: HostTensor = { shape: h.shape, data };
    const ref = await onBackendNoLeak('cpu', () => valueAndGrads((t) => tf.relu6(t), [x], 3));
    const got = await onBackendNoLeak('wasm', () => valueAndGrads((t) => relu6(t), [x], 3));
    expect(Array.from(got.value.data)).to.deep.equal(Array.from(ref.value.data));
    expect(Array.from(got.grads[0]!.data).map((v) => v + 0)).to.deep.equal(Array.from(ref.grads[0]!.data).map((v) => v + 0));
  });
});

// The batch norm + fake quant kernels against batch norm's forward then the fake quant kernels, element
// for element: x̂ on a grid and γ = 1, β = 0 in some channels put y exactly on 0, on the clip's ends and
// on rounding ties.
describe('batch norm + fake quant kernels = batch norm, then fake quant', function () {
  before(async function () {
    await selectBackend('wasm');
    if (!simdKernelsAvailable()) this.skip();
  });
  after(async () => {
    await selectBackend('cpu');
  });

  for (const [c, lo, hi, passFrom] of [[6, -1.5, 2.25, -1.5], [9, 0, 3, 2 ** -149]] as Array<[number, number, number, number]>) {
    it(`${c} channels, clip [${lo}, ${hi}], gradient from ${passFrom}`, async () => {
      const scale = 0.25;
      const rows = 151;
      const grid = randomHost([rows * c], 21).data.map((v) => Math.round(v * 16) / 8);
      const gamma = Float32Array.from({ length: c }, (_, k) => (k % 3 === 0 ? 1 : 0.5 + k / 7));
      const beta = Float32Array.from({ length: c }, (_, k) => (k % 3 === 0 ? 0 : (k - 4) / 5));
      const [got, want] = await onBackendNoLeak('wasm', () => {
        const normedIn = tf.tensor2d(grid, [rows, c]);
        const zeroMean = tf.zeros([c]) as tf.Tensor1D;
        const one = tf.ones([c]) as tf.Tensor1D;
        const [g, b] = [tf.tensor1d(gamma), tf.tensor1d(beta)];
        const dq = tf.tensor2d(randomHost([rows * c], 23).data, [rows, c]);
        // x̂ = (x − 0)·1 = x, so the kernels see the grid as x̂.
        const range = simdBatchNormRange(normedIn, zeroMean, one, g, b);
        const { y, normed: normedAgain } = simdBatchNormForward(normedIn, zeroMean, one, g, b);
        const whole = tensorMinMax(y);
        const made = [
          range.normed, range.min, range.max, simdBatchNormFakeQuant(range.normed, g, b, lo, hi, scale), simdBatchNormRangeGrad(dq, range.normed, g, b, passFrom, hi),
          normedIn, whole.min, whole.max, simdFakeQuant(y, lo, hi, scale), simdRangeGrad(dq, y, passFrom, hi),
        ];
        const outs = made.map((t) => Array.from(t.dataSync()));
        const onEnds = y.dataSync().filter((v) => v === 0 || v === hi || v === lo).length;
        tf.dispose([...made, zeroMean, one, g, b, dq, y, normedAgain]);
        expect(onEnds, 'values exactly on 0 or the clip ends').to.be.greaterThan(10);
        return [outs.slice(0, 5), outs.slice(5)];
      });
      const what = ['x̂', 'min', 'max', 'fake quant', 'gradient'];
      got.forEach((g, i) => expect(g, what[i]).to.deep.equal(want[i]));
    });
  }

  for (const hi of [6, Infinity]) {
    it(`batch norm clipped to [0, ${hi}] in its forward pass = ${hi === 6 ? 'relu6' : 'relu'} of its output`, async () => {
      const c = 7;
      const rows = 151;
      const grid = randomHost([rows * c], 25).data.map((v) => Math.round(v * 32) / 4);
      const [got, want, onKinks] = await onBackendNoLeak('wasm', () => {
        const x = tf.tensor2d(grid, [rows, c]);
        const [mean, one] = [tf.zeros([c]) as tf.Tensor1D, tf.ones([c]) as tf.Tensor1D];
        const [g, b] = [tf.tensor1d(Float32Array.from({ length: c }, (_, k) => (k % 2 ? 1 : 0.75))), tf.tensor1d(Float32Array.from({ length: c }, (_, k) => (k % 2 ? 0 : 0.5)))];
        const clipped = simdBatchNormForward(x, mean, one, g, b, 0, hi);
        const plain = simdBatchNormForward(x, mean, one, g, b);
        const act = hi === 6 ? tf.relu6(plain.y) : tf.relu(plain.y);
        const out = [Array.from(clipped.y.dataSync(), (v) => v + 0), Array.from(act.dataSync(), (v) => v + 0), plain.y.dataSync().filter((v) => v === 0 || v === 6).length] as const;
        tf.dispose([x, mean, one, g, b, clipped.y, clipped.normed, plain.y, plain.normed, act]);
        return out;
      });
      expect(onKinks, 'values exactly on 0 or 6').to.be.greaterThan(10);
      expect(got).to.deep.equal(want);
    });
  }
});
