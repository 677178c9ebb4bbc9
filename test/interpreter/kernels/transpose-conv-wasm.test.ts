// int8 TRANSPOSE_CONV on the wasm int32 GEMM (one row per input pixel, one
// column per output channel and tap, then the scatter) against the plain-JS
// scatter: the same codes over windows that overlap (3×3 stride 2), tile
// exactly (2×2 stride 2), crop (SAME, odd sizes), several batches, input
// zero points that fold into the GEMM's bias, and both arithmetics.
import { expect } from 'chai';
import { prepareTransposeConvInt8, transposeConvInt8, type Padding } from '../../../src/interpreter/kernels/index.js';
import { WasmArena } from '../../../src/interpreter/wasm/arena.js';
import { lcg, q } from './helpers.js';

function randomInt8(n: number, seed: number): Int8Array {
  const r = lcg(seed);
  return Int8Array.from({ length: n }, () => Math.floor(256 * r()) - 128);
}

describe('interpreter/kernels int8 TRANSPOSE_CONV on the wasm GEMM', () => {
  const arena = new WasmArena();
  const cases: Array<{ shape: [number, number, number, number]; outC: number; k: [number, number]; stride: [number, number]; padding: Padding; zp: number }> = [
    { shape: [1, 7, 7, 48], outC: 32, k: [2, 2], stride: [2, 2], padding: 'SAME', zp: -128 },
    { shape: [2, 5, 4, 3], outC: 5, k: [3, 3], stride: [2, 2], padding: 'SAME', zp: 7 },
    { shape: [3, 4, 5, 9], outC: 6, k: [3, 3], stride: [2, 2], padding: 'VALID', zp: -3 },
    { shape: [1, 3, 6, 17], outC: 9, k: [4, 3], stride: [2, 1], padding: 'SAME', zp: 0 },
  ];
  for (const c of cases) {
    for (const arithmetic of ['xnnpack', 'reference'] as const) {
      it(`${c.shape.join('x')} → ${c.outC}, ${c.k.join('×')} stride ${c.stride.join(',')} ${c.padding}, zp ${c.zp}, ${arithmetic}`, () => {
        const [batches, h, w, inC] = c.shape;
        const up = (n: number, k: number, s: number): number => (c.padding === 'SAME' ? n * s : (n - 1) * s + k);
        const outShape = [batches, up(h, c.k[0], c.stride[0]), up(w, c.k[1], c.stride[1]), c.outC];
        const weights = randomInt8(c.outC * c.k[0] * c.k[1] * inC, 5);
        weights.forEach((v, i) => { if (v === -128) weights[i] = -127; });
        const bias = Int32Array.from(randomInt8(c.outC, 6), (v) => 40 * v);
        const o = { padding: c.padding, strideH: c.stride[0], strideW: c.stride[1], activation: 'RELU' as const };
        const scales = Array.from({ length: c.outC }, (_, i) => 0.002 + 0.0005 * i);
        const args = [c.shape, q(0.05, c.zp), [c.outC, c.k[0], c.k[1], inC], weights, q(scales, 0),
          bias, outShape, q(0.08, -5), o, arithmetic] as const;
        const js = prepareTransposeConvInt8(...args);
        const simd = prepareTransposeConvInt8(...args, arena);
        expect(simd.wasm).to.not.equal(null);
        const x = randomInt8(c.shape.reduce((a, b) => a * b, 1), 7);
        const size = outShape.reduce((a, b) => a * b, 1);
        const want = new Int8Array(size);
        const got = new Int8Array(size).fill(99);
        transposeConvInt8(js, x, want);
        transposeConvInt8(simd, x, got);
        expect(Array.from(got)).to.deep.equal(Array.from(want));
        // Not a degenerate output: the codes spread.
        expect(new Set(want).size).to.be.greaterThan(10);
      });
    }
  }
});
