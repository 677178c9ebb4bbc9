import { expect } from 'chai';
import {
  averagePool2dInt8, maxPool2dInt8, meanInt8, meanFloat, prepareAveragePool2dInt8, prepareMaxPool2dInt8, prepareMeanInt8, prepareMeanFloat,
} from '../../../src/interpreter/kernels/index.js';
import { q } from './helpers.js';

const pool2 = { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding: 'VALID' as const, activation: 'NONE' as const };

describe('interpreter/kernels pooling and MEAN', () => {
  it('AVERAGE_POOL rounds half away from zero with C truncating division', () => {
    // channels: [1,2,3,5] → 11/4 = 2.75 → 3; [−1,−2,−3,−5] → −2.75 → −3;
    // [1,2,3,4] → 2.5 → 3; [−1,−2,−3,−4] → −2.5 → −3; [−1,0,0,0] → −0.25 → 0
    const chans = [[1, 2, 3, 5], [-1, -2, -3, -5], [1, 2, 3, 4], [-1, -2, -3, -4], [-1, 0, 0, 0]];
    const input = new Int8Array(4 * 5);
    for (let px = 0; px < 4; px++) for (let c = 0; c < 5; c++) input[px * 5 + c] = chans[c][px];
    const p = prepareAveragePool2dInt8([1, 2, 2, 5], pool2, q(0.1, 0));
    const out = new Int8Array(5);
    averagePool2dInt8(p, input, out);
    expect([...out]).to.deep.equal([3, -3, 3, -3, 0]);
  });

  it('AVERAGE_POOL SAME divides by the in-bounds tap count only', () => {
    // 1×3 row [4, 8, 1], 1×2 window stride 2 SAME → out width 2, total pad 1 at the end:
    // [4,8] → 6; [1] alone → 1 (not 1/2).
    const p = prepareAveragePool2dInt8([1, 1, 3, 1], { filterH: 1, filterW: 2, strideH: 2, strideW: 2, padding: 'SAME', activation: 'NONE' }, q(1));
    const out = new Int8Array(2);
    averagePool2dInt8(p, new Int8Array([4, 8, 1]), out);
    expect([...out]).to.deep.equal([6, 1]);
  });

  it('MAX_POOL takes the in-bounds max and applies the fused RELU at the zero point', () => {
    const p = prepareMaxPool2dInt8([1, 2, 2, 2], { ...pool2, activation: 'RELU' }, q(0.5, -10));
    const out = new Int8Array(2);
    maxPool2dInt8(p, new Int8Array([-50, 3, -20, 9, -30, -1, -40, 7]), out);
    // ch0 max −20 → clamped to zp −10; ch1 max 9
    expect([...out]).to.deep.equal([-10, 9]);
  });

  it('MEAN over H,W keep_dims: integer reference (MBQM then rounded division by H·W)', () => {
    // zp_in 1: x − zp = [0,1,2,4] → 7. s_in/s_out = 1 → 7, (7+2)/4 = 2.
    // s_out 0.5 → 14, (14+2)/4 = 4 (3.5 rounds away). Negative: x − zp = [−3,−2,−1,−3] → −9·2 = −18 → (−18−2)/4 = −5 (−4.5 away from zero).
    const a = prepareMeanInt8([1, 2, 2, 1], q(1, 1), [1, 2], true, q(1, 0));
    expect(a.path).to.equal('hw-integer');
    const out = new Int8Array(1);
    meanInt8(a, new Int8Array([1, 2, 3, 5]), out);
    expect(out[0]).to.equal(2);
    const b = prepareMeanInt8([1, 2, 2, 1], q(1, 1), [2, 1], true, q(0.5, 0));
    meanInt8(b, new Int8Array([1, 2, 3, 5]), out);
    expect(out[0]).to.equal(4);
    meanInt8(b, new Int8Array([-2, -1, 0, -2]), out);
    expect(out[0]).to.equal(-5);
  });

  it('MEAN without keep_dims: same-quant truncates, otherwise float32 rescale rounds', () => {
    const s = prepareMeanInt8([1, 2, 2, 1], q(1, 1), [1, 2], false, q(1, 1));
    expect(s.path).to.equal('same-quant');
    expect(s.outputShape).to.deep.equal([1, 1]);
    const out = new Int8Array(1);
    meanInt8(s, new Int8Array([1, 2, 3, 5]), out);
    expect(out[0]).to.equal(2); // 11/4 = 2.75 truncated
    meanInt8(s, new Int8Array([-1, -2, -3, -5]), out);
    expect(out[0]).to.equal(-2); // −2.75 truncated toward zero
    const f = prepareMeanInt8([1, 2, 2, 1], q(1, 1), [1, 2], false, q(0.5, 0));
    expect(f.path).to.equal('float-rescale');
    meanInt8(f, new Int8Array([1, 2, 3, 5]), out);
    expect(out[0]).to.equal(4); // 2.75·2 − 1·2 = 3.5 → 4
  });

  it('MEAN over one middle axis of a 3-D tensor', () => {
    const p = prepareMeanFloat([2, 3, 2], [1], false);
    expect(p.outputShape).to.deep.equal([2, 2]);
    const input = Float32Array.from({ length: 12 }, (_, i) => i);
    const out = new Float32Array(4);
    meanFloat(p, input, out);
    expect([...out]).to.deep.equal([2, 3, 8, 9]);
  });
});
