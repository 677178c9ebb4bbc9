import { expect } from 'chai';
import {
  addInt8, binaryFloat, mulInt8, planBroadcast, prepareAddInt8, prepareBinaryFloat, prepareMulInt8, prepareSubInt8, subInt8,
} from '../../../src/interpreter/kernels/index.js';
import { clampInt8, lcg, q, randInt8 } from './helpers.js';

describe('interpreter/kernels ADD / SUB / MUL', () => {
  it('ADD hand-worked: 1.5 + 1 = 2.5 → 3 and −2.5 → −3 (ties away from zero)', () => {
    // s1 = s2 = 0.5, s_out = 1: inputs lifted by 2^20, halved (multiplier 0.5), summed,
    // then scaled by 1/2^20: 3·2^19 + 2^20 = 5·2^19 → 2.5 → 3; the negative mirror → −3.
    const p = prepareAddInt8([4], q(0.5), [4], q(0.5), q(1), 'NONE');
    const out = new Int8Array(4);
    addInt8(p, new Int8Array([3, -3, 0, 100]), new Int8Array([2, -2, 1, 100]), out);
    expect([...out]).to.deep.equal([3, -3, 1, 100]);
  });

  it('ADD with zero points and RELU6 clamps in the quantized domain', () => {
    // s = 0.1 everywhere, zp1 = 10, zp2 = −10, zp_out = −20. RELU6 → [zp_out, zp_out + 60] = [−20, 40].
    const p = prepareAddInt8([3], q(0.1, 10), [3], q(0.1, -10), q(0.1, -20), 'RELU6');
    expect([p.actMin, p.actMax]).to.deep.equal([-20, 40]);
    const out = new Int8Array(3);
    addInt8(p, new Int8Array([20, 0, 60]), new Int8Array([-5, -30, 30]), out);
    // reals: 1.0 + 0.5 = 1.5 → −5; −1 − 2 = −3 → clamp −20; 5 + 4 = 9 → clamp 40
    expect([...out]).to.deep.equal([-5, -20, 40]);
  });

  it('SUB hand-worked: 1.5 − 1 = 0.5 → 1, 1 − 1.5 = −0.5 → −1', () => {
    const p = prepareSubInt8([2], q(0.5), [2], q(0.5), q(1), 'NONE');
    const out = new Int8Array(2);
    subInt8(p, new Int8Array([3, 2]), new Int8Array([2, 3]), out);
    expect([...out]).to.deep.equal([1, -1]);
  });

  it('ADD/SUB with different scales stay within 1 LSB of real arithmetic and broadcast a per-channel vector', () => {
    const rand = lcg(3);
    const a = randInt8(rand, 2 * 3 * 4);
    const b = randInt8(rand, 4);
    for (const sign of [1, -1] as const) {
      const p = sign === 1 ? prepareAddInt8([2, 3, 4], q(0.03, 4), [4], q(0.011, -9), q(0.05, 2), 'NONE')
        : prepareSubInt8([2, 3, 4], q(0.03, 4), [4], q(0.011, -9), q(0.05, 2), 'NONE');
      expect(p.outputShape).to.deep.equal([2, 3, 4]);
      const out = new Int8Array(24);
      addInt8(p, a, b, out);
      for (let i = 0; i < 24; i++) {
        const real = (a[i] - 4) * 0.03 + sign * (b[i % 4] + 9) * 0.011;
        expect(Math.abs(out[i] - clampInt8(Math.round(real / 0.05) + 2))).to.be.at.most(1);
      }
    }
  });

  it('MUL hand-worked: (3)(−1)·0.5 = −1.5 → −1 (high-mul ties up), scalar broadcast', () => {
    // s1 = s2 = 1, s_out = 2 → multiplier 0.5; zp1 = 1 so x1 − zp1 = 3; scalar x2 = −1.
    const p = prepareMulInt8([3], q(1, 1), [], q(1), q(2, 0), 'NONE');
    const out = new Int8Array(3);
    mulInt8(p, new Int8Array([4, 2, 1]), new Int8Array([-1]), out);
    // (3)(−1)/2 = −1.5 → −1; (1)(−1)/2 = −0.5 → 0; 0 → 0
    expect([...out]).to.deep.equal([-1, 0, 0]);
  });

  it('MUL property: within 1 LSB of the real product', () => {
    const rand = lcg(11);
    const a = randInt8(rand, 64);
    const b = randInt8(rand, 64);
    const p = prepareMulInt8([64], q(0.02, -3), [64], q(0.05, 7), q(0.03, -1), 'NONE');
    const out = new Int8Array(64);
    mulInt8(p, a, b, out);
    for (let i = 0; i < 64; i++) {
      const real = (a[i] + 3) * 0.02 * (b[i] - 7) * 0.05;
      expect(Math.abs(out[i] - clampInt8(Math.round(real / 0.03) - 1))).to.be.at.most(1);
    }
  });

  it('broadcast plans [2,1,3] × [4,1] → [2,4,3] and float ops follow it', () => {
    const plan = planBroadcast([2, 1, 3], [4, 1]);
    expect(plan.outputShape).to.deep.equal([2, 4, 3]);
    const p = prepareBinaryFloat([2, 1, 3], [4, 1], 'ADD', 'NONE');
    const a = Float32Array.from({ length: 6 }, (_, i) => i * 10);
    const b = Float32Array.from({ length: 4 }, (_, i) => i);
    const out = new Float32Array(24);
    binaryFloat(p, a, b, out);
    for (let n = 0; n < 2; n++) for (let h = 0; h < 4; h++) for (let c = 0; c < 3; c++) {
      expect(out[(n * 4 + h) * 3 + c]).to.equal(a[n * 3 + c] + b[h]);
    }
    expect(() => planBroadcast([2, 3], [4])).to.throw(/cannot be broadcast/);
  });
});
