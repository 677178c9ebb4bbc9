// The dense-prediction datasets: canvases painted by hand-checked rules,
// labels that follow each item's own ink, determinism from the seed, the
// source's train/test split, and batches that carry masks and targets.
import { expect } from 'chai';
import {
  batches, denoisingFrom, halveItem, INK, limitSplit, loadDataset, paintCanvas, segmentationFrom, visibleBox,
  type Dataset, type Item, type Split,
} from '../../datasets/index.js';
import { expectUserError } from './fixtures.js';

const item = (side: number, values: number[]): Item => ({ side, pixels: Float32Array.from(values) });

/** A tiny source dataset: `count` 4×4 items per split, item i a filled 2×2 square of brightness 0.6 + i/100 at (i mod 3, i mod 2). */
function tinySource(count: number): Dataset {
  const split = (offset: number): Split => {
    const images = new Float32Array(count * 16);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const top = i % 3, left = i % 2;
      for (let y = top; y < top + 2; y++) for (let x = left; x < left + 2; x++) images[i * 16 + y * 4 + x] = 0.6 + (i + offset) / 100;
      labels[i] = (i + offset) % 3;
    }
    return { images, labels, count, height: 4, width: 4, channels: 1 };
  };
  return { name: 'tiny', numClasses: 3, train: split(0), test: split(20) };
}

describe('datasets/canvas', () => {
  it('visibleBox finds the smallest box around the visible pixels', () => {
    const it3 = item(3, [0, 0, 0, 0, 0.9, 0.2, 0, 0.1, 0]);
    expect(visibleBox(it3)).to.deep.equal({ top: 1, left: 1, bottom: 3, right: 3 });
    expect(visibleBox(item(2, [0, 0, 0, 0]))).to.deep.equal({ top: 0, left: 0, bottom: 2, right: 2 });
  });

  it('paints by maximum; a pixel is labelled by the item with the most ink there, if it reaches INK', () => {
    const a = item(2, [0.9, 0.3, 0.6, 0.8]);
    const b = item(2, [0.7, 0.95, 0.2, 0.4]);
    const clutter = item(1, [1]);
    const whole = { top: 0, left: 0, bottom: 2, right: 2 };
    const c = paintCanvas(3, [
      { item: clutter, from: { top: 0, left: 0, bottom: 1, right: 1 }, y: 2, x: 0, label: 0 },
      { item: a, from: whole, y: 0, x: 0, label: 2 },
      { item: b, from: whole, y: 1, x: 1, label: 5 },
    ]);
    // Worked by hand: a covers (0..1, 0..1), b covers (1..2, 1..2), they overlap at (1, 1) where b's 0.7 < a's 0.8.
    expect(Array.from(c.pixels, (v) => Math.round(v * 100) / 100)).to.deep.equal([0.9, 0.3, 0, 0.6, 0.8, 0.95, 1, 0.2, 0.4]);
    expect(Array.from(c.owner)).to.deep.equal([2, 0, 0, 2, 2, 5, 0, 0, 0]);
    expect(INK).to.equal(0.5);
    expect(() => paintCanvas(2, [{ item: a, from: whole, y: 1, x: 0, label: 1 }])).to.throw(/does not fit/);
  });

  it('halveItem averages 2×2 blocks', () => {
    const h = halveItem(item(4, [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]));
    expect(h.side).to.equal(2);
    expect(Array.from(h.pixels)).to.deep.equal([0.5, 0, 0, 1]);
  });
});

describe('datasets/dense', () => {
  it('segmentation canvases: labels are item class + 1 exactly on an item\'s own ink, clutter is bright background', () => {
    const src = tinySource(30);
    const ds = segmentationFrom(src, 'tiny-seg', 3, { side: 8, halve: false });
    expect(ds.numClasses).to.equal(4);
    expect(ds.task).to.equal('segment');
    expect(ds.classNames).to.deep.equal(['background', '0', '1', '2']);
    for (const [split, source, lo] of [[ds.train, src.train, 0.6], [ds.test, src.test, 0.8]] as const) {
      expect(split.count).to.equal(30);
      expect([split.height, split.width, split.channels]).to.deep.equal([8, 8, 1]);
      for (let n = 0; n < split.count; n++) {
        const mask = split.masks!.subarray(n * 64, (n + 1) * 64);
        const image = split.images.subarray(n * 64, (n + 1) * 64);
        // The canvas's own item is always there: its 2×2 square, labelled with its class + 1.
        const own = source.labels[n]! + 1;
        expect(mask.filter((l) => l === own).length).to.be.at.least(1);
        expect(split.labels[n]).to.equal(source.labels[n]);
        for (let p = 0; p < 64; p++) {
          // Labelled pixels are ink (noise is at most ±0.08); squares of this split are ≥ lo bright.
          if (mask[p]! > 0) expect(image[p]!).to.be.at.least(lo - 0.08 - 1e-6);
        }
        // Every labelled region is made of whole 2×2 squares: at most two items (8 pixels).
        expect(mask.filter((l) => l > 0).length).to.be.at.most(8);
      }
    }
    // Train canvases use train items only: their brightness is below the test items' 0.8.
    const brightest = (s: Split): number => Math.max(...Array.from(s.images).filter((_, i) => s.masks![i]! > 0));
    expect(brightest(ds.train)).to.be.below(0.6 + 29 / 100 + 0.08 + 1e-6);
    expect(Math.min(...Array.from(ds.test.images).filter((_, i) => ds.test.masks![i]! > 0))).to.be.at.least(0.8 - 0.08 - 1e-6);
  });

  it('is deterministic from the seed, and another seed gives other canvases', () => {
    const src = tinySource(12);
    const a = segmentationFrom(src, 's', 5, { side: 8, halve: false });
    const b = segmentationFrom(src, 's', 5, { side: 8, halve: false });
    const c = segmentationFrom(src, 's', 6, { side: 8, halve: false });
    expect(Array.from(a.train.images)).to.deep.equal(Array.from(b.train.images));
    expect(Array.from(a.test.masks!)).to.deep.equal(Array.from(b.test.masks!));
    expect(Array.from(a.train.masks!)).to.not.deep.equal(Array.from(c.train.masks!));
  });

  it('denoising: the target is the clean source image, the input that image plus noise of the stated size', () => {
    const src = tinySource(50);
    const ds = denoisingFrom(src, 'tiny-denoise', 2, 0.2);
    expect(ds.task).to.equal('image');
    expect(Array.from(ds.train.targets!)).to.deep.equal(Array.from(src.train.images));
    expect(Array.from(ds.test.targets!)).to.deep.equal(Array.from(src.test.images));
    let sq = 0, n = 0;
    for (let i = 0; i < src.train.images.length; i++) {
      const clean = src.train.images[i]!;
      const noisy = ds.train.images[i]!;
      expect(noisy).to.be.within(0, 1);
      // Away from the clipping at 0 and 1, the noise is unclipped: its spread is σ.
      if (clean > 0.5 && clean < 0.7 && noisy > 0 && noisy < 1) {
        sq += (noisy - clean) ** 2;
        n++;
      }
    }
    expect(Math.sqrt(sq / n)).to.be.within(0.15, 0.25);
    expect(Array.from(denoisingFrom(src, 'x', 2, 0.2).test.images)).to.deep.equal(Array.from(ds.test.images));
  });

  it('limit and batches keep masks and targets with their images, also when shifting', () => {
    const ds = segmentationFrom(tinySource(20), 's', 1, { side: 8, halve: false });
    const small = limitSplit(ds.train, 6);
    expect(small.masks!.length).to.equal(6 * 64);
    const order: number[] = [];
    for (const b of batches(small, 4, { shuffle: true, seed: 3, shift: 1 })) {
      expect(b.masks!.length).to.equal(b.n * 64);
      for (let k = 0; k < b.n; k++) {
        const x = b.x.subarray(k * 64, (k + 1) * 64);
        const m = b.masks!.subarray(k * 64, (k + 1) * 64);
        // A shifted example's labelled pixels are still on its ink.
        for (let p = 0; p < 64; p++) if (m[p]! > 0) expect(x[p]!).to.be.at.least(0.5);
        order.push(b.y[k]!);
      }
    }
    expect(order.length).to.equal(6);
    expect(() => [...batches(small, 4, { shuffle: false, seed: 0, inputShape: [10, 10, 1] })]).to.throw(/per-pixel targets/);
  });

  it('mnist-seg from the embedded digits: 11 classes, both splits, bright clutter in the background', async function () {
    this.timeout(120_000);
    const ds = await loadDataset('mnist-seg', { seed: 1, limit: 200 });
    expect([ds.numClasses, ds.train.count, ds.test.count]).to.deep.equal([11, 200, 200]);
    let brightBackground = 0;
    for (let n = 0; n < ds.train.count; n++) {
      const mask = ds.train.masks!.subarray(n * 784, (n + 1) * 784);
      const image = ds.train.images.subarray(n * 784, (n + 1) * 784);
      expect(Array.from(mask).some((l) => l === ds.train.labels[n]! + 1)).to.equal(true);
      if (Array.from(mask).some((l, p) => l === 0 && image[p]! >= INK)) brightBackground++;
    }
    // Thresholding alone cannot segment them.
    expect(brightBackground / ds.train.count).to.be.above(0.9);
    await expectUserError(loadDataset('mnist-segs'), /Unknown dataset "mnist-segs"/);
  });
});
