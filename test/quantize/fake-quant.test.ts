import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../src/backend.js';
import { fakeQuant, nudgedRange, type FakeQuantOptions } from '../../quantize/fake-quant.js';
import { fakeQuantValue, nudge, unsignedGrid } from '../../quantize/math.js';

const f32 = Math.fround;

interface Result {
  y: number[];
  dx: number[];
  dmin: number[];
  dmax: number[];
}

/** Forward value and the three gradients for upstream gradient g (default ones). */
function run(x: tf.Tensor, min: tf.Tensor, max: tf.Tensor, opts: FakeQuantOptions, g?: tf.Tensor): Result {
  let result: Result | undefined;
  tf.tidy(() => {
    const dy = g ?? tf.onesLike(x);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => fakeQuant(a, b, c, opts);
    const { value, grads } = tf.valueAndGrads(f)([x, min, max], dy);
    const read = (t: tf.Tensor) => Array.from(t.dataSync());
    result = { y: read(value), dx: read(grads[0]), dmin: read(grads[1]), dmax: read(grads[2]) };
  });
  return result as Result;
}

function run1d(xs: number[], min: number, max: number, opts: FakeQuantOptions = {}, g?: number[]): Result {
  const t = [tf.tensor1d(xs), tf.scalar(min), tf.scalar(max), ...(g ? [tf.tensor1d(g)] : [])];
  const r = run(t[0], t[1], t[2], opts, t[3]);
  tf.dispose(t);
  return r;
}

/** The float32 right below / above v. */
function nextDown(v: number): number {
  const b = new Float32Array([v]);
  const i = new Int32Array(b.buffer);
  i[0] += v > 0 ? -1 : 1;
  return b[0];
}
function nextUp(v: number): number {
  const b = new Float32Array([v]);
  const i = new Int32Array(b.buffer);
  i[0] += v >= 0 ? 1 : -1;
  return b[0];
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bits32(xs: ArrayLike<number>): number[] {
  return Array.from(new Uint32Array(Float32Array.from(xs).buffer));
}

for (const backend of ['cpu', 'wasm'] as BackendName[]) {
  describe(`quantize/fake-quant on ${backend}`, function () {
    let previous: string;
    before(async () => {
      previous = tf.getBackend();
      await selectBackend(backend);
    });
    after(async () => {
      if (previous) await tf.setBackend(previous);
    });

    describe('hand-worked 8-bit range −0.1..1.0', () => {
      // scale = 1.1/255; −min/scale = 23.18 → zero point 23;
      // nudged range = [−23·s, 232·s].
      const s = f32(f32(f32(1.0) - f32(-0.1)) / 255);
      const nMin = f32(-23 * s);
      const nMax = f32(232 * s);

      it('nudges to scale 1.1/255, zero point 23', () => {
        const r = tf.tidy(() => {
          const n = nudgedRange(tf.scalar(-0.1), tf.scalar(1.0), unsignedGrid(8, false));
          return [n.scale, n.zeroPoint, n.nudgedMin, n.nudgedMax].map((t) => t.dataSync()[0]);
        });
        expect(r).to.deep.equal([s, 23, nMin, nMax]);
      });

      it('forward: clamps, keeps zero exact, rounds to the grid', () => {
        const xs = [-0.5, nMin, 0, 0.5, 1.0, nMax, 2.0];
        const { y } = run1d(xs, -0.1, 1.0);
        expect(y).to.deep.equal([
          nMin, // below → nudged min
          nMin,
          0, // zero is a grid point
          f32(f32(139 * s) + nMin), // 0.5/s = 115.9 → 116 steps above zero = index 139
          f32(f32(255 * s) + nMin), // 1.0/s = 231.8 → index 255: the top of the grid
          f32(f32(255 * s) + nMin),
          f32(f32(255 * s) + nMin), // above → top
        ]);
        // The top output is f32(255·s) + nmin: one float32 rounding away from nmax.
        expect(y[5]).to.be.closeTo(nMax, 2e-7);
      });

      it('gradients: dx inside (bounds inclusive), dmin/dmax sum the clipped sides', () => {
        const xs = [-0.5, nextDown(nMin), nMin, 0, 0.5, nMax, nextUp(nMax), 2.0];
        const g = [1, 2, 3, 4, 5, 6, 7, 8];
        const { dx, dmin, dmax } = run1d(xs, -0.1, 1.0, {}, g);
        expect(dx).to.deep.equal([0, 0, 3, 4, 5, 6, 0, 0]);
        expect(dmin).to.deep.equal([1 + 2]);
        expect(dmax).to.deep.equal([7 + 8]);
      });

      it('keeps the shapes of min and max in their gradients', () => {
        const shapes = tf.tidy(() => {
          const x = tf.tensor2d([[-1, 0.5], [3, 0.2]]);
          const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => fakeQuant(a, b, c);
          const grads = tf.grads(f)([x, tf.tensor1d([-0.1]), tf.scalar(1.0)]);
          return grads.map((t) => t.shape);
        });
        expect(shapes).to.deep.equal([[2, 2], [1], []]);
      });
    });

    describe('finite differences of the range gradients', () => {
      // Where the clipped outputs are the only ones that move with the range
      // end, TF's dmin/dmax is the true derivative: for [0, max] (zero point
      // 0) the top of the grid is max itself and values quantized to 0 stay 0.
      function loss(xs: number[], g: number[], min: number, max: number): number {
        const { y } = run1d(xs, min, max);
        return y.reduce((acc, v, i) => acc + v * g[i], 0);
      }

      it('dmax for range [0, 1]', () => {
        const xs = [1.5, 3, 0.001, -2, 1.2];
        const g = [0.5, -1.25, 2, 3, 1.75];
        const { dmax } = run1d(xs, 0, 1, {}, g);
        const h = 1e-2;
        const fd = (loss(xs, g, 0, 1 + h) - loss(xs, g, 0, 1 - h)) / (2 * h);
        expect(dmax[0]).to.equal(0.5 - 1.25 + 1.75);
        expect(fd).to.be.closeTo(dmax[0], 1e-4);
      });

      it('dmin for range [−1, 0]', () => {
        const xs = [-1.5, -3, -0.001, 2, -1.2];
        const g = [0.5, -1.25, 2, 3, 1.75];
        const { dmin } = run1d(xs, -1, 0, {}, g);
        const h = 1e-2;
        const fd = (loss(xs, g, -1 + h, 0) - loss(xs, g, -1 - h, 0)) / (2 * h);
        expect(dmin[0]).to.equal(0.5 - 1.25 + 1.75);
        expect(fd).to.be.closeTo(dmin[0], 1e-4);
      });

      it('dx is zero where the output is flat (outside the range)', () => {
        const xs = [-3, 4];
        const h = 1e-3;
        const { dx } = run1d(xs, -1, 2);
        const yPlus = run1d(xs.map((v) => v + h), -1, 2).y;
        const yMinus = run1d(xs.map((v) => v - h), -1, 2).y;
        expect(dx).to.deep.equal([0, 0]);
        expect(yPlus.map((v, i) => (v - yMinus[i]) / (2 * h))).to.deep.equal([0, 0]);
      });
    });

    describe('nudging edge cases', () => {
      function nudged(min: number, max: number, bits = 8, narrow = false): number[] {
        return tf.tidy(() => {
          const n = nudgedRange(tf.scalar(min), tf.scalar(max), unsignedGrid(bits, narrow));
          return [n.scale, n.zeroPoint, n.nudgedMin, n.nudgedMax].map((t) => t.dataSync()[0]);
        });
      }

      it('min > 0 moves the range down to start at zero', () => {
        const s = f32(f32(2.0 - 0.5) / 255);
        expect(nudged(0.5, 2.0)).to.deep.equal([s, 0, 0, f32(255 * s)]);
        const { y, dx, dmin, dmax } = run1d([-0.2, 0, 0.4, 1.6], 0.5, 2.0, {}, [1, 2, 3, 4]);
        expect(y[0]).to.equal(0);
        expect(y[1]).to.equal(0);
        expect(y[3]).to.equal(f32(255 * s)); // 1.6 > nudged max 1.5
        expect(dx).to.deep.equal([0, 2, 3, 0]);
        expect(dmin).to.deep.equal([1]);
        expect(dmax).to.deep.equal([4]);
      });

      it('max < 0 moves the range up to end at zero', () => {
        const s = f32(f32(-0.5 - -2.0) / 255);
        expect(nudged(-2.0, -0.5)).to.deep.equal([s, 255, f32(-255 * s), 0]);
        const { y, dx, dmin, dmax } = run1d([-1.6, -0.4, 0, 0.2], -2.0, -0.5, {}, [1, 2, 3, 4]);
        expect(y[0]).to.equal(f32(-255 * s));
        expect(y[1]).to.be.closeTo(-0.4, s / 2);
        expect(y.slice(2)).to.deep.equal([0, 0]);
        expect(dx).to.deep.equal([0, 2, 3, 0]);
        expect(dmin).to.deep.equal([1]);
        expect(dmax).to.deep.equal([4]);
      });

      it('min = max keeps a finite, zero-anchored range of scale 2^-8 (any scale holds one point)', () => {
        const point = 2 ** -8;
        expect(nudged(0, 0)).to.deep.equal([point, 0, 0, f32(255 * point)]);
        // A positive point range: the zero point clamps to 0, so [0, 255·2^-8].
        expect(nudged(0.3, 0.3)).to.deep.equal([point, 0, 0, f32(255 * point)]);
        // A range narrower than a float32 step but not a point keeps the 2^-24 floor.
        expect(nudged(0, 1e-9)[0]).to.equal(2 ** -24);
        const { y, dx, dmax } = run1d([0, 1e-6, 0.3, 2], 0.3, 0.3);
        expect(y.every(Number.isFinite)).to.equal(true);
        expect(y[2]).to.equal(f32(Math.round(0.3 / point) * point));
        expect(y[3]).to.equal(f32(255 * point));
        expect(dx).to.deep.equal([1, 1, 1, 0]);
        expect(dmax).to.deep.equal([1]);
      });

      it('rounds the zero point half away from zero, also at 0.49999997', () => {
        // Find ranges [min, 3] (8 bits) whose zero_point_from_min is exactly
        // 0.5 − 2^-25 and exactly 0.5; a float32 floor(v + 0.5) would round
        // the first up to 1.
        const max = 3; // (with a power of two, 0.5 − 2^-25 is never hit)
        const zpFromMin = (m: number) => f32(0 - f32(m / f32(f32(max - m) / 255)));
        const targets = new Map<number, number>([[f32(0.5 - 2 ** -25), 0], [0.5, 1]]);
        let m = f32((-0.5 * max) / 254.5); // −m·255/(max − m) = 0.5
        for (let i = 0; i < 300; i++) m = nextUp(m);
        const found = new Map<number, number>();
        for (let i = 0; i < 600 && found.size < targets.size; i++, m = nextDown(m)) {
          const z = zpFromMin(m);
          if (targets.has(z) && !found.has(z)) found.set(z, m);
        }
        expect(found.size).to.equal(2);
        for (const [z, min] of found) {
          const expectedZp = targets.get(z);
          expect(nudge(min, max, unsignedGrid(8, false)).zeroPoint).to.equal(expectedZp);
          expect(nudged(min, max)[1]).to.equal(expectedZp);
        }
      });
    });

    describe('bit widths and narrow range', () => {
      it('2 bits on [0, 3]: scale 1, rounds half up', () => {
        const { y } = run1d([-1, 0.4, 0.5, 1.49, 2.5, 3.7], 0, 3, { bits: 2 });
        expect(y).to.deep.equal([0, 0, 1, 1, 3, 3]);
      });

      it('4 bits narrow on [−7, 7]: scale 1, zero point 8, ties go up (not away)', () => {
        const { y, dx } = run1d([-7.6, -3.5, -0.5, 0.5, 3.5, 7, 7.2], -7, 7, { bits: 4, narrowRange: true });
        expect(y).to.deep.equal([-7, -3, 0, 1, 4, 7, 7]);
        expect(dx).to.deep.equal([0, 1, 1, 1, 1, 1, 0]);
      });

      it('8 bits narrow on [−1, 1]: scale 2/254, zero point 128 (int8 zero point 0)', () => {
        const n = tf.tidy(() => {
          const r = nudgedRange(tf.scalar(-1), tf.scalar(1), unsignedGrid(8, true));
          return [r.scale, r.zeroPoint].map((t) => t.dataSync()[0]);
        });
        expect(n).to.deep.equal([f32(2 / 254), 128]);
        const s = f32(2 / 254);
        const nMin = f32(-127 * s);
        const { y } = run1d([-2, -1, 0, 0.5], -1, 1, { narrowRange: true });
        // 0.5/s = 63.5 exactly in float32? 0.5·127 = 63.5 → ties up → 64 steps.
        const idx = Math.floor(f32(f32(f32(0.5 - nMin) * f32(1 / s)) + 0.5));
        expect(y).to.deep.equal([nMin, nMin, 0, f32(f32(idx * s) + nMin)]);
      });

      it('16 bits runs and agrees with math.ts', () => {
        const xs = [-1, -0.3, 0, 0.123456, 0.7, 2];
        const { y } = run1d(xs, -0.5, 1, { bits: 16 });
        const r = nudge(-0.5, 1, unsignedGrid(16, false));
        expect(bits32(y)).to.deep.equal(bits32(xs.map((v) => fakeQuantValue(v, r))));
      });

      it('rejects bit widths outside 2..16', () => {
        expect(() => tf.tidy(() => fakeQuant(tf.scalar(1), tf.scalar(0), tf.scalar(1), { bits: 1 }))).to.throw(/bit width/);
        expect(() => tf.tidy(() => fakeQuant(tf.scalar(1), tf.scalar(0), tf.scalar(1), { bits: 17 }))).to.throw(/bit width/);
      });
    });

    describe('per-channel', () => {
      const shape = [3, 4, 5, 6];
      const cases: Array<[number, 'tf' | 'lsq']> = [[0, 'tf'], [1, 'tf'], [3, 'tf'], [-1, 'tf'], [3, 'lsq'], [1, 'lsq']];
      for (const [axis, rangeGradient] of cases) {
        it(`axis ${axis}, ${rangeGradient} gradient: each channel equals per-tensor fake-quant with its own range`, () => {
          const a = axis < 0 ? axis + shape.length : axis;
          const C = shape[a];
          const rnd = lcg(7 + a);
          const mins = Array.from({ length: C }, () => f32(-rnd() * 2));
          const maxs = Array.from({ length: C }, () => f32(rnd() * 2));
          const n = shape.reduce((p, q) => p * q, 1);
          const x = tf.tensor(Array.from({ length: n }, () => (rnd() - 0.5) * 6), shape);
          const g = tf.tensor(Array.from({ length: n }, () => rnd() - 0.5), shape);
          const got = run(x, tf.tensor1d(mins), tf.tensor1d(maxs), { axis, bits: 4, rangeGradient }, g);
          for (let c = 0; c < C; c++) {
            const want = tf.tidy(() => {
              const [xc, gc] = [x, g].map((t) => tf.gather(t, [c], a));
              const r = run(xc, tf.scalar(mins[c]), tf.scalar(maxs[c]), { bits: 4, rangeGradient }, gc);
              const [yOfC, dxOfC] = [r.y, r.dx];
              const [gotY, gotDx] = [got.y, got.dx].map((v) =>
                Array.from(tf.gather(tf.tensor(v, shape), [c], a).dataSync()),
              );
              return { yOfC, dxOfC, gotY, gotDx, dmin: r.dmin[0], dmax: r.dmax[0] };
            });
            expect(bits32(want.gotY)).to.deep.equal(bits32(want.yOfC));
            expect(want.gotDx).to.deep.equal(want.dxOfC);
            expect(got.dmin[c]).to.be.closeTo(want.dmin, 1e-5);
            expect(got.dmax[c]).to.be.closeTo(want.dmax, 1e-5);
          }
          x.dispose();
          g.dispose();
        });
      }

      it('rejects a channel count that does not match the axis', () => {
        expect(() =>
          tf.tidy(() => fakeQuant(tf.zeros([2, 3]), tf.zeros([2]), tf.ones([2]), { axis: 1 })),
        ).to.throw(/needs 3 min\/max values/);
        expect(() => tf.tidy(() => fakeQuant(tf.zeros([2, 3]), tf.zeros([3]), tf.ones([3])))).to.throw(/per-tensor/);
        expect(() => tf.tidy(() => fakeQuant(tf.zeros([2, 3]), tf.zeros([3]), tf.ones([3]), { axis: 2 }))).to.throw(/out of range/);
      });
    });

    describe('LSQ range gradient', () => {
      it('matches a hand-worked step-size gradient', () => {
        // 2 bits on [−1, 2]: s = 1, zero point 1, grid levels −1, 0, 1, 2.
        // x:      −1.5   0.3    0.6    2.5
        // y:      −1     0      1      2
        // ∂y/∂s:  −1    −0.3    0.4    2     (clamped level, or (y − x)/s inside)
        // g:       1     2      3      0.5
        // Σ g·∂y/∂s = −1 − 0.6 + 1.2 + 1 = 0.6; scale 1/sqrt(N·Qp) = 1/sqrt(4·2).
        const { y, dx, dmin, dmax } = run1d([-1.5, 0.3, 0.6, 2.5], -1, 2, { bits: 2, rangeGradient: 'lsq' }, [1, 2, 3, 0.5]);
        const ds = 0.6 / Math.sqrt(8);
        expect(y).to.deep.equal([-1, 0, 1, 2]);
        expect(dx).to.deep.equal([0, 2, 3, 0]);
        // Handed to min/max in the ratio (qmin − zp) : (qmax − zp) = −1 : 2.
        expect(dmin[0]).to.be.closeTo(-ds, 1e-6);
        expect(dmax[0]).to.be.closeTo(2 * ds, 1e-6);
      });

      it('an explicit gradient scale replaces 1/sqrt(N·Qp)', () => {
        const { dmax } = run1d([-1.5, 0.3, 0.6, 2.5], -1, 2, { bits: 2, rangeGradient: 'lsq', lsqGradScale: 1 }, [1, 2, 3, 0.5]);
        expect(dmax[0]).to.be.closeTo(2 * 0.6, 1e-6);
      });

      it("'none' leaves dx as TF and zeroes the range gradients", () => {
        const { dx, dmin, dmax } = run1d([-1.5, 0.3, 2.5], -1, 2, { bits: 2, rangeGradient: 'none' }, [1, 2, 3]);
        expect(dx).to.deep.equal([0, 2, 0]);
        expect(dmin).to.deep.equal([0]);
        expect(dmax).to.deep.equal([0]);
      });
    });

    describe('bit-exact agreement with math.ts fakeQuantValue', () => {
      it('on random ranges, all bit widths, values on/near grid ties and bounds', () => {
        const rnd = lcg(backend === 'cpu' ? 11 : 12);
        let compared = 0;
        for (let trial = 0; trial < 120; trial++) {
          const bits = 2 + (trial % 15);
          const narrowRange = trial % 4 >= 2;
          const grid = unsignedGrid(bits, narrowRange);
          const mag = 10 ** (rnd() * 8 - 5);
          // Mostly ranges around zero, some entirely on one side, some degenerate.
          const kind = trial % 10;
          let min = f32(-rnd() * mag);
          let max = f32(rnd() * mag);
          if (kind === 7) min = f32(rnd() * mag * 0.5);
          if (kind === 8) max = f32(-rnd() * mag * 0.5);
          if (kind === 9) max = min;
          const r = nudge(min, max, grid);
          const xs = new Float32Array(2000);
          for (let i = 0; i < xs.length; i++) {
            const k = Math.floor(rnd() * (grid.qmax - grid.qmin + 1));
            const tie = f32(r.nudgedMin + f32((k + 0.5) * r.scale));
            switch (i % 5) {
              case 0: xs[i] = tie; break;
              case 1: xs[i] = rnd() < 0.5 ? nextDown(tie) : nextUp(tie); break;
              case 2: xs[i] = [r.nudgedMin, r.nudgedMax, nextDown(r.nudgedMin), nextUp(r.nudgedMax)][i % 4]; break;
              default: xs[i] = (rnd() * 2.4 - 1.2) * (r.nudgedMax - r.nudgedMin) + r.nudgedMin;
            }
          }
          xs[0] = Infinity;
          xs[1] = -Infinity;
          const y = tf.tidy(() => fakeQuant(tf.tensor1d(xs), tf.scalar(min), tf.scalar(max), { bits, narrowRange }).dataSync());
          const want = Array.from(xs, (v) => fakeQuantValue(v, r));
          expect(bits32(y), `bits ${bits} narrow ${narrowRange} range [${min}, ${max}]`).to.deep.equal(bits32(want));
          compared += xs.length;
        }
        expect(compared).to.equal(240000);
      });

      it('nudged ranges equal math.ts nudge() field for field', () => {
        const rnd = lcg(99);
        const grid = unsignedGrid(8, false);
        const mins = Array.from({ length: 500 }, () => f32(-rnd() * 10 ** (rnd() * 6 - 3)));
        const maxs = Array.from({ length: 500 }, () => f32(rnd() * 10 ** (rnd() * 6 - 3)));
        const got = tf.tidy(() => {
          const n = nudgedRange(tf.tensor1d(mins), tf.tensor1d(maxs), grid);
          return [n.scale, n.zeroPoint, n.nudgedMin, n.nudgedMax].map((t) => Array.from(t.dataSync()));
        });
        const want = mins.map((m, i) => nudge(m, maxs[i], grid));
        expect(got[0]).to.deep.equal(want.map((w) => w.scale));
        expect(got[1]).to.deep.equal(want.map((w) => w.zeroPoint));
        expect(got[2]).to.deep.equal(want.map((w) => w.nudgedMin));
        expect(got[3]).to.deep.equal(want.map((w) => w.nudgedMax));
      });
    });

    it('leaks no tensors through forward and backward', () => {
      const x = tf.randomNormal([4, 3, 3, 2]);
      const lo = tf.tensor1d([-1, -0.5]);
      const hi = tf.tensor1d([1, 0.5]);
      const before = tf.memory().numTensors;
      for (const rangeGradient of ['tf', 'lsq', 'none'] as const) {
        tf.tidy(() => {
          tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => fakeQuant(a, b, c, { axis: 3, rangeGradient }))([x, lo, hi]);
        });
      }
      expect(tf.memory().numTensors).to.equal(before);
      tf.dispose([x, lo, hi]);
    });
  });
}
