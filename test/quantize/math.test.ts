import { expect } from 'chai';
import {
  nudge, unsignedGrid, signedParams, quantizeMultiplier, saturatingRoundingDoublingHighMul,
  roundingDivideByPOT, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingleRounding, fakeQuantIndex, symmetricRange, fakeQuantValue, meanStd, frexp,
} from '../../quantize/math.js';

// BigInt reference of gemmlowp's high-mul, to check the double-splitting trick.
function highMulRef(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudgeV = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudgeV) / (1n << 31n)); // BigInt division truncates toward zero
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

describe('quantize/math', () => {
  it('nudges the TF example range −0.1..1.0 to zp 23 (uint8) = −105 (int8)', () => {
    const r = nudge(-0.1, 1.0, unsignedGrid(8, false));
    expect(r.scale).to.equal(Math.fround(Math.fround(1.1) / 255));
    expect(r.zeroPoint).to.equal(23);
    expect(signedParams(r, 8).zeroPoint).to.equal(-105);
    expect(r.nudgedMin).to.be.closeTo(-23 * r.scale, 1e-7);
    expect(r.nudgedMax).to.be.closeTo(232 * r.scale, 1e-7);
  });

  it('nudges ranges that exclude zero so zero stays representable', () => {
    const pos = nudge(0.5, 2.0, unsignedGrid(8, false));
    expect(pos.zeroPoint).to.equal(0);
    expect(pos.nudgedMin).to.equal(0);
    const neg = nudge(-2.0, -0.5, unsignedGrid(8, false));
    expect(neg.zeroPoint).to.equal(255);
    expect(neg.nudgedMax).to.equal(0);
  });

  it('keeps a degenerate range (min = max) finite', () => {
    const r = nudge(0, 0, unsignedGrid(8, false));
    expect(Number.isFinite(r.scale) && r.scale > 0).to.equal(true);
    expect(fakeQuantValue(3, r)).to.be.closeTo(r.nudgedMax, 1e-9);
  });

  it('symmetric narrow-range weights land on zero point 0 of the int8 grid', () => {
    const r = nudge(-0.5, 0.5, unsignedGrid(8, true));
    expect(signedParams(r, 8)).to.deep.equal({ scale: Math.fround(1 / 254), zeroPoint: 0 });
  });

  it('fake-quant rounds half up on the grid and clamps', () => {
    const r = nudge(0, 255, unsignedGrid(8, false)); // scale 1, zp 0
    expect(fakeQuantIndex(2.5, r)).to.equal(3);
    expect(fakeQuantIndex(-7, r)).to.equal(0);
    expect(fakeQuantIndex(300, r)).to.equal(255);
    expect(fakeQuantValue(1.49, r)).to.equal(1);
  });

  it('divides by the scale like FakeQuantWithMinMaxVars (not the reciprocal multiply of the Args op)', () => {
    // Found by search: float32 division and reciprocal-multiply round to different sides of the half step.
    const cases: Array<[number, number, number, number]> = [
      // scale, nudgedMin, x, index by division
      [0.00612328527495265, -0.2265615612268448, 1.031773567199707, 206], // reciprocal gives 205
      [0.003584975842386484, -0.5162365436553955, 0.23123091459274292, 209], // reciprocal gives 208
      [0.008337873965501785, -0.06670299172401428, 0.6211715936660767, 82], // reciprocal gives 83
    ];
    for (const [scale, nudgedMin, x, index] of cases) {
      const r = { scale, zeroPoint: 0, nudgedMin, nudgedMax: nudgedMin + 255 * scale, qmin: 0, qmax: 255 };
      expect(fakeQuantIndex(x, r)).to.equal(index);
    }
  });

  it('symmetric weight ranges keep zero point 0 even for an all-zero channel', () => {
    for (const m of [0, 1e-30, 1e-6, 0.5, 3]) {
      const r = symmetricRange(m, 8);
      expect(signedParams(r, 8).zeroPoint, `|w| ≤ ${m}`).to.equal(0);
    }
    expect(symmetricRange(0.5, 4).zeroPoint - 8).to.equal(0);
  });

  it('reports input stats as mean = zero point, std = 1/scale', () => {
    expect(meanStd({ scale: 1 / 255, zeroPoint: -128 })).to.deep.equal({ mean: -128, std: 255 });
  });

  it('frexp returns fractions in [0.5, 1)', () => {
    for (const x of [1, 0.5, 0.75, 3, 1e-9, 2 ** 40, 0.0039215686]) {
      const { fraction, exponent } = frexp(x);
      expect(fraction).to.be.at.least(0.5).and.below(1);
      expect(fraction * 2 ** exponent).to.equal(x);
    }
  });

  it('quantizeMultiplier: hand-worked values', () => {
    expect(quantizeMultiplier(0.5)).to.deep.equal({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).to.deep.equal({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.25)).to.deep.equal({ multiplier: 2 ** 30, shift: -1 });
    // 0.75 = 0.75·2^0 → 0.75·2^31 = 1610612736
    expect(quantizeMultiplier(0.75)).to.deep.equal({ multiplier: 1610612736, shift: 0 });
    // a fraction that rounds up to 2^31 moves to the next exponent
    expect(quantizeMultiplier(1 - 2 ** -40)).to.deep.equal({ multiplier: 2 ** 30, shift: 1 });
  });

  it('high-mul matches a BigInt reference, including negatives and saturation', () => {
    const cases: Array<[number, number]> = [
      [0, 0], [1, 1], [-1, 1], [2 ** 30, 2 ** 30], [-(2 ** 30), 2 ** 30], [-2147483648, -2147483648],
      [-2147483648, 2147483647], [2147483647, 2147483647], [12345, -1073741824], [-3, 1073741824],
      [3, 1073741824], [-1, -1], [5, -5],
    ];
    const next = lcg(7);
    for (let i = 0; i < 20000; i++) cases.push([next() | 0, next() | 0]);
    for (const [a, b] of cases) {
      expect(saturatingRoundingDoublingHighMul(a, b), `${a}·${b}`).to.equal(highMulRef(a, b));
    }
  });

  it('rounding divide by power of two rounds half away from zero', () => {
    expect(roundingDivideByPOT(5, 1)).to.equal(3); // 2.5 → 3
    expect(roundingDivideByPOT(-5, 1)).to.equal(-3); // −2.5 → −3
    expect(roundingDivideByPOT(7, 2)).to.equal(2); // 1.75 → 2
    expect(roundingDivideByPOT(-6, 2)).to.equal(-2); // −1.5 → −2
    expect(roundingDivideByPOT(-5, 2)).to.equal(-1); // −1.25 → −1
    expect(roundingDivideByPOT(6, 2)).to.equal(2); // 1.5 → 2
  });

  it('multiplyByQuantizedMultiplier scales like the real multiplier', () => {
    const { multiplier, shift } = quantizeMultiplier(0.0123);
    for (const x of [0, 1, -1, 1000, -1000, 123456, -987654]) {
      const got = multiplyByQuantizedMultiplier(x, multiplier, shift);
      expect(Math.abs(got - x * 0.0123)).to.be.at.most(1);
    }
    // The doubling high-mul's nudge makes ties asymmetric: 3·0.5 = 1.5 → 2,
    // but −3·0.5 = −1.5 → −1 (the nudge is 1−2^30 for negative products).
    const half = quantizeMultiplier(0.5);
    expect(multiplyByQuantizedMultiplier(3, half.multiplier, half.shift)).to.equal(2);
    expect(multiplyByQuantizedMultiplier(-3, half.multiplier, half.shift)).to.equal(-1);
    // With a right shift the tie goes through RoundingDivideByPOT instead: −3·0.25 = −0.75 → −1.
    const quarter = quantizeMultiplier(0.25);
    expect(multiplyByQuantizedMultiplier(-3, quarter.multiplier, quarter.shift)).to.equal(-1);
    expect(multiplyByQuantizedMultiplier(-6, quarter.multiplier, quarter.shift)).to.equal(-2);
    const two = quantizeMultiplier(2);
    expect(multiplyByQuantizedMultiplier(-7, two.multiplier, two.shift)).to.equal(-14);
  });

  it('single rounding rounds the 64-bit product once, half up, and agrees with BigInt everywhere', () => {
    // Hand-worked: 3·0.5 = 1.5 → 2 and −3·0.5 = −1.5 → −1 (half up, towards +∞); −3·0.25 = −0.75 → −1.
    const half = quantizeMultiplier(0.5);
    expect(multiplyByQuantizedMultiplierSingleRounding(3, half.multiplier, half.shift)).to.equal(2);
    expect(multiplyByQuantizedMultiplierSingleRounding(-3, half.multiplier, half.shift)).to.equal(-1);
    const quarter = quantizeMultiplier(0.25);
    expect(multiplyByQuantizedMultiplierSingleRounding(-3, quarter.multiplier, quarter.shift)).to.equal(-1);
    expect(multiplyByQuantizedMultiplierSingleRounding(-6, quarter.multiplier, quarter.shift)).to.equal(-1); // −1.5 → −1
    expect(multiplyByQuantizedMultiplier(-6, quarter.multiplier, quarter.shift)).to.equal(-2); // double rounding: away from zero
    let seed = 12345;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let k = 0; k < 20000; k++) {
      const xv = Math.floor((next() * 2 - 1) * 2 ** (1 + Math.floor(next() * 31)));
      const mv = 2 ** 30 + Math.floor(next() * 2 ** 30);
      const sh = -Math.floor(next() * 31) + (k % 7 === 0 ? Math.floor(next() * 16) : 0);
      const t = BigInt(31 - sh);
      const want = Number((BigInt(xv) * BigInt(mv) + (1n << (t - 1n))) >> t);
      expect(multiplyByQuantizedMultiplierSingleRounding(xv, mv, sh), `${xv}·${mv} shift ${sh}`).to.equal(want);
    }
  });
});
