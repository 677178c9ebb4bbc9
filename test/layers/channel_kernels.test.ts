// The channel kernels (layers/wasm/channel_kernels.ts) against tfjs's own
// ops: per-channel sums and moments against tf.sum / tf.moments on the cpu
// backend, for channel counts that use every block width (16, 4 and the
// scalar tail) and row counts past one block; the activation fake quant
// against the tfjs-op formulation on wasm, element for element, on inputs
// full of exact .5 ties and values on the clip bounds.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { channelMoments, channelSum, tensorMinMax } from '../../layers/reductions.js';
import { setGradFormulation } from '../../layers/grad_options.js';
import { simdFakeQuant, simdRangeGrad } from '../../layers/wasm/row_ops.js';
import { simdKernelsAvailable } from '../../layers/wasm/tfjs_heap.js';
import { randomHost, relativeError, toTensor, onBackendNoLeak, type HostTensor } from './grad_check.js';

const SHAPES: number[][] = [[2, 5, 7, 37], [3, 16, 16, 16], [1, 9, 9, 3], [600, 21], [4, 30, 30, 64], [7, 1]];

function read(f: () => tf.Tensor[]): Float32Array[] {
  const ts = tf.tidy(f);
  const out = ts.map((t) => t.dataSync() as Float32Array);
  tf.dispose(ts);
  return out;
}

/** Values on a grid of step `scale`/2, so many x/scale are exact .5 ties, plus a few past each bound. */
function tieHeavy(n: number, scale: number, lo: number, hi: number): HostTensor {
  const r = randomHost([n], 5).data;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const steps = Math.round(((r[i]! + 1) / 2) * (hi - lo + 4 * scale) / (scale / 2));
    data[i] = lo - 2 * scale + (steps * scale) / 2;
  }
  data[0] = lo;
  data[1] = hi;
  data[2] = hi + scale;
  data[3] = lo - scale;
  return { shape: [n], data };
}

describe('channel kernels (wasm SIMD) vs tfjs', function () {
  this.timeout(120000);
  before(async function () {
    await selectBackend('wasm');
    if (!simdKernelsAvailable()) this.skip();
  });
  after(() => setGradFormulation('simd'));

  for (const shape of SHAPES) {
    it(`channel sum and moments of [${shape.join(', ')}] equal the cpu backend's to float tolerance`, async () => {
      const h = randomHost(shape, shape.length * 31 + shape[shape.length - 1]!);
      // An offset makes the variance a small difference of large squares, where a one-pass formula would fail.
      const shifted: HostTensor = { shape, data: h.data.map((v) => v + 3) };
      const axes = shape.map((_, i) => i).slice(0, -1);
      const cpu = await onBackendNoLeak('cpu', () => read(() => {
        const x = toTensor(shifted);
        const m = tf.moments(x, axes);
        return [tf.sum(x, axes), m.mean, m.variance, x];
      }));
      const wasm = await onBackendNoLeak('wasm', () => read(() => {
        const x = toTensor(shifted);
        const m = channelMoments(x);
        return [channelSum(x), m.mean, m.variance, x];
      }));
      expect(relativeError(wasm[0]!, cpu[0]!), 'sum').to.be.below(1e-5);
      expect(relativeError(wasm[1]!, cpu[1]!), 'mean').to.be.below(1e-5);
      expect(relativeError(wasm[2]!, cpu[2]!), 'variance').to.be.below(1e-4);
    });
  }

  for (const n of [1, 3, 4, 9, 4099]) {
    it(`min and max of ${n} values equal tf.min and tf.max, wherever the extremes sit`, async () => {
      for (const at of [0, n - 1, Math.floor(n / 2)]) {
        const h = randomHost([n], n + at);
        h.data[at] = 7;
        h.data[(at + 1) % n] = n > 1 ? -9 : 7;
        const [got, ref] = await onBackendNoLeak('wasm', () => {
          const out = read(() => {
            const x = toTensor(h);
            const r = tensorMinMax(x);
            return [r.min, r.max, tf.min(x), tf.max(x), x];
          });
          return [[out[0]![0], out[1]![0]], [out[2]![0], out[3]![0]]];
        });
        expect(got).to.deep.equal(ref);
      }
    });
  }

  // The last case is a fused relu's: clip at 0, but no gradient at x = 0 (it passes from the smallest positive float).
  const cases: Array<[number, number, number, number, number?]> = [[4099, 0.05, -1.2, 2.3], [1000, 1 / 64, 0, 6], [7, 0.5, -2, 2], [1003, 1 / 32, 0, 6, 2 ** -149]];
  for (const [n, scale, lo, hi, passFrom] of cases) {
    it(`fake quant and its straight-through gradient equal the tfjs ops element for element (${n} values, scale ${scale}${passFrom ? ', passing from 0⁺' : ''})`, async () => {
      const h = tieHeavy(n, scale, lo, hi);
      if (passFrom) h.data.fill(0, 4, 20);
      const dyHost = randomHost([n], 9);
      const [value, grad, ties] = await onBackendNoLeak('wasm', () => {
        const x = toTensor(h);
        const dy = toTensor(dyHost);
        const out = read(() => {
          const clipped = tf.clipByValue(x, lo, hi);
          const q = tf.div(clipped, scale);
          const inside = passFrom ? tf.logicalAnd(tf.greater(x, 0), tf.lessEqual(x, hi)) : tf.equal(clipped, x);
          return [
            tf.mul(tf.round(q), scale), tf.mul(dy, tf.cast(inside, 'float32')),
            tf.equal(tf.sub(q, tf.floor(q)), 0.5).cast('float32'),
            simdFakeQuant(x, lo, hi, scale), simdRangeGrad(dy, x, passFrom ?? lo, hi), x, dy,
          ];
        });
        return [
          { ref: out[0]!, got: out[3]! },
          { ref: out[1]!, got: out[4]! },
          out[2]!.reduce((a, b) => a + b, 0),
        ] as const;
      });
      expect(ties, 'exact .5 ties in the input').to.be.greaterThan(n / 10);
      expect(Array.from(value.got)).to.deep.equal(Array.from(value.ref));
      // dy · 0 is −0 for a negative dy; the kernel's 0 is unsigned (a zero gradient either way).
      const unsigned = (v: Float32Array): number[] => Array.from(v, (e) => e + 0);
      expect(unsigned(grad.got)).to.deep.equal(unsigned(grad.ref));
      expect(grad.got.some((v) => v === 0) && grad.got.some((v) => v !== 0)).to.equal(true);
    });
  }
});
