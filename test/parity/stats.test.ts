import { expect } from 'chai';
import { LayerStats, argmax, worstFirst, type LayerParity } from '../../src/parity/stats.js';

describe('parity: per-layer statistics', () => {
  it('measures eval-graph values against integer codes in LSBs of the tensor', () => {
    // scale 0.5, zero point -3: real 0 ↔ code -3, real 1 ↔ code -1.
    const s = new LayerStats('conv1', 'conv1/fq', 'qconv2d', 'int8', 0.5, -3);
    s.add(Float32Array.from([0, 1, 1.5, -1]), Int8Array.from([-3, -1, -2, -7]));
    const r = s.result();
    // codes wanted: -3, -1, 0, -5 → |Δ| = 0, 0, 2, 2
    expect(r.elements).to.equal(4);
    expect(r.maxLsb).to.equal(2);
    expect(r.meanLsb).to.equal(1);
    expect(r.exact).to.equal(0.5);
    expect(r.within1).to.equal(0.5);
    expect(() => s.add(new Float32Array(2), new Int8Array(3))).to.throw(/2 values .* 3/);
  });

  it('sorts worst first and picks the first maximum', () => {
    const row = (name: string, maxLsb: number, meanLsb: number, exact: number): LayerParity =>
      ({ name, node: `${name}/fq`, op: 'qconv2d', dtype: 'int8', scale: 1, zeroPoint: 0, elements: 1, maxLsb, meanLsb, exact, within1: 1 });
    const sorted = [row('a', 0, 0, 1), row('b', 2, 0.1, 0.9), row('c', 2, 0.3, 0.7), row('d', 1, 0.5, 0.5)].sort(worstFirst);
    expect(sorted.map((r) => r.name)).to.deep.equal(['c', 'b', 'd', 'a']);
    expect(argmax([1, 5, 5, 2])).to.equal(1);
    expect(argmax(Int8Array.from([9, -1, 3, 7, 3]), 2, 3)).to.equal(1);
  });
});
