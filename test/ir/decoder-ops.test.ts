// Shape inference and attribute checks of the decoder ops.
import { expect } from 'chai';
import { GraphBuilder } from '../../src/ir/builder.js';
import { userErrorMessage } from '../support/user-error.js';

describe('ir: decoder ops', () => {
  it('infers crop, mirror pad and upsampling shapes', () => {
    const b = new GraphBuilder('shapes');
    const x = b.input('input', [7, 6, 3]);
    expect(b.shape(b.crop('crop', x, [[1, 2], [0, 3]]))).to.deep.equal([4, 3, 3]);
    expect(b.shape(b.mirrorPad('reflect', x, [[6, 0], [2, 5]]))).to.deep.equal([13, 13, 3]);
    expect(b.shape(b.mirrorPad('symmetric', x, [[7, 0], [6, 6]], 'symmetric'))).to.deep.equal([14, 18, 3]);
    expect(b.shape(b.upsample('near', x, [2, 3]))).to.deep.equal([14, 18, 3]);
    expect(b.shape(b.upsample('bil', x, 2, { interpolation: 'bilinear' }))).to.deep.equal([14, 12, 3]);
  });

  it('rejects a crop that leaves nothing, a mirror wider than the input and a bad factor, in one sentence naming the node', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('input', [4, 4, 2]);
    expect(userErrorMessage(() => b.crop('crop', x, [[2, 2], [0, 0]]))).to.match(/node 'crop' \(crop\): cropping .* leaves nothing/);
    expect(userErrorMessage(() => b.mirrorPad('pad', x, [[4, 0], [0, 0]], 'reflect'))).to.match(/node 'pad' \(mirrorPad\): reflect padding .* wider/);
    expect(userErrorMessage(() => b.upsample('up', x, [0, 2]))).to.match(/node 'up' \(upsampleNearest\): size must be two positive integers/);
  });
});
