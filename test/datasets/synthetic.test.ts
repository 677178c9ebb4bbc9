import { expect } from 'chai';
import { loadDataset } from '../../datasets/index.js';
import type { Split } from '../../datasets/index.js';
import { expectUserError } from './fixtures.js';

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('datasets/synthetic', () => {
  it('defaults to 2000 / 500 28×28×1 images, 10 balanced classes, values in [0, 1]', async () => {
    const d = await loadDataset('synthetic');
    expect([d.train.count, d.test.count]).to.deep.equal([2000, 500]);
    expect([d.train.height, d.train.width, d.train.channels]).to.deep.equal([28, 28, 1]);
    expect(d.numClasses).to.equal(10);
    const h = new Array<number>(10).fill(0);
    for (const l of d.train.labels) h[l]++;
    expect(h).to.deep.equal(new Array(10).fill(200));
    let min = Infinity;
    let max = -Infinity;
    for (const v of d.train.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).to.be.at.least(0);
    expect(max).to.be.at.most(1);
    expect(max - min).to.be.greaterThan(0.5);
  });

  it('same seed → same data; different seed → different data', async () => {
    const a = await loadDataset('synthetic', { seed: 7 });
    const b = await loadDataset('synthetic', { seed: 7 });
    const c = await loadDataset('synthetic', { seed: 8 });
    expect(sameFloats(a.train.images, b.train.images)).to.equal(true);
    expect(sameFloats(a.test.images, b.test.images)).to.equal(true);
    expect(sameFloats(a.train.images, c.train.images)).to.equal(false);
    expect(sameFloats(a.test.images, c.test.images)).to.equal(false);
    expect(sameFloats(a.train.images.subarray(0, 784), a.test.images.subarray(0, 784))).to.equal(false);
  });

  it('sizes and shape are overridable; the test split does not depend on the train size', async () => {
    const d = await loadDataset('synthetic', { seed: 3, synthetic: { trainCount: 30, testCount: 20, height: 32, width: 24, channels: 3 } });
    expect([d.train.count, d.test.count, d.train.height, d.train.width, d.train.channels]).to.deep.equal([30, 20, 32, 24, 3]);
    expect(d.train.images.length).to.equal(30 * 32 * 24 * 3);
    const e = await loadDataset('synthetic', { seed: 3, synthetic: { trainCount: 50, testCount: 20, height: 32, width: 24, channels: 3 } });
    expect(sameFloats(d.test.images, e.test.images)).to.equal(true);
    await expectUserError(loadDataset('synthetic', { synthetic: { trainCount: 0 } }), /trainCount/);
  });

  it('is learnable: 1-nearest-neighbour on the train split classifies test images', async () => {
    const d = await loadDataset('synthetic', { seed: 11 });
    const size = 784;
    const nearest = (test: Split, i: number): number => {
      let best = -1;
      let bestDist = Infinity;
      for (let j = 0; j < d.train.count; j++) {
        let s = 0;
        for (let p = 0; p < size; p++) {
          const e = test.images[i * size + p] - d.train.images[j * size + p];
          s += e * e;
        }
        if (s < bestDist) {
          bestDist = s;
          best = d.train.labels[j];
        }
      }
      return best;
    };
    let correct = 0;
    const n = 60;
    for (let i = 0; i < n; i++) if (nearest(d.test, i) === d.test.labels[i]) correct++;
    expect(correct / n).to.be.at.least(0.9);
  });
});
