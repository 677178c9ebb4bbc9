// Deterministic synthetic image batches for the training benchmarks:
// throughput does not depend on pixel values.
import type { Batch } from '../datasets/types.js';

export function syntheticImages(n: number, shape: [number, number, number], seed: number): Batch {
  let s = seed >>> 0;
  const rand = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  const size = shape[0] * shape[1] * shape[2];
  return {
    x: Float32Array.from({ length: n * size }, rand),
    y: Int32Array.from({ length: n }, (_, i) => i % 10),
    n,
    shape: [n, ...shape],
  };
}
