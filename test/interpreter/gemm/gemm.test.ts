// The wasm SIMD GEMM against the plain-JS GEMM (kernels/conv2d.ts
// gemmRequantize, XNNPACK fp32 requantization) and against int32 sums
// computed here, on random shapes: depth not a multiple of 8 or 16, odd row
// and column counts, and the extreme values −128/127 everywhere.

import { expect } from 'chai';
import { gemmRequantize } from '../../../src/interpreter/kernels/conv2d.js';
import { xnnRequantScale } from '../../../src/interpreter/kernels/xnnpack.js';
import { WasmArena } from '../../../src/interpreter/wasm/arena.js';
import { gemmI32, gemmQ8, packGemm } from '../../../src/interpreter/wasm/gemm.js';
import { mulberry32 } from '../../support/random-models.js';

type Fill = 'random' | 'min' | 'max' | 'alternating';

function int8s(n: number, rnd: () => number, fill: Fill, lo = -128): Int8Array {
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = fill === 'min' ? lo : fill === 'max' ? 127 : fill === 'alternating' ? (i % 2 ? 127 : lo) : lo + Math.floor(rnd() * (128 - lo));
  }
  return out;
}

interface Case { rows: number; n: number; k: number; fill: Fill; seed: number; tieScales?: boolean; oneRow?: boolean }

/** Runs one case; returns how many outputs were exact halfway cases of the rounding. */
function runCase(c: Case): number {
  const rnd = mulberry32(c.seed);
  const a = int8s(c.rows * c.k, rnd, c.fill);
  const w = int8s(c.n * c.k, rnd, c.fill);
  const bias = new Int32Array(c.n).map(() => Math.floor((rnd() - 0.5) * 2 ** (c.tieScales ? 8 : 20)));
  // Scales that put typical sums near the int8 range, plus some that saturate.
  // Or powers of two, so that many products land exactly halfway between integers.
  const scale = new Float32Array(c.n).map(() => (c.tieScales
    ? 2 ** -(1 + Math.floor(rnd() * 6))
    : xnnRequantScale(0.02 + rnd() * 0.1, 0.001 + rnd() * 0.02, 0.05 + rnd() * 0.5)));
  const zp = Math.floor(rnd() * 256) - 128;
  const lo = rnd() < 0.5 ? -128 : Math.max(-128, zp);
  const hi = rnd() < 0.7 ? 127 : Math.min(127, zp + 60);

  const arena = new WasmArena();
  const g = packGemm(arena, w, c.n, c.k, bias, scale, c.oneRow);
  const gi = packGemm(arena, w, c.n, c.k, bias, null, c.oneRow);
  const aBytes = c.rows * c.k + 16;
  const q8Bytes = c.rows * c.n;
  const i32Bytes = c.rows * g.n4 * 4;
  arena.needScratch(aBytes + q8Bytes + i32Bytes + 64);
  const base = arena.scratchBase;
  const aAt = base;
  const qAt = base + Math.ceil(aBytes / 16) * 16;
  const iAt = qAt + Math.ceil(q8Bytes / 16) * 16;
  // Garbage in the over-read tail must not matter (it meets zero weights).
  arena.i8.fill(-128, aAt, aAt + aBytes);
  arena.i8.set(a, aAt);
  gemmQ8(g, aAt, c.k, c.rows, qAt, c.n, zp, lo, hi);
  gemmI32(gi, aAt, c.k, c.rows, iAt);

  const want = new Int8Array(c.rows * c.n);
  gemmRequantize(a, 0, c.rows, c.k, w, c.n, bias, new Int32Array(c.n), new Int32Array(c.n), zp, lo, hi, want, 0, scale);
  const got = arena.i8.slice(qAt, qAt + q8Bytes);
  let diff = 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) diff++;
  expect(diff, `${diff} of ${want.length} int8 outputs differ for ${JSON.stringify(c)}`).to.equal(0);

  let accDiff = 0;
  let halfway = 0;
  for (let p = 0; p < c.rows; p++) {
    for (let col = 0; col < c.n; col++) {
      let s = bias[col]!;
      for (let j = 0; j < c.k; j++) s += a[p * c.k + j]! * w[col * c.k + j]!;
      if (arena.i32[(iAt >>> 2) + p * g.n4 + col] !== (s | 0)) accDiff++;
      const f = Math.fround(Math.fround(s | 0) * scale[col]!);
      if (f - Math.floor(f) === 0.5) halfway++;
    }
  }
  expect(accDiff, `${accDiff} int32 sums differ for ${JSON.stringify(c)}`).to.equal(0);
  return halfway;
}

describe('wasm SIMD int8 GEMM', () => {
  it('matches the JS GEMM bit for bit on random shapes', () => {
    const rnd = mulberry32(7);
    for (let t = 0; t < 60; t++) {
      runCase({ rows: 1 + Math.floor(rnd() * 20), n: 1 + Math.floor(rnd() * 23), k: 1 + Math.floor(rnd() * 70), fill: 'random', seed: 100 + t });
    }
  });

  it('handles depths that are not multiples of 8 or 16 and odd row/column counts', () => {
    for (const k of [1, 3, 7, 8, 9, 15, 16, 17, 27, 33, 288]) {
      for (const [rows, n] of [[1, 1], [1, 5], [2, 3], [3, 4], [5, 7], [7, 10], [13, 33]] as const) {
        runCase({ rows, n, k, fill: 'random', seed: k * 1000 + rows * 31 + n });
      }
    }
  });

  it('rounds halfway products to even, as lrintf does, across the clamp bounds', () => {
    const rnd = mulberry32(11);
    let halfway = 0;
    for (let t = 0; t < 40; t++) {
      halfway += runCase({
        rows: 1 + Math.floor(rnd() * 13), n: 1 + Math.floor(rnd() * 20), k: 1 + Math.floor(rnd() * 12), fill: 'random', seed: 500 + t, tieScales: true,
      });
    }
    expect(halfway, 'halfway cases exercised').to.be.greaterThan(300);
  });

  it('one-row packing (FULLY_CONNECTED at batch 1) gives the same results, halfway cases and extremes included', () => {
    let halfway = 0;
    for (const k of [1, 3, 7, 8, 9, 16, 17, 33, 288, 1000]) {
      for (const n of [1, 5, 8, 9, 16, 23, 33]) {
        runCase({ rows: 1, n, k, fill: 'random', seed: k * 100 + n, oneRow: true });
        halfway += runCase({ rows: 1, n, k: Math.min(k, 12), fill: 'random', seed: k * 100 + n + 1, oneRow: true, tieScales: true });
      }
    }
    for (const fill of ['min', 'max', 'alternating'] as const) runCase({ rows: 1, n: 9, k: 4099, fill, seed: 3, oneRow: true });
    runCase({ rows: 1, n: 3, k: 131080, fill: 'min', seed: 1, oneRow: true });
    expect(halfway, 'halfway cases exercised').to.be.greaterThan(50);
  });

  it('does not overflow on extreme values (−128, 127) at large depth', () => {
    for (const fill of ['min', 'max', 'alternating'] as const) {
      for (const k of [8, 9, 1000, 4099]) runCase({ rows: 4, n: 6, k, fill, seed: k });
    }
  });

  it('wraps int32 sums exactly when they exceed 2^31 (as C does)', () => {
    // 16384 · 2^17 + bias crosses 2^31: the wasm lanes and the JS `| 0` must agree.
    runCase({ rows: 2, n: 3, k: 131080, fill: 'min', seed: 1 });
  });
});
