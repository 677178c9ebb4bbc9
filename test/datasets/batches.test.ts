import { expect } from 'chai';
import { batches, batchCount } from '../../datasets/index.js';
import type { Batch, Split } from '../../datasets/index.js';
import { expectUserErrorSync } from './fixtures.js';

// Image i is filled with the value i / 1000 so each batch row reveals which example it is.
function taggedSplit(count: number, h = 2, w = 3, c = 1): Split {
  const size = h * w * c;
  const images = new Float32Array(count * size);
  for (let i = 0; i < count; i++) images.fill(i / 1000, i * size, (i + 1) * size);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 7);
  return { images, labels, count, height: h, width: w, channels: c };
}

function exampleIds(b: Batch, size: number): number[] {
  return Array.from({ length: b.n }, (_, k) => Math.round(b.x[k * size] * 1000));
}

function epochOrder(split: Split, batchSize: number, shuffle: boolean, seed: number): { ids: number[]; sizes: number[] } {
  const size = split.height * split.width * split.channels;
  const ids: number[] = [];
  const sizes: number[] = [];
  for (const b of batches(split, batchSize, { shuffle, seed })) {
    const bIds = exampleIds(b, size);
    // Labels travel with their images.
    expect(Array.from(b.y)).to.deep.equal(bIds.map((i) => split.labels[i]));
    expect(b.shape).to.deep.equal([b.n, split.height, split.width, split.channels]);
    expect(b.x.length).to.equal(b.n * size);
    ids.push(...bIds);
    sizes.push(b.n);
  }
  return { ids, sizes };
}

describe('datasets/batches', () => {
  const split = taggedSplit(103);

  it('covers every example exactly once per epoch, last short batch included', () => {
    for (const shuffle of [false, true]) {
      const { ids, sizes } = epochOrder(split, 10, shuffle, 5);
      expect(sizes).to.deep.equal([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
      expect([...ids].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 103 }, (_, i) => i));
    }
    expect(batchCount(split, 10)).to.equal(11);
  });

  it('without shuffle keeps file order', () => {
    expect(epochOrder(split, 16, false, 1).ids).to.deep.equal(Array.from({ length: 103 }, (_, i) => i));
  });

  it('seeded shuffles: same seed → same order, different seed → different order', () => {
    const a = epochOrder(split, 10, true, 42).ids;
    const b = epochOrder(split, 10, true, 42).ids;
    const c = epochOrder(split, 10, true, 43).ids;
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
    expect(a).to.not.deep.equal(Array.from({ length: 103 }, (_, i) => i));
    // The iterable can be walked twice with the same result.
    const iterable = batches(split, 10, { shuffle: true, seed: 9 });
    const first = [...iterable].map((bt) => exampleIds(bt, 6)).flat();
    const second = [...iterable].map((bt) => exampleIds(bt, 6)).flat();
    expect(first).to.deep.equal(second);
  });

  it('a batch larger than the split yields one batch', () => {
    const all = [...batches(split, 1000, { shuffle: true, seed: 1 })];
    expect(all.map((b) => b.n)).to.deep.equal([103]);
  });

  it('returns fresh buffers, never views into the split', () => {
    const [b] = batches(split, 4, { shuffle: false, seed: 0 });
    b.x[0] = 99;
    expect(split.images[0]).to.equal(0);
  });

  it('adapts batches to the model input shape on the fly', () => {
    const s = taggedSplit(5, 28, 28, 1);
    const out = [...batches(s, 2, { shuffle: false, seed: 0, inputShape: [32, 32, 3] })];
    expect(out.map((b) => b.shape)).to.deep.equal([[2, 32, 32, 3], [2, 32, 32, 3], [1, 32, 32, 3]]);
    const last = out[2];
    expect(last.x.length).to.equal(32 * 32 * 3);
    // Padding: the corner is zero, the centre carries the image's value in all three channels.
    expect(last.x[0]).to.equal(0);
    const centre = (16 * 32 + 16) * 3;
    expect(Array.from(last.x.subarray(centre, centre + 3))).to.deep.equal([0.004, 0.004, 0.004].map(Math.fround));
  });

  it('rejects a bad batch size or an impossible shape with a UserError', () => {
    expectUserErrorSync(() => batches(split, 0, { shuffle: false, seed: 0 }), /batch size must be a positive integer, got 0/);
    expectUserErrorSync(() => batches(split, 2.5, { shuffle: false, seed: 0 }), /got 2\.5/);
    const rgb = taggedSplit(4, 2, 2, 3);
    expectUserErrorSync(() => batches(rgb, 2, { shuffle: false, seed: 0, inputShape: [2, 2, 2] }), /3-channel images to 2 channels/);
  });

  it('shift augmentation moves each image by a seeded whole-pixel offset within ±shift, zero-filled', () => {
    // One bright pixel in the middle of a 9×9 image: after the shift it sits at most 2 px away.
    const n = 40, h = 9, w = 9;
    const images = new Float32Array(n * h * w);
    for (let i = 0; i < n; i++) images[i * h * w + 4 * w + 4] = 1;
    const split: Split = { images, labels: new Int32Array(n).map((_, i) => i % 10), count: n, height: h, width: w, channels: 1 };
    const seen = new Set<string>();
    const run = (seed: number) => [...batches(split, 16, { shuffle: false, seed, shift: 2 })];
    for (const b of run(3)) {
      for (let k = 0; k < b.n; k++) {
        const img = b.x.subarray(k * h * w, (k + 1) * h * w);
        const at = img.findIndex((v) => v === 1);
        expect(img.reduce((a, v) => a + v, 0)).to.equal(1); // nothing else appears
        const [y, x] = [Math.floor(at / w), at % w];
        expect(Math.abs(y - 4)).to.be.at.most(2);
        expect(Math.abs(x - 4)).to.be.at.most(2);
        seen.add(`${y},${x}`);
      }
    }
    expect(seen.size).to.be.greaterThan(5); // offsets really vary
    expect(Array.from(run(3)[0].x)).to.deep.equal(Array.from(run(3)[0].x));
    expect(Array.from(run(4)[0].x)).to.not.deep.equal(Array.from(run(3)[0].x));
    // A pixel shifted off the edge is dropped, not wrapped.
    const edge = new Float32Array(h * w);
    edge[0] = 1;
    const one: Split = { images: edge, labels: new Int32Array(1), count: 1, height: h, width: w, channels: 1 };
    let dropped = 0;
    for (let seed = 0; seed < 30; seed++) {
      const b = [...batches(one, 1, { shuffle: false, seed, shift: 1 })][0];
      const sum = b.x.reduce((a, v) => a + v, 0);
      expect(sum === 0 || sum === 1).to.equal(true);
      if (sum === 0) dropped++;
    }
    expect(dropped).to.be.greaterThan(0);
    expectUserErrorSync(() => batches(split, 4, { shuffle: false, seed: 0, shift: -1 }), /shift/);
  });
});
