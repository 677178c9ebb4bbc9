import { expect } from 'chai';
import {
  hardSwishInt8, hardSwishInt8Value, logisticInt8, prepareHardSwishInt8, prepareHardSwishInt8Lut, prepareLogisticInt8,
  prepareSoftmaxInt8, prepareTanhInt8, softmaxInt8, tanhInt8,
} from '../../../src/interpreter/kernels/index.js';
import { clampInt8, q } from './helpers.js';

const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);

describe('interpreter/kernels activations', () => {
  it('SOFTMAX int8: equal logits share probability exactly; one-hot saturates at 127', () => {
    const p = prepareSoftmaxInt8([3, 4], q(0.1, 3), 1, q(1 / 256, -128));
    const out = new Int8Array(12);
    // Row 0: four equal → 0.25·256 = 64 → −64. Row 1: one at +127, rest at −128 →
    // exp(−25.5) ≈ 8e−12 per loser: winner → 256 → clamp 127, losers → −128.
    // Row 2: two equal pairs far apart → 0.5 each → 0 and −128.
    out.fill(0);
    softmaxInt8(p, new Int8Array([10, 10, 10, 10, 127, -128, -128, -128, 50, 50, -128, -128]), out);
    expect([...out]).to.deep.equal([-64, -64, -64, -64, 127, -128, -128, -128, 0, 0, -128, -128]);
  });

  it('SOFTMAX int8 is within 1 LSB of the real softmax', () => {
    const s = 0.07;
    const p = prepareSoftmaxInt8([1, 10], q(s, -5), 1, q(1 / 256, -128));
    const input = new Int8Array([-100, -20, 0, 13, 14, 40, 41, 90, 3, -128]);
    const out = new Int8Array(10);
    softmaxInt8(p, input, out);
    const e = [...input].map((v) => Math.exp((v + 5) * s));
    const sum = e.reduce((a, b) => a + b);
    e.forEach((v, i) => expect(Math.abs(out[i] - clampInt8(Math.round((v / sum) * 256) - 128))).to.be.at.most(1));
  });

  it('LOGISTIC int8 table: zp → 0.5 → code 0; within 1 LSB everywhere', () => {
    const inQ = q(0.05, 10);
    const p = prepareLogisticInt8(inQ, q(1 / 256, -128));
    const out = new Int8Array(256);
    logisticInt8(p, all, out);
    expect(out[10 + 128]).to.equal(0);
    for (let i = 0; i < 256; i++) {
      const real = 1 / (1 + Math.exp(-(all[i] - 10) * 0.05));
      expect(Math.abs(out[i] - clampInt8(Math.round(real * 256) - 128))).to.be.at.most(1);
    }
  });

  it('TANH int8 table: odd symmetry around the zero point, within 1 LSB', () => {
    const p = prepareTanhInt8(q(0.02, 0), q(1 / 128, 0));
    const out = new Int8Array(256);
    tanhInt8(p, all, out);
    expect(out[128]).to.equal(0);
    for (let v = 1; v < 128; v++) expect(out[128 + v]).to.equal(-out[128 - v]);
    for (let i = 0; i < 256; i++) {
      expect(Math.abs(out[i] - clampInt8(Math.round(Math.tanh(all[i] * 0.02) * 128)))).to.be.at.most(1);
    }
  });

  it('HARD_SWISH int8: prepare parameters, fixed points, and ≤ 1 LSB from x·relu6(x+3)/6', () => {
    // s_in = s_out = 0.05: hires scale 0.05/128; output multiplier 1/128 = 2^30·2^(−6−31) → Q15 16384, exponent −6.
    const raw = prepareHardSwishInt8(q(0.05, -20), q(0.05, -30));
    expect(raw.outputMultiplier16).to.equal(16384);
    expect(raw.outputExponent).to.equal(-6);
    // x = zp → 0 → output zp.
    expect(hardSwishInt8Value(raw, -20)).to.equal(-30);
    const lut = prepareHardSwishInt8Lut(q(0.05, -20), q(0.05, -30));
    const out = new Int8Array(256);
    hardSwishInt8(lut, all, out);
    for (let i = 0; i < 256; i++) {
      const x = (all[i] + 20) * 0.05;
      const real = (x * Math.min(6, Math.max(0, x + 3))) / 6;
      expect(Math.abs(out[i] - clampInt8(Math.round(real / 0.05) - 30)), `code ${all[i]}`).to.be.at.most(1);
    }
  });
});
