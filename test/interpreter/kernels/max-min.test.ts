import { expect } from 'chai';
import { maximumMinimum, normalizeAxes, prepareMaximumMinimum, prepareReduceMax, reduceMax } from '../../../src/interpreter/kernels/index.js';

describe('interpreter/kernels MAXIMUM / MINIMUM / REDUCE_MAX', () => {
  it('MAXIMUM / MINIMUM broadcast [2,1] against [3], int8 codes and float32 alike', () => {
    const a = [1, 5];
    const b = [0, 3, 7];
    for (const [op, want] of [['MAXIMUM', [1, 3, 7, 5, 5, 7]], ['MINIMUM', [0, 1, 1, 0, 3, 5]]] as const) {
      const p = prepareMaximumMinimum([2, 1], [3], op);
      expect(p.outputShape).to.deep.equal([2, 3]);
      const o8 = new Int8Array(6);
      maximumMinimum(p, Int8Array.from(a), Int8Array.from(b), o8);
      expect([...o8]).to.deep.equal(want);
      const of = new Float32Array(6);
      maximumMinimum(p, Float32Array.from(a, (v) => v / 4), Float32Array.from(b, (v) => v / 4), of);
      expect([...of]).to.deep.equal(want.map((v) => v / 4));
    }
  });

  it('REDUCE_MAX over H,W (global max pooling), with keep_dims, negative and repeated axes', () => {
    // [1,2,2,3]: channel c of pixel p holds 10·p − 20·c (channel 2 all negative).
    const input = Int8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 3) - 20 * (i % 3));
    const p = prepareReduceMax([1, 2, 2, 3], [-2, 1, 2], false);
    expect(p.outputShape).to.deep.equal([1, 3]);
    const out = new Int8Array(3);
    reduceMax(p, input, out);
    expect([...out]).to.deep.equal([30, 10, -10]);
    expect(prepareReduceMax([1, 2, 2, 3], [1, 2], true).outputShape).to.deep.equal([1, 1, 1, 3]);
    // Over channels instead: one max per pixel; a second run starts afresh.
    const pc = prepareReduceMax([1, 2, 2, 3], [3], false);
    const oc = new Int8Array(4);
    reduceMax(pc, input, oc);
    reduceMax(pc, input, oc);
    expect([...oc]).to.deep.equal([0, 10, 20, 30]);
    // All codes at the bottom of the range stay there.
    const low = new Int8Array(3);
    reduceMax(p, new Int8Array(12).fill(-128), low);
    expect([...low]).to.deep.equal([-128, -128, -128]);
  });

  it('REDUCE_MAX float32 and axis checks', () => {
    const p = prepareReduceMax([2, 3], [0], false);
    const out = new Float32Array(3);
    reduceMax(p, new Float32Array([-1, 2, -3, -4, 5, -6]), out);
    expect([...out]).to.deep.equal([-1, 5, -3]);
    expect(normalizeAxes([-1, 3, 0], 4)).to.deep.equal([0, 3]);
    expect(() => normalizeAxes([4], 4)).to.throw(/out of range/);
  });
});
