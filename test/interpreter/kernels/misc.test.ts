import { expect } from 'chai';
import {
  concatenation, concatenationInt8, copyTensor, dequantize, dequantizeFloat16, halfToFloat, pad, planConcatenation, prepareConcatenationInt8,
  prepareDequantize, preparePadInt8, prepareQuantize, prepareRequantize, quantizeFloat, requantize, reshapeOutputShape, squeezeOutputShape,
} from '../../../src/interpreter/kernels/index.js';
import { q } from './helpers.js';

describe('interpreter/kernels data movement and (de)quantization', () => {
  it('PAD fills with the output zero point', () => {
    const p = preparePadInt8([1, 1, 2, 1], [0, 0, 1, 0, 0, 1, 0, 0], -3);
    expect(p.outputShape).to.deep.equal([1, 2, 3, 1]);
    const out = new Int8Array(6);
    pad(p, new Int8Array([5, 6]), out);
    expect([...out]).to.deep.equal([-3, -3, -3, 5, 6, -3]);
  });

  it('CONCATENATION copies along an inner axis and requantizes inputs whose scale differs', () => {
    const plan = planConcatenation([[2, 1], [2, 2]], -1);
    expect(plan.outputShape).to.deep.equal([2, 3]);
    const out = new Float32Array(6);
    concatenation(plan, [new Float32Array([1, 2]), new Float32Array([3, 4, 5, 6])], out);
    expect([...out]).to.deep.equal([1, 3, 4, 2, 5, 6]);
    // Second input has scale 0.5 vs output 1: codes halve (ties up), zp −2 → 0.
    const p = prepareConcatenationInt8([[1, 2], [1, 2]], [q(1, 0), q(0.5, -2)], 1, q(1, 0));
    expect(p.requant[0]).to.equal(null);
    const o8 = new Int8Array(4);
    concatenationInt8(p, [new Int8Array([7, -7]), new Int8Array([3, -5])], o8);
    // (3+2)·0.5 = 2.5 → 3; (−5+2)·0.5 = −1.5 → −1
    expect([...o8]).to.deep.equal([7, -7, 3, -1]);
  });

  it('RESHAPE infers −1 and SQUEEZE drops size-1 dims', () => {
    expect(reshapeOutputShape([1, 4, 4, 2], [1, -1])).to.deep.equal([1, 32]);
    expect(() => reshapeOutputShape([3, 5], [4, -1])).to.throw(/cannot infer/);
    expect(squeezeOutputShape([1, 1, 1, 10], [])).to.deep.equal([10]);
    expect(squeezeOutputShape([1, 1, 1, 10], [1, 2])).to.deep.equal([1, 10]);
    expect(() => squeezeOutputShape([1, 3], [1])).to.throw(/size 3/);
    const out = new Int8Array(3);
    copyTensor(new Int8Array([1, 2, 3]), out);
    expect([...out]).to.deep.equal([1, 2, 3]);
  });

  it('QUANTIZE float→int8 rounds x/scale half away from zero, adds zp, clamps', () => {
    const p = prepareQuantize(q(0.5, -1));
    const out = new Int8Array(6);
    quantizeFloat(p, new Float32Array([0.25, -0.25, 0.74, 1000, -1000, 0]), out);
    // 0.5 → 1 → 0; −0.5 → −1 → −2; 1.48 → 1 → 0; clamp 127; clamp −128; 0 → −1
    expect([...out]).to.deep.equal([0, -2, 0, 127, -128, -1]);
    const u = new Uint8Array(2);
    quantizeFloat(prepareQuantize(q(1, 128)), new Float32Array([-0.5, 200]), u);
    expect([...u]).to.deep.equal([127, 255]);
  });

  it('QUANTIZE int8↔uint8 with equal scales shifts by 128; other scales requantize with MBQM', () => {
    const p = prepareRequantize(q(0.1, -128), q(0.1, 0));
    const u = new Uint8Array(3);
    requantize(p, new Int8Array([-128, 0, 127]), u);
    expect([...u]).to.deep.equal([0, 128, 255]);
    const back = new Int8Array(3);
    requantize(prepareRequantize(q(0.1, 0), q(0.1, -128)), u, back);
    expect([...back]).to.deep.equal([-128, 0, 127]);
    // Halving the scale ratio: (5 − 0)·0.5 = 2.5 → 3, (−5)·0.5 → −2 (ties up)
    const h = new Int8Array(2);
    requantize(prepareRequantize(q(0.5), q(1)), new Int8Array([5, -5]), h);
    expect([...h]).to.deep.equal([3, -2]);
  });

  it('DEQUANTIZE per tensor and per channel; float16', () => {
    const out = new Float32Array(2);
    dequantize(prepareDequantize([2], q(0.1, -128)), new Int8Array([-128, 2]), out);
    expect([...out]).to.deep.equal([0, Math.fround(0.1 * 130)]);
    const pc = prepareDequantize([2, 2], q([1, 0.5], 0, 0));
    const o4 = new Float32Array(4);
    dequantize(pc, new Int8Array([1, 2, 3, 4]), o4);
    expect([...o4]).to.deep.equal([1, 2, 1.5, 2]);
    expect(halfToFloat(0x3c00)).to.equal(1);
    expect(halfToFloat(0xc000)).to.equal(-2);
    expect(halfToFloat(0x0001)).to.equal(2 ** -24);
    const f = new Float32Array(1);
    dequantizeFloat16(new Uint16Array([0x3555]), f);
    expect(f[0]).to.be.closeTo(1 / 3, 1e-3);
  });
});
