// Hand-worked cases of the dense-prediction kernels.

import { expect } from 'chai';
import {
  invSqrtMultiplier, prepareRsqrtInt8, rsqrtInt8, prepareSquaredDifferenceInt8, squaredDifferenceInt8, gatherAxes, prepareMirrorPad, prepareSlice, prepareStridedSlice, nearestIndices, prepareResizeBilinear, resizeBilinearFloat, resizeBilinearInt8,
  prepareTransposeConvFloat, prepareTransposeConvInt8, transposeConvFloat, transposeConvInt8,
} from '../../../src/interpreter/kernels/index.js';
import { q } from './helpers.js';

describe('interpreter/kernels dense-prediction ops', () => {
  it('TRANSPOSE_CONV VALID stride 2: overlapping windows add, then bias, then fp32 requantization ties to even', () => {
    // x − zp_in = [1, 1]; w = [1, 2, 3] along W; windows start at 0 and 2 → [1, 2, 1+3, 2, 3] = [1, 2, 4, 2, 3].
    // + bias 1 → [2, 3, 5, 3, 4]; × 0.5 → [1, 1.5, 2.5, 1.5, 2] → RNE [1, 2, 2, 2, 2]; + zp_out −1.
    const o = { padding: 'VALID' as const, strideH: 2, strideW: 2, activation: 'NONE' as const };
    const args = [[1, 1, 2, 1], q(1, 2), [1, 1, 3, 1], new Int8Array([1, 2, 3]), q(0.5), new Int32Array([1]), [1, 1, 5, 1], q(1, -1), o] as const;
    const out = new Int8Array(5);
    transposeConvInt8(prepareTransposeConvInt8(...args, 'xnnpack'), new Int8Array([3, 3]), out);
    expect([...out]).to.deep.equal([0, 1, 1, 1, 1]);
    // gemmlowp rounds the same ties up: 1.5 → 2, 2.5 → 3.
    transposeConvInt8(prepareTransposeConvInt8(...args, 'reference'), new Int8Array([3, 3]), out);
    expect([...out]).to.deep.equal([0, 1, 2, 1, 1]);
  });

  it('TRANSPOSE_CONV SAME stride 2, 4-wide filter: the forward padding (1) crops the first tap and the last', () => {
    // Output width 4 → forward conv 4→2 with k 4, s 2: total padding 2, 1 before.
    // x0 covers outputs −1..2 with w0..w3, x1 covers 1..4: out = [w1, w2+w0, w3+w1, w2] for x = [1, 1].
    const o = { padding: 'SAME' as const, strideH: 2, strideW: 2, activation: 'RELU' as const };
    const p = prepareTransposeConvFloat([1, 1, 2, 1], [1, 1, 4, 1], new Float32Array([1, 2, 3, -9]), new Float32Array([0.5]), [1, 1, 4, 1], o);
    const out = new Float32Array(4);
    transposeConvFloat(p, new Float32Array([1, 1]), out);
    expect([...out]).to.deep.equal([2.5, 4.5, 0, 3.5]);
  });

  it('RESIZE_BILINEAR int8 2× without flags: samples at 0, ½, 1, 1 (capped); −1.5 rounds half up to −1', () => {
    const p = prepareResizeBilinear([1, 1, 2, 1], [1, 4], { alignCorners: false, halfPixelCenters: false });
    expect([...p.x.alphaQ11]).to.deep.equal([0, 1024, 0, 0]);
    const out = new Int8Array(4);
    resizeBilinearInt8(p, new Int8Array([-3, 0]), out);
    expect([...out]).to.deep.equal([-3, -1, 0, 0]);
  });

  it('RESIZE_BILINEAR half_pixel_centers 2×: samples at −¼ (clamped to 0), ¼, ¾, 1¼ (capped)', () => {
    const p = prepareResizeBilinear([1, 1, 2, 1], [1, 4], { alignCorners: false, halfPixelCenters: true });
    expect([...p.x.lo]).to.deep.equal([0, 0, 0, 1]);
    expect([...p.x.alphaQ11]).to.deep.equal([0, 512, 1536, 0]);
    const out = new Int8Array(4);
    resizeBilinearInt8(p, new Int8Array([0, 2]), out);
    expect([...out]).to.deep.equal([0, 1, 2, 2]); // 0.5 → 1, 1.5 → 2
    const f = new Float32Array(4);
    resizeBilinearFloat(p, new Float32Array([0, 2]), f);
    expect([...f]).to.deep.equal([0, 0.5, 1.5, 2]);
  });

  it('RESIZE_NEAREST_NEIGHBOR 3→2: floor(i·1.5) = [0, 1]; half_pixel_centers [0, 2]; align_corners round(i·2) = [0, 2]', () => {
    expect([...nearestIndices(3, 2, { alignCorners: false, halfPixelCenters: false })]).to.deep.equal([0, 1]);
    expect([...nearestIndices(3, 2, { alignCorners: false, halfPixelCenters: true })]).to.deep.equal([0, 2]);
    expect([...nearestIndices(3, 2, { alignCorners: true, halfPixelCenters: false })]).to.deep.equal([0, 2]);
    // 2→5 aligned: scale ¼, i·¼ = 0, .25, .5, .75, 1 → round half away: 0, 0, 1, 1, 1.
    expect([...nearestIndices(2, 5, { alignCorners: true, halfPixelCenters: false })]).to.deep.equal([0, 0, 1, 1, 1]);
  });

  it('MIRROR_PAD: REFLECT skips the edge, SYMMETRIC repeats it; at most n−1 / n per side', () => {
    const x = new Int8Array([1, 2, 3]);
    const reflect = prepareMirrorPad([3], [2, 2], 'REFLECT');
    const out = new Int8Array(7);
    gatherAxes(reflect, x, out);
    expect([...out]).to.deep.equal([3, 2, 1, 2, 3, 2, 1]);
    gatherAxes(prepareMirrorPad([3], [2, 2], 'SYMMETRIC'), x, out);
    expect([...out]).to.deep.equal([2, 1, 1, 2, 3, 3, 2]);
    expect(() => prepareMirrorPad([3], [3, 0], 'REFLECT')).to.throw(/at most 2/);
    // 2-D: rows and columns mirror independently.
    const m = new Float32Array(12);
    gatherAxes(prepareMirrorPad([2, 2], [1, 1, 0, 1], 'SYMMETRIC'), new Float32Array([1, 2, 3, 4]), m.subarray(0, 12));
    expect([...m]).to.deep.equal([1, 2, 2, 1, 2, 2, 3, 4, 4, 3, 4, 4]);
  });

  it('STRIDED_SLICE: negative begin, masks, a negative stride and a shrunk axis; SLICE size −1', () => {
    const x = Int32Array.from({ length: 12 }, (_, i) => i); // [3, 4]
    // rows: begin_mask → 0, end −1 → 2 (rows 0, 1); columns: from −1 back to the start (end_mask), stride −2: 3, 1.
    const g = prepareStridedSlice([3, 4], [5, -1], [-1, 0], [1, -2], { beginMask: 1, endMask: 2, shrinkAxisMask: 0, offset: false });
    expect(g.outputShape).to.deep.equal([2, 2]);
    const out = new Int32Array(4);
    gatherAxes(g, x, out);
    expect([...out]).to.deep.equal([3, 1, 7, 5]);
    const row = prepareStridedSlice([3, 4], [1, 1], [2, 3], [1, 1], { beginMask: 0, endMask: 0, shrinkAxisMask: 1, offset: false });
    expect(row.outputShape).to.deep.equal([2]);
    gatherAxes(row, x, out);
    expect([...out.subarray(0, 2)]).to.deep.equal([5, 6]);
    // offset: end = begin + end.
    expect(prepareStridedSlice([3, 4], [1, 1], [2, 2], [1, 1], { beginMask: 0, endMask: 0, shrinkAxisMask: 0, offset: true }).outputShape).to.deep.equal([2, 2]);
    const s = prepareSlice([3, 4], [1, 2], [-1, 1]);
    expect(s.outputShape).to.deep.equal([2, 1]);
    gatherAxes(s, x, out);
    expect([...out.subarray(0, 2)]).to.deep.equal([6, 10]);
  });

  it('SQUARED_DIFFERENCE int8: (3·128·½)² · 2⁻¹³ = 4.5 rounds half away (5); XNNPACK\'s float rule would give 4', () => {
    const args = [[1, 2], q(1 / 16, 2), [1, 1], q(1 / 16, 0), q(2 / 256, -128)] as const;
    const out = new Int8Array(2);
    // a − zp = [3, −1], b − zp = 0 (broadcast): 4.5 → 5 and 0.5 → 1.
    squaredDifferenceInt8(prepareSquaredDifferenceInt8(...args, 'builtin'), new Int8Array([5, 1]), new Int8Array([0]), out);
    expect([...out]).to.deep.equal([-123, -127]);
    squaredDifferenceInt8(prepareSquaredDifferenceInt8(...args, 'float'), new Int8Array([5, 1]), new Int8Array([0]), out);
    expect([...out]).to.deep.equal([-124, -128]);
  });

  it('RSQRT int8: five Newton–Raphson steps give 1/√v within 2·10⁻⁶; v = 0 saturates; codes below the zero point are refused', () => {
    for (const v of [2, 4, 9, 100, 255, 1 << 20]) {
      const { multiplier, shift } = invSqrtMultiplier(v);
      expect(multiplier * 2 ** (shift - 31) * Math.sqrt(v)).to.be.closeTo(1, 2e-6);
    }
    const p = prepareRsqrtInt8(q(1 / 64, -128), q(1 / 32, -128));
    const out = new Int8Array(3);
    rsqrtInt8(p, new Int8Array([-128, -124, -112]), out);
    // v = 0 → 127; v = 4 → 4/(1/32) = 128 → −128 + 128 = 0; v = 16 → 2 → 64 → −64.
    expect([...out]).to.deep.equal([127, 0, -64]);
    const neg = prepareRsqrtInt8(q(1 / 64, 0), q(1 / 32, -128));
    expect(() => rsqrtInt8(neg, new Int8Array([-1]), out)).to.throw(/only defined for positive values/);
  });
});
