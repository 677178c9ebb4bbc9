// float32 SOFTMAX as LiteRT runs it with β = 1: XNNPACK's softmax. Per row:
// the max; e = exp(x − max) by XNNPACK's own float32 approximation (the one
// its sigmoid uses, logistic.ts; zero below the denormal cutoff); the e's summed in 4 lanes (element i in lane
// i mod 4, for all but the last n mod 4), folded (l0 + l2) + (l1 + l3), the
// last two added as a pair, then the last one; every e times float32(1/sum).
// Each step is one float32 operation, in the order the wasm SIMD kernel
// (no fused multiply-add) performs it; measured bit-exact against LiteRT.

import { XNN_EXP_CUTOFF, xnnExpMinus } from './logistic.js';

const f32 = Math.fround;

/** XNNPACK's exp(x − max) in float32 (logistic.ts holds the steps). */
export function xnnExpMinusMax(v: number, max: number): number {
  const z = -f32(v - max);
  return z > XNN_EXP_CUTOFF ? 0 : xnnExpMinus(z);
}

export function softmaxRowsXnnF32(input: Float32Array, output: Float32Array, rows: number, depth: number): void {
  const n4 = depth - (depth % 4);
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    let max = -Infinity;
    for (let j = 0; j < depth; j++) if (input[base + j]! > max) max = input[base + j]!;
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    for (let j = 0; j < depth; j++) output[base + j] = xnnExpMinusMax(input[base + j]!, max);
    for (let j = 0; j < n4; j += 4) {
      l0 = f32(l0 + output[base + j]!);
      l1 = f32(l1 + output[base + j + 1]!);
      l2 = f32(l2 + output[base + j + 2]!);
      l3 = f32(l3 + output[base + j + 3]!);
    }
    let sum = f32(f32(l0 + l2) + f32(l1 + l3));
    if (depth % 4 >= 2) sum = f32(sum + f32(output[base + n4]! + output[base + n4 + 1]!));
    if (depth % 2 === 1) sum = f32(sum + output[base + depth - 1]!);
    const scale = f32(1 / sum);
    for (let j = 0; j < depth; j++) output[base + j] = f32(output[base + j]! * scale);
  }
}
