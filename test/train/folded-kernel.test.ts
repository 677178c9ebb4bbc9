// The train graph's folded, fake-quantized kernel computed in place on the
// wasm heap (train/graph/folded-kernel.ts) against its op form on the cpu
// backend (scaleKernel of W by γ·rsqrt(σ²+ε), then fakeQuantWeights) under
// tfjs autodiff: values bit-identical, gradients of W and γ to float
// tolerance, for conv, depthwise (channel = cin·mult) and dense kernels,
// per channel and per tensor, 8 and 4 bits, with and without a folded BN.
// Variances are exact powers of 4 with ε = 0, so both forms fold with the
// same float32 factors and every quantized value must agree.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { scaleKernel, type QConvLikeNode } from '../../quantize/fold.js';
import { fakeQuantWeights } from '../../train/graph/qat-ops.js';
import { trainKernel, trainKernelAvailable } from '../../train/graph/folded-kernel.js';
import { onBackendNoLeak, randomHost, relativeError, valueAndGrads, type HostTensor } from '../layers/grad_check.js';

const TOLERANCE = 1e-5;

interface Case { op: QConvLikeNode['op']; shape: number[]; channels: number }
const CASES: Case[] = [
  { op: 'qconv2d', shape: [3, 3, 2, 5], channels: 5 },
  { op: 'qdepthwiseConv2d', shape: [3, 3, 4, 2], channels: 8 },
  { op: 'qdense', shape: [6, 7], channels: 7 },
];

function nodeOf(op: QConvLikeNode['op'], bits: number, perChannel: boolean): QConvLikeNode {
  return { op, name: 'layer', inputs: [], params: {}, attrs: { weightQuant: { bits, perChannel } } } as unknown as QConvLikeNode;
}

/** Variances 1/16 … 16 (exact reciprocal square roots) and γ of both signs, one zero. */
function foldInputs(channels: number): { gamma: HostTensor; variance: HostTensor } {
  const gamma = randomHost([channels], 11);
  gamma.data[channels - 1] = 0;
  return { gamma, variance: { shape: [channels], data: Float32Array.from({ length: channels }, (_, c) => 4 ** ((c % 5) - 2)) } };
}

describe('folded fake-quant kernel in place on wasm vs the op form on cpu', function () {
  this.timeout(60000);
  before(async function () {
    await selectBackend('wasm');
    if (!trainKernelAvailable(tf.zeros([1]))) this.skip();
  });
  after(async () => {
    await selectBackend('wasm');
  });

  for (const c of CASES) {
    for (const [bits, perChannel] of [[8, true], [8, false], [4, true]] as const) {
      for (const folded of [true, false]) {
        it(`${c.op} [${c.shape.join(', ')}], ${bits} bits ${perChannel ? 'per channel' : 'per tensor'}${folded ? ', folded BN' : ''}`, async () => {
          const node = nodeOf(c.op, bits, perChannel);
          const w = randomHost(c.shape, 3 + c.channels);
          const { gamma, variance } = foldInputs(c.channels);
          const inputs = folded ? [w, gamma] : [w];
          const reference = await onBackendNoLeak('cpu', () => valueAndGrads((wt, g) => {
            const kernel = g ? scaleKernel(node, wt!, tf.mul(g, tf.rsqrt(tf.tensor1d(variance.data)))) : wt!;
            return fakeQuantWeights(node, kernel);
          }, inputs, 5));
          const ours = await onBackendNoLeak('wasm', () => valueAndGrads((wt, g) => {
            const bn = g ? { gamma: g, movingVariance: tf.tensor1d(variance.data), epsilon: 0 } : null;
            return trainKernel(node, wt!, bn, bits, perChannel).kernel;
          }, inputs, 5));
          const differing = ours.value.data.filter((v, i) => v !== reference.value.data[i]).length;
          expect(differing, `${differing} of ${ours.value.data.length} quantized weights differ`).to.equal(0);
          // Quantized for real: at most 2^bits − 1 distinct values in each channel (or the tensor).
          const groups = perChannel ? c.channels : 1;
          for (let k = 0; k < groups; k++) {
            const values = new Set(ours.value.data.filter((_, i) => !perChannel || i % c.channels === k));
            expect(values.size).to.be.at.most(2 ** bits - 1);
          }
          expect(ours.grads.length).to.equal(inputs.length);
          ours.grads.forEach((g, i) => {
            expect(g.shape).to.deep.equal(inputs[i]!.shape);
            expect(relativeError(g.data, reference.grads[i]!.data), `gradient ${i}`).to.be.below(TOLERANCE);
          });
        });
      }
    }
  }

  it('exact .5 ties round to even, as tf.round does', async () => {
    // Each channel's max is 127/128, so the scale is 1/128 and (k + ½)/128 lies on a tie.
    const node = nodeOf('qdense', 8, true);
    const w: HostTensor = { shape: [64, 4], data: Float32Array.from({ length: 256 }, (_, i) => (i < 4 ? 127 : (i % 251) - 125.5) / 128) };
    const reference = await onBackendNoLeak('cpu', () => tf.tidy(() => fakeQuantWeights(node, tf.tensor(w.data, w.shape)).dataSync()));
    const ours = await onBackendNoLeak('wasm', () => tf.tidy(() => trainKernel(node, tf.tensor(w.data, w.shape), null, 8, true).kernel.dataSync()));
    expect([...ours]).to.deep.equal([...reference]);
    expect(ours[4]).to.equal(-122 / 128); // −121.5 → −122 (even), not −121 (half up)
    expect(ours[128]).to.equal(2 / 128); // 2.5 → 2 (even), not 3 (half up or away)
  });

  it('without quantization (the quant delay) it is W·f alone', async () => {
    const node = nodeOf('qconv2d', 8, true);
    const w = randomHost([3, 3, 2, 5], 8);
    const { gamma, variance } = foldInputs(5);
    const ours = await onBackendNoLeak('wasm', () => tf.tidy(() => trainKernel(node, tf.tensor(w.data, w.shape),
      { gamma: tf.tensor1d(gamma.data), movingVariance: tf.tensor1d(variance.data), epsilon: 0 }, null, true).kernel.dataSync()));
    const want = w.data.map((v, i) => Math.fround(v * Math.fround(gamma.data[i % 5]! / Math.sqrt(variance.data[i % 5]!))));
    expect([...ours]).to.deep.equal([...want]);
  });
});
