import { expect } from 'chai';
import {
  leakyReluFloat, leakyReluInt8, leakyReluInt8Arithmetic, leakyReluInt8Value, prepareLeakyReluInt8, preluFloat, preluInt8,
  preparePreluFloat, preparePreluInt8, xnnLeakyReluMultipliers,
} from '../../../src/interpreter/kernels/index.js';
import { q } from './helpers.js';

describe('interpreter/kernels LEAKY_RELU / PRELU', () => {
  it("LEAKY_RELU XNNPACK hand-worked: 8-bit multipliers, ties rounded half up", () => {
    // s_in/s_out = 1/2 → m+ = 256·0.5 = 128; alpha 1/4 → m− = 256·0.125 = 32.
    expect(xnnLeakyReluMultipliers(0.5, 1, 0.25)).to.deep.equal({ positive: 128, negative: 32 });
    const p = leakyReluInt8Arithmetic(q(0.5), q(1), 0.25, 'xnnpack');
    // 3·0.5 = 1.5 → (384 + 128) >> 8 = 2; −4·0.125 = −0.5 → 0; −12·0.125 = −1.5 → −1 (half up).
    expect([3, -4, -12, -3].map((x) => leakyReluInt8Value(p, x))).to.deep.equal([2, 0, -1, 0]);
    // TFLite's reference rounds −1.5 away from zero (its final shift), so −2 there.
    const ref = leakyReluInt8Arithmetic(q(0.5), q(1), 0.25, 'reference');
    expect([3, -4, -12].map((x) => leakyReluInt8Value(ref, x))).to.deep.equal([2, -1, -2]);
  });

  it('LEAKY_RELU: the 8-bit multipliers round to nearest and the output saturates at the int8 range', () => {
    // 256·(0.03/0.1) = 76.8 → 77 (float32 ratio); 256·0.3·0.1 = 7.68 → 8.
    expect(xnnLeakyReluMultipliers(0.03, 0.1, 0.1)).to.deep.equal({ positive: 77, negative: 8 });
    // ratio 4: 127 − (−128) = 255 steps · 4 saturates at 127.
    const lut = prepareLeakyReluInt8(q(1, -128), q(0.25, -128), 0.5, 'xnnpack');
    const out = new Int8Array(3);
    leakyReluInt8(lut, new Int8Array([-128, -127, 127]), out);
    expect([...out]).to.deep.equal([-128, -124, 127]);
  });

  it('LEAKY_RELU where the delegate refuses: builtin double rounding (−62.5 → −63)', () => {
    // s_in/s_out = 256 is beyond XNNPACK's 2^7; the negative ratio 256·2^−10 = 1/4.
    expect(xnnLeakyReluMultipliers(1, 1 / 256, 2 ** -10)).to.equal(null);
    const p = leakyReluInt8Arithmetic(q(1, 127), q(1 / 256, 0), 2 ** -10, 'xnnpack');
    expect(p.kind).to.equal('fixed');
    // d = −250 → −62.5 → −63; d = −252 → −63; d = −255 → −63.75 → −64; d = 0 → 0.
    expect([-123, -125, -128, 127].map((x) => leakyReluInt8Value(p, x))).to.deep.equal([-63, -63, -64, 0]);
  });

  it('LEAKY_RELU float32: x·alpha below zero, x above', () => {
    const out = new Float32Array(4);
    leakyReluFloat(0.2, new Float32Array([-1, 2, 0, -0.5]), out);
    expect([...out]).to.deep.equal([Math.fround(-0.2), 2, 0, Math.fround(-0.1)]);
  });

  it('PRELU hand-worked: per-channel slopes with a zero point, ties away from zero', () => {
    // s_in 1/2, s_α 1/4 (zp 1), s_out 1: channel 0 slope (3 − 1)/4 = 1/2, channel 1 slope (5 − 1)/4 = 1.
    const p = preparePreluInt8([1, 3, 2], q(0.5), [2], q(0.25, 1), q(1, 4));
    const alpha = new Int8Array([3, 5]);
    const out = new Int8Array(6);
    // (3, −3), (−10, −5), (0, 7): 1.5 → 2; −3·0.5·1 = −1.5 → −2; −10·0.5·0.5 = −2.5 → −3; −5·0.5 = −2.5 → −3; 0; 3.5 → 4.
    preluInt8(p, new Int8Array([3, -3, -10, -5, 0, 7]), alpha, out);
    expect([...out]).to.deep.equal([2, -2, -3, -3, 0, 4].map((v) => v + 4));
  });

  it('PRELU float32 broadcasts [C] slopes over [N,H,W,C]', () => {
    const p = preparePreluFloat([1, 2, 1, 2], [2]);
    expect(p.outputShape).to.deep.equal([1, 2, 1, 2]);
    const out = new Float32Array(4);
    preluFloat(p, new Float32Array([-2, -2, 3, -1]), new Float32Array([0.5, 0.25]), out);
    expect([...out]).to.deep.equal([-1, -0.5, 3, -0.25]);
  });
});
