import { expect } from 'chai';
import { DATASET_NAMES, DATASET_DESCRIPTIONS, datasetHelp, limitSplit } from '../../datasets/index.js';
import type { Split } from '../../datasets/index.js';
import { expectUserErrorSync } from './fixtures.js';

describe('datasets/catalog and limit', () => {
  it('names the built-in datasets, each with a description', () => {
    expect([...DATASET_NAMES]).to.deep.equal(['mnist', 'fashion-mnist', 'synthetic', 'mnist-seg', 'fashion-seg', 'fashion-denoise']);
    for (const name of DATASET_NAMES) expect(DATASET_DESCRIPTIONS[name].length).to.be.greaterThan(20);
    const help = datasetHelp();
    for (const name of DATASET_NAMES) expect(help).to.include(`${name}: `);
    expect(help).to.include('t10k-images-idx3-ubyte');
  });

  it('limitSplit balances classes on label-sorted data and keeps original order', () => {
    // Sorted by label: 30 zeros, 30 ones, 30 twos; image i holds the value i.
    const labels = Int32Array.from({ length: 90 }, (_, i) => Math.floor(i / 30));
    const split: Split = { images: Float32Array.from({ length: 90 }, (_, i) => i), labels, count: 90, height: 1, width: 1, channels: 1 };
    const small = limitSplit(split, 7);
    expect(Array.from(small.images)).to.deep.equal([0, 1, 2, 30, 31, 60, 61]);
    expect(Array.from(small.labels)).to.deep.equal([0, 0, 0, 1, 1, 2, 2]);
    expect(limitSplit(split, 500)).to.equal(split);
    expectUserErrorSync(() => limitSplit(split, 0), /limit must be a positive integer/);
  });
});
