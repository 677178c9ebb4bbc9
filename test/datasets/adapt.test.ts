import { expect } from 'chai';
import { adaptImages, adaptSplit, chooseSpatialMode, resizeBilinear } from '../../datasets/index.js';
import type { Split } from '../../datasets/index.js';
import { expectUserErrorSync } from './fixtures.js';

function ramp(count: number, h: number, w: number, c = 1): Float32Array {
  return Float32Array.from({ length: count * h * w * c }, (_, i) => ((i * 7919) % 1000) / 1000);
}

describe('datasets/adapt', () => {
  it('pads 28×28 to 32×32 with the image centred and zeros around it', () => {
    const src = ramp(2, 28, 28);
    const out = adaptImages(src, 2, [28, 28, 1], [32, 32, 1]);
    expect(out.length).to.equal(2 * 32 * 32);
    for (let n = 0; n < 2; n++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
          const expected = inside ? src[(n * 28 + (y - 2)) * 28 + (x - 2)] : 0;
          expect(out[(n * 32 + y) * 32 + x]).to.equal(expected);
        }
      }
    }
  });

  it('pads an odd difference with the extra row/column at the bottom/right', () => {
    const src = Float32Array.from([1, 2, 3, 4]);
    const out = adaptImages(src, 1, [2, 2, 1], [5, 5, 1], 'pad');
    expect(Array.from(out)).to.deep.equal([
      0, 0, 0, 0, 0,
      0, 1, 2, 0, 0,
      0, 3, 4, 0, 0,
      0, 0, 0, 0, 0,
      0, 0, 0, 0, 0,
    ]);
  });

  it('chooses padding for small growth and resizing otherwise', () => {
    expect(chooseSpatialMode([28, 28, 1], [32, 32, 3])).to.equal('pad');
    expect(chooseSpatialMode([28, 28, 1], [96, 96, 3])).to.equal('resize');
    expect(chooseSpatialMode([28, 28, 1], [24, 24, 1])).to.equal('resize');
    expect(chooseSpatialMode([28, 28, 1], [32, 20, 1])).to.equal('resize');
  });

  it('resizing a constant image keeps it exactly constant, up or down', () => {
    for (const [h, w, c] of [[96, 96, 3], [14, 14, 1], [40, 33, 2]] as const) {
      const src = new Float32Array(28 * 28 * c).fill(0.3);
      const out = resizeBilinear(src, 1, [28, 28, c], h, w);
      expect(out.length).to.equal(h * w * c);
      for (const v of out) expect(v).to.equal(Math.fround(0.3));
    }
  });

  it('bilinear resize interpolates with half-pixel centres', () => {
    // A 1×2 image [0, 1] upsampled to 1×4 samples x = -0.25, 0.25, 0.75, 1.25 → clamped: 0, 0.25, 0.75, 1.
    const out = resizeBilinear(Float32Array.from([0, 1]), 1, [1, 2, 1], 1, 4);
    expect(Array.from(out)).to.deep.equal([0, 0.25, 0.75, 1]);
    // Downsampling a 4×4 2×2-block image to 2×2 lands on block centres' midpoints.
    const blocks = Float32Array.from([0, 0, 1, 1, 0, 0, 1, 1, 0.5, 0.5, 0.2, 0.2, 0.5, 0.5, 0.2, 0.2]);
    expect(Array.from(resizeBilinear(blocks, 1, [4, 4, 1], 2, 2))).to.deep.equal([0, 1, 0.5, 0.2].map(Math.fround));
  });

  it('replicates one channel to three and averages three to one', () => {
    const grey = Float32Array.from([0.1, 0.5, 0.9, 0.2]);
    const rgb = adaptImages(grey, 1, [2, 2, 1], [2, 2, 3]);
    expect(Array.from(rgb)).to.deep.equal([0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 0.9, 0.9, 0.9, 0.2, 0.2, 0.2].map(Math.fround));
    const colour = Float32Array.from([0.3, 0.6, 0.9, 0, 0, 0.3]);
    const back = adaptImages(colour, 1, [1, 2, 3], [1, 2, 1]);
    expect(back[0]).to.be.closeTo(0.6, 1e-6);
    expect(back[1]).to.be.closeTo(0.1, 1e-6);
    expectUserErrorSync(() => adaptImages(colour, 1, [1, 2, 3], [1, 2, 2]), /3-channel images to 2 channels/);
  });

  it('adaptSplit to 96×96×3 keeps labels and count, and returns the split itself when it fits', () => {
    const split: Split = { images: ramp(3, 28, 28), labels: Int32Array.from([4, 1, 7]), count: 3, height: 28, width: 28, channels: 1 };
    const big = adaptSplit(split, [96, 96, 3]);
    expect([big.count, big.height, big.width, big.channels]).to.deep.equal([3, 96, 96, 3]);
    expect(big.images.length).to.equal(3 * 96 * 96 * 3);
    expect(Array.from(big.labels)).to.deep.equal([4, 1, 7]);
    // Channels are exact copies after a grey → RGB resize.
    for (let i = 0; i < big.images.length; i += 3) {
      expect(big.images[i + 1]).to.equal(big.images[i]);
      expect(big.images[i + 2]).to.equal(big.images[i]);
    }
    expect(adaptSplit(split, [28, 28, 1])).to.equal(split);
    expectUserErrorSync(() => adaptSplit(split, [0, 28, 1]), /three positive integers/);
  });
});
