// `qat run --out-png`: per-pixel class scores as a colour mask, image
// outputs as grey or RGB pictures, decoded back and checked pixel by pixel.
import { expect } from 'chai';
import { decodePng } from '../../src/io/png.js';
import { classColour, outputPng, pngKindFor } from '../../src/io/output-png.js';
import { expectUserErrorSync } from '../datasets/fixtures.js';

describe('io/output-png', () => {
  it('colours the top class of each pixel; class 0 is black and classes differ', () => {
    // 1×3 pixels, 3 classes: top classes 2, 0, 1.
    const png = decodePng(outputPng(Float32Array.from([0, 1, 5, 9, 1, 1, 0, 3, -1]), [1, 1, 3, 3], 'mask'));
    expect([png.width, png.height, png.channels]).to.deep.equal([3, 1, 3]);
    const pixel = (i: number): number[] => Array.from(png.data.subarray(3 * i, 3 * i + 3));
    expect(pixel(0)).to.deep.equal(classColour(2, 3));
    expect(pixel(1)).to.deep.equal([0, 0, 0]);
    expect(pixel(2)).to.deep.equal(classColour(1, 3));
    const colours = new Set(Array.from({ length: 11 }, (_, c) => classColour(c, 11).join(',')));
    expect(colours.size).to.equal(11);
  });

  it('writes 1-channel outputs as grey and 3-channel ones as RGB, clipped to [0, 1]', () => {
    const grey = decodePng(outputPng(Float32Array.from([0, 0.5, 1.2, -0.1]), [1, 2, 2, 1], 'image'));
    expect([grey.channels, ...grey.data]).to.deep.equal([1, 0, 128, 255, 0]);
    const rgb = decodePng(outputPng(Float32Array.from([1, 0, 0, 0, 0.2, 1]), [1, 1, 2, 3], 'image'));
    expect([rgb.channels, ...rgb.data]).to.deep.equal([3, 255, 0, 0, 0, 51, 255]);
  });

  it('picks mask or image from the channel count, and refuses what it cannot draw', () => {
    expect([pngKindFor(1, 'auto'), pngKindFor(3, 'auto'), pngKindFor(11, 'auto'), pngKindFor(3, 'mask')]).to.deep.equal(['image', 'image', 'mask', 'mask']);
    expectUserErrorSync(() => outputPng(new Float32Array(10), [1, 10], 'mask'), /--out-png needs an output of shape \[1, height, width, channels\]; output 0 is \[1, 10\]/);
    expectUserErrorSync(() => outputPng(new Float32Array(8), [1, 2, 2, 2], 'image'), /--png-as image needs 1 or 3 channels; output 0 has 2/);
  });
});
