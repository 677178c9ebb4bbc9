// Test helpers: a seeded generator and quantization descriptors.

import type { QuantParamsT } from '../../../src/interpreter/kernels/index.js';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

export function randInt8(rand: () => number, n: number, lo = -128, hi = 127): Int8Array {
  return new Int8Array(n).map(() => lo + Math.floor(rand() * (hi - lo + 1)));
}

export function q(scale: number | number[], zeroPoint: number | number[] = 0, quantizedDimension = 0): QuantParamsT {
  const s = Array.isArray(scale) ? scale : [scale];
  const z = Array.isArray(zeroPoint) ? zeroPoint : new Array<number>(s.length).fill(zeroPoint);
  return { scale: s, zeroPoint: z, quantizedDimension };
}

export function clampInt8(v: number): number {
  return v < -128 ? -128 : v > 127 ? 127 : v;
}
