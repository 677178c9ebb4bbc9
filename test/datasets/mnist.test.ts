import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadDataset } from '../../datasets/index.js';
import type { Dataset, Split } from '../../datasets/index.js';

// The raw digit files, read independently of the loader under test.
function rawDigits(): number[][] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  return Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data);
}

function histogram(split: Split): number[] {
  const h = new Array<number>(10).fill(0);
  for (const l of split.labels) h[l]++;
  return h;
}

describe('datasets/mnist (embedded digits)', () => {
  let d: Dataset;
  let raw: number[][];
  before(async () => {
    d = await loadDataset('mnist');
    raw = rawDigits();
  });

  it('splits each class 85% / 15% in file order, covering all 10,000 digits', () => {
    const perClass = raw.map((r) => r.length / 784);
    expect(perClass.reduce((a, b) => a + b, 0)).to.equal(10000);
    const trainPer = perClass.map((n) => Math.floor(n * 0.85));
    expect(histogram(d.train)).to.deep.equal(trainPer);
    expect(histogram(d.test)).to.deep.equal(perClass.map((n, i) => n - trainPer[i]));
    expect(d.train.count + d.test.count).to.equal(10000);
    expect([d.train.height, d.train.width, d.train.channels]).to.deep.equal([28, 28, 1]);
    expect(d.train.images.length).to.equal(d.train.count * 784);
    expect(d.numClasses).to.equal(10);
    expect(d.description).to.match(/85%/);
  });

  it('interleaves classes round-robin and keeps file order within a class', () => {
    expect(Array.from(d.train.labels.subarray(0, 20))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Train example 13 is the second "3" of 3.json; test example 0 is the first "0" after the train cut.
    const second3 = raw[3].slice(784, 2 * 784);
    expect(Array.from(d.train.images.subarray(13 * 784, 14 * 784))).to.deep.equal(second3.map(Math.fround));
    const cut0 = Math.floor((raw[0].length / 784) * 0.85);
    expect(Array.from(d.test.images.subarray(0, 784))).to.deep.equal(raw[0].slice(cut0 * 784, (cut0 + 1) * 784).map(Math.fround));
    expect(d.test.labels[0]).to.equal(0);
  });

  it('has pixel values in [0, 1] with real ink', () => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of d.train.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).to.equal(0);
    expect(max).to.equal(1);
  });

  it('loads identically twice', async () => {
    const again = await loadDataset('mnist');
    expect(Buffer.from(again.train.images.buffer).equals(Buffer.from(d.train.images.buffer))).to.equal(true);
    expect(Array.from(again.test.labels)).to.deep.equal(Array.from(d.test.labels));
  });

  it('--limit keeps a balanced, deterministic prefix of each split', async () => {
    const small = await loadDataset('mnist', { limit: 500 });
    expect(small.train.count).to.equal(500);
    expect(small.test.count).to.equal(500);
    expect(histogram(small.train)).to.deep.equal(new Array(10).fill(50));
    expect(histogram(small.test)).to.deep.equal(new Array(10).fill(50));
    expect(Array.from(small.train.images.subarray(0, 784 * 3))).to.deep.equal(Array.from(d.train.images.subarray(0, 784 * 3)));
  });
});
