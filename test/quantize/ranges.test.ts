import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend.js';
import { fakeQuant } from '../../quantize/fake-quant.js';
import { fakeQuantValue, nudge, signedParams, unsignedGrid } from '../../quantize/math.js';
import {
  batchRange, currentRangeQuantize, evalQuantize, observeEma, rangeVariables, storeGetter, trainQuantize,
  type QuantizerConfig, type RangeVariables,
} from '../../quantize/ranges.js';

const f32 = Math.fround;
const read = (t: tf.Tensor) => Array.from(t.dataSync());

describe('quantize/ranges', function () {
  let store: Map<string, tf.Variable>;
  let previous: string;
  before(async () => {
    previous = tf.getBackend();
    await selectBackend('wasm');
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });
  beforeEach(() => {
    store = new Map();
  });
  afterEach(() => {
    for (const v of store.values()) v.dispose();
  });

  const act: QuantizerConfig = { bits: 8, narrowRange: false, range: 'ema', decay: 0.9 };

  describe('variables in the caller’s store', () => {
    it('creates <name>/min, /max, /observed once and returns the same variables after', () => {
      const get = storeGetter(store);
      const a = rangeVariables(get, 'conv1/act', act);
      const b = rangeVariables(get, 'conv1/act', act);
      expect([...store.keys()]).to.deep.equal(['conv1/act/min', 'conv1/act/max', 'conv1/act/observed']);
      expect(a.min).to.equal(b.min);
      expect(a.min.trainable).to.equal(false);
      const learned = rangeVariables(get, 'fc/act', { ...act, range: 'learned' });
      expect(learned.max.trainable).to.equal(true);
      expect(learned.observed.trainable).to.equal(false);
    });

    it('per-channel variables have one entry per channel, and need the count', () => {
      const get = storeGetter(store);
      expect(rangeVariables(get, 'w', { ...act, axis: 3 }, 5).min.shape).to.deep.equal([5]);
      expect(() => rangeVariables(get, 'w2', { ...act, axis: 3 })).to.throw(/channel count/);
    });
  });

  describe('EMA activation ranges', () => {
    it('the first batch initialises directly, later ones average with TF’s update', () => {
      const vars = rangeVariables(storeGetter(store), 'a', act);
      tf.tidy(() => observeEma(vars, tf.tensor1d([-0.5, 0.2, 3]), act));
      expect([read(vars.min), read(vars.max), read(vars.observed)]).to.deep.equal([[-0.5], [3], [1]]);
      tf.tidy(() => observeEma(vars, tf.tensor1d([-1.5, 1]), act));
      // v − (v − batch)·(1 − 0.9): min −0.5 − (−0.5 + 1.5)·0.1 = −0.6; max 3 − (3 − 1)·0.1 = 2.8
      expect(vars.min.dataSync()[0]).to.be.closeTo(-0.6, 1e-6);
      expect(vars.max.dataSync()[0]).to.be.closeTo(2.8, 1e-6);
      expect(vars.observed.dataSync()[0]).to.equal(2);
    });

    it('widens batch ranges to contain zero', () => {
      const vars = rangeVariables(storeGetter(store), 'a', act);
      tf.tidy(() => observeEma(vars, tf.tensor1d([0.5, 2]), act));
      expect([vars.min.dataSync()[0], vars.max.dataSync()[0]]).to.deep.equal([0, 2]);
      const neg = rangeVariables(storeGetter(store), 'b', act);
      tf.tidy(() => observeEma(neg, tf.tensor1d([-3, -1]), act));
      expect([neg.min.dataSync()[0], neg.max.dataSync()[0]]).to.deep.equal([-3, 0]);
    });

    it('tracks per-channel ranges along axis 3', () => {
      const cfg = { ...act, axis: 3 };
      const vars = rangeVariables(storeGetter(store), 'a', cfg, 2);
      tf.tidy(() => observeEma(vars, tf.tensor4d([1, -2, 3, 4, -1, 0.5, 0, 1], [1, 2, 2, 2]), cfg));
      expect(read(vars.min)).to.deep.equal([-1, -2]);
      expect(read(vars.max)).to.deep.equal([3, 4]);
    });

    it('rejects a decay outside [0, 1)', () => {
      const vars = rangeVariables(storeGetter(store), 'a', act);
      expect(() => observeEma(vars, tf.scalar(1), { ...act, decay: 1 })).to.throw(/decay/);
    });
  });

  describe('quant delay', () => {
    const cfg: QuantizerConfig = { ...act, quantDelay: 2 };
    const values = [-0.37, 0.1234, 1.9];
    const x = () => tf.tensor1d(values);

    it('is the identity before the delay but still observes the range', () => {
      const vars = rangeVariables(storeGetter(store), 'a', cfg);
      const y = tf.tidy(() => read(trainQuantize(x(), vars, cfg, 0)));
      expect(y).to.deep.equal(values.map(f32));
      expect([vars.min.dataSync()[0], vars.max.dataSync()[0]]).to.deep.equal([f32(-0.37), f32(1.9)]);
      tf.tidy(() => trainQuantize(x(), vars, cfg, 1));
      expect(vars.observed.dataSync()[0]).to.equal(2);
    });

    it('fake-quantizes with the freshly observed range from the delay on', () => {
      const vars = rangeVariables(storeGetter(store), 'a', cfg);
      tf.tidy(() => trainQuantize(tf.tensor1d([-1, 1]), vars, cfg, 1));
      const y = tf.tidy(() => read(trainQuantize(x(), vars, cfg, 2)));
      // EMA after the second batch, then the op with that range.
      const lo = f32(-1 - (-1 - -0.37) * f32(1 - 0.9));
      expect(vars.min.dataSync()[0]).to.be.closeTo(lo, 1e-6);
      const want = tf.tidy(() => read(fakeQuant(x(), vars.min, vars.max)));
      expect(y).to.deep.equal(want);
      expect(y).to.not.deep.equal(values.map(f32));
      // The eval graph uses the same frozen range and does not observe.
      const before = vars.observed.dataSync()[0];
      expect(tf.tidy(() => read(evalQuantize(x(), vars, cfg)))).to.deep.equal(want);
      expect(vars.observed.dataSync()[0]).to.equal(before);
    });
  });

  describe('learned ranges', () => {
    const cfg: QuantizerConfig = { bits: 8, narrowRange: false, range: 'learned', decay: 0.5, observeSteps: 2 };

    function sgdStep(vars: RangeVariables, x: tf.Tensor, g: tf.Tensor, step: number, lr: number): void {
      const opt = tf.train.sgd(lr);
      opt.minimize(() => tf.sum(tf.mul(trainQuantize(x, vars, cfg, step), g)) as tf.Scalar, false, [vars.min, vars.max]);
      opt.dispose();
    }

    it('observe by EMA first (no range gradient), then follow the optimizer', () => {
      const vars = rangeVariables(storeGetter(store), 'a', cfg);
      const x = tf.tensor1d([-1, 0.3, 2]);
      const g = tf.tensor1d([1, 1, 1]);
      sgdStep(vars, x, g, 0, 0.1);
      expect([vars.min.dataSync()[0], vars.max.dataSync()[0]]).to.deep.equal([-1, 2]);
      sgdStep(vars, tf.tensor1d([-2, 0, 3]), g, 1, 0.1);
      // EMA with decay 0.5 → [−1.5, 2.5]; −2 and 3 are clipped by it, yet SGD
      // leaves the range alone while it is observed.
      expect([vars.min.dataSync()[0], vars.max.dataSync()[0]]).to.deep.equal([-1.5, 2.5]);

      // Past the observation phase: no more EMA; SGD moves the range by −lr·grad.
      // x = −2 and 3 lie outside the nudged [−1.506, 2.494]: dmin = 2, dmax = −4.
      const x2 = tf.tensor1d([-2, 0.1, 3]);
      const g2 = tf.tensor1d([2, 1, -4]);
      sgdStep(vars, x2, g2, 2, 0.1);
      expect(vars.min.dataSync()[0]).to.be.closeTo(-1.5 - 0.1 * 2, 1e-6);
      expect(vars.max.dataSync()[0]).to.be.closeTo(2.5 + 0.1 * 4, 1e-6);
      expect(vars.observed.dataSync()[0]).to.equal(2);
      tf.dispose([x, g, x2, g2]);
    });
  });

  describe('weight ranges', () => {
    const wcfg: QuantizerConfig = { bits: 8, narrowRange: true, range: 'minmax', symmetric: true, axis: 3 };

    it('per-channel symmetric [−max|w|, max|w|] on axis 3, int8 zero point 0 for every channel', () => {
      // [kh=1, kw=2, cin=1, cout=3]: channel maxima |w| = 0.8, 2, 0 (an all-zero channel).
      const w = tf.tensor4d([0.5, -2, 0, -0.8, 1, 0], [1, 2, 1, 3]);
      const vars = rangeVariables(storeGetter(store), 'conv/w', wcfg, 3);
      tf.tidy(() => trainQuantize(w, vars, wcfg, 0));
      const lo = read(vars.min);
      const hi = read(vars.max);
      expect(hi.slice(0, 2)).to.deep.equal([f32(0.8), 2]);
      expect(lo.slice(0, 2)).to.deep.equal([f32(-0.8), -2]);
      expect(hi[2]).to.be.greaterThan(0);
      const grid = unsignedGrid(8, true);
      for (let c = 0; c < 3; c++) {
        expect(signedParams(nudge(lo[c], hi[c], grid), 8).zeroPoint, `channel ${c}`).to.equal(0);
      }
      w.dispose();
    });

    it('the stateless eval form equals the train form and the exporter’s symmetric nudge', () => {
      const w = tf.tensor4d([0.5, -2, 0.3, -0.8, 1, 0.01, 0.33, 0.7, -0.02], [1, 3, 1, 3]);
      const vars = rangeVariables(storeGetter(store), 'conv/w', wcfg, 3);
      const train = tf.tidy(() => read(trainQuantize(w, vars, wcfg, 0)));
      const evalY = tf.tidy(() => read(currentRangeQuantize(w, wcfg)));
      expect(evalY).to.deep.equal(train);
      // Channel c's values through math.ts with nudge(−max|w_c|, max|w_c|).
      const wv = read(w);
      const absMax = [0, 1, 2].map((c) => Math.max(...[0, 1, 2].map((k) => Math.abs(wv[k * 3 + c]))));
      const want = wv.map((v, i) => fakeQuantValue(v, nudge(-absMax[i % 3], absMax[i % 3], unsignedGrid(8, true))));
      expect(evalY).to.deep.equal(want);
      w.dispose();
    });

    it('per-channel on axis 0 and per-tensor', () => {
      const w = tf.tensor2d([[0.5, -2], [0.25, 0.1]]);
      const rows = tf.tidy(() => read(batchRange(w, { axis: 0, symmetric: true, narrowRange: true }).max));
      expect(rows).to.deep.equal([2, 0.25]);
      const all = tf.tidy(() => {
        const r = batchRange(w, { symmetric: true, narrowRange: true });
        return [r.min.dataSync()[0], r.max.dataSync()[0]];
      });
      expect(all).to.deep.equal([-2, 2]);
      w.dispose();
    });

    it('without narrow range uses TF’s two’s-complement ratio (still zero point 0)', () => {
      const r = tf.tidy(() => {
        const b = batchRange(tf.tensor1d([-1, 0.5]), { symmetric: true, narrowRange: false, bits: 8 });
        return [b.min.dataSync()[0], b.max.dataSync()[0]];
      });
      // max(|min|·254/256, max) = 0.9921875; min stays −1.
      expect(r).to.deep.equal([-1, 0.9921875]);
      expect(signedParams(nudge(r[0], r[1], unsignedGrid(8, false)), 8).zeroPoint).to.equal(0);
    });
  });
});
